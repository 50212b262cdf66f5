// Black-box conformance of the HTTP API to the written rules (DOMAIN.md "Rules a
// command must enforce", API.md, SETTLEMENT.md §1): only HTTP in, only HTTP out,
// with the real service on an in-memory SQLite store. Every refusal is checked for
// its status, problem+json body, the field it names, and that the stream did not
// change; every JSON answer is walked for money sent as a JSON number.
import { test, type Test } from 'tap';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { routeSpec } from '../../src/http/route-table.js';
import { bearer, FUND, KEYS, YEAR } from './fixtures/fake-service.js';
import { realApp } from './fixtures/real-app.js';
import { like } from '../fixtures/like.js';

const FY = `/v1/funds/${FUND}/years/${YEAR}`;
const AMOUNT_RE = /^-?[0-9]{1,12}(\.[0-9]{1,2})?$/;

/** JSON numbers are allowed only under these keys (revisions, versions, problem status): never money. */
const INTEGER_KEYS = new Set(['revision', 'asOfRevision', 'version', 'agreementVersion', 'adoptedVersion', 'adoptedAgreementVersion', 'status']);

type Body = Record<string, unknown>;
interface Answer {
  status: number;
  headers: Record<string, unknown>;
  text: string;
  json: () => any;
}

/** Every JSON number in `value` whose key is not an integer field: money must never be a number. */
function numbersOutsideIntegers(value: unknown, pointer = ''): string[] {
  if (typeof value === 'number') {
    const key = pointer.split('/').pop() ?? '';
    return INTEGER_KEYS.has(key) && Number.isInteger(value) ? [] : [`${pointer || '/'} = ${value}`];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => numbersOutsideIntegers(item, `${pointer}/${i}`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => numbersOutsideIntegers(v, `${pointer}/${k}`));
  }
  return [];
}

interface World {
  app: FastifyInstance;
  call: (method: InjectOptions['method'], url: string, key: string | null, payload?: unknown, headers?: Record<string, string>) => Promise<Answer>;
  /** How many events the fund-year's stream holds, read as an auditor. */
  streamLength: (fy?: string) => Promise<number>;
  /** JSON answers walked and money-as-number findings (url: pointer = value). */
  walked: { count: number; findings: string[] };
}

async function world(t: Test): Promise<World> {
  const app = await realApp(t);
  const walked = { count: 0, findings: [] as string[] };
  const call: World['call'] = async (method, url, key, payload, headers = {}) => {
    const options: InjectOptions = { method, url, headers: { ...(key === null ? {} : bearer(key)), ...headers } };
    if (payload !== undefined) options.payload = payload as InjectOptions['payload'];
    const res = await app.inject(options);
    const type = String(res.headers['content-type'] ?? '');
    if (/json/.test(type) && url !== '/openapi.json') {
      walked.count++;
      walked.findings.push(...numbersOutsideIntegers(res.json()).map((f) => `${method} ${url}: ${f}`));
    }
    return { status: res.statusCode, headers: res.headers, text: res.body, json: () => res.json() };
  };
  const streamLength = async (fy = FY): Promise<number> => {
    const res = await call('GET', `${fy}/events`, KEYS.auditor);
    if (res.status !== 200) throw new Error(`cannot read ${fy}/events: ${res.status} ${res.text}`);
    return (res.json() as unknown[]).length;
  };
  return { app, call, streamLength, walked };
}

/**
 * The refusal contract: status, problem+json, RFC 9457 members, `errors` naming
 * `path` (a string or a pattern) where it is a field problem, and nothing appended.
 */
async function refused(
  t: Test,
  w: World,
  what: string,
  attempt: () => Promise<Answer>,
  status: number,
  expect: { path?: string | RegExp; message?: RegExp; detail?: RegExp; fy?: string } = {},
): Promise<Body> {
  const before = await w.streamLength(expect.fy);
  const res = await attempt();
  const after = await w.streamLength(expect.fy);
  t.equal(res.status, status, `${what}: ${status}`);
  t.match(String(res.headers['content-type']), /^application\/problem\+json/, `${what}: problem+json`);
  const body = res.json() as Body;
  t.type(body['type'], 'string', `${what}: type`);
  t.type(body['title'], 'string', `${what}: title`);
  t.equal(body['status'], status, `${what}: status member`);
  t.type(body['detail'], 'string', `${what}: detail`);
  if (expect.detail) t.match(body['detail'], expect.detail, `${what}: detail says why`);
  if (expect.path !== undefined) {
    const errors = body['errors'] as { path: string; message: string }[] | undefined;
    t.ok(Array.isArray(errors) && errors.every((e) => typeof e.path === 'string' && typeof e.message === 'string'), `${what}: errors[{path,message}]`);
    const hit = (errors ?? []).find((e) =>
      (typeof expect.path === 'string' ? e.path === expect.path : expect.path!.test(e.path)) && (expect.message === undefined || expect.message.test(e.message)));
    t.ok(hit, `${what}: errors name ${String(expect.path)}${expect.message ? ` ${String(expect.message)}` : ''} (got ${JSON.stringify(errors)})`);
  }
  t.equal(after, before, `${what}: the stream did not change`);
  return body;
}

const OPEN = routeSpec('openFundYear').example;
const BUDGET = routeSpec('setBudget').example;
const TERMS = routeSpec('proposeAgreement').example;
const POT = TERMS.terms.pots[0]!;

type Arr = 'pooled' | 'aligned';
const rl = (strategyId: string, arrangement: Arr, actualToDate: string, forecastOutturn = actualToDate) => ({ strategyId, arrangement, actualToDate, forecastOutturn });
/** ccg's budget lines: wellbeing/pooled, community/pooled, community/aligned. */
const ccgLines = (a = '600000.00', b = '1500000.00', c = '250000.00') => [rl('wellbeing', 'pooled', a), rl('community', 'pooled', b), rl('community', 'aligned', c)];
/** council's: wellbeing/pooled, community/pooled. */
const councilLines = (a = '400000.00', b = '500000.00') => [rl('wellbeing', 'pooled', a), rl('community', 'pooled', b)];

/** Opened, budget set; optionally an agreement adopted. */
async function seeded(w: World, opts: { adopt?: boolean } = {}): Promise<void> {
  const steps: [string, string, string, unknown][] = [['POST', FY, KEYS.admin, OPEN], ['PUT', `${FY}/budget`, KEYS.admin, BUDGET]];
  for (const [method, url, key, body] of steps) {
    const res = await w.call(method as 'POST', url, key, body);
    if (res.status >= 300) throw new Error(`seed ${method} ${url}: ${res.status} ${res.text}`);
  }
  if (opts.adopt) await adopt(w, TERMS);
}

