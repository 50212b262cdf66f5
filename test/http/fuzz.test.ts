// Property: bad input gets a clear 4xx problem+json answer and changes nothing.
// fast-check sends the real app (in-memory store) requests to every write operation
// and every /v1 read, each a mutation of something valid: the operation's example
// body with a field removed, added or retyped, arrays duplicated, emptied or blown
// up, deep nesting, raw text that is not JSON; path parameters, query strings and
// headers (Idempotency-Key, content type, key) bent the same way. Whatever comes
// back must not be a 5xx; a 4xx must be RFC 9457 problem+json and must leave the
// log as it was (the fund-year's stream via GET …/events, and the whole log's head
// in the store). A 2xx is allowed (a mutation can still be valid): it becomes the
// new baseline. On failure fast-check prints the seed and the shrunk request.
import { test } from 'tap';
import fc from 'fast-check';
import { STATUS_CODES } from 'node:http';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { readOpenApiFile } from '../../src/http/openapi.js';
import { PROBLEM_BASE } from '../../src/http/problem.js';
import { ROUTES, routeSpec, type RouteSpec } from '../../src/http/route-table.js';
import type { EventStore } from '../../src/store/index.js';
import { bearer, FUND, KEYS, OTHER_FUND, SETTLEMENT_ID, YEAR } from './fixtures/fake-service.js';
import { realAppWithStore } from './fixtures/real-app.js';

const NUM_RUNS = Number(process.env['FUZZ_RUNS'] ?? 3000);
const FY = `/v1/funds/${FUND}/years/${YEAR}`;
/** A second fund-year of the same fund, closed, with a final settlement: post-close operations can succeed there. */
const CLOSED_YEAR = '2016-17';
const FY_CLOSED = `/v1/funds/${FUND}/years/${CLOSED_YEAR}`;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One generated request, plain data so fast-check prints it exactly. */
interface FuzzRequest {
  operationId: string;
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  headers: Record<string, string>;
  /** The body text as sent; undefined: no body. */
  payload?: string;
}

// ---------------------------------------------------------------- the operations

const V1 = ROUTES.filter((route) => route.path.startsWith('/v1/')) as readonly RouteSpec[];
const WRITES = V1.filter((route) => route.method !== 'get');
const READS = V1.filter((route) => route.method === 'get');

/** The key a request of this operation most often carries: one that may call it. */
function rightKeys(spec: RouteSpec): string[] {
  if (spec.access.kind === 'public') return [KEYS.admin];
  const keys: string[] = [];
  for (const role of spec.access.roles) {
    if (role === 'admin') keys.push(KEYS.admin);
    if (role === 'partner') keys.push(KEYS.ccg, KEYS.council);
    if (role === 'auditor') keys.push(KEYS.auditor);
  }
  return keys;
}

// ---------------------------------------------------------------- junk values

const HUGE = 'x'.repeat(10_000);
const AMOUNTISH = [
  '-1.00', '0', '0.00', '-0', '-0.00', '00.00', '1.234', '1.005', '0.001', '1e5', '1E+5', '6e5', '1e-2', '1.', '.5', '+1.00', ' 1.00', '1.00 ',
  '1,000.00', '１２３', '٣٤', 'Infinity', '-Infinity', 'NaN', '0x10', '9'.repeat(12), '9'.repeat(13), '999999999999.99', '-999999999999.99',
  '1000000000000.00', '9'.repeat(400), '1'.padEnd(300, '0') + '.00', '',
];
const DOMAINISH = [
  'ccg', 'council', 'torbay', 'CCG', 'ccg ', 'wellbeing', 'community', 'nursing', 'pooled', 'aligned', 'lead', 'M0', 'M1', 'M6', 'M12', 'M13', 'm12',
  'final', 'forecast', 'FINAL', 'integrated-fund', 'contribution', 'budget', 'equal', 'own', FUND, OTHER_FUND, YEAR, SETTLEMENT_ID, '__proto__',
  'constructor', 'toString', 'hasOwnProperty', 'fixed', 'lead',
  // percents and weights (^-?[0-9]{1,6}(\.[0-9]{1,12})?$)
  '0', '0.5', '1', '100', '101', '-1', '-0.5', '999999.999999999999', '0.000000000001', '33.333333333333',
  'Variation agreed by the board', 'Late credit note',
];
const WEIRD_STRINGS = [
  '\u0000', 'ccg\u0000', 'a\u0000b', '💩', '👩‍👩‍👧‍👦'.repeat(50), '\u202eccg', '\ud800', '\udfff', 'Z\u0351\u0364\u036b', '\r\n', '\t', ' ', '\\', '"', '</script>',
  "'; DROP TABLE events; --", '${x}', '%s%s%s', '../../etc/passwd', 'ｃｃｇ', 'İ', 'ß'.repeat(2000),
];
const NUMBERS = [0, -0, 1, -1, 2, 1.5, 12.5, 0.1, 1.005, 600000, 1e21, 1e300, -1e300, 1e-7, 2 ** 53, 2 ** 53 + 2, Number.MAX_VALUE, Number.MIN_VALUE, 9007199254740991, 4294967296];

