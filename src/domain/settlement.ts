// The pure settlement engine: SETTLEMENT.md §2–4, figure for figure.
// No I/O, no clock, no randomness, no JS number for money: amounts come in as strings,
// live as big.js decimals (Dec.strict) and go out as strings with two places.
import { canonicalSha256 } from './canonical.js';
import { DomainError, assertNever } from './errors.js';
import {
  Dec,
  ONE,
  ZERO,
  formatAmount,
  parseAmount,
  parseDecimal,
  roundLargestRemainder,
  sumDecimals,
  type Decimal,
} from './money.js';
import type {
  BandSlice,
  Direction,
  PartnerSettlement,
  Payment,
  PotSettlement,
  SettlementFigures,
  SettlementInput,
  UnsharedLine,
} from './settlement-types.js';
import { assertValidTerms } from './terms.js';
import type { Arrangement, Band, DirectionRule, Pot } from './terms-types.js';

/** Bump when a rule changes: a recorded settlement names the engine that computed it. */
export const ENGINE_VERSION = 'poolshare-settlement/1';

const HUNDRED = Dec('100');

/** One (strategy, partner, arrangement) line with both sides; a missing side counts as 0. */
interface Line {
  strategyId: string;
  partnerId: string;
  partner: number;
  arrangement: Arrangement;
  budget: Decimal;
  outturn: Decimal;
}

/** A pot's exact and rounded figures, per partner index. */
interface PotResult {
  view: PotSettlement;
  variances: Decimal[];
  shares: Decimal[];
  unallocated: Decimal;
}

export function computeSettlement(input: SettlementInput): SettlementFigures {
  const partners = input.partners;
  assertPartners(partners);
  const lines = collectLines(input);
  const strategies = new Set<string>(lines.map((line) => line.strategyId));
  for (const pot of input.agreement.pots) for (const strategyId of pot.strategies) strategies.add(strategyId);
  // Terms were validated when proposed; checking again costs microseconds and turns a
  // corrupt or foreign agreement into a 422 instead of wrong money.
  assertValidTerms(input.agreement, { partners, strategies: [...strategies] });

  const pots = input.agreement.pots.map((pot, index) => settlePot(pot, index, lines, partners));
  const partnerRows = partnerTotals(partners, pots);
  const requiresDecision = pots.some((pot) => !pot.unallocated.eq(ZERO));
  const payments = requiresDecision ? [] : greedyPayments(partnerRows);
  const figures: SettlementFigures = {
    pots: pots.map((pot) => pot.view),
    partners: partnerRows,
    payments,
    unshared: unsharedLines(lines, input.agreement.pots),
    requiresDecision,
  };
  checkInvariants(figures);
  return figures;
}

function assertPartners(partners: readonly string[]): void {
  if (partners.length === 0) throw new Error('a settlement needs at least one partner');
  if (new Set(partners).size !== partners.length) throw new Error(`partners repeated: ${partners.join(', ')}`);
}

/**
 * Joins budget and outturn by line and sorts the result (partner order, strategy id,
 * arrangement) so that nothing downstream depends on the order of the input lines.
 */
function collectLines(input: SettlementInput): Line[] {
  const partnerIndex = new Map(input.partners.map((partnerId, index) => [partnerId, index]));
  const lines = new Map<string, Line>();
  const sides = [
    ['budget', input.budget],
    ['outturn', input.outturn],
  ] as const;
  for (const [side, entries] of sides) {
    const seen = new Set<string>();
    for (const entry of entries) {
      const key = JSON.stringify([entry.strategyId, entry.partnerId, entry.arrangement]);
      // Callers validate their input; a repeated or foreign line here is a programmer error.
      if (seen.has(key)) throw new Error(`${side} line repeated: ${key}`);
      seen.add(key);
      const partner = partnerIndex.get(entry.partnerId);
      if (partner === undefined) throw new Error(`${side} line for undeclared partner: ${key}`);
      if (entry.arrangement !== 'pooled' && entry.arrangement !== 'aligned') {
        throw new Error(`${side} line with unknown arrangement: ${key}`);
      }
      const amount = parseAmount(entry.amount);
      if (side === 'budget' && amount.lt(ZERO)) throw new Error(`negative budget: ${key}`);
      const { strategyId, partnerId, arrangement } = entry;
      const line = lines.get(key) ?? { strategyId, partnerId, partner, arrangement, budget: ZERO, outturn: ZERO };
      line[side] = amount;
      lines.set(key, line);
    }
  }
  return [...lines.values()].sort(compareLines);
}

function compareLines(a: Line, b: Line): number {
  return a.partner - b.partner || compareText(a.strategyId, b.strategyId) || compareText(a.arrangement, b.arrangement);
}

