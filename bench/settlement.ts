// Scenario 4 — a final settlement for one fund-year (a full year of returns with
// corrections, a close and an adjustment) while the log holds N other events,
// against the same settlement on a store holding nothing but that fund-year.
// A ratio near 1 at every size is the claim: the time does not grow with the log.
import type { FundYearService, FundYearRef } from '../src/app/service-types.js';
import type { EventStore } from '../src/store/port.js';
import { fundYearStream } from '../src/domain/fundyear/ids.js';
import { alternate, figure, side, timeRun, type Figure, type Run } from './harness.js';
import { ADMIN, context, writeFundYear } from './log-builder.js';
import { YEAR, fundId } from './fixtures.js';

export interface SettlementSide {
  service: FundYearService;
  store: EventStore;
  /** A fund index nobody else uses. */
  takeIndex(): number;
}

async function freshTarget(s: SettlementSide): Promise<FundYearRef> {
  const index = s.takeIndex();
  const ref = { fundId: fundId(index), year: YEAR };
  await writeFundYear(s.service, ref, index);
  return ref;
}

async function settleRun(s: SettlementSide, ref: FundYearRef, count: number): Promise<Run> {
  return timeRun(async () => {
    for (let i = 0; i < count; i++) await s.service.calculateSettlement(context(ADMIN), ref, { mode: 'final' });
    return count;
  });
}

const msPer = (runs: Run[]): number[] => runs.map((r) => (r.seconds * 1000) / r.units);

/**
 * Writes a fresh target fund-year on each side (so the stream is the same length
 * at every size), then times `perRun` final settlements per run on each.
 * Returns the figure and how many events it added to the big log.
 */
export async function settlementAtSize(
  big: SettlementSide,
  alone: SettlementSide,
  otherEvents: number,
  repetitions: number,
  perRun: number,
): Promise<{ figure: Figure; eventsAdded: number }> {
  const bigRef = await freshTarget(big);
  const aloneRef = await freshTarget(alone);
  const streamEventsBefore = (await big.store.readStream(fundYearStream(bigRef.fundId, bigRef.year))).length;
  const runs = await alternate(() => settleRun(big, bigRef, perRun), () => settleRun(alone, aloneRef, perRun), { repetitions });
  const eventsAdded = (await big.store.readStream(fundYearStream(bigRef.fundId, bigRef.year))).length;
  return {
    figure: figure({
      scenario: 'settlement',
      name: 'final settlement',
      size: otherEvents,
      unit: 'ms',
      higherIsBetter: false,
      measured: side(`service, log of ${otherEvents} others`, msPer(runs.measured)),
      baseline: side('service, fund-year alone', msPer(runs.baseline)),
      extra: { streamEvents: streamEventsBefore },
      note: 'time per calculateSettlement(final); ratio = alone/with-log time',
    }),
    eventsAdded,
  };
}
