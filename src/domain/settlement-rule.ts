// One pot's rule applied to what is left to share (docs/engine.md): own, or bands then caps,
// then an adopted board decision for an amount the caps left unallocated, then sign and
// largest-remainder rounding. Pure; exact until the one rounding the rules prescribe.
import { DomainError, assertNever } from './errors.js';
import { Dec, ONE, ZERO, formatAmount, parseAmount, parseDecimal, roundLargestRemainder, sumDecimals, type Decimal } from './money.js';
import { recordMap } from './records.js';
import type { AppliedDecision, BandSlice } from './settlement-types.js';
import { validateDecision } from './terms.js';
import { classifyRule, type AdoptedDecision, type Band, type BandsRule, type DirectionRule, type Pot, type ShareDirection } from './terms-types.js';

const HUNDRED = Dec('100');

/** An adopted decision and its position in the engine's input (for error paths). */
export interface DecisionAt {
  decision: AdoptedDecision;
  index: number;
}

/** What one pot's rule needs to know besides the amounts. */
export interface RuleContext {
  pot: Pot;
  potIndex: number;
  direction: ShareDirection;
  partners: readonly string[];
  budgets: readonly Decimal[];
  /** The decision adopted last for this pot and direction, if any. */
  decision: DecisionAt | undefined;
}

export interface RuleResult {
  /** Rounded shares per partner index, with the sign of what was shared. */
  shares: Decimal[];
  unallocated: Decimal;
  bands: BandSlice[];
  capped: string[];
  /** Set when the decision was applied (the exact unallocated amount was not 0). */
  applied: AppliedDecision | undefined;
}

/** Nothing to share (V = 0, or the reserve paid it all): every share and U are 0, the rule is not evaluated. */
export function nothingToShare(partnerCount: number): RuleResult {
  return { shares: Array.from({ length: partnerCount }, () => ZERO), unallocated: ZERO, bands: [], capped: [], applied: undefined };
}

/** The rule for the pot's direction, applied to `rest` (V, or V − D after a reserve draw; never 0). */
export function applyRule(context: RuleContext, rule: DirectionRule, variances: readonly Decimal[], rest: Decimal): RuleResult {
  const classified = classifyRule(rule);
  switch (classified.kind) {
    case 'own':
      // Terms refuse a covered pot with an own overspend rule, so an own pot shares all of V.
      if (!sumDecimals(variances).eq(rest)) throw new Error(`pot ${context.pot.potId}: an own rule shares V, not V − D`);
      return { shares: [...variances], unallocated: ZERO, bands: [], capped: [], applied: undefined };
    case 'bands':
      return bandShares(context, classified.rule, rest);
    default:
      return assertNever(classified);
  }
}

/** Exact shares and U as numerators over one common denominator. */
interface Exact {
  shares: Decimal[];
  unallocated: Decimal;
  denominator: Decimal;
}

function bandShares(context: RuleContext, rule: BandsRule, rest: Decimal): RuleResult {
  const total = rest.abs();
  const limits = bandLimits(context, rule.bands);
  const weights = rule.bands.map((band, index) => bandWeights(context, band, index));
  // x is exact, and caps and rounding compare it (does a share exceed its cap, which
  // remainders are equal), so shares are kept as numerators over one common denominator:
  // the pot's budget B (1 if B = 0, when no contribution band is allowed), times the budgets
  // cap spreads divide by. Big's plus/minus/times are exact; there is no division to round.
  const budget = sumDecimals(context.budgets);
  const raw = rawShares(total, limits, weights, context.partners.length, budget.gt(ZERO) ? budget : ONE);
  const capped = applyCaps(raw.numerators, recordMap(rule.caps), context, raw.denominator);
  const decided = capped.unallocated.eq(ZERO) || context.decision === undefined ? null : applyDecision(capped, context, context.decision);
  const exact = decided ?? capped;
  // Round magnitudes (partners in declared order, then U last) so ties fall in that order.
  const rounded = roundLargestRemainder([...exact.shares, exact.unallocated], total, exact.denominator);
  const sign = rest.lt(ZERO) ? Dec('-1') : ONE;
  const signed = rounded.map((value) => value.times(sign));
  const applied = decided === null || context.decision === undefined ? undefined : appliedDecision(context.decision.decision);
  return {
    shares: signed.slice(0, -1),
    unallocated: signed[signed.length - 1] as Decimal,
    bands: bandSlices(total, limits),
    capped: context.partners.filter((_, index) => capped.isCapped[index]),
    applied,
  };
}

