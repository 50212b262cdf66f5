// Property-based tests over random funds, budgets, outturns and terms (fast-check), then the
// same funds with a risk reserve, a balance brought forward and board decisions (engine 2).
// Every generated case either settles with all invariants holding, or is refused with one of
// the two settlement-time codes (limits that cross once B is known, contribution of B = 0).
import fc from 'fast-check';
import t from 'tap';
import { DomainError } from '../../src/domain/errors.js';
import { Dec, ZERO, parseAmount, sumDecimals, type Decimal } from '../../src/domain/money.js';
import { ENGINE_VERSION, computeSettlement, engineVersionOf, settlementDigest } from '../../src/domain/settlement.js';
import type { LineAmount, SettlementFigures, SettlementInput } from '../../src/domain/settlement-types.js';
import type { AdoptedDecision, Band, BandSplit, DirectionRule, Pot } from '../../src/domain/terms-types.js';

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
  let checked = 0;
  fc.assert(
    fc.property(fundArb, (spec) => {
      const input = inputOf({ ...spec, partnerCount: 1 });
      const figures = settle(input);
      if (figures === null) return;
      checked += 1;
      ok(figures.payments.length === 0, 'no payments');
      const U = sumDecimals(figures.pots.map((p) => amount(p.unallocated)));
      // Only an amount its own cap leaves unallocated can separate its share from its variance.
      ok(amount(figures.partners[0]?.transfer).eq(U.neg()), 'transfer = −U (0 without caps)');
      if (!figures.requiresDecision) ok(amount(figures.partners[0]?.transfer).eq(ZERO), 'transfer 0');
    }),
    { numRuns: 150 },
  );
  t.ok(checked > 75, `checked ${checked} one-partner funds`);
});

// ---------------------------------------------------------------------------------------
// Engine 2: reserves, balances brought forward, board decisions

const splitArb = fc.record({ basis: fc.constantFrom('contribution', 'fixed', 'lead'), weights: fc.array(fc.nat({ max: 100 }), { minLength: 5, maxLength: 5 }), lead: fc.nat({ max: 4 }) });
const engine2Arb = fc.record({
  fund: fundArb,
  contributions: fc.option(fc.array(fc.option(penceArb, { nil: undefined }), { minLength: 5, maxLength: 5 }), { nil: undefined, freq: 5 }),
  covers: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
  unused: fc.constantFrom('return' as const, 'carry-forward' as const),
  brought: fc.option(fc.array(fc.option(penceArb, { nil: undefined }), { minLength: 5, maxLength: 5 }), { nil: undefined, freq: 3 }),
  decisions: fc.array(fc.record({ pot: fc.nat({ max: 3 }), over: fc.boolean(), split: splitArb }), { maxLength: 4 }),
});
type Engine2Spec = typeof engine2Arb extends fc.Arbitrary<infer T> ? T : never;

function splitOf(spec: Engine2Spec['decisions'][number]['split'], partners: string[]): BandSplit {
  if (spec.basis === 'fixed') return { basis: 'fixed', weights: weightsOf(spec.weights, partners) };
  if (spec.basis === 'lead') return { basis: 'lead', partnerId: partners[spec.lead % partners.length]! };
  return { basis: 'contribution' };
}

function engine2InputOf(spec: Engine2Spec): SettlementInput {
  const input = inputOf(spec.fund);
  const partners = input.partners;
  const amounts = (list: (number | undefined)[]) => Object.fromEntries(partners.flatMap((p, i) => (list[i] === undefined ? [] : [[p, pence(list[i]!)]])));
  if (spec.contributions !== undefined) {
    const covers = input.agreement.pots.filter((pot, k) => !('own' in pot.overspend) && spec.covers[k % 3]).map((pot) => pot.potId);
    input.agreement.reserve = { contributions: amounts(spec.contributions), covers, unused: spec.unused };
  }
  if (spec.brought !== undefined) input.broughtForward = amounts(spec.brought);
  input.decisions = spec.decisions.map((d, i): AdoptedDecision => ({
    version: i + 1, potId: `pot-${d.pot}`, direction: d.over ? 'overspend' : 'underspend', allocate: splitOf(d.split, partners), reference: `minute ${i + 1}`,
  }));
  return input;
}

