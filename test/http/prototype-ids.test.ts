// Issue 11, item 4: an id is data, never a property name of Object. A partner called
// `constructor` (a valid slug) goes through a whole year; the ids that are properties of every
// object but not valid slugs (`__proto__`, `toString`, `hasOwnProperty`) are refused as ids.
import t from 'tap';
import { ADMIN, AUDITOR, runYearToClose, twoPartnerYear, yearApp } from './fixtures/year.js';

const FUND = 'prototype-ids-fund';

t.test('a partner called constructor: a whole year, positions, summary, settlement, approvals, statement', async (t) => {
  const y = await yearApp(t, FUND, ['constructor', 'council']);
  const fy = await runYearToClose(t, y, FUND, 'constructor', 'council');

  const positions = await y.call('GET', `${fy}/positions`, y.keyOf('constructor'));
  t.equal(positions.status, 200, positions.body);
  t.match(positions.json().partners, [
    { partnerId: 'constructor', budget: '600000.00', forecastOutturn: '660000.00', lastPeriod: 'M12' },
    { partnerId: 'council', budget: '400000.00', forecastOutturn: '440000.00', lastPeriod: 'M12' },
  ]);
  const funds = await y.call('GET', '/v1/funds', y.keyOf('council'));
  t.equal(funds.status, 200, funds.body);
  t.match(funds.json(), [{ fundId: FUND, partners: ['constructor', 'council'], adoptedAgreementVersion: 1, forecastVariance: '100000.00' }]);
  const agreements = await y.call('GET', `${fy}/agreements`, AUDITOR);
  t.match(agreements.json(), { adoptedVersion: 1, versions: [{ acceptedBy: ['constructor', 'council'], adopted: true }] });

  // The terms name `constructor` in both id-indexed records (cap 30,000, weight 0.5): variance
  // 100,000 split 50/50, constructor capped at 30,000, council bears the other 70,000.
  const final = await y.call('POST', `${fy}/settlements`, ADMIN, { mode: 'final' });
  t.equal(final.status, 201, final.body);
  const settlement = final.json();
  t.match(settlement.pots[0], { variance: '100000.00', shares: { constructor: '30000.00', council: '70000.00' }, capped: ['constructor'] });
  const id = settlement.settlementId as string;
  t.match((await y.call('POST', `${fy}/settlements/${id}/approvals`, y.keyOf('constructor'))).json(), { approvedBy: ['constructor'] });
  t.match((await y.call('POST', `${fy}/settlements/${id}/approvals`, y.keyOf('council'))).json(), { status: 'approved', approvedBy: ['constructor', 'council'] });
  const csv = await y.call('GET', `${fy}/settlements/${id}/statement.csv`, AUDITOR);
  t.equal(csv.status, 200);
  t.match(csv.body, /share constructor/);
  t.notMatch(csv.body, /function|native code/, 'no function printed where a share belongs');
  t.equal((await y.call('GET', `${fy}/settlements/${id}/verification`, AUDITOR)).json().match, true);
  t.match((await y.call('GET', '/v1/funds', ADMIN)).json(), [{ latestSettlement: { settlementId: id, status: 'approved' } }]);
});

// The engine reads id-indexed records (caps, weights) by own property only, so terms that do not
// name `constructor` settle like any other.
t.test('a settlement whose terms do not name constructor', async (t) => {
  const y = await yearApp(t, FUND, ['constructor', 'council']);
  const year = twoPartnerYear('constructor', 'council');
  // Terms without an id-indexed record: contribution bands both ways.
  const fy = `/v1/funds/${FUND}/years/2015-16`;
  t.equal((await y.call('POST', fy, ADMIN, year.open)).status, 201);
  t.equal((await y.call('PUT', `${fy}/budget`, ADMIN, year.budget)).status, 200);
  const terms = { pots: [{ potId: 'pot', strategies: ['wellbeing'], overspend: { bands: [{ basis: 'contribution' }] }, underspend: { bands: [{ basis: 'contribution' }] } }] };
  t.equal((await y.call('POST', `${fy}/agreements`, ADMIN, { terms })).status, 201);
  for (const p of ['constructor', 'council']) t.equal((await y.call('POST', `${fy}/agreements/1/acceptances`, y.keyOf(p))).status, 200);
  t.equal((await y.call('POST', `${fy}/returns`, y.keyOf('constructor'), year.m12('constructor', '660000.00'))).status, 201);
  t.equal((await y.call('POST', `${fy}/returns`, y.keyOf('council'), year.m12('council', '440000.00'))).status, 201);
  t.equal((await y.call('POST', `${fy}/close`, ADMIN)).status, 200);
  const settled = await y.call('POST', `${fy}/settlements`, ADMIN, { mode: 'final' });
  t.equal(settled.status, 201);
  t.match(settled.json().pots[0], { shares: { constructor: '60000.00', council: '40000.00' } });
  const csv = await y.call('GET', `${fy}/settlements/${settled.json().settlementId as string}/statement.csv`, AUDITOR);
  t.match(csv.body, /^pot,1000000\.00,100000\.00,overspend,60000\.00,40000\.00/m);
  t.notMatch(csv.body, /function|native code/);
  t.equal((await y.call('GET', `${fy}/positions`, y.keyOf('constructor'))).status, 200, 'the fund-year still reads');
  t.equal((await y.call('GET', '/v1/funds', ADMIN)).status, 200);
});

t.test('ids that are Object property names but not slugs are refused as ids, and nothing is appended', async (t) => {
  const y = await yearApp(t, FUND, []);
  const fy = `/v1/funds/${FUND}/years/2015-16`;
  for (const id of ['__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
    const open = await y.call('POST', fy, ADMIN, {
      name: 'x', partners: [{ partnerId: id, name: 'x' }, { partnerId: 'council', name: 'y' }], strategies: [{ strategyId: 'wellbeing', name: 'w' }],
    });
    t.equal(open.status, 400, `${id} refused as a partner id`);
    t.match(open.headers['content-type'], /problem\+json/);
  }
  t.equal((await y.call('GET', `${fy}/events`, AUDITOR)).status, 404, 'nothing appended');
});
