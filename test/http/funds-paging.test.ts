// GET /v1/funds a page at a time: `limit` (default 100, maximum 1000), `after` (the last
// fund-year of the previous page), a stable order (fund id, then year), and a
// `Link: rel="next"` header while more follow. The body stays a plain array.
import { test, type Test } from 'tap';
import type { FastifyInstance } from 'fastify';
import type { FundSummary } from '../../src/app/service-types.js';
import { buildApp } from '../../src/http/app.js';
import { compareFundYears, fundsPage } from '../../src/http/routes/funds.js';
import { routeSpec } from '../../src/http/route-table.js';
import { bearer, createFakeService, KEY_RECORDS, KEYS, type FakeService } from './fixtures/fake-service.js';
import { realApp } from './fixtures/real-app.js';

const NEXT_RE = /^<(\/v1\/funds\?[^>]+)>; rel="next"$/;

function summary(fundId: string, year: string): FundSummary {
  return {
    fundId, year, name: `${fundId} ${year}`, status: 'open', revision: 0, partners: ['ccg'], budget: '0.00', forecastOutturn: '0.00',
    forecastVariance: '0.00', adoptedAgreementVersion: null, latestSettlement: null,
  };
}

/** `count` fund-years over a few funds, shuffled (the service need not sort them). */
function summaries(count: number): FundSummary[] {
  const all: FundSummary[] = [];
  for (let i = 0; i < count; i++) all.push(summary(`fund-${String(i % 7).padStart(2, '0')}${i % 3 === 0 ? '-x' : ''}`, `${2000 + Math.floor(i / 7)}-${String((1 + Math.floor(i / 7)) % 100).padStart(2, '0')}`));
  return all.map((s, i) => ({ s, k: (i * 7919) % count })).sort((a, b) => a.k - b.k).map(({ s }) => s);
}

async function setup(t: Test, funds: FundSummary[]): Promise<{ app: FastifyInstance; service: FakeService }> {
  const service = createFakeService({ listFunds: async () => funds });
  const app = await buildApp({ service, keys: KEY_RECORDS });
  t.teardown(() => app.close());
  return { app, service };
}

/** Follows `Link: rel="next"` from `url` to the last page; the ids of every page. */
async function walk(app: FastifyInstance, url: string): Promise<{ pages: string[][]; urls: string[] }> {
  const pages: string[][] = [];
  const urls: string[] = [];
  for (let next: string | undefined = url; next !== undefined && pages.length < 100; ) {
    urls.push(next);
    const res: Awaited<ReturnType<FastifyInstance['inject']>> = await app.inject({ method: 'GET', url: next, headers: bearer(KEYS.admin) });
    if (res.statusCode !== 200) throw new Error(`${next}: ${res.statusCode} ${res.body}`);
    pages.push((res.json() as FundSummary[]).map((f) => `${f.fundId}/${f.year}`));
    const link: unknown = res.headers['link'];
    next = typeof link === 'string' ? NEXT_RE.exec(link)?.[1] : undefined;
  }
  return { pages, urls };
}

test('pages of `limit` in fund-then-year order, linked until the last; together every fund-year once', async (t) => {
  const all = summaries(25);
  const { app } = await setup(t, all);
  const expected = [...all].sort(compareFundYears).map((f) => `${f.fundId}/${f.year}`);
  const { pages, urls } = await walk(app, '/v1/funds?limit=10');
  t.strictSame(pages.map((p) => p.length), [10, 10, 5]);
  t.strictSame(pages.flat(), expected, 'in order, none repeated or missed');
  t.equal(urls[1], `/v1/funds?limit=10&after=${encodeURIComponent(expected[9]!)}`, 'the next link names the last item and keeps the limit');
  t.ok(expected.indexOf('fund-00/2000-01') < expected.indexOf('fund-00-x/2000-01'), 'fund ids compare as whole ids (fund-00 before fund-00-x), not as stream names');

  const exact = await walk(app, '/v1/funds?limit=25');
  t.strictSame(exact.pages.map((p) => p.length), [25], 'a page that ends exactly at the end has no next link');
});

test('the default page is 100; at most 1000', async (t) => {
  const all = summaries(1203);
  const { app } = await setup(t, all);
  const first = await app.inject({ method: 'GET', url: '/v1/funds', headers: bearer(KEYS.admin) });
  t.equal((first.json() as unknown[]).length, 100);
  t.match(first.headers['link'], /^<\/v1\/funds\?limit=100&after=[^>]+>; rel="next"$/);
  const max = await walk(app, '/v1/funds?limit=1000');
  t.strictSame(max.pages.map((p) => p.length), [1000, 203]);
});