/** The invariants of the reserve and of decisions, recomputed from the input where they can be. */
function checkEngine2(input: SettlementInput, figures: SettlementFigures): void {
  const opening = (p: string): Decimal => {
    const own = (record: Record<string, string> | undefined) => (record !== undefined && Object.hasOwn(record, p) ? parseAmount(record[p]!) : ZERO);
    return own(input.agreement.reserve?.contributions).plus(own(input.broughtForward));
  };
  const R = sumDecimals(input.partners.map(opening));
  const inPlay = input.agreement.reserve !== undefined || !R.eq(ZERO);
  ok((figures.reserve !== undefined) === inPlay, 'a reserve is in play iff the terms have one or a non-zero balance was brought forward');
  const D = sumDecimals(figures.pots.map((p) => amount(p.reserveDrawn ?? '0.00')));
  const U = sumDecimals(figures.pots.map((p) => amount(p.unallocated)));
  figures.pots.forEach((pot) => {
    ok(sumDecimals(Object.values(pot.shares).map(amount)).plus(amount(pot.unallocated)).plus(amount(pot.reserveDrawn ?? '0.00')).eq(amount(pot.variance)), `${pot.potId}: shares + U + D = V`);
    if (pot.decision !== undefined) ok(amount(pot.unallocated).eq(ZERO), `${pot.potId}: a decision leaves U = 0`);
    if (!amount(pot.reserveDrawn ?? '0.00').eq(ZERO)) ok(pot.direction === 'overspend' && (input.agreement.reserve?.covers ?? []).includes(pot.potId), 'only covered overspending pots draw');
  });
  const everyone = figures.partners.map((row) => ({ id: row.partnerId, transfer: amount(row.transfer) }));
  if (figures.reserve !== undefined) {
    const r = figures.reserve;
    const total = (record: Record<string, string>) => sumDecimals(Object.values(record).map(amount));
    ok(total(r.drawn).eq(D) && !D.gt(R), 'Σ drawn = Σ D ≤ R');
    ok(total(r.opening).eq(R), 'R = Σ (contributions + brought forward)');
    input.partners.forEach((p) => {
      ok(amount(r.opening[p]).eq(opening(p)), `${p}: opening = contribution + brought forward`);
      ok(!amount(r.closing[p]).lt(ZERO), `${p}: closing ≥ 0`);
      ok(amount(r.closing[p]).eq(amount(r.opening[p]).minus(amount(r.drawn[p]))), `${p}: closing = opening − drawn`);
      ok(amount(r.returned[p]).plus(amount(r.carriedForward[p])).eq(amount(r.closing[p])), `${p}: closing is returned or carried forward`);
    });
    ok(amount(r.transfer).eq(D.plus(total(r.returned))), 'the reserve pays Dtot + Σ returned');
    figures.partners.forEach((row) => {
      ok(amount(row.transfer).eq(amount(row.share).minus(amount(row.varianceBorne)).minus(amount(row.reserveReturned))), `${row.partnerId}: transfer = share − borne − returned`);
    });
    everyone.unshift({ id: 'reserve', transfer: amount(r.transfer) });
  }
  ok(sumDecimals(everyone.map((p) => p.transfer)).eq(U.neg()), 'all transfers, the reserve\'s included, sum to −ΣU');
  if (figures.requiresDecision) return ok(figures.payments.length === 0, 'no payments while a decision is needed');
  ok(figures.payments.length <= everyone.length - 1, 'at most one payment fewer than participants');
  ok(figures.payments.every((p) => p.to !== 'reserve' && amount(p.amount).gt(ZERO)), 'the reserve only pays; payments are positive');
  everyone.forEach(({ id, transfer }) => {
    const net = sumDecimals(figures.payments.map((p) => (p.from === id ? amount(p.amount) : p.to === id ? amount(p.amount).neg() : ZERO)));
    ok(net.eq(transfer), `payments settle ${id}'s transfer exactly`);
  });
}

