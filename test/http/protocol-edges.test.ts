// Protocol edges through app.inject on the real service: a request that could mean two
// things is refused (400 problem+json) and nothing is appended. Repeated Authorization,
// Content-Type or Idempotency-Key headers; bytes that are not UTF-8; a lone surrogate
// in any string; a key twice in one object. Also the X-Request-Id bound.
import { test, type Test } from 'tap';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { findAmbiguity } from '../../src/http/json-body.js';
import { routeSpec } from '../../src/http/route-table.js';
import { bearer, FUND, KEYS, YEAR } from './fixtures/fake-service.js';
import { realApp } from './fixtures/real-app.js';

const FY = `/v1/funds/${FUND}/years/${YEAR}`;
const JSON_TYPE = { 'content-type': 'application/json' };
const OPEN = routeSpec('openFundYear').example;
const ADJUSTMENT = routeSpec('adjustOutturn').example;

/** ccg's M1 return as JSON text, with `amount` as its first line's actual to date. */
function returnText(amount = '"50000.00"'): string {
  return `{"partnerId": "ccg", "period": "M1", "lines": [
    {"strategyId": "wellbeing", "arrangement": "pooled", "actualToDate": ${amount}, "forecastOutturn": "600000.00"},
    {"strategyId": "community", "arrangement": "pooled", "actualToDate": "120000.00", "forecastOutturn": "1500000.00"},
    {"strategyId": "community", "arrangement": "aligned", "actualToDate": "20000.00", "forecastOutturn": "250000.00"}]}`;
}

interface World {
  app: FastifyInstance;
  /** Events in the fund-year's stream (read as an auditor); 0 when it is not open. */
  streamLength: () => Promise<number>;
}

async function world(t: Test, open = true): Promise<World> {
  const app = await realApp(t);
  if (open) {
    for (const [method, url, payload] of [['POST', FY, OPEN], ['PUT', `${FY}/budget`, routeSpec('setBudget').example]] as const) {
      const res = await app.inject({ method, url, headers: bearer(KEYS.admin), payload });
      if (res.statusCode >= 300) throw new Error(`seed ${method} ${url}: ${res.statusCode} ${res.body}`);
    }
  }
  const streamLength = async (): Promise<number> => {
    const res = await app.inject({ method: 'GET', url: `${FY}/events`, headers: bearer(KEYS.auditor) });
    if (res.statusCode === 404) return 0;
    return (res.json() as unknown[]).length;
  };
  return { app, streamLength };
}

/** A refusal: its status, problem+json with the RFC 9457 members, the code, the field named, nothing appended. */
async function refused(t: Test, w: World, what: string, request: InjectOptions, status: number, code: string, path?: string): Promise<Record<string, unknown>> {
  const before = await w.streamLength();
  const res = await w.app.inject(request);
  t.equal(res.statusCode, status, `${what}: ${status}`);
  t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8', `${what}: problem+json`);
  const body = res.json() as Record<string, unknown>;
  t.match(body, { type: `https://poolshare.example/problems/${code}`, title: String, status, detail: String }, `${what}: ${code}`);
  if (path !== undefined) t.match(body['errors'], [{ path, message: String }], `${what}: names ${path}`);
  t.equal(await w.streamLength(), before, `${what}: nothing appended`);
  return body;
}

