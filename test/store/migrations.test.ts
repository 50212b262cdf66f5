import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import {
  APPLICATION_ID,
  ForeignStoreFileError,
  SCHEMA_VERSION_LATEST,
  STORE_FILE_NAME,
  StoreTooNewError,
  openSqliteStore,
} from '../../src/store/sqlite/sqlite-store.js';
import { WrongExpectedRevisionError } from '../../src/store/port.js';
import { newEvent, type Tap } from './contract.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'poolshare-migrations-'));
t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
function dirWithFile(): { dir: string; file: string } {
  const dir = path.join(root, `case-${++n}`);
  fs.mkdirSync(dir);
  return { dir, file: path.join(dir, STORE_FILE_NAME) };
}

/** Every file in the directory with its sha256: "left unchanged" means this does not change. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(dir).sort()) {
    out[name] = createHash('sha256').update(fs.readFileSync(path.join(dir, name))).digest('hex');
  }
  return out;
}

// Frozen copy of what version 1 of the code created (MIGRATIONS[0] as released): do not edit.
const V1_DDL = `
  CREATE TABLE schema_version (
    version     INTEGER PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at  TEXT NOT NULL
  );
  CREATE TABLE events (
    position  INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id  TEXT NOT NULL UNIQUE,
    stream_id TEXT NOT NULL,
    revision  INTEGER NOT NULL CHECK (revision >= 0),
    type      TEXT NOT NULL,
    data      TEXT NOT NULL,
    metadata  TEXT NOT NULL,
    UNIQUE (stream_id, revision)
  );`;

t.test('a version-1 store opens, is migrated to the latest version, and carries on', async (t) => {
  const { dir, file } = dirWithFile();
  const old = new Database(file);
  old.pragma('journal_mode = WAL');
  old.exec(V1_DDL);
  old.pragma(`application_id = ${APPLICATION_ID}`);
  old.prepare("INSERT INTO schema_version VALUES (1, 'initial', '2025-04-01T00:00:00.000Z')").run();
  const insert = old.prepare('INSERT INTO events (event_id, stream_id, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)');
  const ids: string[] = [];
  for (const [stream, revision] of [['a', 0], ['b', 0], ['a', 1], ['a', 2], ['b', 1]] as const) {
    const e = newEvent('Old', { stream, revision, note: '£' }, { v: 1 });
    ids.push(e.id);
    insert.run(e.id, stream, revision, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata));
  }
  old.close();

  const store = openSqliteStore({ dataDir: dir });
  const a = await store.readStream('a');
  t.strictSame(a.map((e) => e.revision), [0n, 1n, 2n], 'old events read back');
  t.strictSame(a[0]!.data, { stream: 'a', revision: 0, note: '£' });
  t.strictSame((await store.readAll()).map((e) => e.id), ids, 'global order kept');
  await t.rejects(store.append('a', [newEvent()], { expectedRevision: 1n }), WrongExpectedRevisionError, 'stream heads were backfilled: a is at 2');
  const r = await store.append('a', [newEvent()], { expectedRevision: 2n });
  t.strictSame(r, { nextExpectedRevision: 3n, position: 6n }, 'appends carry on the old sequence');
  const rb = await store.append('b', [newEvent()], { expectedRevision: 1n });
  t.equal(rb.nextExpectedRevision, 2n, 'b carries on too');
  const retry = await store.append('a', [ids[2]!, ids[3]!].map((id) => ({ ...newEvent('Old'), id })), { expectedRevision: 0n });
  t.strictSame(retry, { nextExpectedRevision: 2n, position: 4n }, 'a retry of events written by the old version is recognised');
  await store.close();

  const check = new Database(file, { readonly: true });
  const versions = check.prepare('SELECT version FROM schema_version ORDER BY version').pluck().all();
  t.strictSame(versions, Array.from({ length: SCHEMA_VERSION_LATEST }, (_, i) => i + 1), 'every migration recorded once');
  check.close();

  const again = openSqliteStore({ dataDir: dir });
  t.equal((await again.readAll()).length, 7, 'reopening the migrated store changes nothing');
  await again.close();
});

async function expectRefusal(t: Tap, dir: string, errorType: new (...a: never[]) => Error, pattern: RegExp): Promise<void> {
  const before = snapshot(dir);
  let caught: unknown;
  try {
    const store = openSqliteStore({ dataDir: dir });
    await store.close();
  } catch (error) {
    caught = error;
  }
  t.ok(caught instanceof errorType, `refused with ${errorType.name}`);
  t.match(String((caught as Error | undefined)?.message), pattern, 'the message says why');
  t.strictSame(snapshot(dir), before, 'the directory and the file are byte for byte unchanged');
}

t.test('a SQLite file that is not ours is refused and left unchanged', async (t) => {
  const { dir, file } = dirWithFile();
  const other = new Database(file);
  other.exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES ('Ada');");
  other.close();
  await expectRefusal(t, dir, ForeignStoreFileError, /not a poolshare event store/);
});

t.test('a SQLite file with another application id is refused and left unchanged', async (t) => {
  const { dir, file } = dirWithFile();
  const other = new Database(file);
  other.pragma('application_id = 12345');
  other.close();
  await expectRefusal(t, dir, ForeignStoreFileError, /application id 12345/);
});

t.test('a file that is not SQLite at all is refused and left unchanged', async (t) => {
  const { dir, file } = dirWithFile();
  fs.writeFileSync(file, 'these are my notes, please do not overwrite them\n'.repeat(200));
  await expectRefusal(t, dir, ForeignStoreFileError, /not a SQLite database/);
});

t.test('a store written by a newer version is refused and left unchanged', async (t) => {
  const { dir, file } = dirWithFile();
  const store = openSqliteStore({ dataDir: dir });
  await store.append('s', [newEvent()], { expectedRevision: 'no_stream' });
  await store.close();
  const db = new Database(file);
  db.prepare("INSERT INTO schema_version VALUES (99, 'from the future', '2030-01-01T00:00:00.000Z')").run();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  await expectRefusal(t, dir, StoreTooNewError, /schema version 99/);
});

t.test('an empty file (a blank SQLite database) is initialised', async (t) => {
  const { dir, file } = dirWithFile();
  fs.writeFileSync(file, '');
  const store = openSqliteStore({ dataDir: dir });
  t.equal((await store.append('s', [newEvent()], { expectedRevision: 'no_stream' })).position, 1n);
  await store.close();
});