async function adopt(w: World, terms: unknown): Promise<number> {
  const proposed = await w.call('POST', `${FY}/agreements`, KEYS.admin, terms);
  if (proposed.status !== 201) throw new Error(`propose: ${proposed.status} ${proposed.text}`);
  const version = proposed.json().version as number;
  for (const key of [KEYS.ccg, KEYS.council]) {
    const res = await w.call('POST', `${FY}/agreements/${version}/acceptances`, key);
    if (res.status !== 200) throw new Error(`accept: ${res.status} ${res.text}`);
  }
  return version;
}

async function submit(w: World, key: string, partnerId: string, period: string, lines: unknown[], extra: Body = {}): Promise<Answer> {
  const res = await w.call('POST', `${FY}/returns`, key, { partnerId, period, lines, ...extra });
  if (res.status !== 201) throw new Error(`return ${partnerId} ${period}: ${res.status} ${res.text}`);
  return res;
}

async function closed(w: World): Promise<void> {
  await submit(w, KEYS.ccg, 'ccg', 'M12', ccgLines('640000.00', '1530000.00', '310000.00'));
  await submit(w, KEYS.council, 'council', 'M12', councilLines('395000.00', '520000.00'));
  const res = await w.call('POST', `${FY}/close`, KEYS.admin);
  if (res.status !== 200) throw new Error(`close: ${res.status} ${res.text}`);
}

/** A test with its own world; at its end, every JSON answer it received was walked for money as a number. */
function scenario(name: string, body: (t: Test, w: World) => Promise<void>): void {
  test(name, async (t) => {
    const w = await world(t);
    await body(t, w);
    // A test that walked no JSON could not have found a number: guard against a vacuous pass.
    t.ok(w.walked.count > 0, `JSON answers walked: ${w.walked.count}`);
    t.strictSame(w.walked.findings, [], 'no money field (no field but a revision, version or status) is a JSON number');
  });
}

// ---------------------------------------------------------------- DOMAIN.md rules

scenario('rule ids: fund id, year (the next year), period', async (t, w) => {
  await seeded(w);
  const badFund = '/v1/funds/Plymouth_Fund/years/2015-16';
  const before = (await w.call('GET', '/v1/funds', KEYS.admin)).json().length as number;
  const fund = await w.call('POST', badFund, KEYS.admin, OPEN);
  t.equal(fund.status, 400, 'a fund id that is not a lower-case slug: 400');
  t.match(String(fund.headers['content-type']), /^application\/problem\+json/);
  like(t, fund.json(), { type: String, title: String, status: 400, detail: String, errors: [{ path: /fundId/, message: String }] });
  const single = await w.call('POST', '/v1/funds/p/years/2015-16', KEYS.admin, OPEN);
  t.equal(single.status, 400, 'a one-character fund id: 400');
  like(t, single.json(), { errors: [{ path: /fundId/ }] });
  for (const year of ['2015-17', '2015-15', '2015/16', '15-16']) {
    const url = `/v1/funds/${FUND}/years/${encodeURIComponent(year)}`;
    const res = await w.call('POST', url, KEYS.admin, OPEN);
    t.equal(res.status, 400, `year ${year}: 400`);
    t.match(String(res.headers['content-type']), /^application\/problem\+json/);
    like(t, res.json(), { type: String, title: String, status: 400, detail: String, errors: [{ path: /year/, message: String }] }, `year ${year}: names the year`);
  }
  t.equal((await w.call('GET', '/v1/funds', KEYS.admin)).json().length, before, 'no fund-year was opened by any of them');
  // A year whose parts do not follow each other is refused by the year schema on every operation, and appends nothing.
  const badYear = `/v1/funds/${FUND}/years/2015-17`;
  for (const [method, url, key, body] of [['PUT', `${badYear}/budget`, KEYS.admin, BUDGET], ['POST', `${badYear}/close`, KEYS.admin, undefined], ['POST', `${badYear}/returns`, KEYS.ccg, { partnerId: 'ccg', period: 'M1', lines: ccgLines() }], ['GET', `${badYear}/positions`, KEYS.auditor, undefined]] as const) {
    const res = await w.call(method, url, key, body);
    t.equal(res.status, 400, `${method} ${url}: 400`);
    like(t, res.json(), { type: String, title: String, status: 400, detail: String, errors: [{ path: 'params/year', message: String }] });
  }
  t.equal((await w.call('GET', '/v1/funds', KEYS.admin)).json().length, before, 'still nothing opened');
  const ok1999 = await w.call('POST', `/v1/funds/${FUND}/years/1999-00`, KEYS.admin, OPEN);
  t.equal(ok1999.status, 201, '1999-00 is a valid year (the century turns)');
  for (const period of ['M0', 'M13', 'm1', 'M01', '12']) {
    await refused(t, w, `period ${period}`, () => w.call('POST', `${FY}/returns`, KEYS.ccg, { partnerId: 'ccg', period, lines: ccgLines() }), 400, { path: '/period' });
  }
});

scenario('rule amounts: strings of the pattern, never JSON numbers; budgets ≥ 0', async (t, w) => {
  await seeded(w);
  const budgetWith = (amount: unknown) => ({ lines: [{ ...BUDGET.lines[0], amount }, ...BUDGET.lines.slice(1)] });
  for (const [label, amount] of [['a JSON number', 600000], ['a JSON number with places', 600000.5], ['three places', '1.005'], ['13 digits', '1234567890123'], ['an exponent', '6e5'], ['a comma', '600,000.00'], ['a leading dot', '.50'], ['a trailing dot', '1.'], ['spaces', ' 1.00'], ['negative', '-1.00'], ['null', null]] as const) {
    await refused(t, w, `budget amount ${label}`, () => w.call('PUT', `${FY}/budget`, KEYS.admin, budgetWith(amount)), 400, { path: '/lines/0/amount' });
  }
  t.equal((await w.call('PUT', `${FY}/budget`, KEYS.admin, budgetWith('0'))).status, 200, 'a zero budget in whole pounds is accepted');
  const returnWith = (field: 'actualToDate' | 'forecastOutturn', value: unknown) => {
    const lines: Body[] = ccgLines();
    lines[1] = { ...lines[1], [field]: value };
    return { partnerId: 'ccg', period: 'M1', lines };
  };
  for (const field of ['actualToDate', 'forecastOutturn'] as const) {
    await refused(t, w, `return ${field} as a number`, () => w.call('POST', `${FY}/returns`, KEYS.ccg, returnWith(field, 1500000)), 400, { path: `/lines/1/${field}` });
    await refused(t, w, `return ${field} with 3 places`, () => w.call('POST', `${FY}/returns`, KEYS.ccg, returnWith(field, '1.001')), 400, { path: `/lines/1/${field}` });
  }
  t.equal((await w.call('POST', `${FY}/returns`, KEYS.ccg, returnWith('actualToDate', '-12.5'))).status, 201, 'a return amount may be negative (a credit)');
  // caps in terms are amounts too
  const numberCap = { terms: { pots: [{ ...POT, overspend: { ...POT.overspend, caps: { council: 30000 } } }] } };
  await refused(t, w, 'a cap as a JSON number', () => w.call('POST', `${FY}/agreements`, KEYS.admin, numberCap), 400, { path: /caps\/council/ });
});

