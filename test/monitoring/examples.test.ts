// Hand-computed examples of MONITORING.md: straight-line and profiled budget to date, the
// per cent and its rounding, every RAG boundary, the threshold and profile checks, and a
// small pack worked through by hand (a correction, a late return, a variation after
// returns, a line only a return carries, groups with no lines).
import t from 'tap';
import { DomainError } from '../../src/domain/errors.js';
import { Dec } from '../../src/domain/money.js';
import { computeSettlement } from '../../src/domain/settlement.js';
import { exampleATerms } from '../../src/examples.js';
import {
  budgetToDate, checkProfiles, checkRagThresholds, defaultPeriod, divideHalfAwayFromZero, monitoringTables, packForecastOutturns,
  packForecastSettlement, packSettlementBasis, profileErrors, ragOf, ragThresholdErrors, returnTemplateLines, variancePercent,
  type MonitoringFigures, type Rag,
} from '../../src/domain/monitoring/index.js';
import type { Period } from '../../src/domain/fundyear/ids.js';
import { pooled, twelve, worked } from './worked.js';

const d = (s: string) => Dec(s);

t.test('straight-line budget to date: amount × k / 12 to pence, ties away from zero', async (t) => {
  const at = (amount: string, period: Period) => budgetToDate(d(amount), undefined, period).toFixed(2);
  t.equal(at('1000.00', 'M1'), '83.33', '83.333… rounds down');
  t.equal(at('1000.00', 'M2'), '166.67', '166.666… rounds up');
  t.equal(at('1000.01', 'M6'), '500.01', '500.005 is a tie: away from zero');
  t.equal(at('0.05', 'M6'), '0.03', '0.025 is a tie: away from zero');
  t.equal(at('0.07', 'M1'), '0.01', '0.00583… rounds up');
  t.equal(at('0.05', 'M1'), '0.00', '0.00416… rounds down');
  t.equal(at('1234.56', 'M6'), '617.28', 'M6 is exactly half of an even amount');
  t.equal(at('999999999999.99', 'M12'), '999999999999.99', 'M12 is the whole budget');
  t.equal(at('0.00', 'M7'), '0.00');
});

t.test('a profiled line: the sum of the first k entries', async (t) => {
  const profile = ['10.00', '20.00', '0.00', '5.55', '0.45', '64.00', '0.00', '0.00', '0.00', '0.00', '0.00', '0.00'];
  t.equal(budgetToDate(d('100.00'), profile, 'M1').toFixed(2), '10.00');
  t.equal(budgetToDate(d('100.00'), profile, 'M5').toFixed(2), '36.00');
  t.equal(budgetToDate(d('100.00'), profile, 'M12').toFixed(2), '100.00');
});

t.test('forecast variance per cent: one place, ties away from zero, "0.0" unsigned, null on a zero budget', async (t) => {
  t.equal(variancePercent(d('4.20'), d('100.00')), '4.2');
  t.equal(variancePercent(d('-0.50'), d('100.00')), '-0.5');
  t.equal(variancePercent(d('0.05'), d('100.00')), '0.1', '0.05 % is a tie: away from zero');
  t.equal(variancePercent(d('-0.05'), d('100.00')), '-0.1', 'and below zero too');
  t.equal(variancePercent(d('0.04'), d('100.00')), '0.0');
  t.equal(variancePercent(d('-0.04'), d('100.00')), '0.0', 'a negative value that rounds to zero is "0.0"');
  t.equal(variancePercent(d('0.00'), d('100.00')), '0.0');
  t.equal(variancePercent(d('2.00'), d('3.00')), '66.7');
  t.equal(variancePercent(d('1.00'), d('3.00')), '33.3');
  t.equal(variancePercent(d('-300.00'), d('100.00')), '-300.0');
  t.equal(variancePercent(d('0.01'), d('0.00')), null);
  t.equal(variancePercent(d('0.00'), d('0.00')), null);
  t.equal(variancePercent(d('1.00'), d('99999999999999999999.99')), '0.0', 'no bound on the sums');
});

