// The app factory: validation without coercion, problem+json for every error,
// request ids, idempotency keys, response schemas, and no secrets in the log.
import { test } from 'tap';
import type { FastifyInstance } from 'fastify';
import type { FundYearService } from '../../src/app/service-types.js';
import { DomainError } from '../../src/domain/errors.js';
import { buildApp, type BuildAppOptions } from '../../src/http/app.js';
import { bearer, createFakeService, FUND, KEY_RECORDS, KEYS, SETTLEMENT_ID, settlement, YEAR, type FakeService, type Teardown } from './fixtures/fake-service.js';
import { like } from '../fixtures/like.js';

const FY = `/v1/funds/${FUND}/years/${YEAR}`;
const PROBLEM_JSON = /^application\/problem\+json; charset=utf-8$/;

async function setup(t: Teardown, overrides: Partial<FundYearService> = {}, options: Partial<BuildAppOptions> = {}): Promise<{ app: FastifyInstance; service: FakeService }> {
  const service = createFakeService(overrides);
  const app = await buildApp({ service, keys: KEY_RECORDS, ...options });
  t.teardown(() => app.close());
  return { app, service };
}

const returnBody = () => ({
  partnerId: 'ccg',
  period: 'M3',
  lines: [{ strategyId: 'wellbeing', arrangement: 'pooled', actualToDate: '150000.00', forecastOutturn: '640000.00' }],
});

test('a JSON number for an amount is refused, never coerced', async (t) => {
  const { app, service } = await setup(t);
  const body = returnBody();
  const res = await app.inject({ method: 'POST', url: `${FY}/returns`, headers: bearer(KEYS.ccg), payload: { ...body, lines: [{ ...body.lines[0], actualToDate: 150000.5 }] } });
  t.equal(res.statusCode, 400);
  t.match(res.headers['content-type'], PROBLEM_JSON);
  like(t, res.json(), { type: 'https://poolshare.example/problems/validation', title: 'Bad Request', status: 400, errors: [{ path: '/lines/0/actualToDate', message: 'must be string' }] });
  const budget = await app.inject({ method: 'PUT', url: `${FY}/budget`, headers: bearer(KEYS.admin), payload: { lines: [{ strategyId: 'wellbeing', partnerId: 'ccg', arrangement: 'pooled', amount: 600000 }] } });
  t.equal(budget.statusCode, 400);
  t.strictSame(budget.json().errors, [{ path: '/lines/0/amount', message: 'must be string' }]);
  t.equal(service.calls.length, 0, 'the service never saw them');
});

test('amount strings: pattern, sign and places', async (t) => {
  const { app, service } = await setup(t);
  const budgetWith = (amount: string) =>
    app.inject({ method: 'PUT', url: `${FY}/budget`, headers: bearer(KEYS.admin), payload: { lines: [{ strategyId: 'wellbeing', partnerId: 'ccg', arrangement: 'pooled', amount }] } });
  for (const amount of ['-1.00', '1.001', '1e3', ' 1.00', '1,000.00', '', '1234567890123.00']) {
    t.equal((await budgetWith(amount)).statusCode, 400, `budget ${JSON.stringify(amount)} refused`);
  }
  for (const amount of ['0', '600000.00', '0.5', '999999999999.99']) {
    t.equal((await budgetWith(amount)).statusCode, 200, `budget ${amount} accepted`);
  }
  t.equal(service.calls.length, 4);
  t.strictSame(service.calls[0]?.args[1], { lines: [{ strategyId: 'wellbeing', partnerId: 'ccg', arrangement: 'pooled', amount: '0' }] }, 'the body reaches the service unchanged');
});