scenario('rule adjustment amounts and reasons after close', async (t, w) => {
  await seeded(w, { adopt: true });
  const adj = routeSpec('adjustOutturn').example;
  await refused(t, w, 'an adjustment before close', () => w.call('POST', `${FY}/adjustments`, KEYS.admin, adj), 409, { detail: /closed/ });
  await closed(w);
  await refused(t, w, 'an adjustment amount as a number', () => w.call('POST', `${FY}/adjustments`, KEYS.admin, { ...adj, amount: -2500 }), 400, { path: '/amount' });
  await refused(t, w, 'an adjustment on an undeclared strategy', () => w.call('POST', `${FY}/adjustments`, KEYS.admin, { ...adj, strategyId: 'mental-health' }), 400, { path: '/strategyId' });
  await refused(t, w, 'an adjustment for an undeclared partner', () => w.call('POST', `${FY}/adjustments`, KEYS.admin, { ...adj, partnerId: 'county' }), 400, { path: '/partnerId' });
  await refused(t, w, 'an adjustment without a reason', () => w.call('POST', `${FY}/adjustments`, KEYS.admin, { ...adj, reason: undefined }), 400, { path: '/reason' });
});

scenario('rule declared: every strategy and partner referenced is declared', async (t, w) => {
  await seeded(w);
  const line = BUDGET.lines[0];
  await refused(t, w, 'a budget line on an undeclared strategy', () => w.call('PUT', `${FY}/budget`, KEYS.admin, { lines: [...BUDGET.lines, { ...line, strategyId: 'mental-health' }] }), 400, { path: '/lines/5/strategyId', message: /mental-health/ });
  await refused(t, w, 'a budget line for an undeclared partner', () => w.call('PUT', `${FY}/budget`, KEYS.admin, { lines: [...BUDGET.lines, { ...line, partnerId: 'county' }] }), 400, { path: '/lines/5/partnerId', message: /county/ });
  await refused(t, w, 'a return line on an undeclared strategy', () => w.call('POST', `${FY}/returns`, KEYS.ccg, { partnerId: 'ccg', period: 'M1', lines: [...ccgLines(), rl('mental-health', 'pooled', '1.00')] }), 400, { path: '/lines/3/strategyId', message: /mental-health/ });
  const badPot = { terms: { pots: [{ ...POT, strategies: ['wellbeing', 'mental-health'] }] } };
  await refused(t, w, 'terms naming an undeclared strategy', () => w.call('POST', `${FY}/agreements`, KEYS.admin, badPot), 422, { path: /strategies/, message: /mental-health/ });
  const badWeights = { terms: { pots: [{ ...POT, overspend: { bands: [{ basis: 'fixed', weights: { ccg: '0.5', county: '0.5' } }] } }] } };
  await refused(t, w, 'terms naming an undeclared partner', () => w.call('POST', `${FY}/agreements`, KEYS.admin, badWeights), 422, { path: /county/ });
  // A partner key whose partner is not declared in this fund-year (2016-17 declares council and county only).
  const other = `/v1/funds/${FUND}/years/2016-17`;
  const opened = await w.call('POST', other, KEYS.admin, { ...OPEN, partners: [{ partnerId: 'council', name: 'Council' }, { partnerId: 'county', name: 'County' }] });
  t.equal(opened.status, 201);
  t.equal((await w.call('PUT', `${other}/budget`, KEYS.admin, { lines: [{ strategyId: 'wellbeing', partnerId: 'council', arrangement: 'pooled', amount: '1.00' }] })).status, 200);
  await refused(t, w, 'a return for a partner the fund-year does not declare', () => w.call('POST', `${other}/returns`, KEYS.ccg, { partnerId: 'ccg', period: 'M1', lines: [rl('wellbeing', 'pooled', '1.00')] }), 400, { path: '/partnerId', fy: other });
});

scenario('rule unique budget lines per (strategy, partner, arrangement)', async (t, w) => {
  await seeded(w);
  await refused(t, w, 'a repeated budget line', () => w.call('PUT', `${FY}/budget`, KEYS.admin, { lines: [...BUDGET.lines, { ...BUDGET.lines[2], amount: '1.00' }] }), 400, { path: '/lines/5', message: /community\/ccg\/pooled/ });
  const same = { ...BUDGET.lines[4], arrangement: 'pooled' as const };
  t.not(JSON.stringify(same), JSON.stringify(BUDGET.lines[2]), 'differs from line 2 by amount only');
  const distinct = await w.call('PUT', `${FY}/budget`, KEYS.admin, { lines: [BUDGET.lines[2], BUDGET.lines[4]] });
  t.equal(distinct.status, 200, 'the same strategy and partner with another arrangement is another line');
});

scenario('rule a return covers exactly the partner\'s lines: missing, unknown and repeated are each named', async (t, w) => {
  await seeded(w);
  const [wellbeing, community, aligned] = ccgLines();
  await refused(t, w, 'a missing line', () => w.call('POST', `${FY}/returns`, KEYS.ccg, { partnerId: 'ccg', period: 'M1', lines: [wellbeing, community] }), 400, { path: '/lines', message: /community\/aligned/ });
  await refused(t, w, 'an unknown line (a council-only arrangement is not ccg\'s)', () => w.call('POST', `${FY}/returns`, KEYS.council, { partnerId: 'council', period: 'M1', lines: [...councilLines(), rl('community', 'aligned', '1.00')] }), 400, { path: '/lines/2', message: /community\/aligned/ });
  await refused(t, w, 'a repeated line', () => w.call('POST', `${FY}/returns`, KEYS.ccg, { partnerId: 'ccg', period: 'M1', lines: [wellbeing, community, aligned, wellbeing] }), 400, { path: '/lines/3', message: /wellbeing\/pooled.*repeated/ });
  const all = await refused(t, w, 'missing, unknown and repeated at once', () => w.call('POST', `${FY}/returns`, KEYS.council, { partnerId: 'council', period: 'M1', lines: [rl('wellbeing', 'pooled', '1.00'), rl('wellbeing', 'pooled', '1.00'), rl('wellbeing', 'aligned', '1.00')] }), 400, { path: '/lines', message: /community\/pooled.*missing/ });
  const errors = all['errors'] as { path: string; message: string }[];
  t.ok(errors.some((e) => e.path === '/lines/1' && /repeated/.test(e.message)), 'the repeat is named too');
  t.ok(errors.some((e) => e.path === '/lines/2' && /wellbeing\/aligned/.test(e.message)), 'the unknown line is named too');
});