t.test('RAG: exact comparisons, never the rounded per cent', async (t) => {
  const rag = (variance: string, budget: string, amberPercent = '2', redPercent = '5'): Rag => ragOf(d(variance), d(budget), { amberPercent, redPercent });
  t.equal(rag('2.00', '100.00'), 'amber', 'exactly 2 % is amber');
  t.equal(rag('1.99', '100.00'), 'green', 'below 2 % is green');
  t.equal(rag('5.00', '100.00'), 'amber', 'exactly 5 % is amber');
  t.equal(rag('5.01', '100.00'), 'red', 'above 5 % is red');
  t.equal(rag('0.01', '0.00'), 'red', 'a zero budget with any overspend is red');
  t.equal(rag('0.00', '0.00'), 'green', 'a zero budget on budget is green');
  t.equal(rag('0.00', '100.00'), 'green', 'on budget is green');
  t.equal(rag('-50.00', '100.00'), 'green', 'an underspend is green, whatever its size');
  t.equal(rag('6.66', '333.33'), 'green', '1.998 % is green although its per cent reads "2.0"');
  t.equal(variancePercent(d('6.66'), d('333.33')), '2.0');
  t.equal(rag('6.67', '333.33'), 'amber', '2.001 % is amber');
  t.equal(rag('47.50', '1000.00', '1.5', '4.75'), 'amber', 'exactly a two-place red threshold is amber');
  t.equal(rag('47.51', '1000.00', '1.5', '4.75'), 'red');
  t.equal(rag('15.00', '1000.00', '1.5', '4.75'), 'amber', 'exactly a two-place amber threshold is amber');
  t.equal(rag('14.99', '1000.00', '1.5', '4.75'), 'green');
  t.equal(rag('0.01', '100.00', '0', '100'), 'amber', 'amber 0: any overspend is at least amber');
  t.equal(rag('100.01', '100.00', '0', '100'), 'red', 'red 100: above double the budget');
});

t.test('exact division, ties away from zero, for any size', async (t) => {
  t.equal(divideHalfAwayFromZero(d('1'), d('3'), 2).toFixed(2), '0.33');
  t.equal(divideHalfAwayFromZero(d('-5'), d('2'), 0).toFixed(0), '-3');
  t.equal(divideHalfAwayFromZero(d('5'), d('-2'), 0).toFixed(0), '-3');
  t.equal(divideHalfAwayFromZero(d('0'), d('-2'), 1).toFixed(1), '0.0');
  const huge = d('123456789012345678901234567890123456789012345678901234567890');
  t.equal(divideHalfAwayFromZero(huge.times(d('3')).plus(d('1')), d('3'), 0).toFixed(0), huge.toFixed(0), 'beyond big.js\'s 40 places');
  t.throws(() => divideHalfAwayFromZero(d('1'), d('0'), 2), RangeError);
});

t.test('a profile: twelve non-negative amounts summing exactly to the line', async (t) => {
  const line = { strategyId: 'wellbeing', partnerId: 'ccg', arrangement: 'pooled' as const, amount: '120.00' };
  t.strictSame(profileErrors([{ ...line, profile: twelve(Array(12).fill('10.00')) }]), []);
  t.strictSame(profileErrors([line]), [], 'no profile: straight-line');
  t.strictSame(profileErrors([line, { ...line, profile: twelve(['119.99']) }]), [
    { path: '/lines/1/profile', message: "the profile of wellbeing/ccg/pooled sums to 119.99, not the line's amount 120.00" },
  ]);
  t.strictSame(profileErrors([{ ...line, profile: ['120.00'] }], '/budget'), [
    { path: '/budget/0/profile', message: 'the profile of wellbeing/ccg/pooled has 1 amounts, not 12' },
  ]);
  t.strictSame(profileErrors([{ ...line, profile: twelve(['130.00', '-10.00']) }]), [
    { path: '/lines/0/profile/1', message: 'the profile of wellbeing/ccg/pooled must hold non-negative amounts' },
  ]);
  t.strictSame(profileErrors([{ ...line, profile: twelve(['120.001']) }])[0]?.path, '/lines/0/profile/0', 'three places is not an amount');
  const thrown = t.throws(() => checkProfiles([{ ...line, profile: twelve(['1.00']) }]));
  t.ok(thrown instanceof DomainError && thrown.status === 422 && thrown.code === 'profile-mismatch', '422 profile-mismatch');
  t.doesNotThrow(() => checkProfiles([line]));
});