const jsonLeaf: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.constantFrom(...NUMBERS),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(...AMOUNTISH),
  fc.constantFrom(...DOMAINISH),
  fc.constantFrom(...WEIRD_STRINGS),
  fc.constant(HUGE),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

const junk: fc.Arbitrary<Json> = fc.oneof(
  { arbitrary: jsonLeaf, weight: 8 },
  { arbitrary: fc.constant([] as Json), weight: 1 },
  { arbitrary: fc.constant({} as Json), weight: 1 },
  { arbitrary: fc.array(jsonLeaf, { maxLength: 4 }) as fc.Arbitrary<Json>, weight: 1 },
  { arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), jsonLeaf, { maxKeys: 3 }) as fc.Arbitrary<Json>, weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>, weight: 1 },
);

const FIELD_NAMES = ['asOfRevision', 'correction', 'reason', 'partnerId', 'period', 'mode', 'amount', 'terms', 'lines', 'name', 'version', 'extra',
  'caps', 'weights', 'upTo', 'upToPercentOfBudget', 'basis', 'bands', 'own', 'schemaVersion', 'strategies', 'potId', 'pots', 'overspend', 'underspend', 'ccg', 'council', '__proto__', 'constructor', 'prototype', 'toString', '', ' ', '💩', 'a'.repeat(300)];

// ---------------------------------------------------------------- body mutations

type Mutation =
  | { kind: 'remove'; at: number }
  | { kind: 'replace'; at: number; value: Json }
  | { kind: 'add'; at: number; key: string; value: Json }
  | { kind: 'duplicate'; at: number }
  | { kind: 'empty'; at: number }
  | { kind: 'many'; at: number; count: number }
  | { kind: 'nest'; at: number; depth: number; asArray: boolean }
  | { kind: 'tweak'; at: number; how: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('remove' as const), at: fc.nat() }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: junk }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant('add' as const), at: fc.nat(), key: fc.oneof(fc.constantFrom(...FIELD_NAMES), fc.string({ maxLength: 10 })), value: junk }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('empty' as const), at: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('many' as const), at: fc.nat(), count: fc.constantFrom(2, 11, 201, 4001) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('nest' as const), at: fc.nat(), depth: fc.constantFrom(2, 50, 500), asArray: fc.boolean() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('tweak' as const), at: fc.nat(), how: fc.nat({ max: 15 }) }), weight: 4 },
);

type Path = (string | number)[];

/** Every place in a JSON value (the root first), down to a depth and up to a count. */
function places(value: Json, path: Path = [], out: Path[] = []): Path[] {
  if (out.length >= 5000) return out;
  out.push(path);
  if (path.length >= 16) return out;
  if (Array.isArray(value)) value.forEach((item, i) => places(item, [...path, i], out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) places(v, [...path, k], out);
  return out;
}

function get(value: Json, path: Path): Json {
  let here: Json = value;
  for (const step of path) here = (here as Record<string | number, Json>)[step] as Json;
  return here;
}

/** Sets `path` in `root` to `next` (returns the new root); undefined removes the member or item. */
function set(root: Json, path: Path, next: Json | undefined): Json {
  if (path.length === 0) return next === undefined ? {} : next;
  const parent = get(root, path.slice(0, -1));
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) {
    if (next === undefined) parent.splice(last as number, 1);
    else parent[last as number] = next;
  } else if (parent !== null && typeof parent === 'object') {
    if (next === undefined) delete parent[last as string];
    else Object.defineProperty(parent, last as string, { value: next, enumerable: true, writable: true, configurable: true });
  }
  return root;
}