test('an extra property is refused, never dropped', async (t) => {
  const { app, service } = await setup(t);
  const res = await app.inject({ method: 'POST', url: `${FY}/returns`, headers: bearer(KEYS.ccg), payload: { ...returnBody(), note: 'hi' } });
  t.equal(res.statusCode, 400);
  t.strictSame(res.json().errors, [{ path: '/note', message: 'is not a known field' }], 'worded as the what-if and the keys file word it');
  const nested = await app.inject({ method: 'POST', url: `${FY}/returns`, headers: bearer(KEYS.ccg), payload: { ...returnBody(), lines: [{ ...returnBody().lines[0], budget: '1.00' }] } });
  t.strictSame(nested.json().errors, [{ path: '/lines/0/budget', message: 'is not a known field' }]);
  const missing = await app.inject({ method: 'POST', url: `${FY}/returns`, headers: bearer(KEYS.ccg), payload: { partnerId: 'ccg', lines: [], correction: 'yes' } });
  t.strictSame(missing.json().errors, [{ path: '/period', message: 'is required' }, { path: '/correction', message: 'must be boolean' }], 'allErrors: every problem at once');
  t.equal(service.calls.length, 0);
});

test('arrays have limits', async (t) => {
  const { app } = await setup(t);
  const line = returnBody().lines[0];
  const res = await app.inject({ method: 'POST', url: `${FY}/returns`, headers: bearer(KEYS.ccg), payload: { ...returnBody(), lines: Array.from({ length: 201 }, () => line) } });
  t.equal(res.statusCode, 400);
  t.strictSame(res.json().errors, [{ path: '/lines', message: 'must NOT have more than 200 items' }]);
});

test('malformed JSON, empty JSON, wrong content type, too large', async (t) => {
  const { app, service } = await setup(t, {}, { bodyLimit: 2048 });
  const post = (payload: string, contentType: string) =>
    app.inject({ method: 'POST', url: `${FY}/returns`, headers: { ...bearer(KEYS.ccg), 'content-type': contentType }, payload });
  const malformed = await post('{"partnerId": "ccg",', 'application/json');
  t.equal(malformed.statusCode, 400);
  t.match(malformed.headers['content-type'], PROBLEM_JSON);
  like(t, malformed.json(), { type: 'https://poolshare.example/problems/malformed-json', status: 400, detail: 'The request body is not valid JSON.' });
  const proto = await post('{"__proto__": {"x": 1}}', 'application/json');
  t.equal(proto.statusCode, 400, 'prototype poisoning is refused');
  const empty = await post('', 'application/json');
  t.equal(empty.statusCode, 400);
  t.equal(empty.json().type, 'https://poolshare.example/problems/empty-body');
  const text = await post('partnerId=ccg', 'text/plain');
  t.equal(text.statusCode, 415);
  like(t, text.json(), { type: 'https://poolshare.example/problems/unsupported-media-type', status: 415 });
  const form = await post('partnerId=ccg', 'application/x-www-form-urlencoded');
  t.equal(form.statusCode, 415);
  const large = await post(JSON.stringify({ ...returnBody(), pad: 'x'.repeat(4096) }), 'application/json');
  t.equal(large.statusCode, 413);
  like(t, large.json(), { type: 'https://poolshare.example/problems/body-too-large', status: 413 });
  t.equal(service.calls.length, 0);
});

test('unknown routes: 404 problem+json', async (t) => {
  const { app } = await setup(t);
  for (const [method, url] of [['GET', '/nope'], ['GET', '/v1/funds/x/years/2015-16/budget'], ['DELETE', `${FY}/returns`], ['GET', '/v2/funds']] as const) {
    const res = await app.inject({ method, url, headers: bearer(KEYS.admin) });
    t.equal(res.statusCode, 404, `${method} ${url}`);
    t.match(res.headers['content-type'], PROBLEM_JSON);
    like(t, res.json(), { type: 'https://poolshare.example/problems/not-found', title: 'Not Found', status: 404, instance: url });
  }
  const badUrl = await app.inject({ method: 'GET', url: '/v1/funds/%E0%A4%A/years/2015-16/positions' });
  t.equal(badUrl.statusCode, 400);
  t.match(badUrl.headers['content-type'], PROBLEM_JSON);
});