test('a repeated Authorization, Content-Type or Idempotency-Key header is a 400, before any key is looked at', async (t) => {
  const w = await world(t);
  const returnRequest = (headers: Record<string, string | string[]>): InjectOptions => ({ method: 'POST', url: `${FY}/returns`, headers: { ...JSON_TYPE, ...headers }, payload: returnText() });
  const valid = bearer(KEYS.ccg).authorization;
  const body = await refused(t, w, 'two keys, the first valid', returnRequest({ authorization: [valid, bearer(KEYS.council).authorization] }), 400, 'duplicate-header', 'headers/authorization');
  t.match(body['detail'], /authorization header is sent more than once/);
  await refused(t, w, 'the same key twice', returnRequest({ authorization: [valid, valid] }), 400, 'duplicate-header', 'headers/authorization');
  await refused(t, w, 'a valid key and an unknown one', returnRequest({ authorization: ['Bearer not-a-key', valid] }), 400, 'duplicate-header', 'headers/authorization');
  await refused(t, w, 'two content types', { ...returnRequest({ authorization: valid }), headers: { authorization: valid, 'content-type': ['application/json', 'text/plain'] } }, 400, 'duplicate-header', 'headers/content-type');
  await refused(t, w, 'two idempotency keys', returnRequest({ authorization: valid, 'idempotency-key': ['k-1', 'k-2'] }), 400, 'duplicate-header', 'headers/idempotency-key');
  const twoKeys: Record<string, string[]> = { authorization: ['Bearer a', 'Bearer b'] };
  const twoOnPublic: InjectOptions = { method: 'GET', url: '/healthz', headers: twoKeys };
  const meta = await w.app.inject(twoOnPublic);
  t.equal(meta.statusCode, 400, 'on public routes too');
  const once = await w.app.inject(returnRequest({ authorization: valid, 'idempotency-key': 'k-1' }));
  t.equal(once.statusCode, 201, 'each sent once: accepted');
});

test('a body that is not UTF-8 is refused, never decoded with replacement characters', async (t) => {
  const w = await world(t);
  const withBytes = (bytes: number[]): Buffer => {
    const [head = '', tail = ''] = returnText('"50000.00"').split('"50000.00"');
    return Buffer.concat([Buffer.from(`${head}"50000.00", "note": "`), Buffer.from(bytes), Buffer.from(`"${tail}`)]);
  };
  const cases: [string, number[]][] = [
    ['a lone continuation byte', [0x80]],
    ['0xFF', [0xff]],
    ['a truncated two-byte sequence', [0xc3]],
    ['an over-long encoding of "/"', [0xc0, 0xaf]],
    ['an encoded surrogate (CESU-8)', [0xed, 0xa0, 0x80]],
    ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ];
  for (const [what, bytes] of cases) {
    const res = await refused(t, w, what, { method: 'POST', url: `${FY}/returns`, headers: { ...bearer(KEYS.ccg), ...JSON_TYPE }, payload: withBytes(bytes) }, 400, 'invalid-utf8');
    t.equal(res['detail'], 'The request body is not valid UTF-8.');
  }
  const budget = routeSpec('setBudget').example;
  const latin1 = Buffer.from(JSON.stringify({ ...budget, reason: 'Caf\u00e9 budget' }), 'latin1');
  await refused(t, w, 'Latin-1 sent as JSON', { method: 'PUT', url: `${FY}/budget`, headers: { ...bearer(KEYS.admin), ...JSON_TYPE }, payload: latin1 }, 400, 'invalid-utf8');
  await refused(t, w, 'a declared charset other than UTF-8', { method: 'PUT', url: `${FY}/budget`, headers: { ...bearer(KEYS.admin), 'content-type': 'application/json; charset=iso-8859-1' }, payload: latin1 }, 415, 'unsupported-media-type');
  const utf8 = await w.app.inject({ method: 'PUT', url: `${FY}/budget`, headers: { ...bearer(KEYS.admin), 'content-type': 'application/json; charset="UTF-8"' }, payload: Buffer.from(JSON.stringify(budget), 'utf8') });
  t.equal(utf8.statusCode, 200, 'charset=UTF-8 (quoted, any case) is accepted');
});

