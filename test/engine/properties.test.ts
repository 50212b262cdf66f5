// Property-based tests over random funds, budgets, outturns and terms (fast-check).
// Every generated case either settles with all invariants holding, or is refused with one of
// the two settlement-time codes (limits that cross once B is known, contribution of B = 0).
import fc from 'fast-check';
import t from 'tap';
import { DomainError } from '../../src/domain/errors.js';
import { Dec, ZERO, parseAmount, sumDecimals, type Decimal } from '../../src/domain/money.js';
import { ENGINE_VERSION, computeSettlement, settlementDigest } from '../../src/domain/settlement.js';
import type { LineAmount, SettlementFigures, SettlementInput } from '../../src/domain/settlement-types.js';
import type { Band, DirectionRule, Pot } from '../../src/domain/terms-types.js';

const NAMES = ['ccg', 'council', 'county', 'trust', 'hospice'];
const STRATEGIES = ['wellbeing', 'community', 'cyp', 'care'];

/** Integer pence to an amount string, by string work (no float division). */
function pence(value: number): string {
  const digits = String(Math.abs(value)).padStart(3, '0');
  return `${value < 0 ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

const penceArb = fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 100_000_000 }));
const bandArb = fc.record({
  percent: fc.boolean(),
  step: fc.integer({ min: 1, max: 5_000_000 }),
  basis: fc.constantFrom('contribution', 'fixed', 'lead'),
  weights: fc.array(fc.nat({ max: 100 }), { minLength: 5, maxLength: 5 }),
  lead: fc.nat({ max: 4 }),
});
const ruleArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant(null) },
  {
    weight: 5,
    arbitrary: fc.record({
      bands: fc.array(bandArb, { minLength: 1, maxLength: 3 }),
      caps: fc.array(fc.option(penceArb, { nil: undefined }), { minLength: 5, maxLength: 5 }),
    }),
  },
);
const fundArb = fc.record({
  partnerCount: fc.integer({ min: 1, max: 5 }),
  names: fc.shuffledSubarray(NAMES, { minLength: 5, maxLength: 5 }),
  lines: fc.array(
    fc.record({
      strategy: fc.nat({ max: 3 }),
      partner: fc.nat({ max: 4 }),
      pooled: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      budget: fc.option(penceArb, { nil: undefined, freq: 6 }),
      delta: fc.option(fc.integer({ min: -2_000_000, max: 2_000_000 }), { nil: undefined, freq: 6 }),
    }),
    { maxLength: 30 },
  ),
  potOf: fc.array(fc.integer({ min: -1, max: 2 }), { minLength: 4, maxLength: 4 }),
  rules: fc.array(ruleArb, { minLength: 6, maxLength: 6 }),
  order: fc.array(fc.nat(), { minLength: 30, maxLength: 30 }),
});
type FundSpec = typeof fundArb extends fc.Arbitrary<infer T> ? T : never;

function weightsOf(raw: number[], partners: string[]): Record<string, string> {
  const parts = partners.map((_, i) => raw[i] ?? 0);
  const total = parts.reduce((a, b) => a + b, 0) || 1;
  const thousandths = parts.map((part) => Math.floor((part * 1000) / total));
  thousandths[0] = (thousandths[0] ?? 0) + 1000 - thousandths.reduce((a, b) => a + b, 0);
  const weights: Record<string, string> = {};
  thousandths.forEach((k, i) => {
    if (k > 0) weights[partners[i]!] = k === 1000 ? '1' : `0.${String(k).padStart(3, '0')}`;
  });
  return weights;
}

function ruleOf(spec: FundSpec['rules'][number], partners: string[]): DirectionRule {
  if (spec === null) return { own: true };
  let upTo = 0;
  let percent = 0;
  const bands: Band[] = spec.bands.map((band, index) => {
    const split: Band =
      band.basis === 'contribution'
        ? { basis: 'contribution' }
        : band.basis === 'fixed'
          ? { basis: 'fixed', weights: weightsOf(band.weights, partners) }
          : { basis: 'lead', partnerId: partners[band.lead % partners.length]! };
    if (index === spec.bands.length - 1) return split;
    if (band.percent) {
      percent += band.step % 500 + 1;
      return { ...split, upToPercentOfBudget: pence(percent) };
    }
    upTo += band.step;
    return { ...split, upTo: pence(upTo) };
  });
  const caps: Record<string, string> = {};
  partners.forEach((partnerId, i) => {
    const cap = spec.caps[i];
    if (cap !== undefined) caps[partnerId] = pence(cap);
  });
  return Object.keys(caps).length > 0 ? { bands, caps } : { bands };
}

function inputOf(spec: FundSpec): SettlementInput {
  const partners = spec.names.slice(0, spec.partnerCount);
  const budget: LineAmount[] = [];
  const outturn: LineAmount[] = [];
  const seen = new Set<string>();
  for (const line of spec.lines) {
    const key = { strategyId: STRATEGIES[line.strategy]!, partnerId: partners[line.partner % partners.length]!, arrangement: line.pooled ? 'pooled' as const : 'aligned' as const };
    const id = JSON.stringify(key);
    if (seen.has(id)) continue;
    seen.add(id);
    if (line.budget !== undefined) budget.push({ ...key, amount: pence(line.budget) });
    if (line.delta !== undefined) outturn.push({ ...key, amount: pence((line.budget ?? 0) + line.delta) });
  }
  const pots: Pot[] = [];
  for (let k = 0; k < 3; k += 1) {
    const strategies = STRATEGIES.filter((_, s) => spec.potOf[s] === k);
    if (strategies.length === 0) continue;
    pots.push({ potId: `pot-${k}`, strategies, overspend: ruleOf(spec.rules[2 * k]!, partners), underspend: ruleOf(spec.rules[2 * k + 1]!, partners) });
  }
  if (pots.length === 0) pots.push({ potId: 'empty', strategies: ['none'], overspend: { own: true }, underspend: { own: true } });
  return { partners, budget, outturn, agreement: { pots } };
}

/** Settles, or returns null for the two refusals a random budget may legitimately cause. */
function settle(input: SettlementInput): SettlementFigures | null {
  try {
    return computeSettlement(input);
  } catch (error) {
    if (error instanceof DomainError && ['band-limits-not-increasing', 'contribution-budget-zero'].includes(error.code)) return null;
    throw error;
  }
}

const amount = (text: string | undefined): Decimal => parseAmount(text ?? 'missing');

/** Every invariant of SETTLEMENT.md §3–4, recomputed from the input where it can be. */
function checkFigures(input: SettlementInput, figures: SettlementFigures): void {
  const n = input.partners.length;
  const budgetOf = new Map(input.budget.map((l) => [JSON.stringify([l.strategyId, l.partnerId, l.arrangement]), parseAmount(l.amount)]));
  const outturnOf = new Map(input.outturn.map((l) => [JSON.stringify([l.strategyId, l.partnerId, l.arrangement]), parseAmount(l.amount)]));
  const keys = [...new Set([...budgetOf.keys(), ...outturnOf.keys()])];
  let unallocated = ZERO;
  const borne = input.partners.map(() => ZERO);
  input.agreement.pots.forEach((pot, k) => {
    const view = figures.pots[k]!;
    const v = input.partners.map((partnerId) => sumDecimals(keys
      .filter((key) => { const [s, p, a] = JSON.parse(key) as string[]; return a === 'pooled' && p === partnerId && pot.strategies.includes(s!); })
      .map((key) => (outturnOf.get(key) ?? ZERO).minus(budgetOf.get(key) ?? ZERO))));
    const V = sumDecimals(v);
    v.forEach((value, i) => (borne[i] = borne[i]!.plus(value)));
    const shares = input.partners.map((p) => amount(view.shares[p]));
    const U = amount(view.unallocated);
    ok(sumDecimals(shares).plus(U).eq(V) && amount(view.variance).eq(V), `pot ${pot.potId}: shares + U = V`);
    unallocated = unallocated.plus(U);
    if (V.eq(ZERO)) return ok(shares.every((s) => s.eq(ZERO)) && U.eq(ZERO), 'V = 0: all shares 0');
    const rule = V.gt(ZERO) ? pot.overspend : pot.underspend;
    if ('own' in rule) return ok(shares.every((s, i) => s.eq(v[i]!)), 'own: share = v');
    const sign = V.gt(ZERO) ? Dec('1') : Dec('-1');
    ok(shares.every((s) => !s.times(sign).lt(ZERO)) && !U.times(sign).lt(ZERO), 'shares take the sign of V');
    input.partners.forEach((partnerId, i) => {
      const cap = rule.caps?.[partnerId];
      if (cap === undefined) return ok(!view.capped.includes(partnerId), 'only partners with caps are capped');
      ok(!shares[i]!.abs().gt(parseAmount(cap)), `${partnerId}: |share| ≤ cap`);
      if (view.capped.includes(partnerId)) ok(shares[i]!.abs().eq(parseAmount(cap)), `${partnerId}: a capped share is its cap`);
    });
  });
  const transfers = figures.partners.map((row) => amount(row.transfer));
  ok(figures.partners.every((row, i) => amount(row.varianceBorne).eq(borne[i]!)), 'borne = Σ v over pots');
  ok(sumDecimals(transfers).eq(unallocated.neg()), 'transfers sum to −ΣU');
  ok(figures.requiresDecision === figures.pots.some((p) => !amount(p.unallocated).eq(ZERO)), 'requiresDecision iff some U ≠ 0');
  if (figures.requiresDecision) return ok(figures.payments.length === 0, 'no payments while a decision is needed');
  ok(figures.payments.length <= Math.max(0, n - 1), 'at most n − 1 payments');
  ok(figures.payments.every((p) => amount(p.amount).gt(ZERO) && p.from !== p.to), 'payments are positive, between two partners');
  input.partners.forEach((partnerId, i) => {
    const net = sumDecimals(figures.payments.map((p) => (p.from === partnerId ? amount(p.amount) : p.to === partnerId ? amount(p.amount).neg() : ZERO)));
    ok(net.eq(transfers[i]!), `payments settle ${partnerId}'s transfer`);
  });
}

