// Durability of the embedded store: a forked writer appends in a loop and reports each
// acknowledged append; we SIGKILL it as its k-th acknowledgement arrives (the writer is then
// somewhere in its next append), reopen the store and check that every acknowledged event is
// there, no batch is partial and no stream has a revision gap. Kills are counted in
// acknowledgements, not milliseconds, so a slow machine runs the same test.
// Each round reopens the store the previous round crashed, so damage would accumulate.
// (SIGKILL tests process death, not power loss: that is what synchronous=FULL is for.)
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { RecordedEvent } from '../../src/store/port.js';
import type { Tap } from './contract.js';
import { CRASH_STREAMS, CRASH_WRITER_ENV, type Ack } from './crash-writer.js';

const ROUNDS = 15;
const WRITER = fileURLToPath(new URL('./crash-writer.ts', import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poolshare-crash-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Round {
  acks: Ack[];
  signal: NodeJS.Signals | null;
  code: number | null;
  stderr: string;
}

/** Acknowledgements to wait for before the kill, per round: 0 kills it as soon as it is ready. */
const KILL_AT_ACK = Array.from({ length: ROUNDS }, (_, round) => (round === 0 ? 0 : 3 + ((round * 11) % 23)));

function runWriterAndKill(killAtAck: number): Promise<Round> {
  return new Promise((resolve, reject) => {
    const child = fork(WRITER, [dir], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, [CRASH_WRITER_ENV]: '1' },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const acks: Ack[] = [];
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('message', (m: Ack | { ready: true }) => {
      if (!('ready' in m)) acks.push(m);
      if (acks.length === killAtAck) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      resolve({ acks, signal, code, stderr });
    });
  });
}

interface Meta {
  batch: string;
  size: number;
  index: number;
}

function checkStore(t: Tap, all: RecordedEvent[], acked: Ack[]): void {
  const byId = new Map(all.map((e) => [e.id, e]));
  let missing = 0;
  for (const ack of acked) {
    const last = BigInt(ack.nextExpectedRevision);
    ack.ids.forEach((id, i) => {
      const e = byId.get(id);
      const revision = last - BigInt(ack.ids.length - 1 - i);
      if (e === undefined || e.streamId !== ack.stream || e.revision !== revision) missing++;
    });
    if (byId.get(ack.ids[ack.ids.length - 1]!)?.position !== BigInt(ack.position)) missing++;
  }
  t.equal(missing, 0, `all ${acked.length} acknowledged appends are there, at their revisions and positions`);

  const batches = new Map<string, RecordedEvent[]>();
  for (const e of all) {
    const m = e.metadata as Meta;
    batches.set(m.batch, [...(batches.get(m.batch) ?? []), e]);
  }
  let partial = 0;
  for (const events of batches.values()) {
    const m = events[0]!.metadata as Meta;
    const whole = events.length === m.size && events.every((e, i) => (e.metadata as Meta).index === i && e.revision === events[0]!.revision + BigInt(i));
    if (!whole) partial++;
  }
  t.equal(partial, 0, `no partial batch among ${batches.size}`);

  let gaps = 0;
  for (const s of CRASH_STREAMS) {
    const revs = all.filter((e) => e.streamId === s).map((e) => e.revision);
    if (!revs.every((r, i) => r === BigInt(i))) gaps++;
  }
  t.equal(gaps, 0, 'every stream has revisions 0..n-1 without gaps');
  t.ok(all.every((e, i) => i === 0 || all[i - 1]!.position < e.position), 'positions strictly increase');
}

t.test(`SIGKILL a writer ${ROUNDS} times at random moments; nothing acknowledged is lost`, async (t) => {
  const acked: Ack[] = [];
  let killedWhileWriting = 0;
  let unacknowledgedButWritten = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const killAt = KILL_AT_ACK[round]!;
    const r = await runWriterAndKill(killAt);
    t.equal(r.signal, 'SIGKILL', `round ${round}: the writer died by SIGKILL (at ack ${killAt}, ${r.acks.length} acks in all)${r.stderr ? `: ${r.stderr}` : ''}`);
    t.ok(r.acks.length >= killAt, `round ${round}: it was killed no earlier than its ack ${killAt}`);
    if (r.acks.length > 0) killedWhileWriting++;
    acked.push(...r.acks);
    const store = openSqliteStore({ dataDir: dir });
    const all = await store.readAll();
    await store.close();
    unacknowledgedButWritten = all.length - acked.reduce((n, a) => n + a.ids.length, 0);
    await t.test(`round ${round}: store after the crash`, async (t) => checkStore(t, all, acked));
  }
  // The first round kills the writer as it becomes ready: an append may still slip through.
  t.ok(killedWhileWriting >= ROUNDS - 1, `every round after the first was killed while appending (${killedWhileWriting}/${ROUNDS})`);
  const planned = KILL_AT_ACK.reduce((n, k) => n + k, 0);
  t.ok(planned > 100 && acked.length >= planned, `enough acknowledged appends to mean something (${acked.length}, at least ${planned})`);
  t.comment(`${acked.length} acknowledged appends; ${unacknowledgedButWritten} events written but not yet acknowledged at the last kill`);
});
