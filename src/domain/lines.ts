// A line of a fund-year: (strategy, partner, arrangement). Budgets, returns, adjustments,
// outturns and positions all meet on it, so it has one identity and one key.
import type { LineAmount } from './settlement-types.js';

/** A line without its amount: what budgets, returns and adjustments are matched on. */
export type LineId = Pick<LineAmount, 'strategyId' | 'partnerId' | 'arrangement'>;

/**
 * The one key of a line, `strategy/partner/arrangement` (ids are slugs, which never hold a
 * "/"), and the words a refusal uses to name it.
 */
export function lineKey(line: LineId): string {
  return `${line.strategyId}/${line.partnerId}/${line.arrangement}`;
}

/** Only the line's identity, from anything that carries it (a budget line, a return line with its partner, an adjustment). */
export function lineIdOf({ strategyId, partnerId, arrangement }: LineId): LineId {
  return { strategyId, partnerId, arrangement };
}
