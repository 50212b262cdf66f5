// Forked by crash.test.ts: appends batches to a few streams in a loop and reports every
// acknowledged append to the parent, until it is killed with SIGKILL. Not a test by itself.
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { EventToAppend } from '../../src/store/port.js';

export interface Ack {
  stream: string;
  ids: string[];
  nextExpectedRevision: string; // bigint as text: IPC is JSON
  position: string;
}

export const CRASH_STREAMS = ['crash-a', 'crash-b', 'crash-c', 'crash-d'];

async function main(dataDir: string): Promise<void> {
  const store = openSqliteStore({ dataDir });
  const heads = new Map<string, bigint>();
  for (const s of CRASH_STREAMS) {
    const last = await store.readStream(s, { direction: 'backwards', maxCount: 1 });
    if (last[0] !== undefined) heads.set(s, last[0].revision);
  }
  process.send?.({ ready: true });
  for (let i = 0; ; i++) {
    const stream = CRASH_STREAMS[Math.floor(Math.random() * CRASH_STREAMS.length)]!;
    const size = 1 + Math.floor(Math.random() * (i % 10 === 0 ? 200 : 8));
    const batch = randomUUID();
    const events: EventToAppend[] = Array.from({ length: size }, (_, index) => ({
      id: randomUUID(),
      type: 'CrashTest',
      data: { index, pad: 'p'.repeat(Math.floor(Math.random() * 2000)) },
      metadata: { batch, size, index },
    }));
    const head = heads.get(stream);
    const r = await store.append(stream, events, { expectedRevision: head ?? 'no_stream' });
    heads.set(stream, r.nextExpectedRevision);
    const ack: Ack = {
      stream,
      ids: events.map((e) => e.id),
      nextExpectedRevision: String(r.nextExpectedRevision),
      position: String(r.position),
    };
    process.send?.(ack);
    await new Promise((resolve) => setImmediate(resolve)); // let the IPC channel drain
  }
}

// Runs only when crash.test.ts forks it (the marker below). Imported for its types, or picked up
// by a test runner's file glob, it does nothing.
export const CRASH_WRITER_ENV = 'POOLSHARE_CRASH_WRITER';
if (process.env[CRASH_WRITER_ENV] === '1' && process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dataDir = process.argv[2];
  if (dataDir === undefined) throw new Error('usage: crash-writer <dataDir>');
  main(dataDir).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
