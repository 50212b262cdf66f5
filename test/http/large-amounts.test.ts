// Issue 11, item 1: input limits belong to input. Two valid adjustments of the largest amount
// make sums past 12 integer digits; every read of that fund-year, the cross-fund list, a
// restart and a summary rebuild must still answer, with the exact sums, in schemas that allow them.
import t, { type Test } from 'tap';
import { SummaryProjection } from '../../src/app/summary.js';
import { createFundYearService } from '../../src/app/service.js';
import { createAjv } from '../../src/http/ajv.js';
import { loadSchemas, schemaId } from '../../src/http/schemas.js';
import { openStore } from '../../src/store/index.js';
import { ADMIN, AUDITOR, runYearToClose, yearApp } from './fixtures/year.js';

const FUND = 'large-sums-fund';
const ajv = createAjv(loadSchemas());

function conforms(t: Test, schema: string, body: unknown): void {
  const validate = ajv.getSchema(schemaId(schema));
  if (!validate) throw new Error(`no schema ${schema}`);
  const ok = validate(body);
  t.ok(ok, `${schema}: ${ok ? 'conforms' : JSON.stringify(validate.errors)}`);
}

t.test('two adjustments of 999999999999.99 leave every read answering, with exact sums', async (t) => {
  const store = openStore({ dataDir: ':memory:' });
  const y = await yearApp(t, FUND, ['ccg', 'council'], store);
  const fy = await runYearToClose(t, y, FUND, 'ccg', 'council');
  const adjustment = { partnerId: 'ccg', strategyId: 'wellbeing', arrangement: 'pooled', amount: '999999999999.99', reason: 'late invoice' };
  for (let i = 0; i < 2; i++) t.equal((await y.call('POST', `${fy}/adjustments`, y.keyOf('ccg'), adjustment)).status, 201, `adjustment ${i + 1}`);
  // ccg's M12 actual 660,000.00 + 2 × 999,999,999,999.99
  const ccgOutturn = '2000000659999.98';

  const positions = await y.call('GET', `${fy}/positions`, y.keyOf('council'));
  t.equal(positions.status, 200, positions.body);
  conforms(t, 'positions-view', positions.json());
  t.match(positions.json().partners[0], { partnerId: 'ccg', actualToDate: ccgOutturn, forecastOutturn: ccgOutturn, forecastVariance: '2000000059999.98' });
  t.match(positions.json().fund, { budget: '1000000.00', forecastOutturn: '2000001099999.98', forecastVariance: '2000000099999.98' });

  const funds = await y.call('GET', '/v1/funds', y.keyOf('council'));
  t.equal(funds.status, 200, funds.body);
  conforms(t, 'fund-summary-list', funds.json());
  t.match(funds.json(), [{ fundId: FUND, forecastOutturn: '2000001099999.98', forecastVariance: '2000000099999.98' }]);
  t.equal((await y.call('GET', '/v1/funds', ADMIN)).status, 200, 'every other key too');

  const settlements = await y.call('GET', `${fy}/settlements`, AUDITOR);
  t.equal(settlements.status, 200, settlements.body);

  t.equal((await y.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
  // A restart on the same log: a fresh service catches up with it and is ready.
  const restarted = createFundYearService({ store });
  t.teardown(() => restarted.close());
  const waitReady = async (): Promise<void> => {
    for (;;) {
      try {
        return await restarted.ready();
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  };
  await waitReady();
  t.equal(restarted.summary.failed, null, 'the restarted summary applied the whole log');
  // rebuild-summary's work: a fresh projection folds the whole log.
  const rebuilt = new SummaryProjection({ store });
  await rebuilt.rebuild();
  t.match(rebuilt.list(), [{ fundId: FUND, forecastOutturn: '2000001099999.98' }]);
});

t.test('a final settlement on those sums', async (t) => {
  const y = await yearApp(t, FUND, ['ccg', 'council']);
  const fy = await runYearToClose(t, y, FUND, 'ccg', 'council');
  const adjustment = { partnerId: 'ccg', strategyId: 'wellbeing', arrangement: 'pooled', amount: '999999999999.99', reason: 'late invoice' };
  for (let i = 0; i < 2; i++) t.equal((await y.call('POST', `${fy}/adjustments`, y.keyOf('ccg'), adjustment)).status, 201);
  const settled = await y.call('POST', `${fy}/settlements`, ADMIN, { mode: 'final' });
  // Sums past the 12 input digits are read exactly by the engine too (money.ts parseExact).
  t.equal(settled.status, 201);
  conforms(t, 'settlement', settled.json());
  t.match(settled.json().pots[0], { variance: '2000000099999.98' });
  const csv = await y.call('GET', `${fy}/settlements/${settled.json().settlementId as string}/statement.csv`, AUDITOR);
  t.match(csv.body, /2000000099999\.98/);
  t.equal((await y.call('GET', `${fy}/positions`, ADMIN)).status, 200);
  t.equal((await y.call('GET', '/v1/funds', ADMIN)).status, 200);
});