scenario('rule a second return for a partner and period needs "correction": true, else 409', async (t, w) => {
  await seeded(w);
  await submit(w, KEYS.ccg, 'ccg', 'M3', ccgLines());
  await refused(t, w, 'a second M3 without correction', () => w.call('POST', `${FY}/returns`, KEYS.ccg, { partnerId: 'ccg', period: 'M3', lines: ccgLines('1.00') }), 409, { path: '/correction' });
  await refused(t, w, 'a second M3 with correction: false', () => w.call('POST', `${FY}/returns`, KEYS.ccg, { partnerId: 'ccg', period: 'M3', lines: ccgLines('1.00'), correction: false }), 409, { path: '/correction' });
  t.equal((await w.call('POST', `${FY}/returns`, KEYS.ccg, { partnerId: 'ccg', period: 'M3', lines: ccgLines('1.00'), correction: true })).status, 201, 'the correction is accepted');
  t.equal((await w.call('POST', `${FY}/returns`, KEYS.council, { partnerId: 'council', period: 'M3', lines: councilLines() })).status, 201, 'another partner\'s M3 is its first');
});

scenario('rule Idempotency-Key: same body replays and appends nothing; another body is 422', async (t, w) => {
  await seeded(w);
  const body = { partnerId: 'ccg', period: 'M2', lines: ccgLines() };
  const key = { 'idempotency-key': 'ccg-M2-attempt-1' };
  const first = await w.call('POST', `${FY}/returns`, KEYS.ccg, body, key);
  t.equal(first.status, 201);
  const length = await w.streamLength();
  const again = await w.call('POST', `${FY}/returns`, KEYS.ccg, body, key);
  t.equal(again.status, 201, 'the replay has the first status');
  t.strictSame(again.json(), first.json(), 'the replay is the first answer');
  t.equal(await w.streamLength(), length, 'the replay appended nothing');
  await refused(t, w, 'the same key with another body', () => w.call('POST', `${FY}/returns`, KEYS.ccg, { ...body, lines: ccgLines('1.00') }, key), 422, { path: 'headers/idempotency-key', message: /already used/ });
  await refused(t, w, 'the same key on another operation by the same caller', () => w.call('POST', `${FY}/agreements/1/acceptances`, KEYS.ccg, undefined, key), 422);
  // Keys belong to the caller that sent them: another key's caller using it makes its own request.
  const budgetLength = await w.streamLength();
  t.equal((await w.call('PUT', `${FY}/budget`, KEYS.admin, { ...BUDGET, reason: 'x' }, key)).status, 200, 'the same key from another caller is another request');
  t.equal(await w.streamLength(), budgetLength + 1);
  // a keyed command other than a return: the budget
  const varied = { ...BUDGET, reason: 'in-year variation' };
  const budgetKey = { 'idempotency-key': 'budget-variation-1' };
  const v1 = await w.call('PUT', `${FY}/budget`, KEYS.admin, varied, budgetKey);
  t.equal(v1.status, 200);
  const afterVariation = await w.streamLength();
  t.strictSame((await w.call('PUT', `${FY}/budget`, KEYS.admin, varied, budgetKey)).json(), v1.json(), 'a budget replay is the first answer');
  t.equal(await w.streamLength(), afterVariation, 'and appends nothing');
});

scenario('rule no return once the year is closed', async (t, w) => {
  await seeded(w);
  await closed(w);
  await refused(t, w, 'a correction after close', () => w.call('POST', `${FY}/returns`, KEYS.ccg, { partnerId: 'ccg', period: 'M12', lines: ccgLines(), correction: true }), 409, { detail: /closed/ });
  await refused(t, w, 'a new period after close', () => w.call('POST', `${FY}/returns`, KEYS.council, { partnerId: 'council', period: 'M11', lines: councilLines() }), 409, { detail: /closed/ });
  await refused(t, w, 'a budget change after close', () => w.call('PUT', `${FY}/budget`, KEYS.admin, { ...BUDGET, reason: 'late' }), 409);
  await refused(t, w, 'closing twice', () => w.call('POST', `${FY}/close`, KEYS.admin), 409);
});

scenario('rule the year closes only with every partner\'s M12; the error lists who has not', async (t, w) => {
  await seeded(w);
  const none = await refused(t, w, 'close with no M12 at all', () => w.call('POST', `${FY}/close`, KEYS.admin), 409, { path: /council/, detail: /ccg, council/ });
  t.ok((none['errors'] as { path: string }[]).some((e) => /ccg/.test(e.path)), 'ccg is named too');
  await submit(w, KEYS.council, 'council', 'M11', councilLines());
  await submit(w, KEYS.ccg, 'ccg', 'M12', ccgLines());
  const one = await refused(t, w, 'close with only ccg\'s M12 (council has M11)', () => w.call('POST', `${FY}/close`, KEYS.admin), 409, { path: /council/, detail: /council/ });
  t.notOk((one['errors'] as { path: string; message: string }[]).some((e) => /ccg/.test(e.path + e.message)), 'ccg, which has its M12, is not named');
  await submit(w, KEYS.council, 'council', 'M12', councilLines());
  const ok = await w.call('POST', `${FY}/close`, KEYS.admin);
  t.equal(ok.status, 200, 'close → 200');
  like(t, ok.json(), { status: 'closed', revision: Number });
});