function appliedDecision(decision: AdoptedDecision): AppliedDecision {
  return { version: decision.version, reference: decision.reference };
}

/**
 * Converts each band's limit (upTo, or upToPercentOfBudget of B, exact) and checks that the
 * sequence 0 = L[0] < L[1] < … is strictly increasing; null is the last band's infinity.
 */
function bandLimits(context: RuleContext, bands: readonly Band[]): (Decimal | null)[] {
  const budget = sumDecimals(context.budgets);
  const limits = bands.map((band, index) => {
    if (index === bands.length - 1) return null;
    if (band.upTo !== undefined) return parseAmount(band.upTo);
    return budget.times(parseDecimal(band.upToPercentOfBudget as string)).div(HUNDRED);
  });
  let previous = ZERO;
  limits.forEach((limit, index) => {
    if (limit === null) return;
    if (!limit.gt(previous)) {
      const path = `/pots/${context.potIndex}/${context.direction}/bands/${index}`;
      const message =
        `pot '${context.pot.potId}': ${context.direction} band ${index + 1} ends at ${limit.toString()}, ` +
        `not above the band before it (${previous.toString()}) with the pot's budget of ${budget.toFixed(2)}`;
      throw new DomainError('unprocessable', 'band-limits-not-increasing', message, [{ path, message }]);
    }
    previous = limit;
  });
  return limits;
}

/**
 * The band's weight per partner index (they sum to exactly 1 by validation), applied to a
 * slice: `slice × w[p]` as a numerator over `denominator`, which is the pot's budget B
 * whenever a contribution band exists (B[p] / B then needs no division).
 */
type Weight = (slice: Decimal, partner: number, denominator: Decimal) => Decimal;

function bandWeights(context: RuleContext, band: Band, index: number): Weight {
  switch (band.basis) {
    case 'contribution': {
      const budget = sumDecimals(context.budgets);
      if (budget.eq(ZERO)) {
        const path = `/pots/${context.potIndex}/${context.direction}/bands/${index}/basis`;
        const message = `pot '${context.pot.potId}': ${context.direction} band ${index + 1} splits by contribution but the pot's pooled budget is 0`;
        throw new DomainError('unprocessable', 'contribution-budget-zero', message, [{ path, message }]);
      }
      return (slice, partner, denominator) => {
        if (!denominator.eq(budget)) throw new Error('contribution shares are numerators over B');
        return slice.times(context.budgets[partner] as Decimal);
      };
    }
    case 'fixed': {
      const weights = fixedWeights(context.partners, band.weights);
      return (slice, partner, denominator) => slice.times(weights[partner] as Decimal).times(denominator);
    }
    case 'lead': {
      const lead = context.partners.indexOf(band.partnerId);
      return (slice, partner, denominator) => (partner === lead ? slice.times(denominator) : ZERO);
    }
    default:
      return assertNever(band);
  }
}

/** Fixed weights per partner index; partners not named get 0. */
function fixedWeights(partners: readonly string[], weights: Readonly<Record<string, string>>): Decimal[] {
  const byPartner = recordMap(weights);
  return partners.map((partnerId) => {
    const weight = byPartner.get(partnerId);
    return weight === undefined ? ZERO : parseDecimal(weight);
  });
}

/** a[i] = max(0, min(A, L[i]) − L[i−1]) and x[p] = Σ a[i] × w_i[p], exact: numerators over `denominator`. */
function rawShares(
  total: Decimal,
  limits: readonly (Decimal | null)[],
  weights: readonly Weight[],
  partnerCount: number,
  denominator: Decimal,
): { numerators: Decimal[]; denominator: Decimal } {
  const raw = Array.from({ length: partnerCount }, () => ZERO);
  let from = ZERO;
  limits.forEach((limit, index) => {
    const to = limit === null || limit.gt(total) ? total : limit;
    const slice = to.gt(from) ? to.minus(from) : ZERO;
    const weight = weights[index] as Weight;
    for (let partner = 0; partner < partnerCount; partner += 1) {
      raw[partner] = (raw[partner] as Decimal).plus(weight(slice, partner, denominator));
    }
    if (limit !== null) from = limit;
  });
  return { numerators: raw, denominator };
}

/**
 * Caps: repeat until nothing changes — cap every uncapped partner above its cap, spread the
 * excess over uncapped partners with B[p] > 0 in proportion to B[p], or leave it unallocated.
 * Shares and U are numerators over `denominator`; a spread multiplies the denominator by the
 * takers' budget instead of dividing, so every comparison with a cap is exact.
 */
