// The fold (issue 11, items 1, 2 and 6 in the domain): a state handed out never changes, a
// Folder copies before it goes on, the index answers exactly as a scan of the lists would,
// sums past any input limit are exact, and a final settlement goes stale when a later fact
// changes its inputs (one rule, staleness.ts).
import fc from 'fast-check';
import t from 'tap';
import {
  adoptedAgreement,
  changesFinalSettlement,
  decide,
  finalInputsAfter,
  findSettlement,
  fold,
  Folder,
  latestReturn,
  partnerIds,
  periodNumber,
  PERIODS,
  returnFor,
  settlementStatus,
  type ExistingFundYear,
  type FundYearEvent,
  type FundYearFacts,
  type FundYearState,
  type Period,
  type ReturnRecord,
} from '../../src/domain/fundyear/index.js';
import { settlementBasis } from '../../src/domain/fundyear/settlement-input.js';
import { positions } from '../../src/domain/views/positions.js';
import { acceptedBy, admin, adopted, budgetSet, ccg, ccgLines, closed, council, councilLines, given, opened, proposed, readyToClose, submitted } from './fixtures/fund-year.js';

const closedYear = [...readyToClose, closed];
const existing = (state: FundYearState): ExistingFundYear => {
  if (state.status === 'none') throw new Error('no fund-year');
  return state;
};
const adjustment = (amount: string, id = 'a-1'): FundYearEvent => ({
  type: 'OutturnAdjusted',
  data: { adjustmentId: id, partnerId: 'ccg', strategyId: 'wellbeing', arrangement: 'pooled', amount, reason: 'late' },
});
const settled = (settlementId: string, mode: 'final' | 'forecast', asOfRevision: number): FundYearEvent => ({
  type: 'SettlementCalculated',
  data: {
    settlementId, fundId: 'f', year: '2015-16', mode, asOfRevision, agreementVersion: 1, engineVersion: 'e', assumedOnBudget: [],
    calculatedAt: '2016-05-01T09:00:00.000Z', digest: 'sha256:00', pots: [], partners: [], payments: [], unshared: [], requiresDecision: false,
  },
});

t.test('a state handed out never changes: evolve, fold and a Folder copy before they go on', async (t) => {
  const base = fold(readyToClose);
  const snapshot = JSON.stringify(base);
  const next = fold([closed, adjustment('10.00')], base);
  t.equal(JSON.stringify(base), snapshot, 'fold left its starting state alone');
  t.equal(existing(base).returns, existing(fold([], base)).returns, 'folding nothing hands back the same state');
  t.not(existing(next).adjustments, existing(base).adjustments);

  const folder = new Folder(base);
  folder.apply(submitted('ccg', 'M11', ccgLines()));
  const first = folder.state();
  const firstText = JSON.stringify(first);
  folder.apply(submitted('ccg', 'M11', ccgLines(['1.00', '2.00', '3.00']), true));
  folder.apply(acceptedBy('council', 1));
  const second = folder.state();
  t.equal(JSON.stringify(first), firstText, 'the state handed out first is unchanged by later events');
  t.equal(existing(first).returns.length + 1, existing(second).returns.length);
  t.equal(returnFor(existing(first), 'ccg', 'M11')?.lines[0]?.actualToDate, '640000.00', 'and so is its index');
  t.equal(returnFor(existing(second), 'ccg', 'M11')?.lines[0]?.actualToDate, '1.00');
  t.equal(JSON.stringify(base), snapshot);

  // Two folds from one cached state (two concurrent requests) do not see each other.
  const a = fold([submitted('council', 'M11', councilLines())], base);
  const b = fold([submitted('council', 'M11', councilLines(['5.00', '6.00']))], base);
  t.equal(returnFor(existing(a), 'council', 'M11')?.lines[0]?.actualToDate, '395000.00');
  t.equal(returnFor(existing(b), 'council', 'M11')?.lines[0]?.actualToDate, '5.00');
  t.equal(returnFor(existing(base), 'council', 'M11'), undefined);
});

t.test('the fold refuses what cannot be folded, whatever state it starts from', async (t) => {
  t.throws(() => fold([budgetSet]), /BudgetSet before FundYearOpened/);
  t.throws(() => fold([opened, opened]), /FundYearOpened on an existing fund-year/);
  t.throws(() => fold([opened], fold([opened])), /FundYearOpened on an existing fund-year/);
});

