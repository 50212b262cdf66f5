// The decider and the fold for the monitoring pack's facts (MONITORING.md, DOMAIN.md "Added
// facts"): SettingsChanged, profiles and commentary kept in events, the first budget set and
// the thresholds in force in the state, and the close rule on M12 returns that do not cover
// the budget in force.
import t from 'tap';
import { fold, type ExistingFundYear, type FundYearEvent } from '../../src/domain/fundyear/index.js';
import { admin, auditor, budgetLines, budgetSet, bothM12, ccg, ccgLines, given, opened, readyToClose, submitted } from './fixtures/fund-year.js';

const PROFILE = ['50000.00', ...Array<string>(10).fill('50000.00'), '50000.00'];

t.test('ChangeSettings: admin only, thresholds checked, recorded as given', async (t) => {
  const rag = { amberPercent: '1.5', redPercent: '4.75' };
  given(t, [opened]).when({ type: 'ChangeSettings', actor: admin, data: { rag } }).then([{ type: 'SettingsChanged', data: { rag } }]);
  given(t, [opened]).when({ type: 'ChangeSettings', actor: ccg, data: { rag } }).thenThrows('forbidden', 'forbidden-role');
  given(t, [opened]).when({ type: 'ChangeSettings', actor: auditor, data: { rag } }).thenThrows('forbidden', 'forbidden-role');
  given(t, []).when({ type: 'ChangeSettings', actor: admin, data: { rag } }).thenThrows('not-found', 'fund-year-not-found');
  given(t, [opened]).when({ type: 'ChangeSettings', actor: admin, data: { rag: { amberPercent: '5', redPercent: '5' } } }).thenThrows('unprocessable', 'rag-thresholds-invalid', '/rag/amberPercent');
  given(t, [opened]).when({ type: 'ChangeSettings', actor: admin, data: { rag: { amberPercent: '2', redPercent: '101' } } }).thenThrows('unprocessable', 'rag-thresholds-invalid', '/rag/redPercent');
  given(t, [opened]).when({ type: 'ChangeSettings', actor: admin, data: { rag: { amberPercent: '2%', redPercent: '5' } } }).thenThrows('unprocessable', 'rag-thresholds-invalid', '/rag/amberPercent');
  given(t, [...readyToClose, { type: 'YearClosed', data: { closedBy: 'fund-admin' } }]).when({ type: 'ChangeSettings', actor: admin, data: { rag } })
    .then([{ type: 'SettingsChanged', data: { rag } }]);
});

t.test('the fold keeps the thresholds in force and the first budget set', async (t) => {
  const start = fold([opened]) as ExistingFundYear;
  t.strictSame(start.rag, { amberPercent: '2', redPercent: '5' }, 'the defaults');
  t.equal(start.originalBudget, null);
  const second = budgetLines.map((l) => ({ ...l, amount: '1.00' }));
  const events: FundYearEvent[] = [
    opened, budgetSet, { type: 'BudgetSet', data: { lines: second } },
    { type: 'SettingsChanged', data: { rag: { amberPercent: '1', redPercent: '3' } } },
    submitted('ccg', 'M1', ccgLines()),
    { type: 'BudgetVaried', data: { lines: budgetLines, reason: 'back' } },
    { type: 'SettingsChanged', data: { rag: { amberPercent: '0', redPercent: '10' } } },
  ];
  const at = (n: number) => fold(events.slice(0, n)) as ExistingFundYear;
  t.strictSame(at(3).originalBudget, budgetLines, 'a second BudgetSet does not replace the original');
  t.strictSame(at(3).budget, second);
  t.strictSame(at(4).rag, { amberPercent: '1', redPercent: '3' });
  t.strictSame(at(7).rag, { amberPercent: '0', redPercent: '10' });
  t.strictSame(at(7).originalBudget, budgetLines, 'a variation never does');
});

t.test('a budget line keeps its profile; a profile that does not sum is 422 naming the line', async (t) => {
  const lines = [{ ...budgetLines[0]!, profile: PROFILE }, ...budgetLines.slice(1)];
  given(t, [opened]).when({ type: 'SetBudget', actor: admin, data: { lines } }).then([{ type: 'BudgetSet', data: { lines } }]);
  const bad = [...budgetLines.slice(0, 2), { ...budgetLines[2]!, profile: PROFILE }];
  const error = given(t, [opened]).when({ type: 'SetBudget', actor: admin, data: { lines: bad } }).thenThrows('unprocessable', 'profile-mismatch', '/lines/2/profile');
  t.match(error.errors[0]?.message, /community\/ccg\/pooled sums to 600000.00, not the line's amount 1500000.00/);
  given(t, [opened]).when({ type: 'SetBudget', actor: admin, data: { lines: [{ ...budgetLines[0]!, profile: 'monthly' as never }] } })
    .thenThrows('unprocessable', 'profile-mismatch', '/lines/0/profile');
});

t.test('a return line keeps its commentary (its length is the schema\'s, checked at the edge)', async (t) => {
  const lines = ccgLines().map((l, i) => (i === 1 ? { ...l, commentary: 'Winter pressures' } : l));
  given(t, [opened, budgetSet]).when({ type: 'SubmitMonthlyReturn', actor: ccg, data: { returnId: 'r1', partnerId: 'ccg', period: 'M1', lines } })
    .then([{ type: 'MonthlyReturnSubmitted', data: { returnId: 'r1', partnerId: 'ccg', period: 'M1', lines, correction: false } }]);
});

t.test('close: every M12 return must cover its partner\'s budget lines in force', async (t) => {
  const added = [...budgetLines, { strategyId: 'wellbeing', partnerId: 'council', arrangement: 'aligned' as const, amount: '10.00' }];
  const varied: FundYearEvent = { type: 'BudgetVaried', data: { lines: added, reason: 'A new aligned line' } };
  const error = given(t, [...readyToClose, varied]).when({ type: 'CloseYear', actor: admin }).thenThrows('conflict', 'm12-returns-incomplete', '/partners/council');
  t.strictSame(error.errors, [{ path: '/partners/council', message: "council's M12 return does not cover budget line wellbeing/council/aligned: submit a corrected M12 return" }]);
  // A line dropped from the budget after the M12 return is no obstacle: the return covers every line in force.
  const dropped: FundYearEvent = { type: 'BudgetVaried', data: { lines: budgetLines.slice(0, 4), reason: 'Aligned line ended' } };
  given(t, [...readyToClose, dropped]).when({ type: 'CloseYear', actor: admin }).then([{ type: 'YearClosed', data: { closedBy: 'fund-admin' } }]);
  // A variation before the M12 returns needs nothing more.
  given(t, [opened, budgetSet, varied, ...bothM12.slice(0, 1), submitted('council', 'M12', [
    { strategyId: 'wellbeing', arrangement: 'pooled', actualToDate: '1.00', forecastOutturn: '1.00' },
    { strategyId: 'community', arrangement: 'pooled', actualToDate: '1.00', forecastOutturn: '1.00' },
    { strategyId: 'wellbeing', arrangement: 'aligned', actualToDate: '1.00', forecastOutturn: '1.00' },
  ])]).when({ type: 'CloseYear', actor: admin }).then([{ type: 'YearClosed', data: { closedBy: 'fund-admin' } }]);
});
