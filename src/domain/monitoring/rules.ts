// The rules of one figure (MONITORING.md §1, §3, §5): budget to date from a profile or a
// straight line, the forecast variance in per cent, the RAG flag, and the checks on a
// profile and on the thresholds an admin sets.
import { DomainError, type FieldError } from '../errors.js';
import { Dec, formatAmount, isAmount, parseAmount, parseDecimal, ZERO, type Decimal } from '../money.js';
import { periodNumber, type Period } from '../fundyear/ids.js';
import { divideHalfAwayFromZero } from './rounding.js';
import type { MonitoringBudgetLine, Rag, RagThresholds } from './types.js';

export const PROFILE_LENGTH = 12;
export const DEFAULT_RAG: Readonly<RagThresholds> = Object.freeze({ amberPercent: '2', redPercent: '5' });
/** A threshold: up to three integer digits and two places, e.g. "2", "4.75", "100". */
export const RAG_PERCENT_PATTERN = '^[0-9]{1,3}(\\.[0-9]{1,2})?$';
const RAG_PERCENT_RE = new RegExp(RAG_PERCENT_PATTERN);
const HUNDRED = Dec('100');
const MONTHS = Dec('12');

/** §1: the first k profile entries, or `amount × k / 12` to pence, ties away from zero. */
export function budgetToDate(amount: Decimal, profile: readonly string[] | undefined, period: Period): Decimal {
  const k = periodNumber(period);
  if (profile !== undefined) {
    let total = ZERO;
    for (const entry of profile.slice(0, k)) total = total.plus(parseAmount(entry));
    return total;
  }
  return divideHalfAwayFromZero(amount.times(Dec(String(k))), MONTHS, 2);
}

/** §3: variance / budget × 100 to one place, ties away from zero; "0.0" never signed; null on a zero budget. */
export function variancePercent(forecastVariance: Decimal, budget: Decimal): string | null {
  if (budget.eq(ZERO)) return null;
  const percent = divideHalfAwayFromZero(forecastVariance.times(HUNDRED), budget, 1);
  return percent.eq(ZERO) ? '0.0' : percent.toFixed(1);
}

/**
 * §3, in exact arithmetic (never the rounded per cent): no overspend is green; above red
 * is red; from amber up to red is amber. A zero budget with any overspend is red.
 */
export function ragOf(forecastVariance: Decimal, budget: Decimal, thresholds: RagThresholds): Rag {
  if (forecastVariance.lte(ZERO)) return 'green';
  const scaled = forecastVariance.times(HUNDRED);
  if (scaled.gt(parseDecimal(thresholds.redPercent).times(budget))) return 'red';
  if (scaled.gte(parseDecimal(thresholds.amberPercent).times(budget))) return 'amber';
  return 'green';
}

const lineName = (line: { strategyId: string; partnerId: string; arrangement: string }): string =>
  `${line.strategyId}/${line.partnerId}/${line.arrangement}`;

/**
 * §1: a profile is twelve non-negative amounts summing exactly to the line's amount.
 * `lines` are a budget request's lines; paths point into it (`/lines/3/profile`).
 */
export function profileErrors(lines: readonly MonitoringBudgetLine[], pathPrefix = '/lines'): FieldError[] {
  const errors: FieldError[] = [];
  lines.forEach((line, index) => {
    const { profile } = line;
    if (profile === undefined) return;
    const path = `${pathPrefix}/${index}/profile`;
    if (!Array.isArray(profile) || profile.length !== PROFILE_LENGTH) {
      const count = Array.isArray(profile) ? String(profile.length) : 'no list of';
      errors.push({ path, message: `the profile of ${lineName(line)} has ${count} amounts, not ${PROFILE_LENGTH}` });
      return;
    }
    const bad = profile.findIndex((entry) => !isAmount(entry) || parseAmount(entry).lt(ZERO));
    if (bad >= 0) {
      errors.push({ path: `${path}/${bad}`, message: `the profile of ${lineName(line)} must hold non-negative amounts` });
      return;
    }
    const total = profile.reduce((sum, entry) => sum.plus(parseAmount(entry)), ZERO);
    if (!total.eq(parseAmount(line.amount))) {
      errors.push({ path, message: `the profile of ${lineName(line)} sums to ${formatAmount(total)}, not the line's amount ${formatAmount(parseAmount(line.amount))}` });
    }
  });
  return errors;
}

/** Throws 422 `profile-mismatch` naming every line whose profile breaks §1. */
export function checkProfiles(lines: readonly MonitoringBudgetLine[], pathPrefix = '/lines'): void {
  const errors = profileErrors(lines, pathPrefix);
  if (errors.length > 0) {
    throw new DomainError('unprocessable', 'profile-mismatch', 'A budget profile must be twelve non-negative amounts that sum to its line.', errors);
  }
}

/** §5: both thresholds decimal strings of the pattern, with 0 ≤ amber < red ≤ 100. */
export function ragThresholdErrors(rag: RagThresholds, pathPrefix = '/rag'): FieldError[] {
  const errors: FieldError[] = [];
  for (const key of ['amberPercent', 'redPercent'] as const) {
    if (typeof rag[key] !== 'string' || !RAG_PERCENT_RE.test(rag[key])) {
      errors.push({ path: `${pathPrefix}/${key}`, message: `${key} must be a decimal string like "2" or "4.75"` });
    }
  }
  if (errors.length > 0) return errors;
  const amber = Dec(rag.amberPercent);
  const red = Dec(rag.redPercent);
  if (red.gt(HUNDRED)) errors.push({ path: `${pathPrefix}/redPercent`, message: 'redPercent must be at most 100' });
  if (!amber.lt(red)) errors.push({ path: `${pathPrefix}/amberPercent`, message: 'amberPercent must be below redPercent' });
  return errors;
}

/** Throws 422 `rag-thresholds-invalid` when §5's rule does not hold. */
export function checkRagThresholds(rag: RagThresholds, pathPrefix = '/rag'): void {
  const errors = ragThresholdErrors(rag, pathPrefix);
  if (errors.length > 0) {
    throw new DomainError('unprocessable', 'rag-thresholds-invalid', 'RAG thresholds must satisfy 0 ≤ amberPercent < redPercent ≤ 100.', errors);
  }
}