/** The queries as plain scans of the lists: the reference the index must agree with. */
const scan = {
  returnFor: (s: FundYearFacts, p: string, period: Period): ReturnRecord | undefined => s.returns.filter((r) => r.partnerId === p && r.period === period).at(-1),
  latestReturn: (s: FundYearFacts, p: string, max: Period): ReturnRecord | undefined => {
    let best: ReturnRecord | undefined;
    for (const r of s.returns) {
      if (r.partnerId !== p || periodNumber(r.period) > periodNumber(max)) continue;
      if (!best || periodNumber(r.period) >= periodNumber(best.period)) best = r;
    }
    return best;
  },
  adopted: (s: FundYearFacts) => s.agreements.filter((a) => s.partners.every((p) => a.acceptedBy.includes(p.partnerId))).reduce<number | null>((v, a) => (v === null || a.version > v ? a.version : v), null),
  /** As the scan always did: a settlement is found by id (the first with it). */
  status: (s: FundYearFacts, entry: FundYearFacts['settlements'][number]) => {
    const i = s.settlements.findIndex((x) => x.record.settlementId === entry.record.settlementId);
    if (entry.record.mode === 'final' && s.settlements.slice(i + 1).some((x) => x.record.mode === 'final')) return 'superseded';
    return s.partners.every((p) => entry.approvedBy.includes(p.partnerId)) ? 'approved' : 'calculated';
  },
};

const anyEvent: fc.Arbitrary<FundYearEvent> = fc.oneof(
  fc.record({ p: fc.constantFrom('ccg', 'council'), period: fc.constantFrom(...PERIODS), actual: fc.integer({ min: 0, max: 999 }) }).map(({ p, period, actual }) =>
    submitted(p, period, p === 'ccg' ? ccgLines([`${actual}.00`, '1.00', '2.00']) : councilLines([`${actual}.00`, '1.00']), true, `r-${actual}`)),
  fc.constantFrom<FundYearEvent>(proposed, acceptedBy('ccg'), acceptedBy('council'), acceptedBy('ccg', 2), acceptedBy('council', 2), budgetSet),
  fc.constant<FundYearEvent>({ type: 'AgreementProposed', data: { ...proposed.data, version: 2 } }),
  fc.record({ id: fc.constantFrom('s-1', 's-2', 's-3'), mode: fc.constantFrom('final' as const, 'forecast' as const) }).map(({ id, mode }) => settled(id, mode, 0)),
  fc.record({ id: fc.constantFrom('s-1', 's-2', 's-3'), p: fc.constantFrom('ccg', 'council') }).map(({ id, p }): FundYearEvent => ({ type: 'SettlementApproved', data: { settlementId: id, partnerId: p } })),
  fc.integer({ min: -99, max: 99 }).map((n) => adjustment(`${n}.00`)),
);

t.test('the index answers exactly as a scan of the lists, after any events and any split of the fold', async (t) => {
  await fc.assert(
    fc.property(fc.array(anyEvent, { maxLength: 60 }), fc.nat(60), (events, cut) => {
      const all = [opened, ...events];
      const whole = existing(fold(all));
      const split = existing(fold(all.slice(cut + 1), fold(all.slice(0, cut + 1))));
      // A state built another way (read from a file): its index is built from its lists.
      const parsed = JSON.parse(JSON.stringify(whole)) as ExistingFundYear;
      for (const s of [whole, split, parsed]) {
        if (JSON.stringify(s) !== JSON.stringify(whole)) return false;
        for (const p of partnerIds(s)) {
          for (const period of PERIODS) {
            if (returnFor(s, p, period) !== scan.returnFor(s, p, period)) return false;
            if (latestReturn(s, p, period) !== scan.latestReturn(s, p, period)) return false;
          }
        }
        if ((adoptedAgreement(s)?.version ?? null) !== scan.adopted(s)) return false;
        const byId = (id: string) => s.settlements.find((x) => x.record.settlementId === id);
        if (s.settlements.some((e) => settlementStatus(s, e) !== scan.status(s, e) || findSettlement(s, e.record.settlementId) !== byId(e.record.settlementId))) return false;
      }
      return true;
    }),
    { numRuns: 300 },
  );
});