test('`after` need not exist: the page starts at the next fund-year after it', async (t) => {
  const { app } = await setup(t, [summary('b-fund', '2015-16'), summary('a-fund', '2016-17'), summary('a-fund', '2015-16'), summary('c-fund', '2015-16')]);
  const ids = async (query: string) => ((await app.inject({ method: 'GET', url: `/v1/funds${query}`, headers: bearer(KEYS.admin) })).json() as FundSummary[]).map((f) => `${f.fundId}/${f.year}`);
  t.strictSame(await ids(''), ['a-fund/2015-16', 'a-fund/2016-17', 'b-fund/2015-16', 'c-fund/2015-16']);
  t.strictSame(await ids('?after=a-fund/2015-16'), ['a-fund/2016-17', 'b-fund/2015-16', 'c-fund/2015-16'], 'a literal slash');
  t.strictSame(await ids('?after=a-fund%2F2099-00'), ['b-fund/2015-16', 'c-fund/2015-16'], 'a year past the fund\'s last');
  t.strictSame(await ids('?after=bb-fund/2000-01'), ['c-fund/2015-16'], 'a fund id between two');
  t.strictSame(await ids('?after=zz/2015-16'), [], 'after the last: an empty page');
});

test('bad paging parameters are 400 problem+json naming them', async (t) => {
  const { app, service } = await setup(t, summaries(3));
  const cases: [string, string][] = [
    ['limit=0', 'querystring/limit'], ['limit=1001', 'querystring/limit'], ['limit=-1', 'querystring/limit'], ['limit=01', 'querystring/limit'], ['limit=ten', 'querystring/limit'],
    ['after=plymouth', 'querystring/after'], ['after=Plymouth/2015-16', 'querystring/after'], ['after=a-fund/2015', 'querystring/after'], ['after=a-fund/2015-16/x', 'querystring/after'],
    ['limit=5&limit=6', 'querystring/limit'], ['cursor=abc', 'querystring/cursor'],
  ];
  for (const [query, path] of cases) {
    const res = await app.inject({ method: 'GET', url: `/v1/funds?${query}`, headers: bearer(KEYS.admin) });
    t.equal(res.statusCode, 400, `${query}: 400`);
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    t.match(res.json(), { type: 'https://poolshare.example/problems/validation', status: 400, errors: [{ path }] }, `${query}: names ${path}`);
  }
  t.equal(service.calls.length, 0, 'the service was not asked');
});

test('fundsPage: pure paging', async (t) => {
  const all = [summary('b', '2015-16'), summary('a', '2015-16')];
  t.strictSame(fundsPage(all, undefined, 1), { items: [all[1]], next: { fundId: 'a', year: '2015-16' } });
  t.strictSame(fundsPage(all, { fundId: 'a', year: '2015-16' }, 1), { items: [all[0]] });
  t.strictSame(fundsPage([], undefined, 100), { items: [] });
  t.strictSame(all.map((s) => s.fundId), ['b', 'a'], 'the input is not reordered');
});

test('the real service: existing callers (no parameters) get every fund-year they may see, as before', async (t) => {
  const app = await realApp(t);
  const open = routeSpec('openFundYear').example;
  for (const path of ['/v1/funds/torbay-fund/years/2015-16', '/v1/funds/plymouth-integrated-fund/years/2016-17', '/v1/funds/plymouth-integrated-fund/years/2015-16']) {
    t.equal((await app.inject({ method: 'POST', url: path, headers: bearer(KEYS.admin), payload: open })).statusCode, 201);
  }
  const list = async (key: string, query = '') => {
    const res = await app.inject({ method: 'GET', url: `/v1/funds${query}`, headers: bearer(key) });
    return { ids: (res.json() as FundSummary[]).map((f) => `${f.fundId}/${f.year}`), link: res.headers['link'] };
  };
  t.strictSame(await list(KEYS.admin), { ids: ['plymouth-integrated-fund/2015-16', 'plymouth-integrated-fund/2016-17', 'torbay-fund/2015-16'], link: undefined });
  t.strictSame(await list(KEYS.ccg), { ids: ['plymouth-integrated-fund/2015-16', 'plymouth-integrated-fund/2016-17'], link: undefined }, 'only the key\'s funds');
  t.strictSame(await list(KEYS.ccg, '?limit=1'), { ids: ['plymouth-integrated-fund/2015-16'], link: '</v1/funds?limit=1&after=plymouth-integrated-fund%2F2015-16>; rel="next"' });
  t.strictSame(await list(KEYS.ccg, '?limit=1&after=plymouth-integrated-fund%2F2015-16'), { ids: ['plymouth-integrated-fund/2016-17'], link: undefined }, 'no link to a page the key would find empty');
});
