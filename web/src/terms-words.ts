// Agreement terms (SETTLEMENT.md's pots, bands and caps) in plain words, for a
// partner to read before accepting them. Amounts and weights are only formatted.
import { formatPounds, weightAsPercent } from './format.js';

export interface BandLike {
  upTo?: string;
  upToPercentOfBudget?: string;
  basis: string;
  weights?: Record<string, string>;
  partnerId?: string;
}

export interface RuleLike {
  own?: unknown;
  bands?: unknown;
  caps?: unknown;
}

export interface PotLike {
  potId: string;
  strategies: string[];
  overspend: RuleLike;
  underspend: RuleLike;
}

export interface PotInWords {
  potId: string;
  strategies: string;
  overspend: string[];
  underspend: string[];
}

function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`;
}

function limitWords(band: BandLike): string | undefined {
  if (band.upTo !== undefined) return formatPounds(band.upTo);
  if (band.upToPercentOfBudget !== undefined) return `${band.upToPercentOfBudget}% of the pot's budget`;
  return undefined;
}

function splitWords(band: BandLike): string {
  switch (band.basis) {
    case 'contribution':
      return "is shared in proportion to each partner's budget in the pot";
    case 'fixed': {
      const weights = Object.entries(band.weights ?? {}).map(([partner, weight]) => `${partner} ${weightAsPercent(weight)}`);
      return `is split ${list(weights)}`;
    }
    case 'lead':
      return `falls to ${band.partnerId ?? 'the lead partner'} alone`;
    default:
      return `is split by ${band.basis}`;
  }
}

function bandSentence(band: BandLike, index: number, count: number, direction: string): string {
  const limit = limitWords(band);
  let slice: string;
  if (count === 1) slice = `The whole ${direction}`;
  else if (index === 0) slice = limit === undefined ? `The whole ${direction}` : `The ${direction} up to ${limit}`;
  else if (limit === undefined) slice = `Any ${direction} beyond that`;
  else slice = `The ${direction} beyond that, up to ${limit},`;
  return `${slice} ${splitWords(band)}.`;
}

function isBand(value: unknown): value is BandLike {
  return typeof value === 'object' && value !== null && typeof (value as BandLike).basis === 'string';
}

function capSentences(caps: unknown, direction: string): string[] {
  if (typeof caps !== 'object' || caps === null) return [];
  return Object.entries(caps as Record<string, unknown>)
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
    .map(([partner, cap]) =>
      `${partner}'s share of an ${direction} is capped at ${formatPounds(cap)}; the excess goes to the partners not capped, in proportion to their budgets (if none is left, it stays unallocated for the board to decide).`);
}

/** One direction's rule as sentences. */
export function ruleInWords(rule: RuleLike, direction: 'overspend' | 'underspend'): string[] {
  if (rule.own === true) return [`Each partner bears its own ${direction}.`];
  const bands = Array.isArray(rule.bands) ? rule.bands.filter(isBand) : [];
  if (bands.length === 0) return [`No rule is given for an ${direction}.`];
  return [...bands.map((band, i) => bandSentence(band, i, bands.length, direction)), ...capSentences(rule.caps, direction)];
}

export function potInWords(pot: PotLike): PotInWords {
  return {
    potId: pot.potId,
    strategies: list(pot.strategies),
    overspend: ruleInWords(pot.overspend, 'overspend'),
    underspend: ruleInWords(pot.underspend, 'underspend'),
  };
}

/** "ccg pays council £2,258,879.71". */
export function paymentInWords(payment: { from: string; to: string; amount: string }): string {
  return `${payment.from} pays ${payment.to} ${formatPounds(payment.amount)}`;
}

export interface ReserveLike {
  contributions: Record<string, string>;
  covers: string[];
  unused: 'return' | 'carry-forward';
}

/** Engine 2's reserve as sentences: who pays in, which pots draw on it, what happens to the rest. */
export function reserveInWords(reserve: ReserveLike): string[] {
  const paid = Object.entries(reserve.contributions).map(([partner, amount]) => `${partner} ${formatPounds(amount)}`);
  return [
    paid.length === 0 ? 'No partner pays into the reserve this year.' : `The partners pay into a risk reserve: ${list(paid)}.`,
    reserve.covers.length === 0
      ? 'No pot draws on the reserve.'
      : `The reserve pays the overspend of ${list(reserve.covers.map((p) => `pot ${p}`))} before the partners share anything.`,
    reserve.unused === 'return'
      ? 'What is left at the end of the year is returned to the partners.'
      : 'What is left at the end of the year is carried forward into the next fund-year.',
  ];
}

export interface DecisionLike {
  potId: string;
  direction: 'overspend' | 'underspend';
  allocate: { basis: string; weights?: Record<string, string>; partnerId?: string };
  reference: string;
}

/** A board decision as one sentence: "The overspend of pot p1 left unallocated by the caps is split ccg 60% and council 40% (minute 7)." */
export function decisionInWords(decision: DecisionLike): string {
  return `The ${decision.direction} of pot ${decision.potId} left unallocated by the caps ${splitWords(decision.allocate)} (${decision.reference}).`;
}