t.test('sums past the input limit are exact: outturn, positions and the settlement input', async (t) => {
  const fy = existing(fold([...closedYear, adjustment('999999999999.99', 'a-1'), adjustment('999999999999.99', 'a-2')]));
  const line = settlementBasis(fy, 'final').input.outturn.find((l) => l.partnerId === 'ccg' && l.strategyId === 'wellbeing');
  t.equal(line?.amount, '2000000639999.98', '640,000.00 + 2 × 999,999,999,999.99');
  t.match(positions(fy).partners[0], { partnerId: 'ccg', actualToDate: '2000002479999.98' });
});

t.test('staleness: which facts change a final settlement (one rule)', async (t) => {
  const rule = (event: FundYearEvent, before: number | null = 1, after: number | null = 1) => changesFinalSettlement(event, before, after);
  t.equal(rule(adjustment('1.00')), true, 'an adjustment');
  t.equal(rule(budgetSet), true, 'a budget set');
  t.equal(rule({ type: 'BudgetVaried', data: { lines: [], reason: 'r' } }), true, 'a budget variation');
  t.equal(rule(acceptedBy('ccg', 2)), false, 'an acceptance that does not change the adopted agreement');
  t.equal(rule(acceptedBy('council', 2), 1, 2), true, 'an acceptance that adopts a new version');
  t.equal(rule(proposed), false, 'a proposal');
  t.equal(rule(submitted('ccg', 'M12', ccgLines())), false, 'a return (refused once closed)');
  t.equal(rule(settled('s', 'final', 1)), false);
  t.equal(rule(closed), false);
});

t.test('approval of a stale final settlement is refused, naming the newer facts; the newest one is approved', async (t) => {
  const settledAt = closedYear.length; // the SettlementCalculated's revision
  const asOf = closedYear.length - 1;
  const year = [...closedYear, settled('s-1', 'final', asOf)];
  const varied: FundYearEvent = { type: 'BudgetVaried', data: { lines: budgetSet.data.lines, reason: 'restated' } };
  const later = [...year, adjustment('5.00'), varied, { type: 'AgreementProposed', data: { ...proposed.data, version: 2 } } as FundYearEvent, acceptedBy('ccg', 2), acceptedBy('council', 2)];
  t.strictSame(finalInputsAfter(existing(fold(later)), asOf), [
    { type: 'OutturnAdjusted', revision: settledAt + 1 },
    { type: 'BudgetVaried', revision: settledAt + 2 },
    { type: 'AgreementAccepted', revision: settledAt + 5 },
  ]);
  const refusal = given(t, later).when({ type: 'ApproveSettlement', actor: ccg, data: { settlementId: 's-1' } }).thenThrows('conflict', 'settlement-stale', '/settlementId');
  t.match(refusal.message, new RegExp(`OutturnAdjusted at revision ${settledAt + 1}, BudgetVaried at revision ${settledAt + 2}, AgreementAccepted at revision ${settledAt + 5}`));
  t.equal(refusal.errors.length, 3);

  // Before any newer fact it is approvable; a fact at or before its revision does not count.
  given(t, year).when({ type: 'ApproveSettlement', actor: council, data: { settlementId: 's-1' } })
    .then([{ type: 'SettlementApproved', data: { settlementId: 's-1', partnerId: 'council' } }]);
  const rerun = [...later, settled('s-2', 'final', later.length - 1)];
  t.strictSame(decide({ type: 'ApproveSettlement', actor: ccg, data: { settlementId: 's-2' } }, fold(rerun)), [
    { type: 'SettlementApproved', data: { settlementId: 's-2', partnerId: 'ccg' } },
  ]);
  t.equal(admin.role, 'admin');
  t.equal(adopted.length, 3);
});

t.test('a long refusal names the first few facts in its detail and all of them in its errors', async (t) => {
  const asOf = closedYear.length - 1;
  const many = Array.from({ length: 8 }, (_v, i) => adjustment('1.00', `a-${i}`));
  const later = [...closedYear, settled('s-1', 'final', asOf), ...many];
  const refusal = given(t, later).when({ type: 'ApproveSettlement', actor: ccg, data: { settlementId: 's-1' } }).thenThrows('conflict', 'settlement-stale');
  t.match(refusal.message, /and 3 more/);
  t.equal(refusal.errors.length, 8);
});
