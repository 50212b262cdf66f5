// Issue 11, item 6: a final settlement whose inputs changed after its revision cannot be
// approved (409 settlement-stale, naming the newer facts); a new final settlement can.
import t from 'tap';
import { ADMIN, AUDITOR, runYearToClose, yearApp } from './fixtures/year.js';

const FUND = 'stale-settlement-fund';

t.test('a post-close adjustment makes the final settlement stale; run it again', async (t) => {
  const y = await yearApp(t, FUND, ['ccg', 'council']);
  const fy = await runYearToClose(t, y, FUND, 'ccg', 'council');
  const first = (await y.call('POST', `${fy}/settlements`, ADMIN, { mode: 'final' })).json();
  t.equal((await y.call('POST', `${fy}/settlements/${first.settlementId as string}/approvals`, y.keyOf('ccg'))).status, 200, 'approvable while current');
  const adjusted = await y.call('POST', `${fy}/adjustments`, y.keyOf('council'), { partnerId: 'council', strategyId: 'wellbeing', arrangement: 'pooled', amount: '-2500.00', reason: 'credit note' });
  t.equal(adjusted.status, 201);
  const adjustedAt = adjusted.json().revision as number;

  const refused = await y.call('POST', `${fy}/settlements/${first.settlementId as string}/approvals`, y.keyOf('council'));
  t.equal(refused.status, 409);
  t.match(refused.headers['content-type'], /application\/problem\+json/);
  const problem = refused.json();
  t.equal(problem.type, 'https://poolshare.example/problems/settlement-stale');
  t.match(problem.detail, new RegExp(`OutturnAdjusted at revision ${adjustedAt}`));
  t.strictSame(problem.errors, [{ path: '/settlementId', message: `OutturnAdjusted at revision ${adjustedAt} changes this settlement's inputs (it was calculated at revision ${first.asOfRevision as number})` }]);
  const trail = (await y.call('GET', `${fy}/events`, AUDITOR)).json() as { type: string }[];
  t.equal(trail.filter((e) => e.type === 'SettlementApproved').length, 1, 'the refusal appended nothing');

  const again = (await y.call('POST', `${fy}/settlements`, ADMIN, { mode: 'final' })).json();
  t.equal(again.asOfRevision, adjustedAt);
  for (const p of ['ccg', 'council']) t.equal((await y.call('POST', `${fy}/settlements/${again.settlementId as string}/approvals`, y.keyOf(p))).status, 200);
  t.equal((await y.call('GET', `${fy}/settlements/${again.settlementId as string}`, AUDITOR)).json().status, 'approved');
});

t.test('a newly adopted agreement makes it stale; a proposal alone does not', async (t) => {
  const y = await yearApp(t, FUND, ['ccg', 'council']);
  const fy = await runYearToClose(t, y, FUND, 'ccg', 'council');
  const first = (await y.call('POST', `${fy}/settlements`, ADMIN, { mode: 'final' })).json();
  const terms = { pots: [{ potId: 'pot', strategies: ['wellbeing'], overspend: { own: true }, underspend: { own: true } }] };
  t.equal((await y.call('POST', `${fy}/agreements`, ADMIN, { terms })).status, 201);
  t.equal((await y.call('POST', `${fy}/agreements/2/acceptances`, y.keyOf('ccg'))).status, 200);
  t.equal((await y.call('POST', `${fy}/settlements/${first.settlementId as string}/approvals`, y.keyOf('ccg'))).status, 200, 'version 1 is still the adopted one');
  const adopted = await y.call('POST', `${fy}/agreements/2/acceptances`, y.keyOf('council'));
  t.equal(adopted.json().adopted, true);
  const refused = await y.call('POST', `${fy}/settlements/${first.settlementId as string}/approvals`, y.keyOf('council'));
  t.equal(refused.status, 409);
  t.equal(refused.json().type, 'https://poolshare.example/problems/settlement-stale');
  t.match(refused.json().detail, new RegExp(`AgreementAccepted at revision ${adopted.json().revision as number}`));
});