scenario('rule a final settlement needs a closed year and an adopted agreement; a forecast an adopted agreement', async (t, w) => {
  await seeded(w);
  await refused(t, w, 'forecast without any agreement', () => w.call('POST', `${FY}/settlements`, KEYS.admin, { mode: 'forecast' }), 409, { detail: /agreement/ });
  const proposed = await w.call('POST', `${FY}/agreements`, KEYS.admin, TERMS);
  t.equal(proposed.status, 201);
  t.equal((await w.call('POST', `${FY}/agreements/1/acceptances`, KEYS.ccg)).status, 200);
  await refused(t, w, 'forecast with an agreement only ccg accepted', () => w.call('POST', `${FY}/settlements`, KEYS.admin, { mode: 'forecast' }), 409, { detail: /agreement/ });
  await submit(w, KEYS.ccg, 'ccg', 'M12', ccgLines('640000.00', '1530000.00', '310000.00'));
  await submit(w, KEYS.council, 'council', 'M12', councilLines('395000.00', '520000.00'));
  t.equal((await w.call('POST', `${FY}/close`, KEYS.admin)).status, 200);
  await refused(t, w, 'final on a closed year without an adopted agreement', () => w.call('POST', `${FY}/settlements`, KEYS.admin, { mode: 'final' }), 409, { detail: /agreement/ });
  t.equal((await w.call('POST', `${FY}/agreements/1/acceptances`, KEYS.council)).status, 200, 'adopted after close');
  const beforeClose = (await w.call('GET', `${FY}/events`, KEYS.auditor)).json().find((e: { type: string }) => e.type === 'YearClosed').revision - 1;
  await refused(t, w, 'final as of a revision before the close', () => w.call('POST', `${FY}/settlements`, KEYS.admin, { mode: 'final', asOfRevision: beforeClose }), 409, { detail: /closed/ });
  t.equal((await w.call('POST', `${FY}/settlements`, KEYS.admin, { mode: 'final' })).status, 201, 'closed and adopted: 201');
  t.equal((await w.call('POST', `${FY}/settlements`, KEYS.admin, { mode: 'forecast' })).status, 201, 'a forecast on a closed year too');
});

scenario('rule a final settlement on an open year is refused even with an adopted agreement', async (t, w) => {
  await seeded(w, { adopt: true });
  await refused(t, w, 'final on an open year', () => w.call('POST', `${FY}/settlements`, KEYS.admin, { mode: 'final' }), 409, { detail: /closed/ });
  await refused(t, w, 'an unknown mode', () => w.call('POST', `${FY}/settlements`, KEYS.admin, { mode: 'interim' }), 400, { path: '/mode' });
  await refused(t, w, 'an asOfRevision beyond the stream', () => w.call('POST', `${FY}/settlements`, KEYS.admin, { mode: 'forecast', asOfRevision: 999 }), 400, { path: '/asOfRevision' });
});

scenario('rule a partner\'s principal acts only for its own partner', async (t, w) => {
  await seeded(w, { adopt: true });
  await refused(t, w, 'ccg submits council\'s return', () => w.call('POST', `${FY}/returns`, KEYS.ccg, { partnerId: 'council', period: 'M1', lines: councilLines() }), 403, { path: '/partnerId' });
  await refused(t, w, 'ccg\'s key used on another fund', () => w.call('POST', `/v1/funds/torbay-fund/years/${YEAR}/returns`, KEYS.ccg, { partnerId: 'ccg', period: 'M1', lines: ccgLines() }), 403);
  await refused(t, w, 'the other fund\'s ccg key on this fund', () => w.call('POST', `${FY}/returns`, KEYS.otherFundCcg, { partnerId: 'ccg', period: 'M1', lines: ccgLines() }), 403);
  for (const [what, method, url, body] of [
    ['a partner opens a fund-year', 'POST', `/v1/funds/${FUND}/years/2017-18`, OPEN],
    ['a partner sets the budget', 'PUT', `${FY}/budget`, BUDGET],
    ['a partner proposes terms', 'POST', `${FY}/agreements`, TERMS],
    ['a partner closes the year', 'POST', `${FY}/close`, undefined],
    ['a partner calculates a settlement', 'POST', `${FY}/settlements`, { mode: 'forecast' }],
    ['a partner reads the audit trail', 'GET', `${FY}/events`, undefined],
  ] as const) {
    await refused(t, w, what, () => w.call(method, url, KEYS.council, body), 403);
  }
  await closed(w);
  await refused(t, w, 'council adjusts a ccg line', () => w.call('POST', `${FY}/adjustments`, KEYS.council, routeSpec('adjustOutturn').example), 403, { path: '/partnerId' });
  t.equal((await w.call('POST', `${FY}/adjustments`, KEYS.ccg, routeSpec('adjustOutturn').example)).status, 201, 'ccg adjusts its own line → 201');
  const other = `/v1/funds/${FUND}/years/2016-17`;
  t.equal((await w.call('POST', other, KEYS.admin, { ...OPEN, partners: [{ partnerId: 'council', name: 'Council' }, { partnerId: 'county', name: 'County' }] })).status, 201);
  t.equal((await w.call('POST', `${other}/agreements`, KEYS.admin, { terms: { pots: [{ potId: 'p', strategies: ['wellbeing'], overspend: { own: true }, underspend: { own: true } }] } })).status, 201);
  await refused(t, w, 'ccg accepts terms of a fund-year without ccg', () => w.call('POST', `${other}/agreements/1/acceptances`, KEYS.ccg), 403, { fy: other });
});

scenario('rule an auditor may only read', async (t, w) => {
  await seeded(w, { adopt: true });
  await closed(w);
  const settlement = (await w.call('POST', `${FY}/settlements`, KEYS.admin, { mode: 'final' })).json();
  const writes: [string, InjectOptions['method'], string, unknown][] = [
    ['open', 'POST', `/v1/funds/${FUND}/years/2017-18`, OPEN],
    ['budget', 'PUT', `${FY}/budget`, { ...BUDGET, reason: 'audit' }],
    ['propose', 'POST', `${FY}/agreements`, TERMS],
    ['accept', 'POST', `${FY}/agreements/1/acceptances`, undefined],
    ['return', 'POST', `${FY}/returns`, { partnerId: 'ccg', period: 'M12', lines: ccgLines(), correction: true }],
    ['close', 'POST', `${FY}/close`, undefined],
    ['adjust', 'POST', `${FY}/adjustments`, routeSpec('adjustOutturn').example],
    ['settle', 'POST', `${FY}/settlements`, { mode: 'final' }],
    ['approve', 'POST', `${FY}/settlements/${settlement.settlementId}/approvals`, undefined],
  ];
  for (const [what, method, url, body] of writes) {
    await refused(t, w, `an auditor tries: ${what}`, () => w.call(method, url, KEYS.auditor, body), 403);
  }
  for (const url of [`${FY}/positions`, `${FY}/agreements`, `${FY}/settlements`, `${FY}/settlements/${settlement.settlementId}`, `${FY}/settlements/${settlement.settlementId}/verification`, `${FY}/settlements/${settlement.settlementId}/statement.csv`, `${FY}/events`, '/v1/funds']) {
    t.equal((await w.call('GET', url, KEYS.auditor)).status, 200, `an auditor reads ${url}`);
  }
});

// ---------------------------------------------------------------- API.md

