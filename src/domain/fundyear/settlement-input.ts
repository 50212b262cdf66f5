// SETTLEMENT.md §1: the engine's inputs, read from a fund-year folded up to the
// settlement's revision (so "in force at", "accepted before" and "adjustments
// before" the revision all come from folding exactly that prefix of the log).
import { DomainError } from '../errors.js';
import { lineIdOf, lineKey, type LineId } from '../lines.js';
import { formatAmount, parseExact, type Decimal } from '../money.js';
import type { LineAmount, SettlementInput } from '../settlement-types.js';
import type { SettlementMode } from './events.js';
import { latestReturn, partnerIds, returnFor, adoptedAgreement, type ExistingFundYear } from './state.js';

export interface SettlementBasis {
  input: SettlementInput;
  agreementVersion: number;
  /** Forecast mode: partners with no return yet, taken as on budget (declared order). */
  assumedOnBudget: string[];
}

/** Refuses (409) where the rules say there is no settlement to compute at this revision. */
export function settlementBasis(fy: ExistingFundYear, mode: SettlementMode): SettlementBasis {
  if (mode === 'final' && fy.status !== 'closed') {
    throw new DomainError('conflict', 'year-not-closed', 'a final settlement needs a closed year at its revision');
  }
  const agreement = adoptedAgreement(fy);
  if (!agreement) {
    throw new DomainError('conflict', 'no-adopted-agreement', 'no agreement accepted by every partner at this revision');
  }
  if (fy.budget === null) {
    throw new DomainError('conflict', 'budget-not-set', 'no budget has been set at this revision');
  }
  const budget = fy.budget.map(({ strategyId, partnerId, arrangement, amount }) => ({ strategyId, partnerId, arrangement, amount }));
  const { outturn, assumedOnBudget } = outturnByLine(fy, mode);
  const input: SettlementInput = { partners: partnerIds(fy), budget, outturn, agreement: agreement.terms };
  // Engine 2: only when present, so an engine-1 fund-year's input (and digest) is unchanged.
  if (fy.broughtForward) input.broughtForward = fy.broughtForward.amounts;
  if (fy.adoptedDecisions && fy.adoptedDecisions.length > 0) input.decisions = fy.adoptedDecisions;
  return { input, agreementVersion: agreement.version, assumedOnBudget };
}

/**
 * Sums amounts per line, keeping the order in which lines first appear. The sums are exact and
 * unbounded (an outturn plus many adjustments can pass any input limit), and so is what they
 * read: a compacted state (summary.ts) holds adjustments already summed.
 */
class LineTotals {
  private readonly totals = new Map<string, { line: LineId; total: Decimal }>();

  add(line: LineId, amount: string): void {
    const key = lineKey(line);
    const entry = this.totals.get(key);
    if (entry) entry.total = entry.total.plus(parseExact(amount));
    else this.totals.set(key, { line: lineIdOf(line), total: parseExact(amount) });
  }

  lines(): LineAmount[] {
    return [...this.totals.values()].map(({ line, total }) => ({ ...line, amount: formatAmount(total) }));
  }
}

export interface OutturnByLine {
  outturn: LineAmount[];
  /** Partners with no return at all, taken as on budget (forecast mode only; declared order). */
  assumedOnBudget: string[];
}

/**
 * Outturn per line. Final: each partner's M12 actual to date (last appended), plus
 * every adjustment folded in; a budget line the M12 return does not carry had no
 * spend. Forecast: each partner's latest forecast outturn; a budget line it does not
 * carry yet (a variation after that return), or a partner with no return, is on budget.
 */
export function outturnByLine(fy: ExistingFundYear, mode: SettlementMode): OutturnByLine {
  const totals = new LineTotals();
  const assumedOnBudget: string[] = [];
  const budget = fy.budget ?? [];
  for (const partnerId of partnerIds(fy)) {
    const counting = mode === 'final' ? returnFor(fy, partnerId, 'M12') : latestReturn(fy, partnerId);
    if (counting) {
      for (const l of counting.lines) {
        totals.add({ ...l, partnerId }, mode === 'final' ? l.actualToDate : l.forecastOutturn);
      }
    } else if (mode === 'forecast') {
      assumedOnBudget.push(partnerId);
    } else {
      // A closed year has an M12 return from every partner (the close rule).
      throw new Error(`final outturn without an M12 return from ${partnerId}`);
    }
    if (mode === 'final') continue;
    const reported = new Set((counting?.lines ?? []).map((l) => lineKey({ ...l, partnerId })));
    for (const b of budget) {
      if (b.partnerId === partnerId && !reported.has(lineKey(b))) totals.add(b, b.amount);
    }
  }
  if (mode === 'final') for (const a of fy.adjustments) totals.add(a, a.amount);
  return { outturn: totals.lines(), assumedOnBudget };
}
