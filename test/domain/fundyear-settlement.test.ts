// Settlements in the decider: when one may be calculated, what it holds, who approves it.
import t from 'tap';
import {
  decide, fold, requireCalculable, settlementRecord, settlementStatus,
  type Actor, type ExistingFundYear, type FundYearEvent, type FundYearState, type SettlementRecord,
} from '../../src/domain/fundyear/index.js';
import { settlementBasis } from '../../src/domain/fundyear/settlement-input.js';
import type { AgreementTerms } from '../../src/domain/terms-types.js';
import {
  acceptedBy, admin, adopted, auditor, bothM12, budgetSet, ccg, ccgLines, closed, council, given, opened, proposed,
  readyToClose, submitted, terms,
} from './fixtures/fund-year.js';

/** As the service builds it: role and revision checked, then the settlement computed on the log's prefix. */
const calculate = (events: FundYearEvent[], mode: 'final' | 'forecast', asOfRevision = events.length - 1, actor: Actor = admin, settlementId = 's-1') =>
  (state: FundYearState) => {
    requireCalculable(actor, state, asOfRevision);
    const header = { settlementId, mode, asOfRevision, calculatedAt: '2016-05-01T09:00:00.000Z' };
    const record = settlementRecord(fold(events.slice(0, asOfRevision + 1)) as ExistingFundYear, header);
    return { type: 'CalculateSettlement' as const, actor, data: { record } };
  };
const approve = (actor: Actor, settlementId = 's-1') => ({ type: 'ApproveSettlement' as const, actor, data: { settlementId } });

const bands = (second: string) => [
  { from: '0.00', to: '30000.00', amount: '30000.00' },
  { from: '30000.00', to: null, amount: second },
];
const aligned = (variance: string) => [{ strategyId: 'community', partnerId: 'ccg', arrangement: 'aligned' as const, variance }];
const header = { settlementId: 's-1', fundId: 'plymouth-integrated-fund', year: '2015-16', agreementVersion: 1, engineVersion: 'poolshare-settlement/1', calculatedAt: '2016-05-01T09:00:00.000Z' };

/** SETTLEMENT.md's Example A, written out by hand: V +85,000.00, council capped at 30,000.00. */
const exampleAFinal: SettlementRecord = {
  ...header, mode: 'final', asOfRevision: 7, assumedOnBudget: [],
  pots: [{
    potId: 'integrated-fund', budget: '3000000.00', variance: '85000.00', direction: 'overspend', bands: bands('55000.00'),
    shares: { ccg: '55000.00', council: '30000.00' }, capped: ['council'], unallocated: '0.00',
  }],
  partners: [
    { partnerId: 'ccg', varianceBorne: '70000.00', share: '55000.00', transfer: '-15000.00' },
    { partnerId: 'council', varianceBorne: '15000.00', share: '30000.00', transfer: '15000.00' },
  ],
  payments: [{ from: 'council', to: 'ccg', amount: '15000.00' }],
  unshared: aligned('60000.00'),
  requiresDecision: false,
  digest: 'sha256:1c62ca02b0fd541be6d1cea0b085cabcf259156be24650fe2800e4017df8948c',
};
const event = (data: SettlementRecord): FundYearEvent => ({ type: 'SettlementCalculated', data });
/** The settlement the decider records for `command` on `events`: history for the approval tests. */
const recorded = (events: FundYearEvent[], command: ReturnType<typeof calculate>): FundYearEvent => decide(command(fold(events)), fold(events))[0]!;

const closedYear = [...readyToClose, closed];

t.test('a final settlement is Example A, computed at its revision, with a digest', async (t) => {
  given(t, closedYear).when(calculate(closedYear, 'final')).then([event(exampleAFinal)]);
});

t.test('adjustments before the revision change the final outturn', async (t) => {
  const adjusted: FundYearEvent = {
    type: 'OutturnAdjusted',
    data: { adjustmentId: 'a-1', partnerId: 'council', strategyId: 'community', arrangement: 'pooled', amount: '-20000.00', reason: 'credit' },
  };
  const events = [...closedYear, adjusted];
  const basis = settlementBasis(fold(events) as ExistingFundYear, 'final');
  t.strictSame(basis.input.outturn.find((l) => l.partnerId === 'council' && l.strategyId === 'community'), {
    strategyId: 'community', partnerId: 'council', arrangement: 'pooled', amount: '500000.00',
  });
  const before = settlementBasis(fold(closedYear) as ExistingFundYear, 'final');
  t.equal(before.input.outturn.find((l) => l.partnerId === 'council' && l.strategyId === 'community')?.amount, '520000.00');
});

