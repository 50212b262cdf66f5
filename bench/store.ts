// Scenario 2 — the embedded adapter against raw better-sqlite3 on the same schema:
// single-event appends (one command's worth, the common case), whole-stream batch
// appends, and reading the whole log back in pages.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { EventStore, EventToAppend } from '../src/store/port.js';
import { alternate, getDefaultWarmups, log, throughputFigure, timeRun, type Figure, type Run } from './harness.js';
import { RawLog, schemaOf } from './raw-sqlite.js';
import { benchStream, returnEvent } from './events.js';
import { makeTempDir, removeTempDir } from './tmp.js';
import { openEmbeddedStore, STORE_FILE } from './open-store.js';

export interface StoreScenarioOptions {
  /** Single-event appends per timed run. */
  appendsPerRun: number;
  /** Batch appends per timed run, each a new stream of `batchSize` events. */
  batchesPerRun: number;
  batchSize: number;
  repetitions: number;
  /** Events per readAll page. */
  pageSize: number;
}

const STREAMS = 64;

interface Planned {
  stream: string;
  events: EventToAppend[];
}

class Counter {
  private readonly next = new Map<string, bigint>();
  take(stream: string, count: number): bigint {
    const expected = this.next.get(stream) ?? -1n;
    this.next.set(stream, expected + BigInt(count));
    return expected;
  }
}

export async function storeScenario(options: StoreScenarioOptions): Promise<Figure[]> {
  const adapterDir = makeTempDir('store-adapter');
  const rawDir = makeTempDir('store-raw');
  const store = await openEmbeddedStore(adapterDir);
  const raw = new RawLog(rawDir, schemaOf(path.join(adapterDir, STORE_FILE)));
  try {
    return await runAll(store, raw, options);
  } finally {
    await store.close();
    raw.close();
    removeTempDir(adapterDir);
    removeTempDir(rawDir);
  }
}

async function runAll(store: EventStore, raw: RawLog, o: StoreScenarioOptions): Promise<Figure[]> {
  const figures: Figure[] = [];
  const adapterRevs = new Counter();
  const rawRevs = new Counter();
  let batchStream = 1_000_000;

  // Each run is planned outside the timing; both sides get the same events.
  const singlePlan = (): Planned[] =>
    Array.from({ length: o.appendsPerRun }, (_, i) => ({ stream: benchStream(i % STREAMS), events: [returnEvent(i % 2, (i % 12) + 1, 1)] }));
  const batchPlan = (): Planned[] =>
    Array.from({ length: o.batchesPerRun }, () => {
      const stream = benchStream(batchStream++);
      return { stream, events: Array.from({ length: o.batchSize }, (_, i) => returnEvent(i % 2, (i % 12) + 1, Math.floor(i / 24))) };
    });

  const appendAdapter = (plan: Planned[]) => async (): Promise<number> => {
    for (const p of plan) {
      await store.append(p.stream, p.events, { expectedRevision: adapterRevs.take(p.stream, p.events.length) });
    }
    return plan.reduce((n, p) => n + p.events.length, 0);
  };
  const appendRaw = (plan: Planned[]) => (): number => {
    for (const p of plan) raw.append(p.stream, p.events, rawRevs.take(p.stream, p.events.length));
    return plan.reduce((n, p) => n + p.events.length, 0);
  };
  const pair = (makePlan: () => Planned[]) => {
    return {
      measured: (): Promise<Run> => timeRun(appendAdapter(makePlan())),
      baseline: (): Promise<Run> => timeRun(appendRaw(makePlan())),
    };
  };

  // Single appends are fsync-bound and the noisiest figure: the two sides take
  // turns append by append, and each side's time is summed over its own appends.
  log(`store: ${o.appendsPerRun} single-event appends per run, interleaved one by one`);
  const interleaved = async (): Promise<{ measured: Run; baseline: Run }> => {
    const plan = singlePlan();
    let adapterSeconds = 0;
    let rawSeconds = 0;
    for (const p of plan) {
      const t0 = performance.now();
      await store.append(p.stream, p.events, { expectedRevision: adapterRevs.take(p.stream, 1) });
      const t1 = performance.now();
      raw.append(p.stream, p.events, rawRevs.take(p.stream, 1));
      const t2 = performance.now();
      adapterSeconds += (t1 - t0) / 1000;
      rawSeconds += (t2 - t1) / 1000;
    }
    return { measured: { units: plan.length, seconds: adapterSeconds }, baseline: { units: plan.length, seconds: rawSeconds } };
  };
  for (let i = 0; i < getDefaultWarmups(); i++) await interleaved(); // warm-up
  const singleRuns: { measured: Run[]; baseline: Run[] } = { measured: [], baseline: [] };
  for (let i = 0; i < o.repetitions; i++) {
    const r = await interleaved();
    singleRuns.measured.push(r.measured);
    singleRuns.baseline.push(r.baseline);
  }
  figures.push(
    throughputFigure(
      { scenario: 'store', name: 'append 1 event/append', unit: 'events/s', note: 'one monthly-return event per transaction (one command), sides interleaved per append' },
      { measured: 'adapter.append', baseline: 'raw INSERT txn' },
      singleRuns,
    ),
  );

  log(`store: ${o.batchesPerRun} appends of ${o.batchSize} events per run`);
  const batch = pair(batchPlan);
  figures.push(
    throughputFigure(
      { scenario: 'store', name: `append ${o.batchSize} events/append`, unit: 'events/s' },
      { measured: 'adapter.append', baseline: 'raw INSERT txn' },
      await alternate(batch.measured, batch.baseline, { repetitions: o.repetitions }),
    ),
  );

  const readAdapter = async (): Promise<number> => readAllPaged(store, o.pageSize);
  const readRaw = (): number => raw.readAllParsed(o.pageSize);
  const total = await readAdapter();
  log(`store: readAll of ${total} events in pages of ${o.pageSize}`);
  figures.push(
    throughputFigure(
      { scenario: 'store', name: 'readAll', size: total, unit: 'events/s', note: 'both sides JSON.parse data and metadata' },
      { measured: 'adapter.readAll', baseline: 'raw SELECT' },
      await alternate(() => timeRun(readAdapter), () => timeRun(readRaw), { repetitions: o.repetitions }),
    ),
  );
  return figures;
}

/** The whole log through the port, page by page; returns the number of events. */
export async function readAllPaged(store: EventStore, pageSize: number): Promise<number> {
  let after: bigint | undefined;
  let count = 0;
  for (;;) {
    const page = await store.readAll(after === undefined ? { maxCount: pageSize } : { afterPosition: after, maxCount: pageSize });
    count += page.length;
    if (page.length < pageSize) return count;
    after = page[page.length - 1]!.position;
  }
}
