// An independent reference implementation ("oracle") of SETTLEMENT.md §2–4 and, for engine 2,
// §7–8 and §10 (the risk reserve, board decisions, engine versions), for
// test/engine/oracle.test.ts. Written from the spec text alone, without looking at
// src/domain/settlement*.ts, and deliberately naive: every quantity is an exact rational
// (BigInt numerator / denominator), so there is no rounding anywhere except the one §3.4
// prescribes. It shares nothing with the engine but the input and output types.
//
// Where SETTLEMENT.md is silent, the oracle follows the engine's documented choice
// (docs/engine.md) and says so in a comment marked "SPEC SILENT".
import type {
  BandSlice,
  Direction,
  LineAmount,
  PartnerSettlement,
  Payment,
  PotSettlement,
  SettlementFigures,
  SettlementInput,
  UnsharedLine,
} from '../../src/domain/settlement-types.js';
import type { BandSplit, DirectionRule } from '../../src/domain/terms-types.js';

// ---------------------------------------------------------------------------------------
// Exact rationals

/** n / d with d > 0 and gcd(n, d) = 1. */
export interface Q {
  readonly n: bigint;
  readonly d: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export function q(n: bigint, d = 1n): Q {
  if (d === 0n) throw new RangeError('division by zero');
  if (d < 0n) [n, d] = [-n, -d];
  const g = gcd(n, d);
  return g > 1n ? { n: n / g, d: d / g } : { n, d };
}

export const Q0 = q(0n);
export const Q1 = q(1n);
export const add = (a: Q, b: Q): Q => q(a.n * b.d + b.n * a.d, a.d * b.d);
export const sub = (a: Q, b: Q): Q => q(a.n * b.d - b.n * a.d, a.d * b.d);
export const mul = (a: Q, b: Q): Q => q(a.n * b.n, a.d * b.d);
export const div = (a: Q, b: Q): Q => q(a.n * b.d, a.d * b.n);
export const cmp = (a: Q, b: Q): number => {
  const l = a.n * b.d;
  const r = b.n * a.d;
  return l < r ? -1 : l > r ? 1 : 0;
};
export const eq = (a: Q, b: Q): boolean => a.n === b.n && a.d === b.d;
export const neg = (a: Q): Q => ({ n: -a.n, d: a.d });
export const abs = (a: Q): Q => (a.n < 0n ? neg(a) : a);
export const sign = (a: Q): -1n | 0n | 1n => (a.n < 0n ? -1n : a.n > 0n ? 1n : 0n);
export const sum = (values: Iterable<Q>): Q => {
  let total = Q0;
  for (const v of values) total = add(total, v);
  return total;
};
const max = (a: Q, b: Q): Q => (cmp(a, b) >= 0 ? a : b);
const min = (a: Q, b: Q): Q => (cmp(a, b) <= 0 ? a : b);

/** Floor of a rational, as a bigint (BigInt division truncates, so correct for negatives). */
function floor(a: Q): bigint {
  const t = a.n / a.d;
  return a.n < 0n && t * a.d !== a.n ? t - 1n : t;
}

/** Parses a plain decimal string ("-1234.5", "0.333", "7") exactly. */
export function parseQ(text: string): Q {
  const m = /^(-?)([0-9]+)(?:\.([0-9]+))?$/.exec(text);
  if (m === null) throw new TypeError(`not a decimal: ${JSON.stringify(text)}`);
  const frac = m[3] ?? '';
  const n = BigInt(m[2]! + frac) * (m[1] === '-' ? -1n : 1n);
  return q(n, 10n ** BigInt(frac.length));
}

/** Whole pence (bigint) as an amount string, "-1234.50"; "-0.00" never appears. */
export function penceText(pence: bigint): string {
  const negative = pence < 0n;
  const digits = (negative ? -pence : pence).toString().padStart(3, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** An exact whole number of pence as an amount string; throws if it is not whole pence. */
export function amountText(value: Q): string {
  const pence = mul(value, q(100n));
  if (pence.d !== 1n) throw new RangeError(`not whole pence: ${pence.n}/${pence.d}/100`);
  return penceText(pence.n);
}

// ---------------------------------------------------------------------------------------
// Refusals

export type RefusalCode = 'band-limits-not-increasing' | 'contribution-budget-zero';

/** The oracle refuses an input; `codes` lists every refusal it found (all pots). */
export class OracleRefusal extends Error {
  constructor(readonly codes: RefusalCode[]) {
    super(`refused: ${codes.join(', ')}`);
    this.name = 'OracleRefusal';
  }
}

// ---------------------------------------------------------------------------------------
// Per-pot detail the tests may want to look at (coverage statistics)

export interface PotTrace {
  /** Exact V. */
  V: Q;
  /** Exact shares before rounding (sign of V), per partner, then U last. */
  exact: Q[];
  /** How many rounds of §3.3's loop capped at least one partner. */
  capRounds: number;
  /** Number of pennies handed out by §3.4. */
  pennies: number;
  /** Whether any two entries that competed for pennies had equal (exact) remainders. */
  remainderTie: boolean;
}

/** What the reserve did (coverage statistics). */
export interface ReserveTrace {
  inPlay: boolean;
  /** In play only because of a non-zero balance brought forward. */
  implicit: boolean;
  drawn: Q;
  R: Q;
  /** Everything the reserve held was drawn. */
  exhausted: boolean;
  /** Some pot drew and still had something left to share. */
  partialDraw: boolean;
}

export interface ReferenceResult {
  figures: SettlementFigures;
  traces: PotTrace[];
  engineVersion: 'poolshare-settlement/1' | 'poolshare-settlement/2';
  reserve: ReserveTrace;
}

/** The reserve's name in payments (§7: "A payment from the reserve has "from": "reserve"). */
const RESERVE = 'reserve';

// ---------------------------------------------------------------------------------------
// The reference settlement

type Key = string;
const keyOf = (l: { strategyId: string; partnerId: string; arrangement: string }): Key =>
  JSON.stringify([l.strategyId, l.partnerId, l.arrangement]);

interface Line {
  strategyId: string;
  partnerId: string;
  arrangement: 'pooled' | 'aligned';
  budget: Q;
  outturn: Q;
}

export function referenceSettlement(input: SettlementInput): SettlementFigures {
  return referenceSettlementTraced(input).figures;
}

export function referenceSettlementTraced(input: SettlementInput): ReferenceResult {
  const partners = input.partners;
  const n = partners.length;

  // §3: lines joined per (strategy, partner, arrangement). "An outturn line without a budget
  // line counts with budget 0." SPEC SILENT on a budget line without an outturn line:
  // docs/engine.md says it counts with outturn 0 (the service supplies budget as outturn for
  // partners assumed on budget), so the oracle does the same.
  const lines = new Map<Key, Line>();
  const lineFor = (l: LineAmount): Line => {
    const k = keyOf(l);
    let line = lines.get(k);
    if (line === undefined) {
      line = { strategyId: l.strategyId, partnerId: l.partnerId, arrangement: l.arrangement, budget: Q0, outturn: Q0 };
      lines.set(k, line);
    }
    return line;
  };
  for (const l of input.budget) lineFor(l).budget = parseQ(l.amount);
  for (const l of input.outturn) lineFor(l).outturn = parseQ(l.amount);

  const potOfStrategy = new Map<string, number>();
  input.agreement.pots.forEach((pot, k) => pot.strategies.forEach((s) => potOfStrategy.set(s, k)));

  // SPEC SILENT on the order of unshared lines: docs/engine.md sorts lines by declared
  // partner order, then strategy id, then arrangement; the oracle lists them in that order.
  const partnerIndex = new Map(partners.map((p, i) => [p, i]));
  const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const sorted = [...lines.values()].sort(
    (a, b) =>
      partnerIndex.get(a.partnerId)! - partnerIndex.get(b.partnerId)! ||
      byCode(a.strategyId, b.strategyId) ||
      byCode(a.arrangement, b.arrangement),
  );

  // §2: only pooled lines of strategies in a pot take part; the rest are reported.
  const unshared: UnsharedLine[] = sorted
    .filter((l) => l.arrangement !== 'pooled' || !potOfStrategy.has(l.strategyId))
    .map((l) => ({ strategyId: l.strategyId, partnerId: l.partnerId, arrangement: l.arrangement, variance: amountText(sub(l.outturn, l.budget)) }));

  const refusals: RefusalCode[] = [];
  const pots: PotSettlement[] = [];
  const traces: PotTrace[] = [];
  const borne: Q[] = partners.map(() => Q0);
  const shareTotal: bigint[] = partners.map(() => 0n); // pence
  let anyUnallocated = false;
  let unallocatedTotal = 0n; // pence

  // §7 (engine 2): the reserve. "If the terms have no reserve but the fund-year has a
  // brought-forward balance with an amount that is not 0, the settlement acts as if the terms
  // had {"contributions": {}, "covers": [], "unused": "return"}."
  const own = <T>(record: Record<string, T> | undefined, key: string): T | undefined =>
    record !== undefined && Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
  const brought: Q[] = partners.map((p) => {
    const text = own(input.broughtForward, p);
    return text === undefined ? Q0 : parseQ(text);
  });
  const reserveTerms =
    input.agreement.reserve ?? (brought.some((b) => b.n !== 0n) ? { contributions: {}, covers: [], unused: 'return' as const } : undefined);
  // "Opening balance per partner: o[p] = contributions[p] + broughtForward[p]. R = Σ o[p]."
  const opening: Q[] = partners.map((p, i) => {
    const text = reserveTerms === undefined ? undefined : own(reserveTerms.contributions, p);
    return add(text === undefined ? Q0 : parseQ(text), brought[i]!);
  });
  // "Pots are settled in their order with a running balance, starting at R."
  let balance = sum(opening);
  const drawnByPot: Q[] = [];

  // §8 (engine 2): "the decision for that pot and that direction adopted last" — the input
  // lists decisions in the order they were adopted.
  const decisionFor = (potId: string, direction: Direction) => {
    let found: (typeof input.decisions & {})[number] | undefined;
    for (const d of input.decisions ?? []) if (d.potId === potId && d.direction === direction) found = d;
    return found;
  };
  let anyDecisionApplied = false;

  input.agreement.pots.forEach((pot, k) => {
    const inPot = sorted.filter((l) => l.arrangement === 'pooled' && potOfStrategy.get(l.strategyId) === k);
    const Bp = partners.map((p) => sum(inPot.filter((l) => l.partnerId === p).map((l) => l.budget)));
    const vp = partners.map((p) => sum(inPot.filter((l) => l.partnerId === p).map((l) => sub(l.outturn, l.budget))));
    const B = sum(Bp);
    const V = sum(vp);
    vp.forEach((v, i) => (borne[i] = add(borne[i]!, v)));

    // "A covered pot whose V > 0 draws D = min(balance, V) first, and balance falls by D."
    const isCovered = reserveTerms !== undefined && reserveTerms.covers.includes(pot.potId);
    const D = isCovered && V.n > 0n ? min(balance, V) : Q0;
    balance = sub(balance, D);
    drawnByPot.push(D);
    const rest = sub(V, D);
    const withReserve = (view: PotSettlement): PotSettlement => (reserveTerms === undefined ? view : { ...view, reserveDrawn: amountText(D) });

    const base = { potId: pot.potId, budget: amountText(B), variance: amountText(V) };
    const zeroShares = (): Record<string, string> => Object.fromEntries(partners.map((p) => [p, '0.00']));

    // §3: V = 0: every share is 0. §7: "If V − D = 0 every share and U is 0, and the pot's rule
    // is not evaluated". SPEC SILENT on the bands shown then: none, as for V = 0 (docs/engine.md).
    if (rest.n === 0n) {
      const direction: Direction = V.n === 0n ? 'none' : 'overspend';
      pots.push(withReserve({ ...base, direction, bands: [], shares: zeroShares(), capped: [], unallocated: '0.00' }));
      traces.push({ V, exact: [...partners.map(() => Q0), Q0], capRounds: 0, pennies: 0, remainderTie: false });
      return;
    }
    // "the direction is still overspend, A = V − D".
    const direction: Direction = V.n > 0n ? 'overspend' : 'underspend';
    const rule: DirectionRule = V.n > 0n ? pot.overspend : pot.underspend;
    const A = abs(rest);

    // §3.1 own: share[p] = v[p]; no rounding needed. (A covered pot's overspend rule is never own.)
    if ('own' in rule) {
      if (D.n !== 0n) throw new Error('oracle bug: an own pot drew on the reserve');
      const shares = Object.fromEntries(partners.map((p, i) => [p, amountText(vp[i]!)]));
      vp.forEach((v, i) => (shareTotal[i] = shareTotal[i]! + mul(v, q(100n)).n));
      pots.push(withReserve({ ...base, direction, bands: [], shares, capped: [], unallocated: '0.00' }));
      traces.push({ V, exact: [...vp, Q0], capRounds: 0, pennies: 0, remainderTie: false });
      return;
    }

    // §3.2 bands. Limits: upTo, or B × pct / 100 exact; the last band has no limit.
    const bands = rule.bands;
    const limits: (Q | null)[] = bands.map((band, i) => {
      if (i === bands.length - 1) return null;
      if (band.upTo !== undefined) return parseQ(band.upTo);
      if (band.upToPercentOfBudget !== undefined) return div(mul(B, parseQ(band.upToPercentOfBudget)), q(100n));
      return null; // validated terms never get here
    });
    // "Limits must be strictly increasing once converted". SPEC AMBIGUOUS on whether the
    // implicit L[0] = 0 takes part (a percentage of B = 0 gives a limit of 0): docs/engine.md
    // requires 0 < L[1] < L[2] < …, so the oracle does too. SPEC SILENT on whether a rule that
    // does not apply (V = 0, or the other direction) is checked: docs/engine.md checks only the
    // rule that applies, and so does the oracle (a rule is only "applied" to A when V ≠ 0).
    let previous = Q0;
    let refused = false;
    for (const limit of limits) {
      if (limit === null) continue;
      if (cmp(limit, previous) <= 0) refused = true;
      previous = limit;
    }
    if (refused) refusals.push('band-limits-not-increasing');
    // "w[p] = B[p] / B (error if B = 0)".
    if (B.n === 0n && bands.some((b) => b.basis === 'contribution')) {
      refusals.push('contribution-budget-zero');
      refused = true;
    }
    if (refused) return;

    const weightsOf = (split: BandSplit): Q[] => {
      switch (split.basis) {
        case 'contribution':
          return Bp.map((b) => div(b, B));
        case 'fixed':
          return partners.map((p) => {
            const w = own(split.weights, p);
            return w === undefined ? Q0 : parseQ(w);
          });
        case 'lead':
          return partners.map((p) => (p === split.partnerId ? Q1 : Q0));
      }
    };

    // a[i] = max(0, min(A, L[i]) − L[i−1]), L[0] = 0, last L = infinity. With a reserve, A is
    // V − D: "the bands measure their slices of A from 0".
    const slices: Q[] = [];
    let lower = Q0;
    for (const limit of limits) {
      const upper = limit === null ? A : min(A, limit);
      slices.push(max(Q0, sub(upper, lower)));
      if (limit !== null) lower = limit;
    }
    // x[p] = Σ_i a[i] × w_i[p], exact.
    const x: Q[] = partners.map(() => Q0);
    bands.forEach((band, i) => {
      const w = weightsOf(band);
      for (let p = 0; p < n; p += 1) x[p] = add(x[p]!, mul(slices[i]!, w[p]!));
    });

    // §3.3 caps, worded literally: repeat until nothing changes.
    const caps: (Q | undefined)[] = partners.map((p) => {
      const cap = own(rule.caps, p);
      return cap === undefined ? undefined : parseQ(cap);
    });
    const capped: boolean[] = partners.map(() => false);
    let U = Q0;
    let capRounds = 0;
    for (;;) {
      let excess = Q0;
      let changed = false;
      for (let p = 0; p < n; p += 1) {
        const cap = caps[p];
        if (capped[p] || cap === undefined || cmp(x[p]!, cap) <= 0) continue;
        excess = add(excess, sub(x[p]!, cap));
        x[p] = cap;
        capped[p] = true;
        changed = true;
      }
      if (!changed) break;
      capRounds += 1;
      const eligible = partners.map((_, p) => !capped[p] && Bp[p]!.n > 0n);
      const weight = sum(Bp.filter((_, p) => eligible[p]));
      if (weight.n === 0n) {
        U = add(U, excess);
        continue;
      }
      for (let p = 0; p < n; p += 1) if (eligible[p]) x[p] = add(x[p]!, div(mul(excess, Bp[p]!), weight));
    }

    // §8: "In a pot whose exact unallocated amount after §3.3 is not 0, the decision ... applies:
    // the exact |U| is split by its weights and added to the exact shares x[p] (caps do not
    // apply to it), and U becomes 0." "A contribution decision in a pot with B = 0 fails".
    const decision = U.n === 0n ? undefined : decisionFor(pot.potId, direction);
    if (decision !== undefined) {
      if (decision.allocate.basis === 'contribution' && B.n === 0n) {
        refusals.push('contribution-budget-zero');
        return;
      }
      const w = weightsOf(decision.allocate);
      for (let p = 0; p < n; p += 1) x[p] = add(x[p]!, mul(U, w[p]!));
      U = Q0;
      anyDecisionApplied = true;
    }

    // §3.4 sign and largest-remainder rounding of (share[p1] … share[pn], U) to sum to V − D.
    const s = V.n > 0n ? 1n : -1n;
    const magnitudes = [...x, U]; // all ≥ 0
    const { rounded, handed, remainderTie } = largestRemainder(magnitudes, mul(A, q(100n)).n);
    const signed = rounded.map((r) => r * s);
    const sharesPence = signed.slice(0, n);
    const Upence = signed[n]!;
    sharesPence.forEach((v, i) => (shareTotal[i] = shareTotal[i]! + v));
    if (Upence !== 0n) anyUnallocated = true;
    unallocatedTotal += Upence;

    const view: PotSettlement = withReserve({
      ...base,
      direction,
      bands: displayedSlices(limits, A),
      shares: Object.fromEntries(partners.map((p, i) => [p, penceText(sharesPence[i]!)])),
      capped: partners.filter((_, p) => capped[p]),
      unallocated: penceText(Upence),
    });
    // "The settlement's pot records the decision it applied".
    pots.push(decision === undefined ? view : { ...view, decision: { version: decision.version, reference: decision.reference } });
    traces.push({ V, exact: magnitudes.map((m) => (s > 0n ? m : neg(m))), capRounds, pennies: handed, remainderTie });
  });

  if (refusals.length > 0) throw new OracleRefusal(refusals);

  // §7 "Whose money was drawn": Dtot attributed in proportion to o[p], largest remainder,
  // ties in partner order; nothing is drawn when R = 0. closing = o − drawn; returned or
  // carried forward by `unused`.
  const Dtot = sum(drawnByPot);
  const R = sum(opening);
  const drawnPence: bigint[] =
    R.n === 0n ? partners.map(() => 0n) : largestRemainder(opening.map((o) => div(mul(Dtot, o), R)), mul(Dtot, q(100n)).n).rounded;
  const openingPence = opening.map((o) => mul(o, q(100n)).n);
  const closingPence = openingPence.map((o, i) => o - drawnPence[i]!);
  const returnedPence = closingPence.map((c) => (reserveTerms?.unused === 'return' ? c : 0n));
  const carriedPence = closingPence.map((c) => (reserveTerms?.unused === 'carry-forward' ? c : 0n));
  const reserveTransfer = mul(Dtot, q(100n)).n + returnedPence.reduce((a, b) => a + b, 0n);

  // §4 and §7 transfers: share − borne − returned; the reserve's is Dtot + Σ returned.
  const transfers = partners.map((_, i) => shareTotal[i]! - mul(borne[i]!, q(100n)).n - returnedPence[i]!);
  const partnerRows: PartnerSettlement[] = partners.map((p, i) => {
    const row = { partnerId: p, varianceBorne: penceText(mul(borne[i]!, q(100n)).n), share: penceText(shareTotal[i]!), transfer: penceText(transfers[i]!) };
    return reserveTerms === undefined ? row : { ...row, reserveReturned: penceText(returnedPence[i]!) };
  });
  const participants = reserveTerms === undefined ? [...partners] : [RESERVE, ...partners];
  const participantTransfers = reserveTerms === undefined ? [...transfers] : [reserveTransfer, ...transfers];
  if (participantTransfers.reduce((a, b) => a + b, 0n) !== -unallocatedTotal) throw new Error('oracle bug: transfers do not sum to −ΣU');

  // "If any U ≠ 0 the settlement has requiresDecision: true and no payments". SPEC AMBIGUOUS
  // on exact vs rounded U (a cap can strand an exact excess of less than half a penny that
  // rounds to 0.00); the oracle reads U as the pot's rounded `unallocated`, the same U of
  // which "Transfers sum to −Σ U" holds (only true of the rounded figures). §8 confirms:
  // "requiresDecision is still decided on the rounded unallocated amounts".
  const payments: Payment[] = [];
  if (!anyUnallocated) {
    // Greedy: "payers in the order reserve, p1 … pn, payees in partner order" (the reserve
    // never receives: its transfer is never negative).
    const left = [...participantTransfers];
    const m = participants.length;
    let i = 0;
    let j = 0;
    for (;;) {
      while (i < m && left[i]! <= 0n) i += 1;
      while (j < m && left[j]! >= 0n) j += 1;
      if (i >= m || j >= m) break;
      const amount = left[i]! < -left[j]! ? left[i]! : -left[j]!;
      payments.push({ from: participants[i]!, to: participants[j]!, amount: penceText(amount) });
      left[i] = left[i]! - amount;
      left[j] = left[j]! + amount;
    }
    if (left.some((l) => l !== 0n)) throw new Error('oracle bug: payments do not settle the transfers');
  }

  const figures: SettlementFigures = { pots, partners: partnerRows, payments, unshared, requiresDecision: anyUnallocated };
  if (reserveTerms !== undefined) {
    const byPartner = (pence: bigint[]) => Object.fromEntries(partners.map((p, i) => [p, penceText(pence[i]!)]));
    figures.reserve = {
      opening: byPartner(openingPence),
      drawn: byPartner(drawnPence),
      closing: byPartner(closingPence),
      unused: reserveTerms.unused,
      returned: byPartner(returnedPence),
      carriedForward: byPartner(carriedPence),
      transfer: penceText(reserveTransfer),
    };
  }
  // §10: version 1 "when there is no reserve ... and no decision was applied".
  const engineVersion = reserveTerms === undefined && !anyDecisionApplied ? 'poolshare-settlement/1' : 'poolshare-settlement/2';
  const reserveTrace: ReserveTrace = {
    inPlay: reserveTerms !== undefined,
    implicit: reserveTerms !== undefined && input.agreement.reserve === undefined,
    drawn: Dtot,
    R,
    exhausted: reserveTerms !== undefined && Dtot.n > 0n && eq(Dtot, R),
    partialDraw: drawnByPot.some((d, k) => d.n > 0n && traces[k]!.exact.some((x) => x.n !== 0n)),
  };
  return { figures, traces, engineVersion, reserve: reserveTrace };
}

/**
 * §3.4's largest remainder on non-negative exact values, to `totalPence` whole pence: truncate
 * each to pence, then one penny each to the largest remainders; equal remainders by index.
 */
function largestRemainder(values: Q[], totalPence: bigint): { rounded: bigint[]; handed: number; remainderTie: boolean } {
  const truncated = values.map((m) => floor(mul(m, q(100n)))); // pence, towards zero
  const remainders = values.map((m, i) => sub(mul(m, q(100n)), q(truncated[i]!)));
  let pennies = totalPence - truncated.reduce((a, b) => a + b, 0n);
  const order = remainders
    .map((r, i) => ({ r, i }))
    .sort((a, b) => cmp(b.r, a.r) || a.i - b.i); // largest first; ties: lower index first
  const handed = Number(pennies);
  // a tie that decides who gets a penny: two equal remainders either side of the cut
  const remainderTie = handed > 0 && handed < order.length && eq(order[handed - 1]!.r, order[handed]!.r);
  const rounded = [...truncated];
  for (const { i } of order) {
    if (pennies <= 0n) break;
    rounded[i] = rounded[i]! + 1n;
    pennies -= 1n;
  }
  if (pennies !== 0n) throw new Error('oracle bug: not enough entries for the pennies');
  return { rounded, handed, remainderTie };
}

/**
 * SPEC SILENT on how band slices are displayed (§3.2 defines the exact a[i], but the output
 * has pence). docs/engine.md: "bounds are shown to the penny (half up) and each slice is
 * measured between the shown bounds, so the slices add up to |V| exactly". The oracle
 * implements that documented choice; the tests compare it in a test of its own, apart from
 * the spec-defined figures.
 */
function displayedSlices(limits: (Q | null)[], A: Q): BandSlice[] {
  const halfUp = (v: Q): bigint => floor(add(mul(v, q(100n)), q(1n, 2n)));
  const Apence = mul(A, q(100n)).n;
  const result: BandSlice[] = [];
  let from = 0n;
  for (const limit of limits) {
    const to = limit === null ? null : halfUp(limit);
    const top = to === null || to > Apence ? Apence : to;
    const amount = top - from > 0n ? top - from : 0n;
    result.push({ from: penceText(from), to: to === null ? null : penceText(to), amount: penceText(amount) });
    if (to !== null) from = to;
  }
  return result;
}

// ---------------------------------------------------------------------------------------
// Self-checks of the oracle's own arithmetic, run when tap runs this file directly
// (`npx tap test/engine` picks it up); importing the module runs nothing.

if (process.argv[1] !== undefined && import.meta.url === (await import('node:url')).pathToFileURL(process.argv[1]).href) {
  const { default: t } = await import('tap');
  t.test('rationals are exact and normalised', async (t) => {
    t.strictSame(parseQ('-1234.50'), q(-2469n, 2n));
    t.strictSame(parseQ('0.333'), q(333n, 1000n));
    t.strictSame(add(q(1n, 3n), q(1n, 6n)), q(1n, 2n));
    t.strictSame(sub(q(1n, 3n), q(1n, 3n)), Q0);
    t.strictSame(div(q(-1n, 3n), q(-2n, 3n)), q(1n, 2n));
    t.equal(cmp(q(1n, 3n), parseQ('0.3333333333333333333333333333333333333333')), 1);
    t.equal(cmp(q(2n, 6n), q(1n, 3n)), 0);
    t.strictSame(abs(q(-7n, 2n)), q(7n, 2n));
    t.equal(sign(q(-1n, 9n)), -1n);
  });
  t.test('amounts print to the penny, "-0.00" never', async (t) => {
    t.equal(penceText(-5n), '-0.05');
    t.equal(penceText(0n), '0.00');
    t.equal(penceText(123456n), '1234.56');
    t.equal(amountText(parseQ('-0.00')), '0.00');
    t.equal(amountText(parseQ('-1234.5')), '-1234.50');
    t.throws(() => amountText(q(1n, 300n)), /not whole pence/);
  });
  t.test('a one-pot settlement by contribution, by hand', async (t) => {
    const line = (partnerId: string, amount: string): LineAmount => ({ strategyId: 's', partnerId, arrangement: 'pooled', amount });
    const figures = referenceSettlement({
      partners: ['a', 'b'],
      budget: [line('a', '1.00'), line('b', '2.00')],
      outturn: [line('a', '1.00'), line('b', '2.10')],
      agreement: { pots: [{ potId: 'p', strategies: ['s'], overspend: { bands: [{ basis: 'contribution' }] }, underspend: { own: true } }] },
    });
    // x = 0.10 × (1/3, 2/3) = 0.0333…, 0.0666…: truncated 0.03, 0.06; the penny to b (2/3 > 1/3).
    t.strictSame(figures.pots[0]!.shares, { a: '0.03', b: '0.07' });
    t.strictSame(figures.payments, [{ from: 'a', to: 'b', amount: '0.03' }]);
  });
}