test('path and query strings: patterns, not coercion', async (t) => {
  const { app, service } = await setup(t);
  const get = (url: string) => app.inject({ method: 'GET', url, headers: bearer(KEYS.admin) });
  t.equal((await get(`${FY}/positions?asOfRevision=12`)).statusCode, 200);
  t.strictSame(service.calls.at(-1)?.args[1], 12, 'a number reaches the service');
  t.equal((await get(`${FY}/positions`)).statusCode, 200);
  t.equal(service.calls.at(-1)?.args[1], undefined, 'absent: latest');
  for (const bad of ['-1', '1.5', '01', '1e2', 'abc', '', '9999999999999999', '1&asOfRevision=2']) {
    const res = await get(`${FY}/positions?asOfRevision=${bad}`);
    t.equal(res.statusCode, 400, `asOfRevision=${bad}`);
    t.equal(res.json().errors[0].path, 'querystring/asOfRevision');
  }
  t.equal((await get(`${FY}/positions?asOf=1`)).statusCode, 400, 'unknown query parameter');
  t.equal((await get(`${FY}/events?fromRevision=3&limit=50`)).statusCode, 200);
  t.strictSame(service.calls.at(-1)?.args.slice(1), [3, 50]);
  t.equal((await get(`${FY}/events`)).statusCode, 200);
  t.strictSame(service.calls.at(-1)?.args.slice(1), [undefined, undefined], 'no limit: the service\'s page (EVENTS_PAGE_MAX) applies');
  t.equal((await get(`${FY}/events?limit=1001`)).statusCode, 400);
  t.equal((await get(`${FY}/events?limit=0`)).statusCode, 400);
  const badYear = await get('/v1/funds/plymouth-integrated-fund/years/2015/positions');
  t.strictSame(badYear.json().errors, [{ path: 'params/year', message: 'must be a financial year like "2015-16", the second part the year after the first' }]);
  const badVersion = await app.inject({ method: 'POST', url: `${FY}/agreements/0/acceptances`, headers: bearer(KEYS.ccg) });
  t.equal(badVersion.statusCode, 400);
  const version = await app.inject({ method: 'POST', url: `${FY}/agreements/12/acceptances`, headers: bearer(KEYS.ccg) });
  t.equal(version.statusCode, 200);
  t.equal(service.calls.at(-1)?.args[1], 12);
  const badSettlement = await get(`${FY}/settlements/${'x'.repeat(65)}`);
  t.equal(badSettlement.statusCode, 400);
});

test('operations without a body refuse one; none or {} is fine', async (t) => {
  const { app, service } = await setup(t);
  const close = (payload?: object) => app.inject({ method: 'POST', url: `${FY}/close`, headers: bearer(KEYS.admin), ...(payload ? { payload } : {}) });
  t.equal((await close()).statusCode, 200);
  t.equal((await close({})).statusCode, 200);
  const withBody = await close({ force: true });
  t.equal(withBody.statusCode, 400);
  like(t, withBody.json(), { type: 'https://poolshare.example/problems/validation', errors: [{ path: '/' }] });
  t.equal(service.calls.length, 2);
});

test('domain errors keep their status, code and field errors', async (t) => {
  const { app, service } = await setup(t, {
    async submitReturn() {
      throw new DomainError('unprocessable', 'return-lines-mismatch', 'The return does not cover the budget lines of ccg.', [{ path: '/lines/0/strategyId', message: 'unknown strategy' }]);
    },
    async closeYear() {
      throw new DomainError('conflict', 'missing-final-returns', 'No M12 return yet from: council.');
    },
  });
  const res = await app.inject({ method: 'POST', url: `${FY}/returns`, headers: bearer(KEYS.ccg), payload: returnBody() });
  t.equal(res.statusCode, 422);
  t.match(res.headers['content-type'], PROBLEM_JSON);
  t.strictSame(res.json(), {
    type: 'https://poolshare.example/problems/return-lines-mismatch', title: 'Unprocessable Entity', status: 422,
    detail: 'The return does not cover the budget lines of ccg.', instance: `${FY}/returns`, requestId: res.headers['x-request-id'],
    errors: [{ path: '/lines/0/strategyId', message: 'unknown strategy' }],
  });
  const close = await app.inject({ method: 'POST', url: `${FY}/close`, headers: bearer(KEYS.admin) });
  t.equal(close.statusCode, 409);
  t.equal(close.json().detail, 'No M12 return yet from: council.');
  t.notOk('errors' in close.json());
  t.equal(service.calls.length, 0);
});