function ok(condition: boolean, message: string): void {
  if (!condition) throw new Error(`property broken: ${message}`);
}

function shuffled<T>(items: readonly T[], keys: readonly number[]): T[] {
  return items.map((item, i) => ({ item, key: keys[i % keys.length]! * 31 + i })).sort((a, b) => a.key - b.key).map((e) => e.item);
}

const digestOf = (figures: SettlementFigures) => settlementDigest({ ...figures, engineVersion: ENGINE_VERSION });

t.test('random funds: pot, transfer, payment and cap invariants hold', async (t) => {
  let settled = 0;
  let refused = 0;
  let decisions = 0;
  fc.assert(
    fc.property(fundArb, (spec) => {
      const input = inputOf(spec);
      const figures = settle(input);
      if (figures === null) return void (refused += 1);
      settled += 1;
      if (figures.requiresDecision) decisions += 1;
      checkFigures(input, figures);
    }),
    { numRuns: 400 },
  );
  t.ok(settled > refused, `most cases settle (${settled} settled, ${refused} refused)`);
  t.comment(`${settled} settled, ${refused} refused, ${decisions} need a decision`);
  t.ok(decisions > 0, `some cases need a board decision (${decisions})`);
});

t.test('the order of budget and outturn lines does not change the figures or the digest', async (t) => {
  let compared = 0;
  fc.assert(
    fc.property(fundArb, fc.array(fc.nat(), { minLength: 30, maxLength: 30 }), (spec, keys) => {
      const input = inputOf(spec);
      const figures = settle(input);
      if (figures === null) return;
      const again = computeSettlement({ ...input, budget: shuffled(input.budget, keys), outturn: shuffled(input.outturn, spec.order) });
      compared += 1;
      ok(JSON.stringify(again) === JSON.stringify(figures), 'same figures');
      ok(digestOf(again) === digestOf(figures), 'same digest');
    }),
    { numRuns: 200 },
  );
  t.ok(compared > 100, `compared ${compared} shuffles`);
});

t.test('a one-partner fund never moves money', async (t) => {
  fc.assert(
    fc.property(fundArb, (spec) => {
      const input = inputOf({ ...spec, partnerCount: 1 });
      const figures = settle(input);
      if (figures === null) return;
      ok(figures.payments.length === 0, 'no payments');
      const U = sumDecimals(figures.pots.map((p) => amount(p.unallocated)));
      // Only an amount its own cap leaves unallocated can separate its share from its variance.
      ok(amount(figures.partners[0]?.transfer).eq(U.neg()), 'transfer = −U (0 without caps)');
      if (!figures.requiresDecision) ok(amount(figures.partners[0]?.transfer).eq(ZERO), 'transfer 0');
    }),
    { numRuns: 150 },
  );
  t.pass('checked');
});
