// Settlements in the decider: when one may be calculated, what it holds, who approves it.
import t from 'tap';
import { computeSettlement, ENGINE_VERSION, settlementDigest } from '../../src/domain/settlement.js';
import { fold, settlementStatus, type Actor, type ExistingFundYear, type FundYearEvent, type SettlementRecord } from '../../src/domain/fundyear/index.js';
import { settlementBasis } from '../../src/domain/settlement-input.js';
import type { AgreementTerms } from '../../src/domain/terms-types.js';
import {
  acceptedBy, admin, adopted, auditor, bothM12, budgetSet, ccg, ccgLines, closed, council, given, opened, proposed,
  readyToClose, submitted, terms,
} from './fixtures/fund-year.js';

const calculate = (events: FundYearEvent[], mode: 'final' | 'forecast', asOfRevision = events.length - 1, actor: Actor = admin, settlementId = 's-1') => ({
  type: 'CalculateSettlement' as const,
  actor,
  data: { settlementId, mode, asOfRevision, calculatedAt: '2016-05-01T09:00:00.000Z', basis: fold(events.slice(0, asOfRevision + 1)) },
});
const approve = (actor: Actor, settlementId = 's-1') => ({ type: 'ApproveSettlement' as const, actor, data: { settlementId } });

/** The expected settlement, built here from SETTLEMENT.md §1 and §5 independently of the decider. */
function expected(command: ReturnType<typeof calculate>): SettlementRecord {
  const fy = command.data.basis as ExistingFundYear;
  const { input, agreementVersion, assumedOnBudget } = settlementBasis(fy, command.data.mode);
  const body = {
    settlementId: command.data.settlementId, fundId: fy.fundId, year: fy.year, mode: command.data.mode,
    asOfRevision: command.data.asOfRevision, agreementVersion, engineVersion: ENGINE_VERSION,
    assumedOnBudget, calculatedAt: command.data.calculatedAt, ...computeSettlement(input),
  };
  return { ...body, digest: settlementDigest(body) };
}
const calculated = (command: ReturnType<typeof calculate>): FundYearEvent => ({ type: 'SettlementCalculated', data: expected(command) });

const closedYear = [...readyToClose, closed];

t.test('a final settlement is Example A, computed at its revision, with a digest', async (t) => {
  const command = calculate(closedYear, 'final');
  given(t, closedYear).when(command).then([calculated(command)]);
  const data = expected(command);
  t.same(data.partners.map((p) => [p.partnerId, p.varianceBorne, p.share, p.transfer]), [
    ['ccg', '70000.00', '55000.00', '-15000.00'],
    ['council', '15000.00', '30000.00', '15000.00'],
  ]);
  t.same(data.payments, [{ from: 'council', to: 'ccg', amount: '15000.00' }]);
  t.same(data.unshared, [{ strategyId: 'community', partnerId: 'ccg', arrangement: 'aligned', variance: '60000.00' }]);
  t.match(data.digest, /^sha256:[0-9a-f]{64}$/);
  t.equal(data.agreementVersion, 1);
});

t.test('adjustments before the revision change the final outturn', async (t) => {
  const adjusted: FundYearEvent = {
    type: 'OutturnAdjusted',
    data: { adjustmentId: 'a-1', partnerId: 'council', strategyId: 'community', arrangement: 'pooled', amount: '-20000.00', reason: 'credit' },
  };
  const events = [...closedYear, adjusted];
  const basis = settlementBasis(fold(events) as ExistingFundYear, 'final');
  t.same(basis.input.outturn.find((l) => l.partnerId === 'council' && l.strategyId === 'community'), {
    strategyId: 'community', partnerId: 'council', arrangement: 'pooled', amount: '500000.00',
  });
  const before = settlementBasis(fold(closedYear) as ExistingFundYear, 'final');
  t.equal(before.input.outturn.find((l) => l.partnerId === 'council' && l.strategyId === 'community')?.amount, '520000.00');
});

t.test('who may calculate, and when', async (t) => {
  given(t, closedYear).when(calculate(closedYear, 'final', 9, ccg)).thenThrows('forbidden', 'admin-only');
  given(t, closedYear).when(calculate(closedYear, 'final', 9, auditor)).thenThrows('forbidden', 'read-only-role');
  given(t, readyToClose).when(calculate(readyToClose, 'final')).thenThrows('conflict', 'year-not-closed');
  given(t, closedYear).when(calculate(closedYear, 'final', closedYear.length - 2)).thenThrows('conflict', 'year-not-closed');
  const noAgreement = [opened, budgetSet, proposed, acceptedBy('ccg'), ...bothM12, closed];
  given(t, noAgreement).when(calculate(noAgreement, 'final')).thenThrows('conflict', 'no-adopted-agreement');
  given(t, noAgreement).when(calculate(noAgreement, 'forecast')).thenThrows('conflict', 'no-adopted-agreement');
  const lateAdoption = [opened, budgetSet, proposed, acceptedBy('ccg'), submitted('ccg', 'M1', ccgLines()), acceptedBy('council')];
  given(t, lateAdoption).when(calculate(lateAdoption, 'forecast', 4)).thenThrows('conflict', 'no-adopted-agreement');
  given(t, lateAdoption).when(calculate(lateAdoption, 'forecast', 5)).then([calculated(calculate(lateAdoption, 'forecast', 5))]);
  given(t, closedYear).when(calculate(closedYear, 'final', closedYear.length)).thenThrows('bad-request', 'invalid-revision', '/asOfRevision');
  given(t, closedYear).when(calculate(closedYear, 'final', -1)).thenThrows('bad-request', 'invalid-revision', '/asOfRevision');
  const good = calculate(closedYear, 'final');
  const badMode = { ...good, data: { ...good.data, mode: 'interim' as 'final' } };
  given(t, closedYear).when(badMode).thenThrows('bad-request', 'invalid-mode', '/mode');
});