function nested(depth: number, asArray: boolean): Json {
  let value: Json = 'deep';
  for (let i = 0; i < depth; i++) value = asArray ? [value] : { a: value };
  return value;
}

function tweak(value: Json, how: number): Json {
  if (typeof value === 'string') {
    const variants: Json[] = [
      `${value}x`, ` ${value}`, value.toUpperCase(), `${value}\u0000`, value.slice(0, -1), value.repeat(Math.ceil(10_000 / Math.max(1, value.length))).slice(0, 10_000),
      `-${value}`, `${value}0`, `${value}.001`, Number(value), `${value}e2`, Number.isFinite(Number(value)) ? Number(value) * 1e20 : null, [value], { value },
      `${value}💩`, value.normalize('NFD'),
    ];
    return variants[how % variants.length]!;
  }
  if (typeof value === 'number') return [String(value), -value, value + 0.5, value * 1e300, `${value}`, null][how % 6]!;
  if (typeof value === 'boolean') return [String(value), value ? 1 : 0, null, !value][how % 4]!;
  if (Array.isArray(value)) return [value.slice().reverse(), value.concat(value), value.slice(0, 1), [value]][how % 4]!;
  if (value !== null && typeof value === 'object') return [Object.fromEntries(Object.entries(value).reverse()), [value], Object.values(value) as Json, null][how % 4]!;
  return [0, '', false, 'null'][how % 4]!;
}

/** Applies the mutations in turn; at most one that makes the body big (many, nest), and that one last. */
function mutate(example: Json, mutations: readonly Mutation[]): Json {
  let root = structuredClone(example);
  const big = mutations.find((m) => m.kind === 'many' || m.kind === 'nest');
  const ordered = [...mutations.filter((m) => m.kind !== 'many' && m.kind !== 'nest'), ...(big === undefined ? [] : [big])];
  for (const m of ordered) {
    const all = places(root);
    const path = all[m.at % all.length]!;
    const here = get(root, path);
    switch (m.kind) {
      case 'remove':
        root = set(root, path, undefined);
        break;
      case 'replace':
        root = set(root, path, structuredClone(m.value));
        break;
      case 'add': {
        // onto the nearest object at or above the place
        for (let cut = path.length; cut >= 0; cut--) {
          const target = get(root, path.slice(0, cut));
          if (target !== null && typeof target === 'object' && !Array.isArray(target)) {
            root = set(root, [...path.slice(0, cut), m.key], structuredClone(m.value));
            break;
          }
          if (Array.isArray(target)) {
            target.push(structuredClone(m.value));
            break;
          }
        }
        break;
      }
      case 'duplicate':
        if (Array.isArray(here)) here.push(structuredClone(here[0] ?? null));
        else if (path.length > 0 && Array.isArray(get(root, path.slice(0, -1)))) (get(root, path.slice(0, -1)) as Json[]).push(structuredClone(here));
        else root = set(root, path, [here, structuredClone(here)]);
        break;
      case 'empty':
        root = set(root, path, Array.isArray(here) ? [] : here !== null && typeof here === 'object' ? {} : typeof here === 'string' ? '' : null);
        break;
      case 'many': {
        const items = Array.isArray(here) && here.length > 0 ? here : [here];
        root = set(root, path, Array.from({ length: m.count }, (_v, i) => structuredClone(items[i % items.length]!)));
        break;
      }
      case 'nest':
        root = set(root, path, nested(m.depth, m.asArray));
        break;
      case 'tweak':
        root = set(root, path, tweak(here, m.how));
        break;
    }
  }
  return root;
}