function applyCaps(
  raw: readonly Decimal[],
  caps: ReadonlyMap<string, string>,
  context: RuleContext,
  denominator: Decimal,
): Exact & { isCapped: boolean[] } {
  const shares = [...raw];
  const limit = context.partners.map((partnerId) => {
    const cap = caps.get(partnerId);
    return cap === undefined ? null : parseAmount(cap);
  });
  const isCapped = context.partners.map(() => false);
  let unallocated = ZERO;
  let den = denominator;
  for (;;) {
    let excess = ZERO;
    shares.forEach((share, partner) => {
      const cap = limit[partner];
      if (isCapped[partner] || cap === null || cap === undefined) return;
      const capped = cap.times(den);
      if (!share.gt(capped)) return;
      excess = excess.plus(share.minus(capped));
      shares[partner] = capped;
      isCapped[partner] = true;
    });
    if (excess.eq(ZERO)) return { shares, unallocated, denominator: den, isCapped };
    const takers = shares.map((_, partner) => partner).filter((p) => !isCapped[p] && (context.budgets[p] as Decimal).gt(ZERO));
    const takerBudget = sumDecimals(takers.map((p) => context.budgets[p] as Decimal));
    if (takers.length === 0) {
      unallocated = unallocated.plus(excess);
      continue;
    }
    // excess/den × B[p]/takerBudget: put everything over den × takerBudget.
    shares.forEach((share, partner) => (shares[partner] = share.times(takerBudget)));
    unallocated = unallocated.times(takerBudget);
    den = den.times(takerBudget);
    for (const p of takers) {
      shares[p] = (shares[p] as Decimal).plus(excess.times(context.budgets[p] as Decimal));
    }
  }
}

/**
 * A board decision: the exact |U| is split by the decision's weights and added to the exact
 * shares. Caps do not apply to it (the board decided), and U becomes 0.
 */
function applyDecision(exact: Exact, context: RuleContext, at: DecisionAt): Exact {
  const { decision, index } = at;
  const errors = validateDecision(decision, { pots: [context.pot] }, context.partners).map((e) => ({ ...e, path: `/decisions/${index}${e.path}` }));
  if (errors.length > 0) {
    throw new DomainError('unprocessable', 'invalid-decision', `decision version ${decision.version} is invalid: ${errors.map((e) => e.message).join('; ')}`, errors);
  }
  const { shares, unallocated, denominator } = exact;
  const split = decision.allocate;
  switch (split.basis) {
    case 'contribution': {
      const budget = sumDecimals(context.budgets);
      if (budget.eq(ZERO)) {
        const path = `/decisions/${index}/allocate/basis`;
        const message = `pot '${context.pot.potId}': decision version ${decision.version} splits the unallocated ${context.direction} by contribution but the pot's pooled budget is 0`;
        throw new DomainError('unprocessable', 'contribution-budget-zero', message, [{ path, message }]);
      }
      // U/den × B[p]/B: everything over den × B.
      const spread = shares.map((share, p) => share.times(budget).plus(unallocated.times(context.budgets[p] as Decimal)));
      return { shares: spread, unallocated: ZERO, denominator: denominator.times(budget) };
    }
    case 'fixed': {
      const weights = fixedWeights(context.partners, split.weights);
      return { shares: shares.map((share, p) => share.plus(unallocated.times(weights[p] as Decimal))), unallocated: ZERO, denominator };
    }
    case 'lead': {
      const lead = context.partners.indexOf(split.partnerId);
      return { shares: shares.map((share, p) => (p === lead ? share.plus(unallocated) : share)), unallocated: ZERO, denominator };
    }
    default:
      return assertNever(split);
  }
}

/**
 * The slices for the statement. Bounds are shown to the penny (half up) and the amounts are
 * taken between the shown bounds, so the listed slices add up to what was shared exactly;
 * the shares themselves were computed from the exact bounds.
 */
function bandSlices(total: Decimal, limits: readonly (Decimal | null)[]): BandSlice[] {
  let from = ZERO;
  return limits.map((limit) => {
    const to = limit === null ? null : limit.round(2, Dec.roundHalfUp);
    const end = to === null || to.gt(total) ? total : to;
    const amount = end.gt(from) ? end.minus(from) : ZERO;
    const slice: BandSlice = { from: formatAmount(from), to: to === null ? null : formatAmount(to), amount: formatAmount(amount) };
    if (to !== null) from = to;
    return slice;
  });
}
