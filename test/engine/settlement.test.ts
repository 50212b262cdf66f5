// One test per rule of SETTLEMENT.md §2–4 and per refusal of the engine.
import { createHash } from 'node:crypto';
import t from 'tap';
import { DomainError } from '../../src/domain/errors.js';
import { Dec } from '../../src/domain/money.js';
import { ENGINE_VERSION, computeSettlement, settlementDigest } from '../../src/domain/settlement.js';
import type { LineAmount, SettlementInput } from '../../src/domain/settlement-types.js';
import type { DirectionRule, Pot } from '../../src/domain/terms-types.js';

const pooled = (strategyId: string, partnerId: string, amount: string): LineAmount => ({ strategyId, partnerId, arrangement: 'pooled', amount });
const aligned = (strategyId: string, partnerId: string, amount: string): LineAmount => ({ strategyId, partnerId, arrangement: 'aligned', amount });
const contribution: DirectionRule = { bands: [{ basis: 'contribution' }] };

function pot(overspend: DirectionRule, underspend: DirectionRule = contribution, strategies = ['s']): Pot {
  return { potId: 'p', strategies, overspend, underspend };
}

/** One strategy `s`; budgets and outturns per partner, in the partners' order. */
function fund(partners: string[], budgets: string[], outturns: string[], pots: Pot[]): SettlementInput {
  return {
    partners,
    budget: partners.map((partnerId, i) => pooled('s', partnerId, budgets[i]!)),
    outturn: partners.map((partnerId, i) => pooled('s', partnerId, outturns[i]!)),
    agreement: { pots },
  };
}

t.test('ENGINE_VERSION names the engine and its rule set', async (t) => {
  t.equal(ENGINE_VERSION, 'poolshare-settlement/1');
});

t.test('own: each partner bears its own variance, no rounding, no payments', async (t) => {
  const figures = computeSettlement(fund(['a', 'b'], ['100.00', '100.00'], ['150.01', '80.00'], [pot({ own: true })]));
  const p = figures.pots[0]!;
  t.equal(p.variance, '30.01');
  t.strictSame(p.shares, { a: '50.01', b: '-20.00' });
  t.strictSame(p.bands, []);
  t.strictSame(figures.partners.map((row) => row.transfer), ['0.00', '0.00']);
  t.strictSame(figures.payments, []);
});

t.test('V = 0: every share is 0, direction none, and borne variances still settle', async (t) => {
  const figures = computeSettlement(fund(['a', 'b'], ['100.00', '100.00'], ['110.00', '90.00'], [pot(contribution)]));
  const p = figures.pots[0]!;
  t.equal(p.direction, 'none');
  t.strictSame(p.shares, { a: '0.00', b: '0.00' });
  t.strictSame(p.bands, []);
  t.strictSame(figures.partners, [
    { partnerId: 'a', varianceBorne: '10.00', share: '0.00', transfer: '-10.00' },
    { partnerId: 'b', varianceBorne: '-10.00', share: '0.00', transfer: '10.00' },
  ]);
  t.strictSame(figures.payments, [{ from: 'b', to: 'a', amount: '10.00' }]);
});

t.test('lead: the lead partner takes the whole band', async (t) => {
  const rule: DirectionRule = { bands: [{ upTo: '50.00', basis: 'lead', partnerId: 'b' }, { basis: 'contribution' }] };
  const figures = computeSettlement(fund(['a', 'b'], ['300.00', '100.00'], ['400.00', '100.00'], [pot(rule)]));
  const p = figures.pots[0]!;
  t.strictSame(p.bands, [
    { from: '0.00', to: '50.00', amount: '50.00' },
    { from: '50.00', to: null, amount: '50.00' },
  ]);
  t.strictSame(p.shares, { a: '37.50', b: '62.50' }, 'b: 50 + 25% of 50; a: 75% of 50');
});

t.test('fixed: weights as given, partners not named get 0', async (t) => {
  const rule: DirectionRule = { bands: [{ basis: 'fixed', weights: { a: '0.6', c: '0.4' } }] };
  const figures = computeSettlement(fund(['a', 'b', 'c'], ['1.00', '1.00', '1.00'], ['101.00', '1.00', '1.00'], [pot(rule)]));
  t.strictSame(figures.pots[0]!.shares, { a: '60.00', b: '0.00', c: '40.00' });
  t.strictSame(figures.payments, [{ from: 'c', to: 'a', amount: '40.00' }]);
});

