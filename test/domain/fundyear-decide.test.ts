// Each DOMAIN.md rule for the fund-year, first kept then broken (status, code, field).
import t from 'tap';
import { adoptedAgreement, fold, fundYearStream, isYear, latestReturn, parseFundYearStream, returnFor, type ExistingFundYear } from '../../src/domain/fundyear/index.js';
import {
  acceptedBy, admin, adopted, auditor, bothM12, budgetLines, budgetSet, ccg, ccgLines, closed, council, councilLines,
  FUND, given, opened, proposed, readyToClose, submitted, terms, YEAR,
} from './fixtures/fund-year.js';

const open = (data = opened.data, actor = admin) => ({ type: 'OpenFundYear' as const, actor, data: structuredClone(data) });
const setBudget = (lines: unknown[], reason?: string, actor = admin) => ({
  type: 'SetBudget' as const, actor, data: { lines: lines as typeof budgetLines, ...(reason === undefined ? {} : { reason }) },
});
const submit = (actor: typeof ccg, partnerId: string, period: string, lines: unknown[], correction?: boolean) => ({
  type: 'SubmitMonthlyReturn' as const, actor,
  data: { returnId: 'r-new', partnerId, period, lines: lines as ReturnType<typeof ccgLines>, ...(correction === undefined ? {} : { correction }) },
});
const accept = (actor: typeof ccg, version = 1) => ({ type: 'AcceptAgreement' as const, actor, data: { version } });
const close = (actor = admin) => ({ type: 'CloseYear' as const, actor });
const adjust = (actor = admin, over: Record<string, unknown> = {}) => ({
  type: 'AdjustOutturn' as const, actor,
  data: { adjustmentId: 'a-1', partnerId: 'ccg', strategyId: 'community', arrangement: 'pooled' as const, amount: '-1200.50', reason: 'late invoice credited', ...over },
});

t.test('stream names and ids', async (t) => {
  t.equal(fundYearStream(FUND, YEAR), 'fundyear-plymouth-integrated-fund-2015-16');
  t.strictSame(parseFundYearStream('fundyear-plymouth-integrated-fund-2015-16'), { fundId: FUND, year: YEAR });
  t.equal(parseFundYearStream('other-stream'), null);
  t.ok(isYear('1999-00'));
  t.notOk(isYear('2015-17'));
});

t.test('opening a fund-year', async (t) => {
  given(t, []).when(open()).then([opened]);
  given(t, [opened]).when(open()).thenThrows('conflict', 'fund-year-exists');
  const twice = { ...opened.data, partners: [{ partnerId: 'ccg', name: 'A' }, { partnerId: 'ccg', name: 'B' }] } as typeof opened.data;
  given(t, []).when(open(twice)).thenThrows('bad-request', 'duplicate-id', '/partners/1/partnerId');
  const strategyTwice = { ...opened.data, strategies: [...opened.data.strategies, { strategyId: 'wellbeing', name: 'Again' }] };
  given(t, []).when(open(strategyTwice)).thenThrows('bad-request', 'duplicate-id', '/strategies/2/strategyId');
  given(t, []).when(open(opened.data, ccg)).thenThrows('forbidden', 'forbidden-role');
  given(t, []).when(open(opened.data, auditor)).thenThrows('forbidden', 'forbidden-role');
});

t.test('an unknown fund-year is a 404 for every command', async (t) => {
  given(t, []).when(setBudget(budgetLines)).thenThrows('not-found', 'fund-year-not-found');
  given(t, []).when(submit(ccg, 'ccg', 'M1', ccgLines())).thenThrows('not-found', 'fund-year-not-found');
  given(t, []).when(close()).thenThrows('not-found', 'fund-year-not-found');
});

t.test('setting the budget', async (t) => {
  given(t, [opened]).when(setBudget(budgetLines)).then([budgetSet]);
  given(t, [opened, budgetSet]).when(setBudget(budgetLines)).then([budgetSet]);
  given(t, [opened]).when(setBudget(budgetLines, undefined, ccg)).thenThrows('forbidden', 'forbidden-role');
  given(t, [opened]).when(setBudget(budgetLines, undefined, auditor)).thenThrows('forbidden', 'forbidden-role');
  const line = (over: Record<string, unknown>) => [{ ...budgetLines[0], ...over }];
  given(t, [opened]).when(setBudget(line({ strategyId: 'acute' }))).thenThrows('bad-request', 'unknown-strategy', '/lines/0/strategyId');
  given(t, [opened]).when(setBudget(line({ partnerId: 'county' }))).thenThrows('bad-request', 'unknown-partner', '/lines/0/partnerId');
  given(t, [opened]).when(setBudget([...budgetLines, budgetLines[2]])).thenThrows('bad-request', 'duplicate-budget-line', '/lines/5');
});

