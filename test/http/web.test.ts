// The web app's serving (src/http/web.ts) and GET /v1/me, at the HTTP level: the
// page under its strict CSP, the SPA fallback and what it leaves alone, the hashed
// assets, a clear 503 when nothing is built, /docs unchanged. (The app itself runs
// in a real browser in test/web/browser.test.ts.)
import { test } from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import { WEB_CSP } from '../../src/http/web.js';
import { bearer, createFakeService, FUND, KEYS, KEY_RECORDS, OTHER_FUND, type Teardown } from './fixtures/fake-service.js';

const PAGE = '<!doctype html><html><head><script type="module" src="/assets/app-abc123.js"></script></head><body><div id="app"></div></body></html>';
const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const PROBLEM_JSON = /^application\/problem\+json/;

function builtDir(t: Teardown & { testdirName?: string }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poolshare-web-'));
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'index.html'), PAGE);
  fs.writeFileSync(path.join(dir, 'assets', 'app-abc123.js'), 'console.log("app");\n');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function appWith(t: Teardown, webDir: string): Promise<FastifyInstance> {
  const app = await buildApp({ service: createFakeService(), keys: KEY_RECORDS, webDir });
  t.teardown(() => app.close());
  return app;
}

test('GET / serves the page under the strict CSP, never cached', async (t) => {
  const app = await appWith(t, builtDir(t));
  const res = await app.inject({ method: 'GET', url: '/', headers: HTML });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/html; charset=utf-8/);
  t.equal(res.body, PAGE);
  t.equal(res.headers['content-security-policy'], WEB_CSP);
  t.equal(WEB_CSP, "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  t.equal(res.headers['cache-control'], 'no-cache');
  t.equal(res.headers['x-content-type-options'], 'nosniff');
  t.equal(res.headers['x-frame-options'], 'DENY');
  const anyAccept = await app.inject({ method: 'GET', url: '/' });
  t.equal(anyAccept.statusCode, 200, '/ itself answers whatever the Accept header');
});

test('SPA fallback: page paths that accept HTML get the page; everything else keeps its 404', async (t) => {
  const app = await appWith(t, builtDir(t));
  for (const url of [`/funds/${FUND}/years/2015-16`, `/funds/${FUND}/years/2015-16/settlements/c0ffee00-0000-4000-8000-000000000001`, '/funds/x/years/2015-16/audit?from=10']) {
    const res = await app.inject({ method: 'GET', url, headers: HTML });
    t.equal(res.statusCode, 200, `${url}: the page`);
    t.equal(res.headers['content-type'], 'text/html; charset=utf-8');
    t.equal(res.body, PAGE);
    t.equal(res.headers['content-security-policy'], WEB_CSP);
  }
  const refused: [string, Record<string, string>][] = [
    ['/funds/x/years/2015-16', {}], // not asking for HTML (an API client)
    ['/funds/x/years/2015-16', { accept: 'application/json' }],
    ['/v1/nope', HTML], // the API's namespace is never the page
    ['/v1', HTML],
    ['/docs/nope', HTML],
    ['/favicon.ico', HTML], // a file, not a page
    ['/assets/missing-123.js', HTML],
  ];
  for (const [url, headers] of refused) {
    const res = await app.inject({ method: 'GET', url, headers });
    t.equal(res.statusCode, 404, `${url} ${JSON.stringify(headers)}: 404`);
    t.match(res.headers['content-type'], PROBLEM_JSON);
    t.equal(res.json().type, 'https://poolshare.example/problems/not-found');
  }
  const post = await app.inject({ method: 'POST', url: '/funds/x/years/2015-16', headers: HTML });
  t.equal(post.statusCode, 404, 'only GET falls back');
});

test('hashed assets: served with a long cache and the same headers', async (t) => {
  const app = await appWith(t, builtDir(t));
  const res = await app.inject({ method: 'GET', url: '/assets/app-abc123.js' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /javascript/);
  t.equal(res.body, 'console.log("app");\n');
  t.match(res.headers['cache-control'], /immutable/);
  t.equal(res.headers['content-security-policy'], WEB_CSP);
  const escape = await app.inject({ method: 'GET', url: '/assets/..%2f..%2fetc%2fpasswd' });
  t.not(escape.statusCode, 200, 'no path out of the assets directory');
});

test('not built: / and page paths answer 503 problem+json saying how to build', async (t) => {
  const missing = path.join(os.tmpdir(), `poolshare-web-missing-${process.pid}`);
  const app = await appWith(t, missing);
  for (const url of ['/', `/funds/${FUND}/years/2015-16`, '/assets/index-123.js']) {
    const res = await app.inject({ method: 'GET', url, headers: HTML });
    t.equal(res.statusCode, 503, `${url}: 503`);
    t.match(res.headers['content-type'], PROBLEM_JSON);
    t.match(res.json(), { type: 'https://poolshare.example/problems/web-app-not-built', status: 503 });
    t.match(res.json().detail, /npm run build/);
  }
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, 'the API is unaffected');
});

test('/docs keeps its own CSP (swagger-ui needs inline styles); the API answers carry no page CSP', async (t) => {
  const app = await appWith(t, builtDir(t));
  const docs = await app.inject({ method: 'GET', url: '/docs', headers: HTML });
  t.equal(docs.statusCode, 200);
  t.match(String(docs.headers['content-security-policy']), /style-src 'self' 'unsafe-inline'/);
  t.not(docs.headers['content-security-policy'], WEB_CSP);
  const api = await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(KEYS.admin) });
  t.equal(api.headers['content-security-policy'], undefined);
});

test('GET /v1/me: the calling key, nothing more', async (t) => {
  const app = await appWith(t, builtDir(t));
  const me = async (key: string) => (await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(key) })).json();
  t.strictSame(await me(KEYS.admin), { name: 'fund-admin', role: 'admin', funds: ['*'] });
  t.strictSame(await me(KEYS.ccg), { name: 'ccg-finance', role: 'partner', partnerId: 'ccg', funds: [FUND] });
  t.strictSame(await me(KEYS.otherFundCcg), { name: 'torbay-ccg', role: 'partner', partnerId: 'ccg', funds: [OTHER_FUND] });
  t.strictSame(await me(KEYS.auditor), { name: 'internal-audit', role: 'auditor', funds: ['*'] });
  const none = await app.inject({ method: 'GET', url: '/v1/me' });
  t.equal(none.statusCode, 401);
  t.match(none.headers['content-type'], PROBLEM_JSON);
});
