// Issue 11, item 8: an Idempotency-Key belongs to the key (principal) that sent it. The same
// key from two partners is two requests: neither blocks nor replays the other's.
import t from 'tap';
import { ADMIN, runYearToClose, twoPartnerYear, yearApp } from './fixtures/year.js';

const FUND = 'idempotency-fund';

t.test('two partners using the same Idempotency-Key each get their own request, and each replays its own', async (t) => {
  const y = await yearApp(t, FUND, ['ccg', 'council']);
  const fy = `/v1/funds/${FUND}/years/2015-16`;
  const year = twoPartnerYear('ccg', 'council');
  t.equal((await y.call('POST', fy, ADMIN, year.open)).status, 201);
  t.equal((await y.call('PUT', `${fy}/budget`, ADMIN, year.budget)).status, 200);
  const K = { 'idempotency-key': 'month-end-M1' };
  const m1 = (p: string, amount: string) => ({ partnerId: p, period: 'M1', lines: [{ strategyId: 'wellbeing', arrangement: 'pooled', actualToDate: amount, forecastOutturn: amount }] });

  const a = await y.call('POST', `${fy}/returns`, y.keyOf('ccg'), m1('ccg', '50000.00'), K);
  t.equal(a.status, 201, a.body);
  const b = await y.call('POST', `${fy}/returns`, y.keyOf('council'), m1('council', '30000.00'), K);
  t.equal(b.status, 201, b.body);
  t.not(b.json().returnId, a.json().returnId, 'a new return, not the other partner\'s answer');

  const replayA = await y.call('POST', `${fy}/returns`, y.keyOf('ccg'), m1('ccg', '50000.00'), K);
  const replayB = await y.call('POST', `${fy}/returns`, y.keyOf('council'), m1('council', '30000.00'), K);
  t.strictSame([replayA.status, replayA.json()], [201, a.json()], 'ccg replays its own answer');
  t.strictSame([replayB.status, replayB.json()], [201, b.json()], 'council replays its own answer');
  const reused = await y.call('POST', `${fy}/returns`, y.keyOf('council'), m1('council', '31000.00'), K);
  t.equal(reused.status, 422, 'a key reused by the same caller with another body is still refused');
  const positions = (await y.call('GET', `${fy}/positions`, ADMIN)).json();
  t.match(positions.partners, [{ partnerId: 'ccg', lastPeriod: 'M1' }, { partnerId: 'council', lastPeriod: 'M1' }]);
  const trail = (await y.call('GET', `${fy}/events`, 'auditor-key-0123456789abcdefghijklmnopqrstu')).json() as { type: string }[];
  t.equal(trail.filter((e) => e.type === 'MonthlyReturnSubmitted').length, 2, 'one return each, no more');
});

t.test('the admin and a partner sharing a key across commands', async (t) => {
  const y = await yearApp(t, FUND, ['ccg', 'council']);
  const fy = await runYearToClose(t, y, FUND, 'ccg', 'council');
  const K = { 'idempotency-key': 'shared-key' };
  const settled = await y.call('POST', `${fy}/settlements`, ADMIN, { mode: 'final' }, K);
  t.equal(settled.status, 201);
  const adjusted = await y.call('POST', `${fy}/adjustments`, y.keyOf('ccg'), { partnerId: 'ccg', strategyId: 'wellbeing', arrangement: 'pooled', amount: '10.00', reason: 'r' }, K);
  t.equal(adjusted.status, 201, 'another caller\'s key is not a reuse');
  t.strictSame((await y.call('POST', `${fy}/settlements`, ADMIN, { mode: 'final' }, K)).json(), settled.json(), 'the admin replays its settlement');
});