t.test('a budget change after the first return is a variation with a reason', async (t) => {
  const withReturn = [opened, budgetSet, submitted('ccg', 'M1', ccgLines())];
  given(t, withReturn).when(setBudget(budgetLines)).thenThrows('bad-request', 'reason-required', '/reason');
  given(t, withReturn).when(setBudget(budgetLines, 'in-year transfer agreed by the board'))
    .then([{ type: 'BudgetVaried', data: { lines: budgetLines, reason: 'in-year transfer agreed by the board' } }]);
  given(t, [...readyToClose, closed]).when(setBudget(budgetLines, 'too late')).thenThrows('conflict', 'year-closed');
});

t.test('agreements: proposed by admin, accepted by each partner for itself', async (t) => {
  const propose = (actor = admin, body = terms) => ({ type: 'ProposeAgreement' as const, actor, data: { terms: body } });
  given(t, [opened]).when(propose()).then([proposed]);
  given(t, [opened, proposed]).when(propose()).then([{ ...proposed, data: { ...proposed.data, version: 2 } } as typeof proposed]);
  given(t, [opened]).when(propose(ccg)).thenThrows('forbidden', 'forbidden-role');
  const badPot = { pots: [{ ...terms.pots[0]!, strategies: ['acute'] }] };
  const error = given(t, [opened]).when(propose(admin, badPot)).thenThrows('unprocessable', 'invalid-terms');
  t.ok(error.errors.every((e) => e.path.startsWith('/terms/')), 'paths point into the body');
  given(t, [opened, proposed]).when(accept(ccg)).then([acceptedBy('ccg')]);
  given(t, [opened, proposed]).when(accept(admin)).thenThrows('forbidden', 'forbidden-role');
  given(t, [opened, proposed]).when(accept(auditor)).thenThrows('forbidden', 'forbidden-role');
  given(t, [opened, proposed]).when(accept(ccg, 2)).thenThrows('not-found', 'agreement-not-found', '/version');
  given(t, [opened, proposed, acceptedBy('ccg')]).when(accept(ccg)).thenThrows('conflict', 'agreement-already-accepted');
  const county = { name: 'county', role: 'partner' as const, partnerId: 'county' };
  given(t, [opened, proposed]).when(accept(county)).thenThrows('forbidden', 'partner-not-in-fund-year');
});

t.test('adopted = the latest version every partner accepted', async (t) => {
  const v2 = { ...proposed, data: { ...proposed.data, version: 2 } } as typeof proposed;
  const adoptedOf = (events: typeof adopted) => adoptedAgreement(fold([opened, ...events]) as ExistingFundYear)?.version ?? null;
  t.equal(adoptedOf([proposed, acceptedBy('ccg')]), null, 'one acceptance of two: nothing adopted');
  t.equal(adoptedOf(adopted), 1);
  t.equal(adoptedOf([...adopted, v2, acceptedBy('ccg', 2)]), 1, 'v2 not yet accepted by council');
  t.equal(adoptedOf([...adopted, v2, acceptedBy('council', 2), acceptedBy('ccg', 2)]), 2);
});

t.test('monthly returns', async (t) => {
  const ready = [opened, budgetSet];
  given(t, ready).when(submit(ccg, 'ccg', 'M1', ccgLines())).then([submitted('ccg', 'M1', ccgLines(), false, 'r-new')]);
  given(t, ready).when(submit(ccg, 'council', 'M1', councilLines())).thenThrows('forbidden', 'forbidden-partner', '/partnerId');
  given(t, ready).when(submit(admin, 'ccg', 'M1', ccgLines())).thenThrows('forbidden', 'forbidden-role');
  given(t, ready).when(submit(auditor, 'ccg', 'M1', ccgLines())).thenThrows('forbidden', 'forbidden-role');
  given(t, ready).when(submit(ccg, 'ccg', 'M13', ccgLines())).thenThrows('bad-request', 'invalid-period', '/period');
  given(t, ready).when(submit(ccg, 'ccg', 'M0', ccgLines())).thenThrows('bad-request', 'invalid-period', '/period');
  given(t, [opened]).when(submit(ccg, 'ccg', 'M1', ccgLines())).thenThrows('conflict', 'budget-not-set');
});