test('a lone surrogate in any string is refused at input; a surrogate pair is fine', async (t) => {
  const w = await world(t, false);
  const openWith = (name: string): InjectOptions => ({
    method: 'POST', url: FY, headers: { ...bearer(KEYS.admin), ...JSON_TYPE },
    payload: `{"name": "${name}", "partners": [{"partnerId": "ccg", "name": "NEW Devon CCG"}, {"partnerId": "council", "name": "Plymouth"}], "strategies": [{"strategyId": "wellbeing", "name": "Wellbeing"}]}`,
  });
  for (const escaped of ['\\ud800', '\\udfff', 'Fund \\ud83d', '\\ude00 after', '\\ud800\\ud800']) {
    const body = await refused(t, w, `name ${escaped}`, openWith(escaped), 400, 'invalid-string', '/name');
    t.match(body['errors'], [{ message: 'must be valid Unicode (no lone surrogate)' }]);
  }
  const nested = openWith('Fund').payload as string;
  await refused(t, w, 'in a nested array element', { ...openWith('Fund'), payload: nested.replace('"Plymouth"', '"Ply\\udc00mouth"') }, 400, 'invalid-string', '/partners/1/name');
  await refused(t, w, 'in a key', { ...openWith('Fund'), payload: nested.replace('"name": "Fund"', '"name": "Fund", "\\ud800": 1') }, 400, 'invalid-string', '/\\ud800');
  const pair = await w.app.inject(openWith('Fund \\ud83d\\udca9'));
  t.equal(pair.statusCode, 201, 'an escaped surrogate pair is one code point: accepted');
  const list = await w.app.inject({ method: 'GET', url: '/v1/funds', headers: bearer(KEYS.admin) });
  t.strictSame((list.json() as { name: string }[]).map((f) => f.name), ['Fund \u{1f4a9}'], 'stored and listed as valid Unicode');
});

test('a key twice in one object is refused, naming it; the same key in different objects is fine', async (t) => {
  const w = await world(t);
  await w.app.inject({ method: 'POST', url: `${FY}/returns`, headers: bearer(KEYS.ccg), payload: JSON.parse(returnText()) as object });
  const url = `${FY}/adjustments`;
  const adjustmentText = (members: string): string => `{"partnerId": "ccg", "strategyId": "community", "arrangement": "pooled", ${members}, "reason": "Late credit note"}`;
  const attempt = (payload: string): InjectOptions => ({ method: 'POST', url, headers: { ...bearer(KEYS.admin), ...JSON_TYPE }, payload });
  const body = await refused(t, w, 'two amounts', attempt(adjustmentText('"amount": "-2500.00", "amount": "250000.00"')), 400, 'duplicate-key', '/amount');
  t.match(body['detail'], /The key "amount" appears more than once in one object/);
  t.match(body['errors'], [{ path: '/amount', message: 'appears more than once in its object' }]);
  await refused(t, w, 'the same value twice', attempt(adjustmentText('"amount": "-2500.00", "amount": "-2500.00"')), 400, 'duplicate-key', '/amount');
  await refused(t, w, 'a key spelt once with an escape', attempt(adjustmentText('"amount": "-2500.00", "\\u0061mount": "1.00"')), 400, 'duplicate-key', '/amount');
  await refused(t, w, 'in a nested line', {
    method: 'POST', url: `${FY}/returns`, headers: { ...bearer(KEYS.ccg), ...JSON_TYPE },
    payload: returnText('"50000.00", "actualToDate": "1.00"').replace('"period": "M1"', '"period": "M2"'),
  }, 400, 'duplicate-key', '/lines/0/actualToDate');
  const fine = await w.app.inject({ method: 'POST', url, headers: { ...bearer(KEYS.ccg), ...JSON_TYPE }, payload: JSON.stringify(ADJUSTMENT) });
  t.not(fine.statusCode, 400, 'one amount: not refused as ambiguous');
  const lines = await w.app.inject({ method: 'POST', url: `${FY}/returns`, headers: { ...bearer(KEYS.ccg), ...JSON_TYPE }, payload: returnText().replace('"period": "M1"', '"period": "M2"') });
  t.equal(lines.statusCode, 201, 'three lines each with the same keys: accepted');
});

