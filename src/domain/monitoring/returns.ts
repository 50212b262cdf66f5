// Which return a figure comes from (MONITORING.md §2), and the order lines are listed in
// (§4). Shared by the pack and by the return template.
import { periodNumber, PERIODS, type Period } from '../fundyear/ids.js';
import type { Arrangement } from '../terms-types.js';
import type { MonitoringReturn, MonitoringReturnLine } from './types.js';

/**
 * A partner's latest return with period ≤ `periodMax` (highest period; within a period the
 * last appended, so a correction replaces what it corrects); undefined if none.
 */
export function latestReturnUpTo<R extends MonitoringReturn>(returns: readonly R[], partnerId: string, periodMax: number): R | undefined {
  let best: R | undefined;
  for (const r of returns) {
    if (r.partnerId !== partnerId || periodNumber(r.period) > periodMax) continue;
    if (!best || periodNumber(r.period) >= periodNumber(best.period)) best = r;
  }
  return best;
}

/** §5: the latest period any partner has returned, M1 if none. */
export function defaultPeriod(returns: readonly { period: Period }[]): Period {
  const last = Math.max(1, ...returns.map((r) => periodNumber(r.period)));
  return PERIODS[last - 1] as Period;
}

/** A return's lines by strategy and arrangement (the partner is the return's). */
export function linesByKey(r: MonitoringReturn | undefined): Map<string, MonitoringReturnLine> {
  return new Map((r?.lines ?? []).map((l) => [cellKey(l.strategyId, l.arrangement), l]));
}

/** Strategy and arrangement of a line of one partner, as one Map key. */
export const cellKey = (strategyId: string, arrangement: Arrangement): string => `${strategyId}\u0000${arrangement}`;

/** Partner, strategy and arrangement, as one Map key. */
export const lineKey = (l: { partnerId: string; strategyId: string; arrangement: Arrangement }): string =>
  `${l.partnerId}\u0000${cellKey(l.strategyId, l.arrangement)}`;

const ARRANGEMENT_ORDER: Record<Arrangement, number> = { pooled: 0, aligned: 1 };

/** Index of each id in declared order; a line naming an undeclared id is a programmer error. */
export function declaredOrder(ids: readonly string[]): (id: string, what: string) => number {
  const index = new Map(ids.map((id, i) => [id, i]));
  return (id, what) => {
    const found = index.get(id);
    if (found === undefined) throw new Error(`${what} ${id} is not declared`);
    return found;
  };
}

/** §4: declared partner order, then declared strategy order, then pooled before aligned. */
export function compareLines(
  partners: readonly string[],
  strategies: readonly string[],
): (a: { partnerId: string; strategyId: string; arrangement: Arrangement }, b: { partnerId: string; strategyId: string; arrangement: Arrangement }) => number {
  const partner = declaredOrder(partners);
  const strategy = declaredOrder(strategies);
  return (a, b) =>
    partner(a.partnerId, 'partner') - partner(b.partnerId, 'partner') ||
    strategy(a.strategyId, 'strategy') - strategy(b.strategyId, 'strategy') ||
    ARRANGEMENT_ORDER[a.arrangement] - ARRANGEMENT_ORDER[b.arrangement];
}