test('anything else is a 500 that discloses nothing, and is logged', async (t) => {
  const lines: string[] = [];
  const stream = { write: (line: string) => void lines.push(line) };
  const { app } = await setup(t, {
    async listFunds() {
      throw new Error('SQLITE_CANTOPEN: /var/lib/poolshare/secret.sqlite');
    },
    async getSettlement() {
      // a service bug: a required field missing from the answer
      const { digest: _digest, ...rest } = settlement();
      return rest as never;
    },
  }, { logger: { level: 'info', stream } });
  const res = await app.inject({ method: 'GET', url: '/v1/funds', headers: bearer(KEYS.admin) });
  t.equal(res.statusCode, 500);
  t.match(res.headers['content-type'], PROBLEM_JSON);
  t.strictSame(Object.keys(res.json()).sort(), ['detail', 'instance', 'requestId', 'status', 'title', 'type']);
  t.equal(res.json().type, 'https://poolshare.example/problems/internal');
  t.notMatch(res.body, /SQLITE|secret|stack|at /);
  const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry['msg'] === 'internal error');
  like(t, logged, { level: 50, reqId: res.json().requestId, err: { message: 'SQLITE_CANTOPEN: /var/lib/poolshare/secret.sqlite' } }, 'logged with the request id');
  const broken = await app.inject({ method: 'GET', url: `${FY}/settlements/${SETTLEMENT_ID}`, headers: bearer(KEYS.admin) });
  t.equal(broken.statusCode, 500, 'an answer that breaks its schema is not sent');
  t.notMatch(broken.body, /digest/);
});

test('answers keep to their schema: unknown fields are not leaked', async (t) => {
  const { app } = await setup(t, {
    async getSettlement() {
      return { ...settlement(), internalNote: 'do not show', pots: [{ ...settlement().pots[0]!, debug: 'x' }] } as never;
    },
  });
  const res = await app.inject({ method: 'GET', url: `${FY}/settlements/${SETTLEMENT_ID}`, headers: bearer(KEYS.auditor) });
  t.equal(res.statusCode, 200);
  t.notMatch(res.body, /internalNote|debug/);
  t.strictSame(res.json(), settlement());
});

test('agreement terms travel in and out unchanged', async (t) => {
  const terms = {
    schemaVersion: 1,
    pots: [
      {
        potId: 'integrated-fund', strategies: ['wellbeing', 'community'],
        overspend: { bands: [{ upTo: '30000.00', basis: 'contribution' }, { upToPercentOfBudget: '2.5', basis: 'lead', partnerId: 'ccg' }, { basis: 'fixed', weights: { ccg: '0.6', council: '0.4' } }], caps: { council: '30000.00' } },
        underspend: { own: true },
      },
    ],
  };
  let proposed: unknown;
  const { app } = await setup(t, {
    async proposeAgreement(_ctx, _ref, body) { proposed = body.terms; return { version: 1, revision: 2 }; },
    async listAgreements() { return { adoptedVersion: 1, versions: [{ version: 1, terms: proposed as never, proposedBy: 'fund-admin', acceptedBy: ['ccg', 'council'], adopted: true }] }; },
  });
  const res = await app.inject({ method: 'POST', url: `${FY}/agreements`, headers: bearer(KEYS.admin), payload: { terms } });
  t.equal(res.statusCode, 201);
  t.strictSame(res.json(), { version: 1, revision: 2 });
  t.strictSame(proposed, terms);
  const list = await app.inject({ method: 'GET', url: `${FY}/agreements`, headers: bearer(KEYS.ccg) });
  t.strictSame(list.json().versions[0].terms, terms);
  const bad = await app.inject({ method: 'POST', url: `${FY}/agreements`, headers: bearer(KEYS.admin), payload: { terms: { pots: [{ ...terms.pots[0], overspend: { bands: [{ basis: 'fixed' }] } }] } } });
  t.equal(bad.statusCode, 400);
  t.strictSame(bad.json().errors, [{ path: '/terms/pots/0/overspend/bands/0/weights', message: 'is required' }]);
});

