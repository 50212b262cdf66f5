// One test per rule of the engine (docs/engine.md) and per refusal: engine 1, then engine 2.
import { createHash } from 'node:crypto';
import t from 'tap';
import { DomainError } from '../../src/domain/errors.js';
import { Dec } from '../../src/domain/money.js';
import { ENGINE_VERSION, ENGINE_VERSION_1, ENGINE_VERSION_2, computeSettlement, engineVersionOf, settlementDigest } from '../../src/domain/settlement.js';
import type { LineAmount, SettlementInput } from '../../src/domain/settlement-types.js';
import type { AdoptedDecision, DirectionRule, Pot } from '../../src/domain/terms-types.js';

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


// ---------------------------------------------------------------------------------------
// Engine 2: the reserve and board decisions, one rule per test

const covered = (potId = 'p', unused: 'return' | 'carry-forward' = 'return', contributions: Record<string, string> = {}) => ({ contributions, covers: [potId], unused });

t.test('engine versions: 1 without reserve or applied decision, 2 otherwise', async (t) => {
  const base = fund(['a', 'b'], ['100.00', '100.00'], ['110.00', '100.00'], [pot(contribution)]);
  t.equal(ENGINE_VERSION_1, 'poolshare-settlement/1');
  t.equal(ENGINE_VERSION_2, 'poolshare-settlement/2');
  t.equal(engineVersionOf(computeSettlement(base)), ENGINE_VERSION_1);
  t.equal(engineVersionOf(computeSettlement({ ...base, agreement: { ...base.agreement, reserve: covered() } })), ENGINE_VERSION_2, 'a reserve in the terms, even empty');
  t.equal(engineVersionOf(computeSettlement({ ...base, broughtForward: { a: '0.01' } })), ENGINE_VERSION_2, 'a non-zero balance brought forward');
});

t.test('no reserve and no applied decision: engine 1\'s body, byte for byte', async (t) => {
  const base = fund(['a', 'b'], ['100.00', '100.00'], ['110.00', '100.00'], [pot(contribution)]);
  const engine1 = JSON.stringify(computeSettlement(base));
  const decision: AdoptedDecision = { version: 1, potId: 'p', direction: 'overspend', allocate: { basis: 'lead', partnerId: 'a' }, reference: 'minute 1' };
  const same: SettlementInput[] = [
    { ...base, broughtForward: {} },
    { ...base, broughtForward: { a: '0.00', b: '0.00' } },
    { ...base, decisions: [] },
    { ...base, decisions: [decision] },
    { ...base, decisions: [{ ...decision, direction: 'underspend' as const }, { ...decision, potId: 'gone' }] },
  ];
  for (const input of same) t.equal(JSON.stringify(computeSettlement(input)), engine1, JSON.stringify({ broughtForward: input.broughtForward, decisions: input.decisions }));
  t.notMatch(engine1, /reserve|decision/, 'no engine-2 field');
});

t.test('implicit reserve: a non-zero balance brought forward without a reserve in the terms is returned', async (t) => {
  const figures = computeSettlement({ ...fund(['a', 'b'], ['100.00', '100.00'], ['150.00', '100.00'], [pot(contribution)]), broughtForward: { b: '10.00' } });
  t.strictSame(figures.reserve, {
    opening: { a: '0.00', b: '10.00' }, drawn: { a: '0.00', b: '0.00' }, closing: { a: '0.00', b: '10.00' }, unused: 'return',
    returned: { a: '0.00', b: '10.00' }, carriedForward: { a: '0.00', b: '0.00' }, transfer: '10.00',
  }, 'covers nothing: nothing drawn, everything returned');
  t.equal(figures.pots[0]!.reserveDrawn, '0.00');
  t.strictSame(figures.pots[0]!.shares, { a: '25.00', b: '25.00' });
  t.strictSame(figures.partners.map((row) => [row.transfer, row.reserveReturned]), [['-25.00', '0.00'], ['15.00', '10.00']]);
  t.strictSame(figures.payments, [{ from: 'reserve', to: 'a', amount: '10.00' }, { from: 'b', to: 'a', amount: '15.00' }], 'payers: the reserve first');
});