t.test('a return covers exactly the partner\'s budget lines, each once', async (t) => {
  const ready = [opened, budgetSet];
  const missing = given(t, ready).when(submit(ccg, 'ccg', 'M1', ccgLines().slice(0, 2))).thenThrows('bad-request', 'return-lines-mismatch', '/lines');
  t.match(missing.errors[0]?.message, /community\/aligned is missing/);
  const unknown = [...councilLines(), { strategyId: 'community', arrangement: 'aligned', actualToDate: '1.00', forecastOutturn: '1.00' }];
  given(t, ready).when(submit(council, 'council', 'M1', unknown)).thenThrows('bad-request', 'return-lines-mismatch', '/lines/2');
  const repeated = [...councilLines(), councilLines()[0]];
  const error = given(t, ready).when(submit(council, 'council', 'M1', repeated)).thenThrows('bad-request', 'return-lines-mismatch', '/lines/2');
  t.match(error.errors[0]?.message, /repeated/);
  const undeclared = [...councilLines(), { strategyId: 'acute', arrangement: 'pooled', actualToDate: '1.00', forecastOutturn: '1.00' }];
  given(t, ready).when(submit(council, 'council', 'M1', undeclared)).thenThrows('bad-request', 'unknown-strategy', '/lines/2/strategyId');
});

t.test('a second return for a partner and period is a correction, and must say so', async (t) => {
  const once = [opened, budgetSet, submitted('ccg', 'M3', ccgLines())];
  given(t, once).when(submit(ccg, 'ccg', 'M3', ccgLines())).thenThrows('conflict', 'duplicate-return', '/correction');
  given(t, once).when(submit(ccg, 'ccg', 'M3', ccgLines(), true)).then([submitted('ccg', 'M3', ccgLines(), true, 'r-new')]);
  given(t, once).when(submit(ccg, 'ccg', 'M4', ccgLines(), true)).thenThrows('conflict', 'no-return-to-correct', '/correction');
  const corrected = fold([...once, submitted('ccg', 'M3', ccgLines(['1.00', '2.00', '3.00']), true)]) as ExistingFundYear;
  t.equal(returnFor(corrected, 'ccg', 'M3')?.lines[0]?.actualToDate, '1.00', 'the last appended counts');
  const later = fold([...once, submitted('ccg', 'M10', ccgLines()), submitted('ccg', 'M9', ccgLines())]) as ExistingFundYear;
  t.equal(latestReturn(later, 'ccg')?.period, 'M10', 'periods compare by number, not text');
});

t.test('no return once the year is closed', async (t) => {
  given(t, [...readyToClose, closed]).when(submit(ccg, 'ccg', 'M12', ccgLines(), true)).thenThrows('conflict', 'year-closed');
});

t.test('closing the year needs every partner\'s M12 return', async (t) => {
  const onlyCcg = [opened, budgetSet, ...adopted, submitted('ccg', 'M12', ccgLines()), submitted('council', 'M11', councilLines())];
  const error = given(t, onlyCcg).when(close()).thenThrows('conflict', 'm12-returns-missing', '/partners/council');
  t.match(error.message, /council/);
  t.notMatch(error.message, /missing: ccg/);
  given(t, readyToClose).when(close()).then([closed]);
  given(t, [...readyToClose, closed]).when(close()).thenThrows('conflict', 'year-closed');
  given(t, readyToClose).when(close(ccg)).thenThrows('forbidden', 'forbidden-role');
  given(t, readyToClose).when(close(auditor)).thenThrows('forbidden', 'forbidden-role');
});

t.test('outturn adjustments: after close, by admin or that partner', async (t) => {
  const after = [...readyToClose, closed];
  const event = { type: 'OutturnAdjusted' as const, data: adjust().data };
  given(t, readyToClose).when(adjust()).thenThrows('conflict', 'year-not-closed');
  given(t, after).when(adjust()).then([event]);
  given(t, after).when(adjust(ccg)).then([event]);
  given(t, after).when(adjust(council)).thenThrows('forbidden', 'forbidden-partner', '/partnerId');
  given(t, after).when(adjust(auditor)).thenThrows('forbidden', 'forbidden-role');
  given(t, after).when(adjust(admin, { strategyId: 'acute' })).thenThrows('bad-request', 'unknown-strategy', '/strategyId');
  given(t, after).when(adjust(admin, { partnerId: 'county' })).thenThrows('bad-request', 'unknown-partner', '/partnerId');
});

t.test('both M12s and a bad body list every problem at once', async (t) => {
  const lines = [{ strategyId: 'acute', arrangement: 'pooled' as const, actualToDate: '1.00', forecastOutturn: '1.00' }, councilLines()[0]!];
  const error = given(t, [opened, budgetSet, ...bothM12]).when(submit(council, 'council', 'M1', lines)).thenThrows('bad-request', 'invalid-request');
  t.strictSame(error.errors.map((e) => e.path).sort(), ['/lines', '/lines/0/strategyId']);
});