t.test('RAG thresholds: the pattern, then 0 ≤ amber < red ≤ 100', async (t) => {
  const errors = (amberPercent: string, redPercent: string) => ragThresholdErrors({ amberPercent, redPercent }).map((e) => e.path);
  t.strictSame(errors('2', '5'), []);
  t.strictSame(errors('0', '100'), []);
  t.strictSame(errors('99.99', '100.00'), []);
  t.strictSame(errors('5', '5'), ['/rag/amberPercent'], 'amber must be below red');
  t.strictSame(errors('6', '5'), ['/rag/amberPercent']);
  t.strictSame(errors('2', '100.01'), ['/rag/redPercent'], 'red at most 100');
  t.strictSame(errors('2', '1000'), ['/rag/redPercent'], 'four digits');
  t.strictSame(errors('-1', '5'), ['/rag/amberPercent'], 'no sign');
  t.strictSame(errors('2.', '5.123'), ['/rag/amberPercent', '/rag/redPercent']);
  t.strictSame(errors(' 2', '5'), ['/rag/amberPercent']);
  const thrown = t.throws(() => checkRagThresholds({ amberPercent: '5', redPercent: '2' }));
  t.ok(thrown instanceof DomainError && thrown.status === 422 && thrown.code === 'rag-thresholds-invalid', '422 rag-thresholds-invalid');
});

// ------------------------------------------------------------------ a pack worked by hand

const f = (v: string[], percent: string | null, rag: Rag): MonitoringFigures => ({
  originalBudget: v[0] as string, budget: v[1] as string, budgetToDate: v[2] as string, actualToDate: v[3] as string,
  varianceToDate: v[4] as string, forecastOutturn: v[5] as string, previousForecastOutturn: v[6] as string,
  movement: v[7] as string, forecastVariance: v[8] as string, forecastVariancePercent: percent, rag,
});
const zero = f(Array(9).fill('0.00'), null, 'green');

t.test('a small pack, worked by hand at M2', async (t) => {
  const pack = monitoringTables(worked('M2'));
  t.strictSame(pack.lines, [
    { strategyId: 'wellbeing', partnerId: 'ccg', arrangement: pooled,
      ...f(['1200.00', '1200.00', '200.00', '195.00', '-5.00', '1236.00', '1210.00', '26.00', '36.00'], '3.0', 'amber'),
      returnPeriod: 'M2', commentary: 'agency staff' },
    { strategyId: 'community', partnerId: 'ccg', arrangement: pooled,
      ...f(['300.00', '0.00', '0.00', '40.00', '40.00', '306.00', '300.00', '6.00', '306.00'], null, 'red'),
      returnPeriod: 'M2', commentary: null },
    { strategyId: 'wellbeing', partnerId: 'council', arrangement: pooled,
      ...f(['0.00', '240.00', '40.00', '0.00', '-40.00', '240.00', '240.00', '0.00', '0.00'], '0.0', 'green'),
      returnPeriod: null, commentary: null },
    { strategyId: 'community', partnerId: 'council', arrangement: pooled,
      ...f(['600.00', '600.00', '200.00', '90.00', '-110.00', '612.00', '612.00', '0.00', '12.00'], '2.0', 'amber'),
      returnPeriod: 'M1', commentary: null },
  ]);
  t.strictSame(pack.strategies, [
    { strategyId: 'wellbeing', ...f(['1200.00', '1440.00', '240.00', '195.00', '-45.00', '1476.00', '1450.00', '26.00', '36.00'], '2.5', 'amber') },
    { strategyId: 'community', ...f(['900.00', '600.00', '200.00', '130.00', '-70.00', '918.00', '912.00', '6.00', '318.00'], '53.0', 'red') },
    { strategyId: 'prevention', ...zero },
  ]);
  t.strictSame(pack.partners, [
    { partnerId: 'ccg', ...f(['1500.00', '1200.00', '200.00', '235.00', '35.00', '1542.00', '1510.00', '32.00', '342.00'], '28.5', 'red') },
    { partnerId: 'council', ...f(['600.00', '840.00', '240.00', '90.00', '-150.00', '852.00', '852.00', '0.00', '12.00'], '1.4', 'green') },
  ]);
  const all = f(['2100.00', '2040.00', '440.00', '325.00', '-115.00', '2394.00', '2362.00', '32.00', '354.00'], '17.4', 'red');
  t.strictSame(pack.arrangements, [{ arrangement: 'pooled', ...all }, { arrangement: 'aligned', ...zero }]);
  t.strictSame(pack.fund, all);
  t.strictSame(pack.rag, { amberPercent: '2', redPercent: '5' });
  t.equal(pack.period, 'M2');
});

t.test('M1 has no previous return: the plan is the first forecast', async (t) => {
  const pack = monitoringTables(worked('M1'));
  t.strictSame(pack.lines.map((l) => [l.partnerId, l.strategyId, l.previousForecastOutturn, l.movement, l.commentary]), [
    ['ccg', 'wellbeing', '1200.00', '10.00', 'winter'],
    ['ccg', 'community', '0.00', '300.00', null],
    ['council', 'wellbeing', '240.00', '0.00', null],
    ['council', 'community', '600.00', '12.00', null],
  ]);
});