t.test('random funds with reserves and decisions: Σ drawn = Σ D ≤ R, closing ≥ 0, transfers sum to −ΣU, payments settle, decisions clear U', async (t) => {
  const seen = { settled: 0, reserve: 0, drew: 0, returned: 0, carried: 0, decided: 0, cleared: 0, reservePays: 0 };
  fc.assert(
    fc.property(engine2Arb, (spec) => {
      const input = engine2InputOf(spec);
      const figures = settle(input);
      if (figures === null) return;
      seen.settled += 1;
      checkEngine2(input, figures);
      if (figures.reserve !== undefined) seen.reserve += 1;
      if (figures.pots.some((p) => p.reserveDrawn !== undefined && p.reserveDrawn !== '0.00')) seen.drew += 1;
      if (Object.values(figures.reserve?.returned ?? {}).some((a) => a !== '0.00')) seen.returned += 1;
      if (Object.values(figures.reserve?.carriedForward ?? {}).some((a) => a !== '0.00')) seen.carried += 1;
      if (figures.payments.some((p) => p.from === 'reserve')) seen.reservePays += 1;
      const decided = figures.pots.filter((p) => p.decision !== undefined).length;
      seen.decided += decided;
      if (decided > 0) {
        // The same fund without its decisions needed one: the decision cleared it.
        const undecided = settle({ ...input, decisions: [] });
        if (undecided !== null && undecided.pots.some((p, k) => figures.pots[k]!.decision !== undefined && p.unallocated !== '0.00')) seen.cleared += 1;
      }
    }),
    { numRuns: 600 },
  );
  t.comment(JSON.stringify(seen));
  for (const [key, count] of Object.entries(seen)) t.ok(count > 0, `covers ${key} (${count})`);
});

t.test('a fund without reserve or applied decision gives engine 1\'s body byte for byte', async (t) => {
  let compared = 0;
  fc.assert(
    fc.property(fundArb, fc.array(fc.nat({ max: 100 }), { minLength: 5, maxLength: 5 }), (spec, weights) => {
      const input = inputOf(spec);
      const figures = settle(input);
      if (figures === null) return;
      const engine1 = JSON.stringify(figures);
      // Decisions that cannot apply: a pot not in the terms, the direction the pot does not
      // take, a pot with nothing to share or an own rule (never anything unallocated).
      const idle: AdoptedDecision[] = [];
      const split: BandSplit = { basis: 'fixed', weights: weightsOf(weights, input.partners) };
      const add = (potId: string, direction: 'overspend' | 'underspend') =>
        idle.push({ version: idle.length + 1, potId, direction, allocate: split, reference: 'not applied' });
      add('no-such-pot', 'overspend');
      figures.pots.forEach((pot, k) => {
        const rule = pot.direction === 'overspend' ? input.agreement.pots[k]!.overspend : input.agreement.pots[k]!.underspend;
        if (pot.direction !== 'underspend') add(pot.potId, 'underspend');
        if (pot.direction !== 'overspend') add(pot.potId, 'overspend');
        if (pot.direction !== 'none' && 'own' in rule) add(pot.potId, pot.direction);
      });
      const zeros = Object.fromEntries(input.partners.map((p) => [p, '0.00']));
      for (const variant of [{ ...input, decisions: idle }, { ...input, broughtForward: zeros }, { ...input, broughtForward: {}, decisions: [] }]) {
        const again = computeSettlement(variant);
        ok(JSON.stringify(again) === engine1, 'the same JSON, byte for byte');
        ok(engineVersionOf(again) === ENGINE_VERSION, 'engine 1');
        ok(digestOf(again) === digestOf(figures), 'the same digest');
      }
      ok(!/"(reserve|reserveDrawn|reserveReturned|decision)"/.test(engine1), 'no engine-2 field');
      compared += 1;
    }),
    { numRuns: 300 },
  );
  t.ok(compared > 150, `compared ${compared} funds`);
});