scenario('API: every path and method, with its documented success status', async (t, w) => {
  const expect = async (what: string, method: InjectOptions['method'], url: string, key: string | null, status: number, body?: unknown) => {
    const res = await w.call(method, url, key, body);
    t.equal(res.status, status, `${method} ${what} → ${status}`);
    if (res.status !== status) t.comment(res.text);
    return res;
  };
  await expect('open', 'POST', FY, KEYS.admin, 201, OPEN);
  t.equal((await w.call('POST', FY, KEYS.admin, OPEN)).status, 409, 'open again → 409');
  await expect('funds', 'GET', '/v1/funds', KEYS.council, 200);
  await expect('budget', 'PUT', `${FY}/budget`, KEYS.admin, 200, BUDGET);
  const proposed = await expect('agreements', 'POST', `${FY}/agreements`, KEYS.admin, 201, TERMS);
  like(t, proposed.json(), { version: 1 });
  await expect('acceptance', 'POST', `${FY}/agreements/1/acceptances`, KEYS.ccg, 200);
  await expect('acceptance', 'POST', `${FY}/agreements/1/acceptances`, KEYS.council, 200);
  like(t, (await expect('agreements', 'GET', `${FY}/agreements`, KEYS.auditor, 200)).json(), { adoptedVersion: 1, versions: [{ version: 1, acceptedBy: ['ccg', 'council'], adopted: true }] });
  const ret = await expect('returns', 'POST', `${FY}/returns`, KEYS.ccg, 201, { partnerId: 'ccg', period: 'M12', lines: ccgLines('640000.00', '1530000.00', '310000.00') });
  like(t, ret.json(), { returnId: String, revision: Number });
  await expect('returns', 'POST', `${FY}/returns`, KEYS.council, 201, { partnerId: 'council', period: 'M12', lines: councilLines('395000.00', '520000.00') });
  await expect('positions', 'GET', `${FY}/positions`, KEYS.ccg, 200);
  const forecast = await expect('settlements (forecast)', 'POST', `${FY}/settlements`, KEYS.admin, 201, { mode: 'forecast' });
  await expect('close', 'POST', `${FY}/close`, KEYS.admin, 200);
  await expect('adjustments', 'POST', `${FY}/adjustments`, KEYS.admin, 201, routeSpec('adjustOutturn').example);
  const final = await expect('settlements (final)', 'POST', `${FY}/settlements`, KEYS.admin, 201, { mode: 'final' });
  const id = final.json().settlementId as string;
  await expect('settlements', 'GET', `${FY}/settlements`, KEYS.council, 200);
  await expect('settlement', 'GET', `${FY}/settlements/${id}`, KEYS.council, 200);
  like(t, (await expect('verification', 'GET', `${FY}/settlements/${id}/verification`, KEYS.council, 200)).json(), { digest: final.json().digest, recomputedDigest: final.json().digest, match: true });
  await expect('approvals', 'POST', `${FY}/settlements/${id}/approvals`, KEYS.ccg, 200);
  like(t, (await expect('approvals', 'POST', `${FY}/settlements/${id}/approvals`, KEYS.council, 200)).json(), { status: 'approved', approvedBy: ['ccg', 'council'] });
  await refused(t, w, 'approving a forecast', () => w.call('POST', `${FY}/settlements/${forecast.json().settlementId}/approvals`, KEYS.ccg), 409);
  const csv = await expect('statement.csv', 'GET', `${FY}/settlements/${id}/statement.csv`, KEYS.council, 200);
  t.match(String(csv.headers['content-type']), /^text\/csv/);
  t.ok(csv.text.includes(final.json().digest), 'the statement carries the digest');
  const events = await expect('events', 'GET', `${FY}/events?fromRevision=1`, KEYS.admin, 200);
  t.equal(events.json()[0].revision, 1, '?fromRevision= pages the trail');
  like(t, (await expect('healthz', 'GET', '/healthz', null, 200)).json(), { status: 'ok' });
  like(t, (await expect('readyz', 'GET', '/readyz', null, 200)).json(), { status: 'ok' });
  const doc = await expect('openapi.json', 'GET', '/openapi.json', null, 200);
  like(t, doc.json(), { openapi: /^3\.1/, paths: { '/v1/funds': Object, '/v1/funds/{fundId}/years/{year}/settlements/{settlementId}/approvals': Object } });
  const docs = await w.app.inject({ method: 'GET', url: '/docs' });
  t.ok(docs.statusCode === 200 || (docs.statusCode === 302 && typeof docs.headers.location === 'string'), `/docs answers (${docs.statusCode})`);
  const page = docs.statusCode === 302 ? await w.app.inject({ method: 'GET', url: `/docs/${String(docs.headers.location).replace(/^.*\//, '')}` }) : docs;
  t.equal(page.statusCode, 200, '/docs renders');
  t.match(page.body, /swagger|<html/i, 'an HTML page');
  t.equal((await w.call('GET', '/v1/funds', null)).status, 401, 'no key → 401');
  t.equal((await w.call('GET', '/v1/funds', 'not-a-key')).status, 401, 'unknown key → 401');
});