t.test('draws go in pot order from a running balance; underspends and pots not covered draw nothing', async (t) => {
  const input: SettlementInput = {
    partners: ['a', 'b'],
    budget: ['s', 't', 'u', 'v'].flatMap((s) => [pooled(s, 'a', '100.00'), pooled(s, 'b', '100.00')]),
    outturn: [
      pooled('s', 'a', '80.00'), pooled('s', 'b', '100.00'), // underspend −20, covered: no draw
      pooled('t', 'a', '130.00'), pooled('t', 'b', '100.00'), // +30, covered: draws 30
      pooled('u', 'a', '100.00'), pooled('u', 'b', '150.00'), // +50, not covered
      pooled('v', 'a', '140.00'), pooled('v', 'b', '100.00'), // +40, covered: draws the 10 left
    ],
    agreement: {
      pots: ['s', 't', 'u', 'v'].map((s) => ({ potId: s, strategies: [s], overspend: contribution, underspend: contribution })),
      reserve: { contributions: { a: '25.00', b: '15.00' }, covers: ['v', 's', 't'], unused: 'carry-forward' },
    },
  };
  const figures = computeSettlement(input);
  t.strictSame(figures.pots.map((p) => [p.potId, p.direction, p.reserveDrawn, p.shares]), [
    ['s', 'underspend', '0.00', { a: '-10.00', b: '-10.00' }],
    ['t', 'overspend', '30.00', { a: '0.00', b: '0.00' }],
    ['u', 'overspend', '0.00', { a: '25.00', b: '25.00' }],
    ['v', 'overspend', '10.00', { a: '15.00', b: '15.00' }],
  ], 'the order of pots, not of covers, decides who draws first');
  t.strictSame(figures.pots[3]!.bands, [{ from: '0.00', to: null, amount: '30.00' }], 'the bands measure V − D');
  t.strictSame(figures.reserve?.drawn, { a: '25.00', b: '15.00' });
  t.strictSame(figures.reserve?.carriedForward, { a: '0.00', b: '0.00' });
});

t.test('R = 0: nothing is drawn, a covered pot shares all of V', async (t) => {
  const input = fund(['a', 'b'], ['100.00', '100.00'], ['120.00', '100.00'], [pot(contribution)]);
  const figures = computeSettlement({ ...input, agreement: { ...input.agreement, reserve: covered() } });
  t.equal(figures.pots[0]!.reserveDrawn, '0.00');
  t.strictSame(figures.pots[0]!.shares, { a: '10.00', b: '10.00' });
  t.equal(figures.reserve?.transfer, '0.00');
  t.strictSame(figures.payments, [{ from: 'b', to: 'a', amount: '10.00' }]);
});

t.test('V − D = 0: the rule is not evaluated, so none of its errors can arise', async (t) => {
  // B = 0 with a contribution band would refuse the settlement; the reserve pays it all.
  const input: SettlementInput = {
    partners: ['a', 'b'],
    budget: [],
    outturn: [pooled('s', 'a', '10.00')],
    agreement: { pots: [pot(contribution)], reserve: covered('p', 'return', { b: '10.00' }) },
  };
  const figures = computeSettlement(input);
  t.strictSame(figures.pots[0]!.shares, { a: '0.00', b: '0.00' });
  t.strictSame(figures.pots[0]!.bands, []);
  t.equal(figures.pots[0]!.direction, 'overspend');
  t.strictSame(figures.payments, [{ from: 'reserve', to: 'a', amount: '10.00' }]);
  const short = { ...input, agreement: { ...input.agreement, reserve: covered('p', 'return', { b: '9.99' }) } };
  t.throws(() => computeSettlement(short), { code: 'contribution-budget-zero' }, 'one penny left to share by contribution of B = 0');
});

/** Caps that strand 10.00 of a 100.00 overspend: a 40.00, b 50.00 by contribution (B 100 : 100). */
const stranded = (decisions: AdoptedDecision[]): SettlementInput => ({
  ...fund(['a', 'b'], ['100.00', '100.00'], ['200.00', '100.00'], [pot({ bands: [{ basis: 'contribution' }], caps: { a: '40.00', b: '50.00' } })]),
  decisions,
});
const decided = (version: number, allocate: AdoptedDecision['allocate'], potId = 'p', direction: 'overspend' | 'underspend' = 'overspend'): AdoptedDecision =>
  ({ version, potId, direction, allocate, reference: `minute ${version}` });

t.test('a decision splits the exact unallocated amount; caps do not apply to it; U becomes 0', async (t) => {
  const before = computeSettlement(stranded([]));
  t.equal(before.pots[0]!.unallocated, '10.00');
  t.equal(before.requiresDecision, true);
  const cases: [AdoptedDecision['allocate'], Record<string, string>][] = [
    [{ basis: 'fixed', weights: { a: '0.25', b: '0.75' } }, { a: '42.50', b: '57.50' }],
    [{ basis: 'contribution' }, { a: '45.00', b: '55.00' }],
    [{ basis: 'lead', partnerId: 'b' }, { a: '40.00', b: '60.00' }],
  ];
  for (const [allocate, shares] of cases) {
    const figures = computeSettlement(stranded([decided(3, allocate)]));
    const p = figures.pots[0]!;
    t.strictSame(p.shares, shares, allocate.basis);
    t.equal(p.unallocated, '0.00');
    t.strictSame(p.decision, { version: 3, reference: 'minute 3' });
    t.equal(figures.requiresDecision, false);
    t.equal(engineVersionOf(figures), ENGINE_VERSION_2);
    t.notOk('reserve' in figures, 'a decision alone brings no reserve fields');
    t.notOk('reserveDrawn' in p);
  }
});