t.test('underspend: the underspend rule applies and shares are negative', async (t) => {
  const over: DirectionRule = { bands: [{ basis: 'lead', partnerId: 'a' }] };
  const under: DirectionRule = { bands: [{ basis: 'lead', partnerId: 'b' }] };
  const figures = computeSettlement(fund(['a', 'b'], ['100.00', '100.00'], ['90.00', '100.00'], [pot(over, under)]));
  const p = figures.pots[0]!;
  t.equal(p.direction, 'underspend');
  t.strictSame(p.shares, { a: '0.00', b: '-10.00' });
  t.strictSame(p.bands, [{ from: '0.00', to: null, amount: '10.00' }], 'bands are in pounds of |V|');
  t.strictSame(figures.partners.map((row) => row.transfer), ['10.00', '-10.00']);
  t.strictSame(figures.payments, [{ from: 'a', to: 'b', amount: '10.00' }]);
});

t.test('bands: a variance below the first limit leaves later slices at 0; bounds shown to the penny', async (t) => {
  const rule: DirectionRule = { bands: [{ upToPercentOfBudget: '1', basis: 'lead', partnerId: 'a' }, { basis: 'contribution' }] };
  const figures = computeSettlement(fund(['a', 'b'], ['1234.56', '0.00'], ['1244.56', '0.00'], [pot(rule)]));
  t.strictSame(figures.pots[0]!.bands, [
    { from: '0.00', to: '12.35', amount: '10.00' },
    { from: '12.35', to: null, amount: '0.00' },
  ], '1% of 1234.56 is 12.3456, shown as 12.35');
  t.strictSame(figures.pots[0]!.shares, { a: '10.00', b: '0.00' });
});

t.test('band limits that do not increase once converted: 422 naming the pot', async (t) => {
  const rule: DirectionRule = { bands: [{ upTo: '1000.00', basis: 'contribution' }, { upToPercentOfBudget: '1', basis: 'contribution' }, { basis: 'contribution' }] };
  const input = fund(['a', 'b'], ['25000.00', '25000.00'], ['26000.00', '25000.00'], [pot(rule)]);
  const error = catchError(() => computeSettlement(input));
  t.ok(error instanceof DomainError);
  t.match(error, { kind: 'unprocessable', code: 'band-limits-not-increasing', status: 422 });
  t.match(error.message, /pot 'p'/);
  t.strictSame((error as DomainError).errors.map((e) => e.path), ['/pots/0/overspend/bands/1']);
});

t.test('percent limits of a zero budget do not increase either', async (t) => {
  const rule: DirectionRule = { bands: [{ upToPercentOfBudget: '1', basis: 'lead', partnerId: 'a' }, { basis: 'lead', partnerId: 'a' }] };
  const input = fund(['a'], ['0.00'], ['5.00'], [pot(rule)]);
  t.throws(() => computeSettlement(input), { code: 'band-limits-not-increasing' });
});

t.test('contribution with B = 0: 422 naming the pot and the band', async (t) => {
  const input: SettlementInput = {
    partners: ['a', 'b'],
    budget: [],
    outturn: [pooled('s', 'a', '10.00')],
    agreement: { pots: [pot({ bands: [{ upTo: '5.00', basis: 'lead', partnerId: 'b' }, { basis: 'contribution' }] })] },
  };
  const error = catchError(() => computeSettlement(input));
  t.match(error, { kind: 'unprocessable', code: 'contribution-budget-zero' });
  t.match(error.message, /pot 'p'/);
  t.strictSame((error as DomainError).errors.map((e) => e.path), ['/pots/0/overspend/bands/1/basis']);
});

t.test('an outturn line without a budget line counts with budget 0 (and the reverse with outturn 0)', async (t) => {
  const input: SettlementInput = {
    partners: ['a', 'b'],
    budget: [pooled('s', 'a', '100.00')],
    outturn: [pooled('s', 'b', '30.00')],
    agreement: { pots: [pot({ own: true }, { own: true })] },
  };
  const figures = computeSettlement(input);
  t.equal(figures.pots[0]!.budget, '100.00');
  t.strictSame(figures.pots[0]!.shares, { a: '-100.00', b: '30.00' });
});

t.test('caps: several rounds of reallocation in proportion to B, then unallocated', async (t) => {
  // raw a 100, b 300, c 600; round 1 caps c at 400 and spreads 200 as a 50, b 150;
  // round 2 caps b at 420 and gives a the 30; round 3 caps a at 170 and nobody is left.
  const rule: DirectionRule = { bands: [{ basis: 'contribution' }], caps: { a: '170.00', b: '420.00', c: '400.00' } };
  const figures = computeSettlement(fund(['a', 'b', 'c'], ['100.00', '300.00', '600.00'], ['200.00', '600.00', '1200.00'], [pot(rule)]));
  const p = figures.pots[0]!;
  t.strictSame(p.shares, { a: '170.00', b: '420.00', c: '400.00' });
  t.strictSame(p.capped, ['a', 'b', 'c']);
  t.equal(p.unallocated, '10.00');
  t.equal(figures.requiresDecision, true);
  t.strictSame(figures.payments, [], 'the board must decide first');
  t.strictSame(figures.partners.map((row) => row.transfer), ['70.00', '120.00', '-200.00'], 'transfers sum to −U');
});