/** Code-unit order: locale-independent, so every machine sorts alike. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function settlePot(pot: Pot, potIndex: number, lines: readonly Line[], partners: readonly string[]): PotResult {
  const strategies = new Set(pot.strategies);
  const budgets = partners.map(() => ZERO);
  const variances = partners.map(() => ZERO);
  for (const line of lines) {
    if (line.arrangement !== 'pooled' || !strategies.has(line.strategyId)) continue;
    budgets[line.partner] = (budgets[line.partner] as Decimal).plus(line.budget);
    variances[line.partner] = (variances[line.partner] as Decimal).plus(line.outturn.minus(line.budget));
  }
  const variance = sumDecimals(variances);
  const direction: Direction = variance.gt(ZERO) ? 'overspend' : variance.lt(ZERO) ? 'underspend' : 'none';
  const shared =
    direction === 'none'
      ? { shares: partners.map(() => ZERO), unallocated: ZERO, bands: [], capped: [] }
      : applyRule(
          { pot, potIndex, direction, partners, budgets },
          direction === 'overspend' ? pot.overspend : pot.underspend,
          variances,
          variance,
        );
  const view: PotSettlement = {
    potId: pot.potId,
    budget: formatAmount(sumDecimals(budgets)),
    variance: formatAmount(variance),
    direction,
    bands: shared.bands,
    shares: Object.fromEntries(partners.map((partnerId, index) => [partnerId, formatAmount(shared.shares[index] as Decimal)])),
    capped: shared.capped,
    unallocated: formatAmount(shared.unallocated),
  };
  return { view, variances, shares: shared.shares, unallocated: shared.unallocated };
}

/** What one pot's rule needs to know besides the amounts. */
interface RuleContext {
  pot: Pot;
  potIndex: number;
  direction: 'overspend' | 'underspend';
  partners: readonly string[];
  budgets: readonly Decimal[];
}

interface RuleResult {
  shares: Decimal[];
  unallocated: Decimal;
  bands: BandSlice[];
  capped: string[];
}