t.test('who may calculate, and when', async (t) => {
  given(t, closedYear).when(calculate(closedYear, 'final', 9, ccg)).thenThrows('forbidden', 'forbidden-role');
  given(t, closedYear).when(calculate(closedYear, 'final', 9, auditor)).thenThrows('forbidden', 'forbidden-role');
  given(t, readyToClose).when(calculate(readyToClose, 'final')).thenThrows('conflict', 'year-not-closed');
  given(t, closedYear).when(calculate(closedYear, 'final', closedYear.length - 2)).thenThrows('conflict', 'year-not-closed');
  const noAgreement = [opened, budgetSet, proposed, acceptedBy('ccg'), ...bothM12, closed];
  given(t, noAgreement).when(calculate(noAgreement, 'final')).thenThrows('conflict', 'no-adopted-agreement');
  given(t, noAgreement).when(calculate(noAgreement, 'forecast')).thenThrows('conflict', 'no-adopted-agreement');
  const lateAdoption = [opened, budgetSet, proposed, acceptedBy('ccg'), submitted('ccg', 'M1', ccgLines()), acceptedBy('council')];
  given(t, lateAdoption).when(calculate(lateAdoption, 'forecast', 4)).thenThrows('conflict', 'no-adopted-agreement');
  given(t, lateAdoption).when(calculate(lateAdoption, 'forecast', 5)).then([event({
    ...header, mode: 'forecast', asOfRevision: 5, assumedOnBudget: ['council'],
    pots: [{
      potId: 'integrated-fund', budget: '3000000.00', variance: '70000.00', direction: 'overspend', bands: bands('40000.00'),
      shares: { ccg: '41000.00', council: '29000.00' }, capped: [], unallocated: '0.00',
    }],
    partners: [
      { partnerId: 'ccg', varianceBorne: '70000.00', share: '41000.00', transfer: '-29000.00' },
      { partnerId: 'council', varianceBorne: '0.00', share: '29000.00', transfer: '29000.00' },
    ],
    payments: [{ from: 'council', to: 'ccg', amount: '29000.00' }],
    unshared: aligned('60000.00'),
    requiresDecision: false,
    digest: 'sha256:9aa1546667626252961d94c8a53c1905da33e65ba13eff8d326af3344f4886a2',
  })]);
  given(t, closedYear).when(calculate(closedYear, 'final', closedYear.length)).thenThrows('bad-request', 'invalid-revision', '/asOfRevision');
  given(t, closedYear).when(calculate(closedYear, 'final', -1)).thenThrows('bad-request', 'invalid-revision', '/asOfRevision');
  const record = calculate(closedYear, 'final')(fold(closedYear));
  const elsewhere = { ...record, data: { record: { ...record.data.record, fundId: 'another-fund' } } };
  t.throws(() => decide(elsewhere, fold(closedYear)), /a settlement of another-fund 2015-16 handed to plymouth-integrated-fund 2015-16/);
});

t.test('a forecast takes latest forecasts, and partners without a return as on budget', async (t) => {
  const events = [opened, budgetSet, ...adopted, submitted('ccg', 'M6', ccgLines(undefined, ['650000.00', '1500000.00', '250000.00']))];
  // ccg's forecast is 50,000.00 over on wellbeing; council, without a return, is on budget.
  given(t, events).when(calculate(events, 'forecast')).then([event({
    ...header, mode: 'forecast', asOfRevision: 5, assumedOnBudget: ['council'],
    pots: [{
      potId: 'integrated-fund', budget: '3000000.00', variance: '50000.00', direction: 'overspend', bands: bands('20000.00'),
      shares: { ccg: '31000.00', council: '19000.00' }, capped: [], unallocated: '0.00',
    }],
    partners: [
      { partnerId: 'ccg', varianceBorne: '50000.00', share: '31000.00', transfer: '-19000.00' },
      { partnerId: 'council', varianceBorne: '0.00', share: '19000.00', transfer: '19000.00' },
    ],
    payments: [{ from: 'council', to: 'ccg', amount: '19000.00' }],
    unshared: aligned('0.00'),
    requiresDecision: false,
    digest: 'sha256:dcec39d06fb4ad5e997536f7e0e4413d18417c930f7b2b7ee2f4a508f5b6e208',
  })]);
  const basis = settlementBasis(fold(events) as ExistingFundYear, 'forecast');
  t.strictSame(basis.assumedOnBudget, ['council']);
  const amounts = (partnerId: string) => basis.input.outturn.filter((l) => l.partnerId === partnerId).map((l) => l.amount);
  t.strictSame(amounts('council'), ['400000.00', '500000.00'], 'council on budget');
  t.strictSame(amounts('ccg'), ['650000.00', '1500000.00', '250000.00'], 'ccg forecast, not actual');
});

