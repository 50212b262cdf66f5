// `npm run backup -- FILE`: an online copy of the embedded store taken while it is being
// written, restored by opening the copy as a store and reading everything back.
import t from 'tap';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { backupStore, BackupError } from '../../src/cli/backup.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { openSqliteStore, STORE_FILE_NAME } from '../../src/store/sqlite/sqlite-store.js';
import type { EventStore, RecordedEvent } from '../../src/store/port.js';
import { newEvents } from './contract.js';

const STREAMS = 4;
const BATCHES_BEFORE = 200;
const WRITES_DURING_MAX = 2_000; // a bound on the writer, whatever the speed of the copy

function tempDir(t: Tap): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poolshare-backup-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

type Tap = Parameters<Parameters<typeof t.test>[0]>[0];

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/backup.ts', ...args], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env['PATH'], ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

/** Appends one event to each stream in turn: every stream's revisions stay contiguous. */
async function writeRound(store: EventStore, revisions: bigint[]): Promise<void> {
  for (let s = 0; s < STREAMS; s++) {
    const expected = revisions[s]!;
    const r = await store.append(`fundyear-backup-${s}-2015-16`, newEvents(1, `S${s}-`), { expectedRevision: expected < 0n ? 'no_stream' : expected });
    revisions[s] = r.nextExpectedRevision;
  }
}

/** The copy, opened as a store in a DATA_DIR of its own (a restore), read to the end. */
async function restore(t: Tap, backup: string): Promise<RecordedEvent[]> {
  const dataDir = path.join(tempDir(t), 'restored');
  fs.mkdirSync(dataDir);
  fs.copyFileSync(backup, path.join(dataDir, STORE_FILE_NAME));
  const store = openSqliteStore({ dataDir });
  try {
    return await store.readAll();
  } finally {
    await store.close();
  }
}

t.test('a backup taken by the CLI while another writer appends: a consistent prefix of the log, mode 0600, restorable', async (t) => {
  const dir = tempDir(t);
  const dataDir = path.join(dir, 'data');
  const store = openSqliteStore({ dataDir });
  t.teardown(() => store.close());
  const revisions = Array.from({ length: STREAMS }, () => -1n);
  for (let i = 0; i < BATCHES_BEFORE; i++) await writeRound(store, revisions);
  const before = await store.readAll();

  const file = path.join(dir, 'copy.sqlite');
  const cli = runCli([file], { DATA_DIR: dataDir });
  let writing = true;
  void cli.then(() => (writing = false));
  let writes = 0;
  while (writing && writes < WRITES_DURING_MAX) {
    await writeRound(store, revisions);
    writes += STREAMS;
  }
  const done = await cli;
  t.equal(done.code, 0, `the CLI succeeded: ${done.stderr}`);
  t.match(done.stdout, /^backed up \d+ event\(s\), last position \d+, to .*copy\.sqlite \(mode 0600\)\n$/);
  t.ok(writes > 0, `the store was written while the copy ran (${writes} appends)`);
  t.equal(fs.statSync(file).mode & 0o777, 0o600, 'the copy is readable by its owner only');
  t.strictSame(fs.readdirSync(dir).filter((f) => f.includes('partial')), [], 'no partial file left');

  const copied = await restore(t, file);
  const all = await store.readAll();
  t.ok(copied.length >= before.length, `everything written before the backup began is in it (${copied.length} >= ${before.length})`);
  t.ok(copied.length <= all.length, 'nothing the store does not have');
  t.strictSame(copied, all.slice(0, copied.length), 'the copy is exactly a prefix of the log: same ids, positions, data and metadata');
  const counted = Number(/backed up (\d+) event/.exec(done.stdout)?.[1]);
  t.equal(counted, copied.length, 'the count the CLI printed');
});

t.test('backupStore: refuses an existing file and a missing store; the restored copy takes new appends', async (t) => {
  const dir = tempDir(t);
  const dataDir = path.join(dir, 'data');
  await t.rejects(backupStore({ dataDir, file: path.join(dir, 'x.sqlite') }), BackupError, 'no store in DATA_DIR');
  const store = openSqliteStore({ dataDir });
  t.teardown(() => store.close());
  await store.append('fundyear-one-2015-16', newEvents(3), { expectedRevision: 'no_stream' });
  const taken = path.join(dir, 'taken.sqlite');
  fs.writeFileSync(taken, 'precious');
  await t.rejects(backupStore({ dataDir, file: taken }), /exists already/, 'an existing file');
  t.equal(fs.readFileSync(taken, 'utf8'), 'precious', 'and left alone');
  const file = path.join(dir, 'b.sqlite');
  const result = await backupStore({ dataDir, file });
  t.equal(result.events, 3n);
  const restoredDir = path.join(dir, 'restored');
  fs.mkdirSync(restoredDir);
  fs.copyFileSync(file, path.join(restoredDir, STORE_FILE_NAME));
  const restored = openSqliteStore({ dataDir: restoredDir });
  t.teardown(() => restored.close());
  const r = await restored.append('fundyear-one-2015-16', newEvents(1), { expectedRevision: 2n });
  t.equal(r.nextExpectedRevision, 3n, 'the restored store carries on where the copy ends');
  t.equal(r.position, result.lastPosition! + 1n, 'with the next position');
});

t.test('the CLI: usage, and no backup of EventStoreDB', async (t) => {
  const usage = await runCli([], { DATA_DIR: tempDir(t) });
  t.equal(usage.code, 2);
  t.match(usage.stderr, /^usage: npm run backup -- FILE/);
  const esdb = await runCli([path.join(tempDir(t), 'x.sqlite')], { DATA_DIR: tempDir(t), EVENTSTORE_URL: 'esdb://127.0.0.1:2113?tls=false' });
  t.equal(esdb.code, 1);
  t.match(esdb.stderr, /^backup failed: EVENTSTORE_URL is set: .* its own tools/);
});