/** Body text that is not (quite) JSON, or JSON of the wrong shape at the top. */
function rawBodies(exampleText: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(
      '', ' ', '{', '}', '[', '{"', '{"mode":', 'nul', 'null', 'true', '0', '-1', '"text"', '[]', '{}', '[{}]', '1e999', '-1e999', '{"a":1,}', "{'a':1}",
      '{"mode":"final","mode":"forecast"}', '{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}', '{"mode":"final"}\u0000',
      '"\\ud800"', '{"mode":"\\u0000"}', '\ufeff{"mode":"final"}', '{"mode":"final"} {"mode":"forecast"}', `"${HUGE}"`, `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
      `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`, '{"asOfRevision":1e2,"mode":"forecast"}', '{"asOfRevision":1.0,"mode":"forecast"}', '{"asOfRevision":-0,"mode":"forecast"}',
      '{"asOfRevision":9007199254740993,"mode":"forecast"}', '{"asOfRevision":1e400,"mode":"forecast"}', 'ÿþ{', '\u00ff\u00fe{\u0000"\u0000',
    ),
    fc.nat({ max: Math.max(0, exampleText.length - 1) }).map((cut) => exampleText.slice(0, cut)),
    fc.string({ maxLength: 4 }).map((tail) => `${exampleText}${tail}x`),
    fc.constant(`"${'a'.repeat(1024 * 1024 + 10)}"`),
  );
}

// ---------------------------------------------------------------- path, query, headers

function encoded(text: string): string {
  return encodeURIComponent(text);
}

const FUND_IDS = fc.constantFrom(OTHER_FUND, 'p', 'Plymouth_Fund', 'PLYMOUTH', 'a'.repeat(65), 'a'.repeat(300), '%00', '%ZZ', '%', '%2e%2e', '..', '.', encoded('fünd'), '%F0%9F%92%A9',
  `${FUND}%2Fyears`, `${FUND}%00`, 'constructor', '__proto__', '-x', 'x-', `${FUND};x=1`, '%C0%AF', '%FF');
const YEARS = fc.constantFrom('2015-17', '2016-17', '1999-00', '2099-00', '2015-15', '15-16', '2015%2F16', '0000-01', '9999-00', `${YEAR}%00`, `${YEAR}x`, '-', '%E2%80%8F', '２０１５-16', '%ZZ');
const VERSIONS = fc.constantFrom('0', '01', '1', '2', '999999', '1000000', '-1', '1e3', '1.0', '%201', '%31', 'abc', '9'.repeat(20), '%00', 'NaN', '0x1');
const SETTLEMENT_IDS = fc.constantFrom(SETTLEMENT_ID, '00000000-0000-0000-0000-000000000000', 'x'.repeat(64), 'x'.repeat(65), '-abc', '_', '%00', 'A', '..', encoded('ü'), '%ZZ', 'constructor',
  '__proto__', 'statement.csv', `${SETTLEMENT_ID}.csv`);

const LATEST_VERSION = '{latestVersion}';
const LATEST_SETTLEMENT = '{latestSettlement}';

interface PathValues {
  fundId: fc.Arbitrary<string>;
  year: fc.Arbitrary<string>;
  version: fc.Arbitrary<string>;
  settlementId: fc.Arbitrary<string>;
}

function pathFor(template: string, valid: { settlementIds: string[] }): fc.Arbitrary<string> {
  // LATEST_*: the newest agreement version / settlement when the request is sent (so a proposal or calculation the fuzz made can be accepted or approved)
  const good: PathValues = { fundId: fc.constant(FUND), year: fc.constantFrom(YEAR, CLOSED_YEAR), version: fc.constantFrom('1', LATEST_VERSION), settlementId: fc.constantFrom(...valid.settlementIds, LATEST_SETTLEMENT) };
  const bad: PathValues = { fundId: FUND_IDS, year: YEARS, version: VERSIONS, settlementId: SETTLEMENT_IDS };
  const pick = (name: keyof PathValues) => fc.oneof({ arbitrary: good[name], weight: 12 }, { arbitrary: bad[name], weight: 1 });
  const filled = fc.record({ fundId: pick('fundId'), year: pick('year'), version: pick('version'), settlementId: pick('settlementId') }).map((v) =>
    template.replace('{fundId}', v.fundId).replace('{year}', v.year).replace('{version}', v.version).replace('{settlementId}', v.settlementId));
  const suffix = fc.oneof({ arbitrary: fc.constant(''), weight: 15 }, { arbitrary: fc.constantFrom('/', '//', '/x', '%', '/..', ';', '#frag', '%2F', '/.'), weight: 1 });
  return fc.tuple(filled, suffix).map(([url, tail]) => `${url}${tail}`);
}

const QUERY_NAMES = ['asOfRevision', 'fromRevision', 'limit', 'asOfRevision[]', 'limit[0]', 'foo', '__proto__', 'constructor', '', '%00'];
const QUERY_VALUES = ['-1', '0', '1', '2', '3', '1000', '1001', '999999999999999', '9999999999999999', '99999999999999999999', '1e3', 'abc', '', '%00', '+1', '%201', '0x10', '1.0',
  'Infinity', 'NaN', '%ZZ', '%F0%9F%92%A9', '01', '00', HUGE];

function queryFor(spec: RouteSpec): fc.Arbitrary<string> {
  const own = spec.operationId === 'listEvents' ? ['fromRevision', 'limit'] : spec.operationId === 'getPositions' ? ['asOfRevision'] : [];
  const name = own.length > 0 ? fc.oneof({ arbitrary: fc.constantFrom(...own), weight: 4 }, { arbitrary: fc.constantFrom(...QUERY_NAMES), weight: 1 }) : fc.constantFrom(...QUERY_NAMES);
  const pair = fc.tuple(name, fc.constantFrom(...QUERY_VALUES)).map(([k, v]) => `${k}=${v}`);
  const noValue = name.map((k) => k);
  const parts = fc.array(fc.oneof({ arbitrary: pair, weight: 5 }, { arbitrary: noValue, weight: 1 }), { minLength: 1, maxLength: 3 });
  return fc.oneof(
    { arbitrary: fc.constant(''), weight: own.length > 0 ? 2 : 6 },
    { arbitrary: parts.map((p) => `?${p.join('&')}`), weight: 3 },
    { arbitrary: fc.constantFrom('?', '?&', '?=', '?&&=&', '?a=1&a=2'), weight: 1 },
  );
}

/** As a byte string: what Node makes of UTF-8 bytes in a header (latin1). */
const asHeaderBytes = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

const IDEMPOTENCY_KEYS = fc.oneof(
  { arbitrary: fc.constantFrom('fuzz-1', 'fuzz-2', 'fuzz-3'), weight: 4 }, // few: so replays and reuse with another body happen
  { arbitrary: fc.constantFrom('', ' ', 'a b', '\t', 'x'.repeat(200), 'x'.repeat(201), 'x'.repeat(10_000), asHeaderBytes('ключ'), asHeaderBytes('💩'), '\u00ff', 'a\u007f'), weight: 3 },
);

const CONTENT_TYPES = fc.constantFrom('text/plain', 'application/xml', 'application/json; charset=utf-16', 'application/json; charset=iso-8859-1', 'APPLICATION/JSON',
  'application/json;', 'application/problem+json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json, text/plain', '*/*', 'application/',
  ';', 'application/json; charset="utf-8"', 'text/csv', 'text/csv; charset=latin1',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');

function authFor(spec: RouteSpec): fc.Arbitrary<Record<string, string>> {
  const right: fc.Arbitrary<Record<string, string>> = fc.constantFrom(...rightKeys(spec)).map(bearer);
  const any: fc.Arbitrary<Record<string, string>> = fc.constantFrom<string>(...Object.values(KEYS)).map(bearer);
  const none: fc.Arbitrary<Record<string, string>> = fc.constantFrom<Record<string, string>>({}, { authorization: 'Bearer' }, { authorization: 'Bearer ' }, { authorization: `Bearer ${'k'.repeat(5000)}` }, { authorization: `Basic ${KEYS.admin}` },
      { authorization: `Bearer ${KEYS.admin} ${KEYS.admin}` }, { authorization: asHeaderBytes(`Bearer ${KEYS.admin}💩`) });
  return fc.oneof({ arbitrary: right, weight: 8 }, { arbitrary: any, weight: 3 }, { arbitrary: none, weight: 1 });
}

// ---------------------------------------------------------------- requests

function requestFor(spec: RouteSpec, valid: { settlementIds: string[] }): fc.Arbitrary<FuzzRequest> {
  const example = (spec.example ?? null) as Json;
  const exampleText = JSON.stringify(example);
  const withBody = spec.body !== undefined;
  const jsonBody: fc.Arbitrary<string | undefined> = withBody
    ? fc.oneof(
        { arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }).map((ms) => JSON.stringify(mutate(example, ms))), weight: 12 },
        { arbitrary: fc.constant(exampleText), weight: 3 },
        { arbitrary: junk.map((v) => JSON.stringify(v)), weight: 1 },
        { arbitrary: rawBodies(exampleText), weight: 3 },
        { arbitrary: fc.constant(undefined), weight: 1 },
      )
    : fc.oneof(
        { arbitrary: fc.constant(undefined), weight: spec.method === 'get' ? 12 : 4 },
        { arbitrary: fc.constantFrom('{}', 'null', '[]', '""', '{"a":1}', '{"partnerId":"ccg"}', '0', 'false'), weight: 2 },
        { arbitrary: junk.map((v) => JSON.stringify(v)), weight: 1 },
        { arbitrary: rawBodies('{}'), weight: 1 },
      );
  const headers = fc.record({
    auth: authFor(spec),
    contentType: fc.oneof({ arbitrary: fc.constant('application/json'), weight: 10 }, { arbitrary: fc.constant(undefined), weight: 1 }, { arbitrary: CONTENT_TYPES, weight: 2 }),
    idempotencyKey: fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, { arbitrary: IDEMPOTENCY_KEYS, weight: spec.method === 'get' ? 0 : 2 }),
    requestId: fc.oneof({ arbitrary: fc.constant(undefined), weight: 8 }, { arbitrary: fc.constantFrom('', 'x'.repeat(101), asHeaderBytes('💩'), 'ok-id-1'), weight: 1 }),
  });
  return fc.record({ path: pathFor(spec.path, valid), query: queryFor(spec), payload: jsonBody, headers }).map(({ path, query, payload, headers: h }) => {
    const out: Record<string, string> = { ...h.auth };
    if (payload !== undefined && h.contentType !== undefined) out['content-type'] = h.contentType;
    if (payload === undefined && h.contentType !== undefined && h.contentType !== 'application/json') out['content-type'] = h.contentType;
    if (h.idempotencyKey !== undefined) out['idempotency-key'] = h.idempotencyKey;
    if (h.requestId !== undefined) out['x-request-id'] = h.requestId;
    const request: FuzzRequest = { operationId: spec.operationId, method: spec.method.toUpperCase() as FuzzRequest['method'], url: `${path}${query}`, headers: out };
    if (payload !== undefined) request.payload = payload;
    return request;
  });
}

function anyRequest(valid: { settlementIds: string[] }): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(
    ...WRITES.map((spec) => ({ arbitrary: requestFor(spec, valid), weight: 4 })),
    ...READS.map((spec) => ({ arbitrary: requestFor(spec, valid), weight: 1 })),
  );
}

/** The request, short enough for a message (fast-check prints it whole). */
function describe(request: FuzzRequest): string {
  const clip = (text: string) => (text.length > 200 ? `${text.slice(0, 200)}…(${text.length} chars)` : text);
  return `${request.method} ${clip(request.url)} ${clip(JSON.stringify(request.headers))} ${request.payload === undefined ? '(no body)' : clip(JSON.stringify(request.payload))}`;
}

// ---------------------------------------------------------------- the world

interface World {
  app: FastifyInstance;
  store: EventStore;
  settlementIds: string[];
}

async function call(app: FastifyInstance, method: InjectOptions['method'], url: string, key: string, payload?: unknown) {
  const res = await app.inject({ method, url, headers: bearer(key), ...(payload === undefined ? {} : { payload: payload as object }) });
  if (res.statusCode >= 300) throw new Error(`setup ${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json();
}

const line = (strategyId: string, arrangement: string, amount: string) => ({ strategyId, arrangement, actualToDate: amount, forecastOutturn: amount });
const ccgLines = (a: string, b: string, c: string) => [line('wellbeing', 'pooled', a), line('community', 'pooled', b), line('community', 'aligned', c)];
const councilLines = (a: string, b: string) => [line('wellbeing', 'pooled', a), line('community', 'pooled', b)];

/** Opened, budget, terms adopted (version 1), M6 returns from both partners. */
async function midYear(app: FastifyInstance, fy: string): Promise<void> {
  await call(app, 'POST', fy, KEYS.admin, routeSpec('openFundYear').example);
  await call(app, 'PUT', `${fy}/budget`, KEYS.admin, routeSpec('setBudget').example);
  await call(app, 'POST', `${fy}/agreements`, KEYS.admin, routeSpec('proposeAgreement').example);
  await call(app, 'POST', `${fy}/agreements/1/acceptances`, KEYS.ccg);
  await call(app, 'POST', `${fy}/agreements/1/acceptances`, KEYS.council);
  await call(app, 'POST', `${fy}/returns`, KEYS.ccg, { partnerId: 'ccg', period: 'M6', lines: ccgLines('300000.00', '750000.00', '125000.00') });
  await call(app, 'POST', `${fy}/returns`, KEYS.council, { partnerId: 'council', period: 'M6', lines: councilLines('200000.00', '250000.00') });
}

/**
 * FY: mid-year, a version 2 of the terms proposed, a forecast settlement.
 * FY_CLOSED: M12 returns, closed, a final settlement approved by ccg.
 */
async function world(t: Parameters<typeof realAppWithStore>[0]): Promise<World> {
  const { app, store } = await realAppWithStore(t);
  await midYear(app, FY);
  await call(app, 'POST', `${FY}/agreements`, KEYS.admin, routeSpec('proposeAgreement').example);
  const forecast = (await call(app, 'POST', `${FY}/settlements`, KEYS.admin, { mode: 'forecast' })) as { settlementId: string };
  await midYear(app, FY_CLOSED);
  await call(app, 'POST', `${FY_CLOSED}/returns`, KEYS.ccg, { partnerId: 'ccg', period: 'M12', lines: ccgLines('640000.00', '1530000.00', '310000.00') });
  await call(app, 'POST', `${FY_CLOSED}/returns`, KEYS.council, { partnerId: 'council', period: 'M12', lines: councilLines('395000.00', '520000.00') });
  await call(app, 'POST', `${FY_CLOSED}/close`, KEYS.admin);
  const final = (await call(app, 'POST', `${FY_CLOSED}/settlements`, KEYS.admin, { mode: 'final' })) as { settlementId: string };
  await call(app, 'POST', `${FY_CLOSED}/settlements/${final.settlementId}/approvals`, KEYS.ccg);
  return { app, store, settlementIds: [forecast.settlementId, final.settlementId] };
}

/** The fund-years' stream lengths, read as the auditor (paged). */
async function streamLength(app: FastifyInstance): Promise<string> {
  return `${await lengthOf(app, FY)}+${await lengthOf(app, FY_CLOSED)}`;
}

async function lengthOf(app: FastifyInstance, fy: string): Promise<number> {
  let count = 0;
  for (;;) {
    const res = await app.inject({ method: 'GET', url: `${fy}/events?fromRevision=${count}&limit=1000`, headers: bearer(KEYS.auditor) });
    if (res.statusCode !== 200) throw new Error(`cannot read the events: ${res.statusCode} ${res.body}`);
    const page = res.json() as unknown[];
    count += page.length;
    if (page.length < 1000) return count;
  }
}

async function head(store: EventStore): Promise<string> {
  return String(await store.headPosition());
}

// ---------------------------------------------------------------- the property

test('the fuzz walks every write operation of the OpenAPI document, and every /v1 read', async (t) => {
  const doc = JSON.parse(readOpenApiFile()) as { paths: Record<string, Record<string, { operationId: string }>> };
  const writes: string[] = [];
  const reads: string[] = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    if (!template.startsWith('/v1/')) continue;
    for (const [method, op] of Object.entries(item)) (method === 'get' ? reads : writes).push(op.operationId);
  }
  t.strictSame(WRITES.map((s) => s.operationId).sort(), writes.sort(), 'every POST/PUT');
  t.strictSame(READS.map((s) => s.operationId).sort(), reads.sort(), 'every GET');
  t.ok(writes.length >= 9);
});

test('bad input: never a 5xx; a 4xx is problem+json and appends nothing', async (t) => {
  const w = await world(t);
  let length = await streamLength(w.app);
  let logHead = await head(w.store);
  const seen = new Map<string, number>();
  const started = Date.now();

  const latest = { version: '2', settlementId: w.settlementIds[0]! };

  const property = fc.asyncProperty(anyRequest({ settlementIds: w.settlementIds }), async (generated) => {
    const url = generated.url.replace(LATEST_VERSION, latest.version).replace(LATEST_SETTLEMENT, latest.settlementId);
    const request: FuzzRequest = { ...generated, url };
    const options: InjectOptions = { method: request.method, url: request.url, headers: request.headers };
    if (request.payload !== undefined) options.payload = request.payload;
    const before = { length, logHead };
    const res = await w.app.inject(options);
    const status = res.statusCode;
    // Always the new baseline, so a failing run cannot make the next one fail too (fast-check replays runs while shrinking).
    length = await streamLength(w.app);
    logHead = await head(w.store);
    const what = `${describe(request)} → ${status} ${res.body.slice(0, 300)}`;
    seen.set(`${request.operationId} ${status}`, (seen.get(`${request.operationId} ${status}`) ?? 0) + 1);

    if (status >= 500) throw new Error(`a 5xx: ${what}`);
    if (!((status >= 200 && status < 300) || (status >= 400 && status < 500))) throw new Error(`neither 2xx nor 4xx: ${what}`);

    if (status >= 400) {
      const type = String(res.headers['content-type'] ?? '');
      if (!/^application\/problem\+json/.test(type)) throw new Error(`a ${status} not problem+json (${type}): ${what}`);
      const body = res.json() as Record<string, unknown>;
      if (typeof body['type'] !== 'string' || !body['type'].startsWith(PROBLEM_BASE)) throw new Error(`problem type: ${what}`);
      if (body['title'] !== STATUS_CODES[status]) throw new Error(`problem title is not ${STATUS_CODES[status]}: ${what}`);
      if (body['status'] !== status) throw new Error(`problem status member ${String(body['status'])}: ${what}`);
      if (typeof body['detail'] !== 'string' || body['detail'].length === 0) throw new Error(`problem detail: ${what}`);
      if (length !== before.length) throw new Error(`a ${status} changed the fund-years' streams: ${before.length} → ${length} events: ${what}`);
      if (logHead !== before.logHead) throw new Error(`a ${status} moved the log's head: ${before.logHead} → ${logHead}: ${what}`);
    } else if (request.method === 'GET') {
      if (length !== before.length || logHead !== before.logHead) throw new Error(`a read changed the log: ${what}`);
    } else {
      // a mutation that is still valid: what it recorded is already the new baseline
      const answer = request.operationId === 'proposeAgreement' || request.operationId === 'calculateSettlement' ? (res.json() as { version?: number; settlementId?: string }) : {};
      if (answer.version !== undefined) latest.version = String(answer.version);
      if (answer.settlementId !== undefined) latest.settlementId = answer.settlementId;
    }
  });
  await fc.assert(property, { numRuns: NUM_RUNS });

  const byStatus = new Map<number, number>();
  const byOperation = new Map<string, number>();
  for (const [key, n] of seen) {
    const [op, status] = key.split(' ') as [string, string];
    byStatus.set(Number(status), (byStatus.get(Number(status)) ?? 0) + n);
    byOperation.set(op, (byOperation.get(op) ?? 0) + n);
  }
  t.comment(`${NUM_RUNS} requests in ${Date.now() - started} ms; by status ${JSON.stringify(Object.fromEntries([...byStatus].sort((a, b) => a[0] - b[0])))}`);
  t.comment(`streams ${length} events; by operation ${JSON.stringify(Object.fromEntries(byOperation))}`);
  if (process.env['FUZZ_VERBOSE'] !== undefined) t.comment(JSON.stringify(Object.fromEntries([...seen].sort())));
  // Not vacuous: every operation was sent, and the requests got past auth into validation and the service.
  t.strictSame([...byOperation.keys()].sort(), V1.map((s) => s.operationId).sort(), 'every /v1 operation was exercised');
  for (const status of [400, 401, 403, 404]) t.ok((byStatus.get(status) ?? 0) > 0, `some ${status}s`);
  t.ok((byStatus.get(409) ?? 0) + (byStatus.get(422) ?? 0) > 0, 'some refusals by the service itself (409/422)');
  t.ok([...byStatus.keys()].some((s) => s < 300), 'some 2xx');
});
