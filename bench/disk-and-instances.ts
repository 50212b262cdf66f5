// Two figures of issue 13 about the embedded store itself:
// - bytes on disk per event against the bytes of its JSON (data + metadata);
// - single-event appends through two store instances on one SQLite file
//   (as two service processes on one DATA_DIR) against one instance.
import { performance } from 'node:perf_hooks';
import type { EventStore, EventToAppend } from '../src/store/port.js';
import { figure, getDefaultWarmups, log, side, throughputFigure, type Figure, type Run } from './harness.js';
import { benchStream, returnEvent } from './events.js';
import { makeTempDir, removeTempDir, directorySizeBytes } from './tmp.js';
import { openEmbeddedStore } from './open-store.js';

export interface DiskOptions {
  /** Events written for the disk figure, in appends of 40 (one fund-year each). */
  diskEvents: number;
  /** Single-event appends per timed run of the two-instance figure. */
  appendsPerRun: number;
  repetitions: number;
}

const BATCH = 40;

function jsonBytes(e: EventToAppend): number {
  return Buffer.byteLength(JSON.stringify(e.data)) + Buffer.byteLength(JSON.stringify(e.metadata ?? {}));
}

/** Bytes the store's directory takes per event (after close, WAL checkpointed) ÷ JSON bytes per event. */
export async function diskFigure(o: DiskOptions): Promise<Figure> {
  const dir = makeTempDir('disk');
  try {
    const store = await openEmbeddedStore(dir);
    let json = 0;
    let written = 0;
    for (let s = 0; written < o.diskEvents; s++) {
      const events = Array.from({ length: BATCH }, (_, i) => returnEvent(i % 2, (i % 12) + 1, Math.floor(i / 24)));
      for (const e of events) json += jsonBytes(e);
      await store.append(benchStream(s), events, { expectedRevision: -1n });
      written += events.length;
    }
    await store.close();
    const disk = directorySizeBytes(dir);
    log(`disk: ${written} events, ${(disk / 2 ** 20).toFixed(1)} MiB on disk, ${(json / 2 ** 20).toFixed(1)} MiB of JSON`);
    return figure({
      scenario: 'store',
      name: 'bytes on disk per event',
      size: written,
      unit: 'bytes',
      higherIsBetter: false,
      measured: side('store file(s) after close', [disk / written]),
      baseline: side('JSON data + metadata', [json / written]),
      extra: { diskOverJson: Math.round((disk / json) * 1000) / 1000 },
      note: 'goal: disk / JSON <= 1.3, i.e. ratio >= 0.77',
    });
  } finally {
    removeTempDir(dir);
  }
}

/** Appends alternate between two instances on one file (measured) and go through one (baseline), interleaved append by append. */
export async function twoInstancesFigure(o: DiskOptions): Promise<Figure> {
  const dir = makeTempDir('two-instances');
  const a = await openEmbeddedStore(dir);
  const b = await openEmbeddedStore(dir);
  const next = new Map<string, bigint>();
  const take = (stream: string): bigint => {
    const expected = next.get(stream) ?? -1n;
    next.set(stream, expected + 1n);
    return expected;
  };
  const appendOne = async (store: EventStore, stream: string, i: number): Promise<number> => {
    const t0 = performance.now();
    await store.append(stream, [returnEvent(i % 2, (i % 12) + 1, 1)], { expectedRevision: take(stream) });
    return (performance.now() - t0) / 1000;
  };
  // Streams 0–31 for the two-instance side (both instances write to each), 32–63 for the one-instance side.
  const round = async (): Promise<{ measured: Run; baseline: Run }> => {
    let two = 0;
    let one = 0;
    for (let i = 0; i < o.appendsPerRun; i++) {
      two += await appendOne(i % 2 === 0 ? a : b, benchStream(i % 32), i);
      one += await appendOne(a, benchStream(32 + (i % 32)), i);
    }
    return { measured: { units: o.appendsPerRun, seconds: two }, baseline: { units: o.appendsPerRun, seconds: one } };
  };
  try {
    log(`store: ${o.appendsPerRun} single-event appends per run, two instances on one file against one`);
    for (let i = 0; i < getDefaultWarmups(); i++) await round();
    const runs: { measured: Run[]; baseline: Run[] } = { measured: [], baseline: [] };
    for (let i = 0; i < o.repetitions; i++) {
      const r = await round();
      runs.measured.push(r.measured);
      runs.baseline.push(r.baseline);
    }
    return throughputFigure(
      { scenario: 'store', name: 'append 1 event, two instances on one file', unit: 'events/s', note: 'each stream written alternately by both instances' },
      { measured: 'two SqliteEventStores, one file', baseline: 'one SqliteEventStore' },
      runs,
    );
  } finally {
    await a.close();
    await b.close();
    removeTempDir(dir);
  }
}