test('request ids and idempotency keys', async (t) => {
  const { app, service } = await setup(t);
  const res = await app.inject({ method: 'POST', url: `${FY}/returns`, headers: { ...bearer(KEYS.ccg), 'idempotency-key': 'ret-2015-16-M3-ccg', 'x-request-id': 'abc-123' }, payload: returnBody() });
  t.equal(res.statusCode, 201);
  t.equal(res.headers['x-request-id'], 'abc-123');
  const context = service.calls.at(-1)?.context;
  like(t, context, { requestId: 'abc-123', idempotencyKey: 'ret-2015-16-M3-ccg', principal: { name: 'ccg-finance', role: 'partner', partnerId: 'ccg' } });
  t.ok(!Number.isNaN(Date.parse(context?.receivedAt ?? '')), 'receivedAt is an ISO time');
  const fresh = await app.inject({ method: 'POST', url: `${FY}/returns`, headers: { ...bearer(KEYS.ccg), 'x-request-id': 'bad id\u0001' }, payload: returnBody() });
  t.match(fresh.headers['x-request-id'], /^[0-9a-f-]{36}$/, 'an unusable request id is replaced');
  t.notOk('idempotencyKey' in (service.calls.at(-1)?.context ?? {}), 'no key, no idempotencyKey');
  const long = await app.inject({ method: 'POST', url: `${FY}/returns`, headers: { ...bearer(KEYS.ccg), 'idempotency-key': 'k'.repeat(201) }, payload: returnBody() });
  t.equal(long.statusCode, 400);
  t.strictSame(long.json().errors, [{ path: 'headers/idempotency-key', message: 'must NOT have more than 200 characters' }]);
});

test('the CSV statement', async (t) => {
  const { app } = await setup(t);
  const res = await app.inject({ method: 'GET', url: `${FY}/settlements/${SETTLEMENT_ID}/statement.csv`, headers: bearer(KEYS.council) });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
  t.equal(res.headers['content-disposition'], `attachment; filename="${FUND}-${YEAR}-settlement-${SETTLEMENT_ID}.csv"`);
  t.equal(res.body, 'section,partner,amount\r\npayment,ccg,15000.00\r\n', 'sent as is, not JSON-quoted');
});

test('positions name all twelve months', async (t) => {
  const { app } = await setup(t);
  const res = await app.inject({ method: 'GET', url: `${FY}/positions`, headers: bearer(KEYS.ccg) });
  t.equal(res.statusCode, 200);
  const months = res.json().fund.forecastVarianceByPeriod;
  t.strictSame(Object.keys(months), ['M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7', 'M8', 'M9', 'M10', 'M11', 'M12']);
  t.equal(months.M1, '10.00');
  t.equal(months.M2, null);
});

test('health and readiness', async (t) => {
  let reachable = true;
  const { app } = await setup(t, { async ready() { if (!reachable) throw new Error('ECONNREFUSED 10.0.0.1:2113'); } });
  t.strictSame((await app.inject({ method: 'GET', url: '/healthz' })).json(), { status: 'ok' });
  t.strictSame((await app.inject({ method: 'GET', url: '/readyz' })).json(), { status: 'ok' });
  reachable = false;
  const down = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(down.statusCode, 503);
  like(t, down.json(), { type: 'https://poolshare.example/problems/store-unavailable', status: 503 });
  t.notMatch(down.body, /ECONNREFUSED/);
});

test('keys and bodies never reach the log', async (t) => {
  const lines: string[] = [];
  const stream = { write: (line: string) => void lines.push(line) };
  const { app } = await setup(t, {}, { logger: { level: 'trace', stream } });
  await app.inject({ method: 'POST', url: `${FY}/returns`, headers: { ...bearer(KEYS.ccg), 'idempotency-key': 'idem-secret-1' }, payload: returnBody() });
  await app.inject({ method: 'POST', url: `${FY}/returns`, headers: bearer(KEYS.council), payload: returnBody() });
  await app.inject({ method: 'GET', url: '/v1/funds', headers: bearer('an-unknown-key-value-12345') });
  const log = lines.join('');
  t.ok(lines.length >= 6, 'requests were logged');
  t.match(log, /incoming request/);
  for (const secret of [KEYS.ccg, KEYS.council, 'an-unknown-key-value-12345', '150000.00', 'idem-secret-1']) {
    t.notOk(log.includes(secret), `${secret.slice(0, 12)}… is not in the log`);
  }
});
