// Scenario "fold" — a full fold of ONE fund-year stream of N events (10k and 100k in the full
// run): what a request on a cold cache costs, through the service's own read path (paged
// reads from the store, the fold, the positions view). Against the baseline of merely
// reading the same events in the same pages. The claim is a flat cost per event: the fold
// is linear, so 100k events cost ten times 10k, not a hundred times.
//
// The stream is an open fund-year (29 events written through the service) followed by
// corrections of 20-line monthly returns by one partner, appended straight to the store in
// batches, with the metadata the service writes. Past EVENTS_PER_FUND_YEAR_MAX on purpose:
// the service here is built with a higher limit, to measure the fold itself.
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { createFundYearService } from '../src/app/service.js';
import { fold, fundYearStream, asFundYearEvent, type FundYearEvent } from '../src/domain/fundyear/index.js';
import type { EventStore, EventToAppend } from '../src/store/port.js';
import { alternate, figure, log, median, side, timeRun, type Figure, type Run } from './harness.js';
import { PARTNERS, YEAR, fundId, returnBody } from './fixtures.js';
import { ADMIN, context, partnerPrincipal, writeOpenFundYear } from './log-builder.js';
import { openEmbeddedStore } from './open-store.js';
import { makeTempDir, removeTempDir } from './tmp.js';

const APPEND_BATCH = 1_000;
const READ_PAGE = 500;

export interface FoldOptions {
  /** Events in the one stream, ascending. */
  sizes: number[];
  repetitions: number;
}

/** Corrections by `partnerIndex` cycling through M1–M12, as the service would record them. */
export function corrections(count: number, partnerIndex: number, firstVariant = 0): EventToAppend[] {
  const principal = partnerPrincipal(partnerIndex);
  return Array.from({ length: count }, (_, i) => {
    const body = returnBody(partnerIndex, (i % 12) + 1, firstVariant + i, true);
    return {
      id: randomUUID(),
      type: 'MonthlyReturnSubmitted',
      data: { returnId: randomUUID(), partnerId: body.partnerId, period: body.period, lines: body.lines, correction: true },
      metadata: {
        principal: principal.name, role: 'partner', partnerId: body.partnerId, requestId: randomUUID(),
        receivedAt: '2016-04-20T09:30:00.000Z', recordedAt: '2016-04-20T09:30:00.010Z',
      },
    };
  });
}

/** Grows the fund-year's stream to `target` events with corrections, in batches. */
export async function growStream(store: EventStore, stream: string, target: number): Promise<void> {
  let length = (await store.readStream(stream, { direction: 'backwards', maxCount: 1 }))[0]?.revision ?? -1n;
  while (Number(length) + 1 < target) {
    const n = Math.min(APPEND_BATCH, target - Number(length) - 1);
    await store.append(stream, corrections(n, Number(length) % PARTNERS.length), { expectedRevision: length });
    length += BigInt(n);
  }
}

async function readAllPages(store: EventStore, stream: string): Promise<FundYearEvent[]> {
  const events: FundYearEvent[] = [];
  for (let from = 0; ; from += READ_PAGE) {
    const page = await store.readStream(stream, { fromRevision: BigInt(from), maxCount: READ_PAGE });
    for (const e of page) events.push(asFundYearEvent(e.type, e.data));
    if (page.length < READ_PAGE) return events;
  }
}

export async function foldScenario(o: FoldOptions): Promise<Figure[]> {
  const dir = makeTempDir('fold');
  const store = await openEmbeddedStore(dir);
  const largest = o.sizes[o.sizes.length - 1]!;
  // No cache: every read folds the whole stream from the store, as a cold request does.
  const service = createFundYearService({ store, streamCacheMax: 0, eventsMax: largest + 1 });
  await service.summary.stop();
  const figures: Figure[] = [];
  try {
    const ref = { fundId: fundId(0), year: YEAR };
    const stream = fundYearStream(ref.fundId, ref.year);
    await writeOpenFundYear(service, ref, 0);
    for (const size of o.sizes) {
      const t0 = performance.now();
      await growStream(store, stream, size);
      log(`fold: one stream of ${size} events (built in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      // CPU time too: on a shared machine it moves less than wall time with the neighbours' load.
      const cpuNs: number[] = [];
      const measured = (): Promise<Run> => timeRun(async () => {
        const cpu0 = process.cpuUsage();
        const view = await service.positions(context(ADMIN), ref);
        const cpu = process.cpuUsage(cpu0);
        cpuNs.push(((cpu.user + cpu.system) * 1000) / size);
        if (view.asOfRevision !== size - 1) throw new Error(`positions at ${view.asOfRevision}, not ${size - 1}`);
        return size;
      });
      const baseline = (): Promise<Run> => timeRun(async () => (await readAllPages(store, stream)).length);
      const runs = await alternate(measured, baseline, { repetitions: o.repetitions });
      // The fold alone, on events already in memory: the domain's part, without the store's.
      const events = await readAllPages(store, stream);
      const domainCpu0 = process.cpuUsage();
      const domain = await timeRun(() => {
        const state = fold(events);
        return state.revision + 1;
      });
      const domainCpu = process.cpuUsage(domainCpu0);
      const nsPer = (runs: Run[]) => runs.map((r) => (r.seconds * 1e9) / r.units);
      const m = side('service positions, cold (paged read + fold)', nsPer(runs.measured));
      const b = side('paged readStream + JSON.parse', nsPer(runs.baseline));
      figures.push(figure({
        scenario: 'fold', name: 'full fold of one fund-year', size, unit: 'ns/event', higherIsBetter: false, measured: m, baseline: b,
        extra: {
          msPerFold: Math.round((m.median * size) / 1e6),
          foldNsPerEvent: Math.max(0, Math.round(m.median - b.median)),
          cpuNsPerEvent: Math.round(median(cpuNs.slice(-o.repetitions))),
          domainFoldNsPerEvent: Math.round((domain.seconds * 1e9) / domain.units),
          domainFoldCpuNsPerEvent: Math.round(((domainCpu.user + domainCpu.system) * 1000) / domain.units),
        },
      }));
    }
  } finally {
    await service.close();
    await store.close();
    removeTempDir(dir);
  }
  return figures;
}