t.test('the decision adopted last for the pot and direction applies', async (t) => {
  const figures = computeSettlement(stranded([
    decided(1, { basis: 'lead', partnerId: 'a' }),
    decided(2, { basis: 'lead', partnerId: 'b' }, 'p', 'underspend'),
    decided(3, { basis: 'lead', partnerId: 'b' }, 'other'),
    decided(4, { basis: 'lead', partnerId: 'b' }),
    decided(5, { basis: 'lead', partnerId: 'a' }, 'p', 'underspend'),
  ]));
  t.strictSame(figures.pots[0]!.decision, { version: 4, reference: 'minute 4' });
  t.strictSame(figures.pots[0]!.shares, { a: '40.00', b: '60.00' });
});

t.test('an unallocated amount that rounds to 0.00 still takes the decision, and makes engine 2', async (t) => {
  // The test "a cap strands half a penny": V = +0.01, 0.5 / 0.5, a capped at 0, b has B = 0.
  const input: SettlementInput = {
    partners: ['a', 'b'],
    budget: [pooled('s', 'a', '10.00')],
    outturn: [pooled('s', 'a', '10.01')],
    agreement: { pots: [pot({ bands: [{ basis: 'fixed', weights: { a: '0.5', b: '0.5' } }], caps: { a: '0.00' } })] },
  };
  const undecided = computeSettlement(input);
  t.equal(undecided.pots[0]!.unallocated, '0.00');
  t.equal(undecided.requiresDecision, false, 'requiresDecision reads the rounded amounts');
  t.equal(engineVersionOf(undecided), ENGINE_VERSION_1);
  const figures = computeSettlement({ ...input, decisions: [decided(1, { basis: 'lead', partnerId: 'a' })] });
  t.strictSame(undecided.pots[0]!.shares, { a: '0.00', b: '0.01' }, 'undecided: b 0.005, U 0.005; b before U');
  t.strictSame(figures.pots[0]!.shares, { a: '0.01', b: '0.00' }, 'decided: a 0.005, b 0.005; equal remainders, partner order');
  t.strictSame(figures.pots[0]!.decision, { version: 1, reference: 'minute 1' });
  t.equal(engineVersionOf(figures), ENGINE_VERSION_2);
});

t.test('a contribution decision in a pot with B = 0: 422 contribution-budget-zero naming the pot', async (t) => {
  const input: SettlementInput = {
    partners: ['a', 'b'],
    budget: [],
    outturn: [pooled('s', 'a', '10.00')],
    agreement: { pots: [pot({ bands: [{ basis: 'lead', partnerId: 'a' }], caps: { a: '4.00' } })] },
    decisions: [decided(1, { basis: 'lead', partnerId: 'b' }), decided(2, { basis: 'contribution' })],
  };
  const error = catchError(() => computeSettlement(input));
  t.ok(error instanceof DomainError);
  t.match(error, { kind: 'unprocessable', code: 'contribution-budget-zero', status: 422 });
  t.match(error.message, /^pot 'p': decision version 2 /);
  t.strictSame((error as DomainError).errors.map((e) => e.path), ['/decisions/1/allocate/basis']);
  t.strictSame(computeSettlement({ ...input, decisions: [decided(1, { basis: 'lead', partnerId: 'b' })] }).pots[0]!.shares, { a: '4.00', b: '6.00' });
});

t.test('a corrupt decision that applies is refused: 422 invalid-decision', async (t) => {
  const error = catchError(() => computeSettlement(stranded([decided(1, { basis: 'fixed', weights: { a: '0.5' } })])));
  t.match(error, { code: 'invalid-decision', status: 422 });
  t.strictSame((error as DomainError).errors.map((e) => e.path), ['/decisions/0/allocate/weights']);
});