t.test('approval: each partner, final and current settlements only', async (t) => {
  const withFinal = [...closedYear, event(exampleAFinal)];
  given(t, withFinal).when(approve(ccg)).then([{ type: 'SettlementApproved', data: { settlementId: 's-1', partnerId: 'ccg' } }]);
  given(t, withFinal).when(approve(admin)).thenThrows('forbidden', 'forbidden-role');
  given(t, withFinal).when(approve(auditor)).thenThrows('forbidden', 'forbidden-role');
  given(t, withFinal).when(approve(ccg, 's-404')).thenThrows('not-found', 'settlement-not-found');
  const once = [...withFinal, { type: 'SettlementApproved' as const, data: { settlementId: 's-1', partnerId: 'ccg' } }];
  given(t, once).when(approve(ccg)).thenThrows('conflict', 'settlement-already-approved', '/settlementId');
  const both = fold([...once, { type: 'SettlementApproved', data: { settlementId: 's-1', partnerId: 'council' } }]) as ExistingFundYear;
  t.equal(settlementStatus(both, both.settlements[0]!), 'approved', 'approved when every partner has');
  t.equal(settlementStatus(fold(once) as ExistingFundYear, (fold(once) as ExistingFundYear).settlements[0]!), 'calculated');

  const superseded = [...withFinal, recorded(withFinal, calculate(withFinal, 'final', withFinal.length - 1, admin, 's-2'))];
  given(t, superseded).when(approve(council)).thenThrows('conflict', 'settlement-superseded', '/settlementId');
  const fy = fold(superseded) as ExistingFundYear;
  t.strictSame(fy.settlements.map((s) => settlementStatus(fy, s)), ['superseded', 'calculated']);

  const withForecast = [...withFinal, recorded(withFinal, calculate(closedYear, 'forecast', closedYear.length - 1, admin, 's-f'))];
  given(t, withForecast).when(approve(ccg, 's-f')).thenThrows('conflict', 'settlement-not-final');
  const fyf = fold(withForecast) as ExistingFundYear;
  t.strictSame(fyf.settlements.map((s) => settlementStatus(fyf, s)), ['calculated', 'calculated'], 'a forecast supersedes nothing');
});

t.test('approval is refused while an amount is unallocated', async (t) => {
  const capped: AgreementTerms = {
    pots: [{ ...terms.pots[0]!, overspend: { bands: [{ basis: 'contribution' }], caps: { ccg: '10000.00', council: '10000.00' } } }],
  };
  const proposedCapped: FundYearEvent = { type: 'AgreementProposed', data: { version: 1, terms: capped, proposedBy: 'fund-admin' } };
  const events = [opened, budgetSet, proposedCapped, acceptedBy('ccg'), acceptedBy('council'), ...bothM12, closed];
  // 85,000.00 by contribution is ccg 59,500.00 and council 25,500.00; caps of 10,000.00 each leave 65,000.00.
  const record: SettlementRecord = {
    ...header, mode: 'final', asOfRevision: 7, assumedOnBudget: [],
    pots: [{
      potId: 'integrated-fund', budget: '3000000.00', variance: '85000.00', direction: 'overspend',
      bands: [{ from: '0.00', to: null, amount: '85000.00' }],
      shares: { ccg: '10000.00', council: '10000.00' }, capped: ['ccg', 'council'], unallocated: '65000.00',
    }],
    partners: [
      { partnerId: 'ccg', varianceBorne: '70000.00', share: '10000.00', transfer: '-60000.00' },
      { partnerId: 'council', varianceBorne: '15000.00', share: '10000.00', transfer: '-5000.00' },
    ],
    payments: [],
    unshared: aligned('60000.00'),
    requiresDecision: true,
    digest: 'sha256:b23252bad91168c4cbff214741c278424fa0a0cf4e226fffb52c4f4f6b372238',
  };
  given(t, events).when(calculate(events, 'final')).then([event(record)]);
  given(t, [...events, event(record)]).when(approve(ccg)).thenThrows('conflict', 'settlement-requires-decision');
});

t.test('an agreement adopted later does not reach back before its revision', async (t) => {
  const v2terms: AgreementTerms = { pots: [{ ...terms.pots[0]!, overspend: { own: true } }] };
  const v2: FundYearEvent = { type: 'AgreementProposed', data: { version: 2, terms: v2terms, proposedBy: 'fund-admin' } };
  const events = [...closedYear, v2, acceptedBy('ccg', 2), acceptedBy('council', 2)];
  t.equal(settlementBasis(fold(events.slice(0, closedYear.length)) as ExistingFundYear, 'final').agreementVersion, 1);
  t.equal(settlementBasis(fold(events) as ExistingFundYear, 'final').agreementVersion, 2);
});