scenario('API: the settlement body, settlements newest first, an older final superseded', async (t, w) => {
  await seeded(w, { adopt: true });
  await closed(w);
  const first = (await w.call('POST', `${FY}/settlements`, KEYS.admin, { mode: 'final' })).json();
  const fieldsTop = ['settlementId', 'fundId', 'year', 'mode', 'asOfRevision', 'agreementVersion', 'engineVersion', 'status', 'requiresDecision', 'assumedOnBudget', 'pots', 'partners', 'payments', 'unshared', 'digest'];
  for (const field of fieldsTop) t.ok(field in first, `settlement has ${field}`);
  like(t, first, { fundId: FUND, year: YEAR, mode: 'final', asOfRevision: Number, agreementVersion: 1, engineVersion: String, status: 'calculated', requiresDecision: false, assumedOnBudget: [], digest: /^sha256:[0-9a-f]{64}$/ });
  t.equal(first.pots.length, 1);
  const pot = first.pots[0];
  for (const field of ['potId', 'budget', 'variance', 'direction', 'bands', 'shares', 'unallocated']) t.ok(field in pot, `pot has ${field}`);
  like(t, pot, { potId: 'integrated-fund', budget: '3000000.00', variance: '85000.00', direction: 'overspend', shares: { ccg: '55000.00', council: '30000.00' }, unallocated: '0.00' });
  t.strictSame(pot.bands, [{ from: '0.00', to: '30000.00', amount: '30000.00' }, { from: '30000.00', to: null, amount: '55000.00' }], 'bands[{from,to,amount}]');
  t.strictSame(first.partners, [
    { partnerId: 'ccg', varianceBorne: '70000.00', share: '55000.00', transfer: '-15000.00' },
    { partnerId: 'council', varianceBorne: '15000.00', share: '30000.00', transfer: '15000.00' },
  ], 'partners[{partnerId, varianceBorne, share, transfer}]');
  t.strictSame(first.payments, [{ from: 'council', to: 'ccg', amount: '15000.00' }], 'payments[{from,to,amount}]');
  t.strictSame(first.unshared, [{ strategyId: 'community', partnerId: 'ccg', arrangement: 'aligned', variance: '60000.00' }], 'unshared[{strategyId, partnerId, arrangement, variance}]');
  const forecast = (await w.call('POST', `${FY}/settlements`, KEYS.admin, { mode: 'forecast' })).json();
  const second = (await w.call('POST', `${FY}/settlements`, KEYS.admin, { mode: 'final' })).json();
  const list = (await w.call('GET', `${FY}/settlements`, KEYS.council)).json() as { settlementId: string; status: string }[];
  t.strictSame(list.map((s) => s.settlementId), [second.settlementId, forecast.settlementId, first.settlementId], 'newest first');
  t.strictSame(list.map((s) => s.status), ['calculated', 'calculated', 'superseded'], 'the older final is superseded; a forecast is not');
  t.equal((await w.call('GET', `${FY}/settlements/${first.settlementId}`, KEYS.ccg)).json().status, 'superseded', 'also when read alone');
  await refused(t, w, 'approving a superseded settlement', () => w.call('POST', `${FY}/settlements/${first.settlementId}/approvals`, KEYS.ccg), 409);
  const unknownId = '00000000-0000-4000-8000-000000000000';
  const missing = await w.call('GET', `${FY}/settlements/${unknownId}`, KEYS.ccg);
  t.equal(missing.status, 404);
  t.match(String(missing.headers['content-type']), /^application\/problem\+json/);
});

scenario('API: approvals are refused while requiresDecision (caps on every partner, U ≠ 0)', async (t, w) => {
  await seeded(w);
  const capped = { terms: { pots: [{ potId: 'integrated-fund', strategies: ['wellbeing', 'community'], overspend: { bands: [{ basis: 'contribution' }], caps: { ccg: '40000.00', council: '10000.00' } }, underspend: { bands: [{ basis: 'contribution' }] } }] } };
  await adopt(w, capped);
  await closed(w);
  const s = await w.call('POST', `${FY}/settlements`, KEYS.admin, { mode: 'final' });
  t.equal(s.status, 201);
  const body = s.json();
  // V = 85,000.00; contribution 70/30 → 59,500 / 25,500; both over their caps → 40,000 + 10,000, U = 35,000.
  like(t, body, { requiresDecision: true, payments: [], pots: [{ unallocated: '35000.00', shares: { ccg: '40000.00', council: '10000.00' } }] });
  await refused(t, w, 'ccg approves while requiresDecision', () => w.call('POST', `${FY}/settlements/${body.settlementId}/approvals`, KEYS.ccg), 409, { detail: /decide|unallocated/ });
  await refused(t, w, 'council approves while requiresDecision', () => w.call('POST', `${FY}/settlements/${body.settlementId}/approvals`, KEYS.council), 409);
  like(t, (await w.call('GET', `${FY}/settlements/${body.settlementId}`, KEYS.ccg)).json(), { status: 'calculated', approvedBy: [] });
});

scenario('API: GET /v1/funds shows only the caller\'s funds', async (t, w) => {
  await seeded(w);
  t.equal((await w.call('POST', `/v1/funds/torbay-fund/years/${YEAR}`, KEYS.otherFundAdmin, OPEN)).status, 201, 'a Torbay admin opens Torbay');
  const ids = async (key: string) => ((await w.call('GET', '/v1/funds', key)).json() as { fundId: string }[]).map((f) => f.fundId).sort();
  t.strictSame(await ids(KEYS.ccg), [FUND], 'a Plymouth partner sees Plymouth only');
  t.strictSame(await ids(KEYS.otherFundCcg), ['torbay-fund'], 'a Torbay partner sees Torbay only');
  t.strictSame(await ids(KEYS.otherFundAuditor), ['torbay-fund'], 'a Torbay auditor sees Torbay only');
  t.strictSame(await ids(KEYS.admin), [FUND, 'torbay-fund'], 'a key for every fund sees both');
  const summary = ((await w.call('GET', '/v1/funds', KEYS.ccg)).json() as Body[])[0];
  like(t, summary, { fundId: FUND, year: YEAR, status: 'open', budget: '3250000.00' }, 'with summary positions');
  await refused(t, w, 'a Torbay key reads Plymouth positions', () => w.call('GET', `${FY}/positions`, KEYS.otherFundCcg), 403);
});

scenario('API: a budget PUT after the first return needs a reason, recorded as a variation', async (t, w) => {
  await seeded(w);
  t.equal((await w.call('PUT', `${FY}/budget`, KEYS.admin, BUDGET)).status, 200, 'before any return, a budget needs no reason');
  await submit(w, KEYS.ccg, 'ccg', 'M1', ccgLines());
  await refused(t, w, 'a budget change without a reason after a return', () => w.call('PUT', `${FY}/budget`, KEYS.admin, BUDGET), 400, { path: '/reason' });
  await refused(t, w, 'an empty reason', () => w.call('PUT', `${FY}/budget`, KEYS.admin, { ...BUDGET, reason: '' }), 400, { path: '/reason' });
  const lines = BUDGET.lines.map((l, i) => (i === 0 ? { ...l, amount: '650000.00' } : l));
  const varied = await w.call('PUT', `${FY}/budget`, KEYS.admin, { lines, reason: 'Winter pressures allocation' });
  t.equal(varied.status, 200);
  const events = (await w.call('GET', `${FY}/events`, KEYS.auditor)).json() as { type: string; data: Body; revision: number }[];
  const last = events[events.length - 1]!;
  t.equal(last.revision, varied.json().revision, 'the answer names the revision appended');
  like(t, last, { type: 'BudgetVaried', data: { reason: 'Winter pressures allocation' } }, 'recorded as a variation with its reason');
  t.equal(events.filter((e) => e.type === 'BudgetSet').length, 2, 'the earlier budgets were BudgetSet');
  like(t, (await w.call('GET', `${FY}/positions`, KEYS.ccg)).json().fund, { budget: '3300000.00' }, 'the variation is in force');
});