t.test('a decision with a reserve: the reserve draws first, the decision takes what the caps leave', async (t) => {
  const input = stranded([decided(1, { basis: 'lead', partnerId: 'a' })]);
  const figures = computeSettlement({ ...input, agreement: { ...input.agreement, reserve: covered('p', 'return', { a: '5.00', b: '5.00' }) } });
  const p = figures.pots[0]!;
  t.equal(p.reserveDrawn, '10.00');
  t.strictSame(p.bands, [{ from: '0.00', to: null, amount: '90.00' }]);
  t.strictSame(p.shares, { a: '40.00', b: '50.00' }, 'A = 90: 45 / 45, a capped at 40, its 5 to b (50, not above its cap): nothing left');
  t.equal(p.decision, undefined, 'nothing unallocated: the decision is not applied');
});

t.test('reserve refusals: terms with a reserve are checked like the rest', async (t) => {
  const input = fund(['a', 'b'], ['100.00', '100.00'], ['110.00', '100.00'], [pot({ own: true })]);
  const error = catchError(() => computeSettlement({ ...input, agreement: { ...input.agreement, reserve: covered() } }));
  t.match(error, { code: 'invalid-terms' });
  t.strictSame((error as DomainError).errors.map((e) => e.path), ['/reserve/covers/0']);
  t.throws(() => computeSettlement({ ...fund(['a', 'reserve'], ['1.00', '1.00'], ['1.00', '1.00'], [pot(contribution)]), broughtForward: { a: '1.00' } }), /'reserve', the id of the reserve/);
  t.throws(() => computeSettlement({ ...input, broughtForward: { c: '1.00' } }), /undeclared partner c/);
  t.throws(() => computeSettlement({ ...input, broughtForward: { a: '-1.00' } }), /negative brought-forward/);
  t.equal(computeSettlement({ ...input, broughtForward: { c: '0.00' } }).reserve, undefined, 'a zero for a partner not declared changes nothing');
});

t.test('partners called constructor, __proto__ or toString settle like any other (caps, weights, reserve)', async (t) => {
  // JSON.parse makes own properties of these names, as a request body or a file would.
  const partners = ['constructor', '__proto__', 'tostring'];
  const json = (text: string) => JSON.parse(text) as Record<string, string>;
  const rule: DirectionRule = {
    bands: [{ upTo: '30.00', basis: 'fixed', weights: json('{"constructor": "0.5", "__proto__": "0.5"}') }, { basis: 'contribution' }],
    caps: json('{"__proto__": "20.00"}'),
  };
  const input: SettlementInput = {
    partners,
    budget: partners.map((p) => pooled('s', p, '100.00')),
    outturn: partners.map((p, i) => pooled('s', p, i === 2 ? '190.00' : '100.00')),
    agreement: { pots: [pot(rule)], reserve: { contributions: json('{"constructor": "5.00", "__proto__": "5.00"}'), covers: ['p'], unused: 'return' } },
    broughtForward: json('{"__proto__": "2.00"}'),
  };
  const figures = computeSettlement(input);
  const p = figures.pots[0]!;
  t.equal(p.reserveDrawn, '12.00');
  // A = 78: band 1 (30) 15 / 15 / 0; band 2 (48) 16 each → 31 / 31 / 16; __proto__ capped at 20, its 11 to the other two (5.50 each).
  t.strictSame(JSON.stringify(p.shares), '{"constructor":"36.50","__proto__":"20.00","tostring":"21.50"}');
  t.strictSame(p.capped, ['__proto__']);
  t.strictSame(JSON.stringify(figures.reserve?.opening), '{"constructor":"5.00","__proto__":"7.00","tostring":"0.00"}');
  t.strictSame(JSON.stringify(figures.reserve?.drawn), '{"constructor":"5.00","__proto__":"7.00","tostring":"0.00"}');
  t.strictSame(figures.partners.map((row) => row.transfer), ['36.50', '20.00', '-68.50']);
  t.strictSame(figures.payments, [
    { from: 'reserve', to: 'tostring', amount: '12.00' },
    { from: 'constructor', to: 'tostring', amount: '36.50' },
    { from: '__proto__', to: 'tostring', amount: '20.00' },
  ]);
  t.match(settlementDigest({ ...figures, engineVersion: engineVersionOf(figures) }), /^sha256:/);
  // The case that failed before: a cap or weight lookup found Object.prototype's own function.
  const plain = computeSettlement(fund(['constructor', 'b'], ['100.00', '100.00'], ['120.00', '100.00'], [pot({ bands: [{ basis: 'contribution' }], caps: { b: '5.00' } })]));
  t.strictSame(plain.pots[0]!.shares, { constructor: '15.00', b: '5.00' });
  const tostring = computeSettlement(fund(['toString', 'b'], ['100.00', '100.00'], ['120.00', '100.00'], [pot({ bands: [{ basis: 'fixed', weights: { b: '1' } }] })]));
  t.strictSame(tostring.pots[0]!.shares, { toString: '0.00', b: '20.00' });
});