t.test('a forecast takes latest forecasts, and partners without a return as on budget', async (t) => {
  const events = [opened, budgetSet, ...adopted, submitted('ccg', 'M6', ccgLines(undefined, ['650000.00', '1500000.00', '250000.00']))];
  const command = calculate(events, 'forecast');
  given(t, events).when(command).then([calculated(command)]);
  const basis = settlementBasis(fold(events) as ExistingFundYear, 'forecast');
  t.same(basis.assumedOnBudget, ['council']);
  const amounts = (partnerId: string) => basis.input.outturn.filter((l) => l.partnerId === partnerId).map((l) => l.amount);
  t.same(amounts('council'), ['400000.00', '500000.00'], 'council on budget');
  t.same(amounts('ccg'), ['650000.00', '1500000.00', '250000.00'], 'ccg forecast, not actual');
  t.equal(expected(command).pots[0]?.variance, '50000.00');
});

t.test('approval: each partner, final and current settlements only', async (t) => {
  const first = calculate(closedYear, 'final');
  const withFinal = [...closedYear, calculated(first)];
  given(t, withFinal).when(approve(ccg)).then([{ type: 'SettlementApproved', data: { settlementId: 's-1', partnerId: 'ccg' } }]);
  given(t, withFinal).when(approve(admin)).thenThrows('forbidden', 'partner-only');
  given(t, withFinal).when(approve(auditor)).thenThrows('forbidden', 'read-only-role');
  given(t, withFinal).when(approve(ccg, 's-404')).thenThrows('not-found', 'settlement-not-found');
  const once = [...withFinal, { type: 'SettlementApproved' as const, data: { settlementId: 's-1', partnerId: 'ccg' } }];
  given(t, once).when(approve(ccg)).thenThrows('conflict', 'settlement-already-approved', '/settlementId');
  const both = fold([...once, { type: 'SettlementApproved', data: { settlementId: 's-1', partnerId: 'council' } }]) as ExistingFundYear;
  t.equal(settlementStatus(both, both.settlements[0]!), 'approved', 'approved when every partner has');
  t.equal(settlementStatus(fold(once) as ExistingFundYear, (fold(once) as ExistingFundYear).settlements[0]!), 'calculated');

  const second = calculate(withFinal, 'final', withFinal.length - 1, admin, 's-2');
  const superseded = [...withFinal, calculated(second)];
  given(t, superseded).when(approve(council)).thenThrows('conflict', 'settlement-superseded', '/settlementId');
  const fy = fold(superseded) as ExistingFundYear;
  t.same(fy.settlements.map((s) => settlementStatus(fy, s)), ['superseded', 'calculated']);

  const forecast = calculate(closedYear, 'forecast', closedYear.length - 1, admin, 's-f');
  const withForecast = [...withFinal, calculated(forecast)];
  given(t, withForecast).when(approve(ccg, 's-f')).thenThrows('conflict', 'settlement-not-final');
  const fyf = fold(withForecast) as ExistingFundYear;
  t.same(fyf.settlements.map((s) => settlementStatus(fyf, s)), ['calculated', 'calculated'], 'a forecast supersedes nothing');
});

t.test('approval is refused while an amount is unallocated', async (t) => {
  const capped: AgreementTerms = {
    pots: [{ ...terms.pots[0]!, overspend: { bands: [{ basis: 'contribution' }], caps: { ccg: '10000.00', council: '10000.00' } } }],
  };
  const proposedCapped: FundYearEvent = { type: 'AgreementProposed', data: { version: 1, terms: capped, proposedBy: 'fund-admin' } };
  const events = [opened, budgetSet, proposedCapped, acceptedBy('ccg'), acceptedBy('council'), ...bothM12, closed];
  const command = calculate(events, 'final');
  const record = expected(command);
  t.equal(record.requiresDecision, true);
  t.same(record.payments, []);
  given(t, [...events, calculated(command)]).when(approve(ccg)).thenThrows('conflict', 'settlement-requires-decision');
});

t.test('an agreement adopted later does not reach back before its revision', async (t) => {
  const v2terms: AgreementTerms = { pots: [{ ...terms.pots[0]!, overspend: { own: true } }] };
  const v2: FundYearEvent = { type: 'AgreementProposed', data: { version: 2, terms: v2terms, proposedBy: 'fund-admin' } };
  const events = [...closedYear, v2, acceptedBy('ccg', 2), acceptedBy('council', 2)];
  t.equal(settlementBasis(fold(events.slice(0, closedYear.length)) as ExistingFundYear, 'final').agreementVersion, 1);
  t.equal(settlementBasis(fold(events) as ExistingFundYear, 'final').agreementVersion, 2);
});