scenario('API: a forecast settlement lists partners with no return in assumedOnBudget', async (t, w) => {
  await seeded(w, { adopt: true });
  await submit(w, KEYS.ccg, 'ccg', 'M6', ccgLines('300000.00', '750000.00', '125000.00').map((l, i) => ({ ...l, forecastOutturn: ['640000.00', '1530000.00', '310000.00'][i]! })));
  const forecast = await w.call('POST', `${FY}/settlements`, KEYS.admin, { mode: 'forecast' });
  t.equal(forecast.status, 201);
  like(t, forecast.json(), { mode: 'forecast', assumedOnBudget: ['council'], pots: [{ variance: '70000.00' }] }, 'council has no return: on budget');
  await submit(w, KEYS.council, 'council', 'M1', councilLines());
  like(t, (await w.call('POST', `${FY}/settlements`, KEYS.admin, { mode: 'forecast' })).json(), { assumedOnBudget: [] }, 'once council has a return, nobody is assumed');
  const atFirst = forecast.json().asOfRevision as number;
  like(t, (await w.call('POST', `${FY}/settlements`, KEYS.admin, { mode: 'forecast', asOfRevision: atFirst })).json(), { assumedOnBudget: ['council'], asOfRevision: atFirst }, 'at the earlier revision, as it stood then');
  like(t, (await w.call('POST', `${FY}/settlements`, KEYS.admin, { mode: 'forecast', asOfRevision: atFirst - 1 })).json(), { assumedOnBudget: ['ccg', 'council'], pots: [{ variance: '0.00', direction: 'none' }] }, 'before any return, every partner (declared order)');
});

scenario('API: positions ?asOfRevision= gives the earlier figures', async (t, w) => {
  await seeded(w);
  const m1 = await submit(w, KEYS.ccg, 'ccg', 'M1', ccgLines('50000.00', '125000.00', '20000.00').map((l) => ({ ...l, forecastOutturn: l.strategyId === 'wellbeing' ? '610000.00' : l.arrangement === 'aligned' ? '250000.00' : '1500000.00' })));
  const atM1 = m1.json().revision as number;
  await submit(w, KEYS.ccg, 'ccg', 'M2', ccgLines('100000.00', '250000.00', '40000.00').map((l) => ({ ...l, forecastOutturn: l.strategyId === 'wellbeing' ? '630000.00' : l.arrangement === 'aligned' ? '250000.00' : '1500000.00' })));
  const now = (await w.call('GET', `${FY}/positions`, KEYS.auditor)).json();
  const then = (await w.call('GET', `${FY}/positions?asOfRevision=${atM1}`, KEYS.auditor)).json();
  t.equal(then.asOfRevision, atM1);
  t.equal(now.asOfRevision, atM1 + 1);
  like(t, now.fund, { forecastVariance: '30000.00', actualToDate: '390000.00' });
  like(t, then.fund, { forecastVariance: '10000.00', actualToDate: '195000.00' });
  like(t, then.fund.forecastVarianceByPeriod, { M1: '10000.00', M2: null });
  like(t, now.fund.forecastVarianceByPeriod, { M1: '10000.00', M2: '30000.00' });
  const budgetOnly = (await w.call('GET', `${FY}/positions?asOfRevision=0`, KEYS.auditor)).json();
  like(t, budgetOnly.fund, { budget: '0.00' }, 'at revision 0 no budget had been set');
  await refused(t, w, 'positions beyond the stream', () => w.call('GET', `${FY}/positions?asOfRevision=99`, KEYS.auditor), 400, { path: /asOfRevision/ });
  await refused(t, w, 'positions at a non-integer revision', () => w.call('GET', `${FY}/positions?asOfRevision=1.5`, KEYS.auditor), 400, { path: /asOfRevision/ });
});

scenario('API: a partner with no budget lines returns an empty list and the year can close', async (t, w) => {
  t.equal((await w.call('POST', FY, KEYS.admin, OPEN)).status, 201);
  const ccgOnly = BUDGET.lines.filter((l) => l.partnerId === 'ccg');
  t.equal((await w.call('PUT', `${FY}/budget`, KEYS.admin, { lines: ccgOnly })).status, 200, 'council has no budget lines this year');
  await submit(w, KEYS.ccg, 'ccg', 'M12', ccgLines());
  const empty = await w.call('POST', `${FY}/returns`, KEYS.council, { partnerId: 'council', period: 'M12', lines: [] });
  t.equal(empty.status, 201, 'an empty return covers exactly council\'s (no) lines');
  await refused(t, w, 'an empty return from a partner that has lines', () => w.call('POST', `${FY}/returns`, KEYS.ccg, { partnerId: 'ccg', period: 'M11', lines: [] }), 400, { path: '/lines', message: /wellbeing\/pooled is missing/ });
  t.equal((await w.call('POST', `${FY}/close`, KEYS.admin)).status, 200, 'so the year can close');
});

scenario('API: money is never a JSON number in any answer', async (t, w) => {
  await seeded(w, { adopt: true });
  await closed(w);
  const s = (await w.call('POST', `${FY}/settlements`, KEYS.admin, { mode: 'final' })).json();
  for (const url of ['/v1/funds', `${FY}/positions`, `${FY}/positions?asOfRevision=3`, `${FY}/agreements`, `${FY}/settlements`, `${FY}/settlements/${s.settlementId}`, `${FY}/settlements/${s.settlementId}/verification`, `${FY}/events`]) {
    t.equal((await w.call('GET', url, KEYS.admin)).status, 200, url);
  }
  t.ok(w.walked.count >= 15, `answers walked: ${w.walked.count}`);
  // the walker itself must catch a number where money belongs
  t.strictSame(numbersOutsideIntegers({ budget: 1, pots: [{ shares: { ccg: 2 } }], revision: 3 }), ['/budget = 1', '/pots/0/shares/ccg = 2'], 'the walker finds numbers');
  // and every money field it sees is an amount string
  const amounts: string[] = [];
  const collect = (v: unknown, key = ''): void => {
    if (Array.isArray(v)) v.forEach((x) => collect(x, key));
    else if (v !== null && typeof v === 'object') Object.entries(v).forEach(([k, x]) => collect(x, ['shares', 'forecastVarianceByPeriod'].includes(key) ? key : k));
    else if (['budget', 'variance', 'amount', 'share', 'transfer', 'varianceBorne', 'unallocated', 'shares', 'actualToDate', 'forecastOutturn', 'forecastVariance', 'forecastVarianceByPeriod'].includes(key) && v !== null) amounts.push(String(typeof v) + ':' + String(v));
  };
  collect(s);
  collect((await w.call('GET', `${FY}/positions`, KEYS.admin)).json());
  t.ok(amounts.length > 20, `money fields seen: ${amounts.length}`);
  t.strictSame(amounts.filter((a) => !a.startsWith('string:') || !AMOUNT_RE.test(a.slice(7))), [], 'each an amount string');
});