t.test('thresholds are read as given and echoed', async (t) => {
  const pack = monitoringTables({ ...worked('M2'), rag: { amberPercent: '3', redPercent: '60.5' } });
  t.strictSame(pack.rag, { amberPercent: '3', redPercent: '60.5' });
  t.strictSame(pack.lines.map((l) => l.rag), ['amber', 'red', 'green', 'green']);
  t.strictSame(pack.strategies.map((s) => s.rag), ['green', 'amber', 'green'], '53.0 % is amber under a 60.5 % red');
});

t.test('no budget and no returns: every declared group, all zero', async (t) => {
  const pack = monitoringTables({ ...worked('M1'), originalBudget: null, budget: null, returns: [] });
  t.strictSame(pack.lines, []);
  t.strictSame(pack.partners, [{ partnerId: 'ccg', ...zero }, { partnerId: 'council', ...zero }]);
  t.strictSame(pack.fund, zero);
});

t.test('a line naming an undeclared strategy is a programmer error', async (t) => {
  const input = worked('M2');
  t.throws(() => monitoringTables({ ...input, strategies: input.strategies.slice(0, 1) }), /strategy community is not declared/);
});

t.test('default period: the latest any partner has returned, M1 if none', async (t) => {
  t.equal(defaultPeriod([]), 'M1');
  t.equal(defaultPeriod([{ period: 'M3' }, { period: 'M10' }, { period: 'M9' }]), 'M10', 'periods compare as numbers');
});

t.test('the forecast settlement "if the year ended at Mk" takes each line\'s forecast outturn', async (t) => {
  t.strictSame(packForecastOutturns(worked('M2')), [
    { strategyId: 'wellbeing', partnerId: 'ccg', arrangement: pooled, amount: '1236.00' },
    { strategyId: 'community', partnerId: 'ccg', arrangement: pooled, amount: '306.00' },
    { strategyId: 'wellbeing', partnerId: 'council', arrangement: pooled, amount: '240.00' },
    { strategyId: 'community', partnerId: 'council', arrangement: pooled, amount: '612.00' },
  ]);
  const basis = packSettlementBasis(worked('M2', (p) => p === 'ccg'), exampleATerms());
  t.strictSame(basis.assumedOnBudget, ['council']);
  t.strictSame(basis.input.partners, ['ccg', 'council']);
  t.strictSame(basis.input.budget.map((b) => Object.keys(b)), Array(3).fill(['strategyId', 'partnerId', 'arrangement', 'amount']), 'no profile');
  t.strictSame(basis.input.outturn.filter((o) => o.partnerId === 'council').map((o) => o.amount), ['240.00', '600.00'], 'no return: on budget');
  const figures = computeSettlement(basis.input);
  const shown = packForecastSettlement({ ...figures, agreementVersion: 1, digest: 'sha256:x' });
  t.strictSame(shown.partners.map((p) => p.partnerId), ['ccg', 'council']);
  t.strictSame(Object.keys(shown), ['agreementVersion', 'requiresDecision', 'partners', 'digest']);
  t.throws(() => packSettlementBasis({ ...worked('M2'), budget: null }, exampleATerms()));
});

t.test('the return template: the partner\'s budget lines with its latest figures', async (t) => {
  const input = worked('M2');
  const template = (partnerId: string, period: Period) => returnTemplateLines({ ...input, partnerId, period });
  t.strictSame(template('ccg', 'M2'), [
    { strategyId: 'wellbeing', arrangement: pooled, actualToDate: '195.00', forecastOutturn: '1236.00', commentary: 'agency staff' },
  ], 'the dropped line is not asked for; a correction starts from the commentary it corrects');
  t.strictSame(template('ccg', 'M3'), [
    { strategyId: 'wellbeing', arrangement: pooled, actualToDate: '195.00', forecastOutturn: '1236.00' },
  ], 'commentary does not carry forward to the next month');
  t.strictSame(template('council', 'M2'), [
    { strategyId: 'wellbeing', arrangement: pooled, actualToDate: '0.00', forecastOutturn: '240.00' },
    { strategyId: 'community', arrangement: pooled, actualToDate: '90.00', forecastOutturn: '612.00' },
  ], 'declared strategy order; a line no return covers: nothing spent, on budget');
  t.strictSame(returnTemplateLines({ ...input, budget: null, partnerId: 'ccg', period: 'M1' }), []);
});
