// Scenario 3 — rebuilding the cross-fund summary from scratch over a log of N
// events (many fund-years), against a plain paged readAll of the same log
// through the same adapter: the difference is the projection's own work.
// Small logs run in this process; big ones (config.largeSize and up) run each
// repetition in a fresh process, which also gives that run's peak RSS.
import { performance } from 'node:perf_hooks';
import type { EventStore, ReadAllOptions, RecordedEvent } from '../src/store/port.js';
import { SummaryProjection } from '../src/app/summary.js';
import { alternate, median, round, throughputFigure, timeRun, type Figure, type Run } from './harness.js';
import { readAllPaged } from './store.js';
import { runChild, type ChildReport } from './memory.js';

export interface RebuildReport {
  events: number;
  fundYears: number;
  /** rebuild(): reading and folding the whole log. */
  foldSeconds: number;
  /** list(): every fund-year's summary figures from its folded state. */
  listSeconds: number;
}

/** The store, counting the events readAll hands out (the rebuild does not say how many it folded). */
function counting(store: EventStore): { store: EventStore; count: () => number } {
  let n = 0;
  const wrapped: EventStore = {
    append: (stream, events, options) => store.append(stream, events, options),
    readStream: (stream, options) => store.readStream(stream, options),
    readAll: async (options?: ReadAllOptions): Promise<RecordedEvent[]> => {
      const page = await store.readAll(options);
      n += page.length;
      return page;
    },
    subscribeToAll: (options) => store.subscribeToAll(options),
    headPosition: () => store.headPosition(),
    ping: () => store.ping(),
    close: () => store.close(),
  };
  return { store: wrapped, count: () => n };
}

/**
 * A fresh in-memory summary projection (no file, no live subscription), as a
 * server starting without a projection file does: rebuild() folds the whole
 * log, list() computes every fund-year's summary (what GET /v1/funds serves).
 */
export async function rebuildSummary(store: EventStore): Promise<RebuildReport> {
  const c = counting(store);
  const projection = new SummaryProjection({ store: c.store });
  const t0 = performance.now();
  await projection.rebuild();
  const t1 = performance.now();
  const fundYears = projection.list().length;
  const t2 = performance.now();
  if (fundYears === 0 && c.count() > 0) throw new Error('summary rebuild produced no fund-years');
  await projection.stop();
  return { events: c.count(), fundYears, foldSeconds: (t1 - t0) / 1000, listSeconds: (t2 - t1) / 1000 };
}

export interface ProjectionOutcome {
  figure: Figure;
  /** Fresh-process runs (big logs only): their peak RSS makes the memory figure. */
  children?: { rebuild: ChildReport[]; readAll: ChildReport[] };
}

export async function projectionAtSize(
  store: EventStore,
  dataDir: string,
  size: number,
  repetitions: number,
  pageSize: number,
  inChildren: boolean,
): Promise<ProjectionOutcome> {
  const reports: RebuildReport[] = [];
  const rebuilds: ChildReport[] = [];
  const reads: ChildReport[] = [];
  const asRun = (r: ChildReport): Run => ({ units: r.units, seconds: r.seconds });
  const runs = inChildren
    ? await alternate(
        async () => {
          const r = await runChild('rebuild', dataDir, pageSize);
          rebuilds.push(r);
          if (r.rebuild !== undefined) reports.push(r.rebuild);
          return asRun(r);
        },
        async () => {
          const r = await runChild('readall', dataDir, pageSize);
          reads.push(r);
          return asRun(r);
        },
        { repetitions, warmups: 0 },
      )
    : await alternate(
        () =>
          timeRun(async () => {
            const r = await rebuildSummary(store);
            reports.push(r);
            return r.events;
          }),
        () => timeRun(() => readAllPaged(store, pageSize)),
        { repetitions },
      );
  const figure = throughputFigure(
    {
      scenario: 'projection',
      name: 'summary rebuild',
      size,
      unit: 'events/s',
      note: inChildren ? 'each run in a fresh process' : 'in the bench process, after a warm-up run',
    },
    { measured: 'rebuild() + list()', baseline: `readAll, pages of ${pageSize}` },
    runs,
  );
  const last = reports.slice(-repetitions);
  figure.extra = {
    nsPerEvent: round(1e9 / figure.measured.median, 0),
    baselineNsPerEvent: round(1e9 / figure.baseline.median, 0),
    foldNsPerEvent: round(median(last.map((r) => (r.foldSeconds * 1e9) / r.events)), 0),
    listUsPerFundYear: round(median(last.map((r) => (r.listSeconds * 1e6) / Math.max(1, r.fundYears))), 1),
  };
  return inChildren ? { figure, children: { rebuild: rebuilds, readAll: reads } } : { figure };
}