/** §3.1–3.4 for a pot with V ≠ 0: raw shares, caps, then sign and rounding. */
function applyRule(context: RuleContext, rule: DirectionRule, variances: Decimal[], variance: Decimal): RuleResult {
  if ('own' in rule) return { shares: [...variances], unallocated: ZERO, bands: [], capped: [] };
  const total = variance.abs();
  const limits = bandLimits(context, rule.bands);
  const weights = rule.bands.map((band, index) => bandWeights(context, band, index));
  // §3.2 says x is exact, and §3.3–3.4 compare it (does a share exceed its cap, which
  // remainders are equal), so shares are kept as numerators over one common denominator:
  // the pot's budget B (1 if B = 0, when no contribution band is allowed), times the budgets
  // cap spreads divide by. Big's plus/minus/times are exact; there is no division to round.
  const budget = sumDecimals(context.budgets);
  const raw = rawShares(total, limits, weights, context.partners.length, budget.gt(ZERO) ? budget : ONE);
  const capped = applyCaps(raw.numerators, rule.caps ?? {}, context, raw.denominator);
  // Round magnitudes (partners in declared order, then U last) so ties fall as §3.4 says.
  const rounded = roundLargestRemainder([...capped.shares, capped.unallocated], total, capped.denominator);
  const sign = variance.lt(ZERO) ? Dec('-1') : ONE;
  const signed = rounded.map((value) => value.times(sign));
  return {
    shares: signed.slice(0, -1),
    unallocated: signed[signed.length - 1] as Decimal,
    bands: bandSlices(total, limits),
    capped: context.partners.filter((_, index) => capped.isCapped[index]),
  };
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
 * The band's weight per partner index (§3.2; they sum to exactly 1 by validation), applied to
 * a slice: `slice × w[p]` as a numerator over `denominator`, which is the pot's budget B
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
      const weights = context.partners.map((partnerId) => {
        const weight = band.weights[partnerId];
        return weight === undefined ? ZERO : parseDecimal(weight);
      });
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
 * §3.3: repeat until nothing changes — cap every uncapped partner above its cap, spread the
 * excess over uncapped partners with B[p] > 0 in proportion to B[p], or leave it unallocated.
 * Shares and U are numerators over `denominator`; a spread multiplies the denominator by the
 * takers' budget instead of dividing, so every comparison with a cap is exact.
 */
function applyCaps(
  raw: readonly Decimal[],
  caps: Record<string, string>,
  context: RuleContext,
  denominator: Decimal,
): { shares: Decimal[]; unallocated: Decimal; denominator: Decimal; isCapped: boolean[] } {
  const shares = [...raw];
  const limit = context.partners.map((partnerId) => (caps[partnerId] === undefined ? null : parseAmount(caps[partnerId])));
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
 * The slices for the statement. Bounds are shown to the penny (half up) and the amounts are
 * taken between the shown bounds, so the listed slices add up to |V| exactly; the shares
 * themselves were computed from the exact bounds.
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

/** §4: borne, share and transfer per partner over all pots. */
function partnerTotals(partners: readonly string[], pots: readonly PotResult[]): PartnerSettlement[] {
  return partners.map((partnerId, index) => {
    const borne = sumDecimals(pots.map((pot) => pot.variances[index] as Decimal));
    const share = sumDecimals(pots.map((pot) => pot.shares[index] as Decimal));
    return {
      partnerId,
      varianceBorne: formatAmount(borne),
      share: formatAmount(share),
      transfer: formatAmount(share.minus(borne)),
    };
  });
}

/** §4: the first partner still owing pays the first still owed the smaller remainder. */
function greedyPayments(rows: readonly PartnerSettlement[]): Payment[] {
  const owing = rows.filter((row) => parseAmount(row.transfer).gt(ZERO)).map((row) => ({ id: row.partnerId, left: parseAmount(row.transfer) }));
  const owed = rows.filter((row) => parseAmount(row.transfer).lt(ZERO)).map((row) => ({ id: row.partnerId, left: parseAmount(row.transfer).abs() }));
  const payments: Payment[] = [];
  let i = 0;
  let j = 0;
  while (i < owing.length && j < owed.length) {
    const payer = owing[i] as { id: string; left: Decimal };
    const payee = owed[j] as { id: string; left: Decimal };
    const amount = payer.left.lt(payee.left) ? payer.left : payee.left;
    payments.push({ from: payer.id, to: payee.id, amount: formatAmount(amount) });
    payer.left = payer.left.minus(amount);
    payee.left = payee.left.minus(amount);
    if (payer.left.eq(ZERO)) i += 1;
    if (payee.left.eq(ZERO)) j += 1;
  }
  return payments;
}

/** §2: aligned lines and pooled lines of strategies in no pot; `lines` is already sorted. */
function unsharedLines(lines: readonly Line[], pots: readonly Pot[]): UnsharedLine[] {
  const inPot = new Set(pots.flatMap((pot) => pot.strategies));
  return lines
    .filter((line) => line.arrangement === 'aligned' || !inPot.has(line.strategyId))
    .map((line) => ({
      strategyId: line.strategyId,
      partnerId: line.partnerId,
      arrangement: line.arrangement,
      variance: formatAmount(line.outturn.minus(line.budget)),
    }));
}

/** TigerBeetle's rule: check the invariants where they are made. Breaking one is a bug here. */
function checkInvariants(figures: SettlementFigures): void {
  let unallocated = ZERO;
  for (const pot of figures.pots) {
    const total = sumDecimals(Object.values(pot.shares).map(parseAmount)).plus(parseAmount(pot.unallocated));
    if (!total.eq(parseAmount(pot.variance))) throw new Error(`pot ${pot.potId}: shares + U ≠ V`);
    unallocated = unallocated.plus(parseAmount(pot.unallocated));
  }
  const transfers = sumDecimals(figures.partners.map((row) => parseAmount(row.transfer)));
  if (!transfers.eq(unallocated.neg())) throw new Error('transfers do not sum to −ΣU');
  if (figures.payments.length > Math.max(0, figures.partners.length - 1)) throw new Error('more than n − 1 payments');
  for (const row of figures.partners) {
    let net = ZERO;
    for (const payment of figures.payments) {
      if (payment.from === row.partnerId) net = net.plus(parseAmount(payment.amount));
      if (payment.to === row.partnerId) net = net.minus(parseAmount(payment.amount));
    }
    const expected = figures.requiresDecision ? ZERO : parseAmount(row.transfer);
    if (!net.eq(expected)) throw new Error(`payments do not settle ${row.partnerId}'s transfer`);
  }
}

/**
 * Fields left out of the digest: they identify or describe a settlement record rather than
 * its figures, or change after calculation — `settlementId`, `digest` (itself),
 * `calculatedAt` (a timestamp), `status` and `approvedBy` (approval changes them).
 */
export const DIGEST_EXCLUDED_FIELDS = ['settlementId', 'digest', 'calculatedAt', 'status', 'approvedBy'] as const;

/** `sha256:` + hex SHA-256 of the RFC 8785 canonical JSON of the body without the excluded fields. */
export function settlementDigest(body: Record<string, unknown>): string {
  const excluded = new Set<string>(DIGEST_EXCLUDED_FIELDS);
  const kept = Object.fromEntries(Object.entries(body).filter(([key]) => !excluded.has(key)));
  return canonicalSha256(toJsonValue(kept, ''), 'settlement body');
}

/**
 * Copies a body into plain JSON values before canonicalisation, so that nothing silently
 * changes the digest: an undefined object field is dropped (as JSON.stringify does), a bigint
 * revision becomes the same number a number revision gives (any store, same digest), and
 * anything else that has no single JSON spelling (fractions, which would be money as a
 * float; undefined in arrays; class instances with toJSON) is refused.
 */
function toJsonValue(value: unknown, path: string): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new Error(`${path}: bigint out of the safe integer range`);
    }
    return Number(value);
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`${path}: only safe integers may be numbers (money is a string)`);
    return value;
  }
  if (Array.isArray(value)) return value.map((item, index) => toJsonValue(item, `${path}/${index}`));
  if (isPlainObject(value)) {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    return Object.fromEntries(entries.map(([key, item]) => [key, toJsonValue(item, `${path}/${key}`)]));
  }
  throw new Error(`${path || '/'}: ${value === undefined ? 'undefined' : typeof value} has no canonical JSON form`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