test('an operation without a body reads at most 1 KiB of one', async (t) => {
  const w = await world(t);
  const padded = `{${' '.repeat(2000)}}`;
  await refused(t, w, 'close with 2 KB of whitespace', { method: 'POST', url: `${FY}/close`, headers: { ...bearer(KEYS.admin), ...JSON_TYPE }, payload: padded }, 413, 'body-too-large');
  const empty = await w.app.inject({ method: 'POST', url: `${FY}/agreements/1/acceptances`, headers: { ...bearer(KEYS.ccg), ...JSON_TYPE }, payload: '{}' });
  t.not(empty.statusCode, 413, '{} is still accepted as no body');
  t.not(empty.statusCode, 400);
});

test('findAmbiguity: pointers into arrays and escaped keys; nothing found in clean JSON', async (t) => {
  t.equal(findAmbiguity('{"a": 1, "b": [1, "x", {"a": 2}], "c": {"a": {"a": null}}}'), undefined);
  t.equal(findAmbiguity('"just a string"'), undefined);
  t.equal(findAmbiguity('[]'), undefined);
  t.strictSame(findAmbiguity('{"a": [0, {"b": 1, "b": 2}]}'), { kind: 'duplicate-key', path: '/a/1/b', key: 'b' });
  t.strictSame(findAmbiguity('[[], [1, 2, {"x": {}, "x": {}}]]'), { kind: 'duplicate-key', path: '/1/2/x', key: 'x' });
  t.strictSame(findAmbiguity('{"a/b": {"m~n": 1, "m~n": 2}}'), { kind: 'duplicate-key', path: '/a~1b/m~0n', key: 'm~n' });
  t.strictSame(findAmbiguity('{"q\\"": 1, "q\\u0022": 2}'), { kind: 'duplicate-key', path: '/q"', key: 'q"' }, 'escapes are decoded before comparing');
  t.strictSame(findAmbiguity('{"a": ["ok", "\\ud800"]}'), { kind: 'lone-surrogate', path: '/a/1' });
  t.strictSame(findAmbiguity('"\\udfff"'), { kind: 'lone-surrogate', path: '/' });
  t.strictSame(findAmbiguity('{"a": "\\\\ud800"}'), undefined, 'an escaped backslash followed by "ud800" is plain text');
  t.strictSame(findAmbiguity('{"a": "\\ud83d\\ude00", "b": "\u{1f600}"}'), undefined, 'pairs, escaped or not');
});

test('X-Request-Id: kept when plain and at most 100 characters; otherwise replaced by a fresh id', async (t) => {
  const w = await world(t, false);
  const idOf = async (headers: Record<string, string | string[]>): Promise<{ header: unknown; body: unknown }> => {
    const res = await w.app.inject({ method: 'GET', url: '/v1/funds', headers: { ...bearer('not-a-key'), ...headers } });
    return { header: res.headers['x-request-id'], body: (res.json() as { requestId?: unknown }).requestId };
  };
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const kept = 'a'.repeat(92) + '.b:c_d-9';
  t.strictSame(await idOf({ 'x-request-id': kept }), { header: kept, body: kept }, '100 characters of the allowed set: kept');
  for (const [what, given] of [['101 characters', 'a'.repeat(101)], ['a space', 'abc def'], ['a newline escape', 'abc\\nFAKE LOG LINE'], ['non-ASCII', 'caf\u00e9'], ['a quote', 'a"b'], ['empty', '']] as const) {
    const { header, body } = await idOf({ 'x-request-id': given });
    t.match(header, UUID, `${what}: a fresh id`);
    t.equal(body, header, `${what}: the same id in the answer`);
  }
  const two = await idOf({ 'x-request-id': ['first-id', 'second-id'] });
  t.match(two.header, UUID, 'two ids (joined by Node with ", "): a fresh one');
});