t.test('caps: reallocation settles when an uncapped partner can take the excess', async (t) => {
  const rule: DirectionRule = { bands: [{ basis: 'contribution' }], caps: { b: '420.00', c: '400.00' } };
  const figures = computeSettlement(fund(['a', 'b', 'c'], ['100.00', '300.00', '600.00'], ['200.00', '600.00', '1200.00'], [pot(rule)]));
  t.strictSame(figures.pots[0]!.shares, { a: '180.00', b: '420.00', c: '400.00' });
  t.strictSame(figures.pots[0]!.capped, ['b', 'c']);
  t.equal(figures.requiresDecision, false);
});

t.test('all capped: the excess is unallocated, requiresDecision, no payments (underspend sign)', async (t) => {
  const rule: DirectionRule = { bands: [{ basis: 'contribution' }], caps: { a: '10.00', b: '0.00' } };
  const figures = computeSettlement(fund(['a', 'b'], ['100.00', '100.00'], ['50.00', '100.00'], [pot(contribution, rule)]));
  const p = figures.pots[0]!;
  t.strictSame(p.shares, { a: '-10.00', b: '0.00' });
  t.equal(p.unallocated, '-40.00');
  t.equal(figures.requiresDecision, true);
  t.strictSame(figures.payments, []);
});

t.test('rounding: equal remainders go to partners before U', async (t) => {
  // a (B 100) is capped at 0 with nobody left to take its excess: U = 0.015; b (B 0) takes
  // 0.015 by fixed weight. One penny is left and both remainders are 0.005: b gets it.
  const rule: DirectionRule = { bands: [{ basis: 'fixed', weights: { a: '0.5', b: '0.5' } }], caps: { a: '0.00' } };
  const input: SettlementInput = {
    partners: ['a', 'b'],
    budget: [pooled('s', 'a', '100.00')],
    outturn: [pooled('s', 'a', '100.03')],
    agreement: { pots: [pot(rule)] },
  };
  const p = computeSettlement(input).pots[0]!;
  t.strictSame(p.shares, { a: '0.00', b: '0.02' });
  t.equal(p.unallocated, '0.01');
});

t.test('rounding: the largest remainder wins over partner order', async (t) => {
  // Exact 0.014 and 0.056: truncated 0.01 + 0.05, one penny left, b's remainder 0.006 is larger.
  const rule: DirectionRule = { bands: [{ basis: 'fixed', weights: { a: '0.2', b: '0.8' } }] };
  const p = computeSettlement(fund(['a', 'b'], ['1.00', '1.00'], ['1.07', '1.00'], [pot(rule)])).pots[0]!;
  t.strictSame(p.shares, { a: '0.01', b: '0.06' });
});

t.test('a strategy in no pot and aligned lines go to unshared, sorted by partner, strategy, arrangement', async (t) => {
  const input: SettlementInput = {
    partners: ['b', 'a'],
    budget: [pooled('s', 'a', '10.00'), aligned('z', 'a', '5.00'), pooled('loose', 'b', '7.00'), aligned('s', 'b', '1.00'), pooled('s', 'b', '10.00')],
    outturn: [pooled('s', 'a', '11.00'), aligned('z', 'a', '4.00'), pooled('loose', 'b', '9.00'), aligned('s', 'b', '1.00'), pooled('s', 'b', '10.00')],
    agreement: { pots: [pot(contribution)] },
  };
  const figures = computeSettlement(input);
  t.strictSame(figures.unshared, [
    { strategyId: 'loose', partnerId: 'b', arrangement: 'pooled', variance: '2.00' },
    { strategyId: 's', partnerId: 'b', arrangement: 'aligned', variance: '0.00' },
    { strategyId: 'z', partnerId: 'a', arrangement: 'aligned', variance: '-1.00' },
  ]);
  t.strictSame(figures.pots[0]!.shares, { b: '0.50', a: '0.50' }, 'only pooled lines of the pot take part');
  t.strictSame(figures.partners.map((row) => row.varianceBorne), ['0.00', '1.00'], 'borne counts pots only');
});

t.test('several pots add up per partner', async (t) => {
  const input: SettlementInput = {
    partners: ['a', 'b'],
    budget: [pooled('s', 'a', '100.00'), pooled('s', 'b', '100.00'), pooled('u', 'a', '100.00'), pooled('u', 'b', '300.00')],
    outturn: [pooled('s', 'a', '120.00'), pooled('s', 'b', '100.00'), pooled('u', 'a', '100.00'), pooled('u', 'b', '260.00')],
    agreement: {
      pots: [
        { potId: 'one', strategies: ['s'], overspend: contribution, underspend: contribution },
        { potId: 'two', strategies: ['u'], overspend: contribution, underspend: contribution },
      ],
    },
  };
  const figures = computeSettlement(input);
  t.strictSame(figures.pots.map((p) => p.shares), [{ a: '10.00', b: '10.00' }, { a: '-10.00', b: '-30.00' }]);
  t.strictSame(figures.partners, [
    { partnerId: 'a', varianceBorne: '20.00', share: '0.00', transfer: '-20.00' },
    { partnerId: 'b', varianceBorne: '-40.00', share: '-20.00', transfer: '20.00' },
  ]);
  t.strictSame(figures.payments, [{ from: 'b', to: 'a', amount: '20.00' }]);
});

t.test('a one-partner fund never moves money', async (t) => {
  const figures = computeSettlement(fund(['a'], ['100.00'], ['250.00'], [pot(contribution)]));
  t.strictSame(figures.partners, [{ partnerId: 'a', varianceBorne: '150.00', share: '150.00', transfer: '0.00' }]);
  t.strictSame(figures.payments, []);
});

t.test('invalid terms are refused with every problem named', async (t) => {
  const rule: DirectionRule = { bands: [{ basis: 'fixed', weights: { a: '0.5', b: '0.4' } }] };
  const error = catchError(() => computeSettlement(fund(['a', 'b'], ['1.00', '1.00'], ['2.00', '1.00'], [pot(rule)])));
  t.match(error, { code: 'invalid-terms', kind: 'unprocessable' });
  t.strictSame((error as DomainError).errors.map((e) => e.path), ['/pots/0/overspend/bands/0/weights']);
});

t.test('programmer errors in the input are plain Errors', async (t) => {
  const ok = fund(['a', 'b'], ['1.00', '1.00'], ['1.00', '1.00'], [pot(contribution)]);
  const cases: [string, SettlementInput, RegExp][] = [
    ['no partners', { ...ok, partners: [] }, /at least one partner/],
    ['repeated partner', { ...ok, partners: ['a', 'a', 'b'] }, /partners repeated/],
    ['repeated budget line', { ...ok, budget: [...ok.budget, pooled('s', 'a', '2.00')] }, /budget line repeated/],
    ['repeated outturn line', { ...ok, outturn: [...ok.outturn, pooled('s', 'b', '2.00')] }, /outturn line repeated/],
    ['undeclared partner', { ...ok, outturn: [pooled('s', 'x', '2.00')] }, /undeclared partner/],
    ['negative budget', { ...ok, budget: [pooled('s', 'a', '-1.00')] }, /negative budget/],
    ['unknown arrangement', { ...ok, budget: [{ ...pooled('s', 'a', '1.00'), arrangement: 'other' as 'pooled' }] }, /unknown arrangement/],
  ];
  for (const [name, input, message] of cases) {
    const error = catchError(() => computeSettlement(input));
    t.notOk(error instanceof DomainError, name);
    t.match(error.message, message, name);
  }
  t.throws(() => computeSettlement({ ...ok, budget: [pooled('s', 'a', '1.001')] }), TypeError, 'a malformed amount');
});

t.test('settlementDigest: only plain JSON reaches canonicalisation', async (t) => {
  const digest = settlementDigest({ asOfRevision: 7, pots: [], note: 'x' });
  t.equal(settlementDigest({ note: 'x', asOfRevision: 7n, pots: [], extra: undefined }), digest, 'bigint = number, undefined fields dropped, key order ignored');
  t.equal(settlementDigest(Object.assign(Object.create(null) as object, { a: { b: [null, true] } })), settlementDigest({ a: { b: [null, true] } }));
  t.throws(() => settlementDigest({ list: [undefined] }), /\/list\/0: undefined/);
  t.throws(() => settlementDigest({ amount: 10.5 }), /only safe integers/);
  t.throws(() => settlementDigest({ big: 2n ** 64n }), /bigint out of the safe integer range/);
  t.throws(() => settlementDigest({ amount: Dec('1.50') }), /has no canonical JSON form/);
  t.throws(() => settlementDigest({ when: new Date(0) }), /has no canonical JSON form/);
  // A known vector: RFC 8785 sorts keys and prints no whitespace.
  t.equal(settlementDigest({ b: '1', a: [1, 'x'] }), 'sha256:' + sha256('{"a":[1,"x"],"b":"1"}'));
});

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

