// End to end through HTTP with the real service on an in-memory SQLite store:
// the whole story of a fund-year, then the entry point as a process.
import { test } from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { InjectOptions } from 'fastify';
import { hashKey } from '../../src/http/auth.js';
import { routeSpec } from '../../src/http/route-table.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { bearer, KEYS } from './fixtures/fake-service.js';
import { realApp } from './fixtures/real-app.js';
import { like } from '../fixtures/like.js';

const FY = '/v1/funds/plymouth-integrated-fund/years/2015-16';


type Line = { strategyId: string; arrangement: 'pooled' | 'aligned'; actualToDate: string; forecastOutturn: string };
const line = (strategyId: string, arrangement: 'pooled' | 'aligned', actualToDate: string, forecastOutturn: string): Line => ({ strategyId, arrangement, actualToDate, forecastOutturn });

test('the story of a fund-year, through HTTP', async (t) => {
  const app = await realApp(t);
  const call = async (method: InjectOptions['method'], url: string, key: string, payload?: object, headers: Record<string, string> = {}) => {
    const res = await app.inject({ method, url, headers: { ...bearer(key), ...headers }, ...(payload === undefined ? {} : { payload }) });
    return { status: res.statusCode, json: () => res.json(), body: res.body, headers: res.headers };
  };

  // open, budget (SETTLEMENT.md example A), agreement accepted by both partners
  t.equal((await call('POST', FY, KEYS.admin, routeSpec('openFundYear').example)).status, 201);
  const again = await call('POST', FY, KEYS.admin, routeSpec('openFundYear').example);
  t.equal(again.status, 409, 'opening it again');
  t.match(again.headers['content-type'], /problem\+json/);
  t.strictSame((await call('PUT', `${FY}/budget`, KEYS.admin, routeSpec('setBudget').example)).json(), { revision: 1 });
  t.strictSame((await call('POST', `${FY}/agreements`, KEYS.admin, routeSpec('proposeAgreement').example)).json(), { version: 1, revision: 2 });
  const first = await call('POST', `${FY}/agreements/1/acceptances`, KEYS.ccg);
  like(t, first.json(), { version: 1, acceptedBy: ['ccg'], adopted: false });
  t.equal((await call('POST', `${FY}/agreements/1/acceptances`, KEYS.council)).json().adopted, true);
  like(t, (await call('GET', `${FY}/agreements`, KEYS.auditor)).json(), { adoptedVersion: 1, versions: [{ version: 1, acceptedBy: ['ccg', 'council'], adopted: true }] });

  // monthly returns: M6 forecasts, then M12 with an idempotency key, a refused duplicate and a correction
  const m6 = await call('POST', `${FY}/returns`, KEYS.ccg, { partnerId: 'ccg', period: 'M6', lines: [line('wellbeing', 'pooled', '300000.00', '600000.00'), line('community', 'pooled', '750000.00', '1500000.00'), line('community', 'aligned', '125000.00', '250000.00')] });
  t.equal(m6.status, 201);
  const revisionAfterM6 = m6.json().revision as number;
  const ccgM12 = { partnerId: 'ccg', period: 'M12', lines: [line('wellbeing', 'pooled', '640000.00', '640000.00'), line('community', 'pooled', '1520000.00', '1520000.00'), line('community', 'aligned', '310000.00', '310000.00')] };
  const submitted = await call('POST', `${FY}/returns`, KEYS.ccg, ccgM12, { 'idempotency-key': 'ccg-2015-16-M12' });
  t.equal(submitted.status, 201);
  const replay = await call('POST', `${FY}/returns`, KEYS.ccg, ccgM12, { 'idempotency-key': 'ccg-2015-16-M12' });
  t.strictSame(replay.json(), submitted.json(), 'the same key and body replays the first answer');
  const reused = await call('POST', `${FY}/returns`, KEYS.ccg, { ...ccgM12, correction: true }, { 'idempotency-key': 'ccg-2015-16-M12' });
  t.equal(reused.status, 422, 'the same key with another body');
  t.equal((await call('POST', `${FY}/returns`, KEYS.ccg, ccgM12)).status, 409, 'a second M12 without correction');
  const corrected = { ...ccgM12, correction: true, lines: [line('wellbeing', 'pooled', '640000.00', '640000.00'), line('community', 'pooled', '1530000.00', '1530000.00'), line('community', 'aligned', '310000.00', '310000.00')] };
  t.equal((await call('POST', `${FY}/returns`, KEYS.ccg, corrected)).status, 201, 'the correction');
  t.equal((await call('POST', `${FY}/returns`, KEYS.ccg, { ...corrected, partnerId: 'council' })).status, 403, 'ccg may not submit for council');
  const missing = await call('POST', `${FY}/returns`, KEYS.council, { partnerId: 'council', period: 'M12', lines: [line('wellbeing', 'pooled', '395000.00', '395000.00')] });
  t.equal(missing.status, 400, 'a return missing a budget line');
  like(t, missing.json().errors, [{ path: '/lines', message: /community/ }], 'names the line');
  const early = await call('POST', `${FY}/close`, KEYS.admin);
  t.equal(early.status, 409, 'no close before every M12');
  t.match(early.json().detail, /council/, 'names who has not');
  t.equal((await call('POST', `${FY}/returns`, KEYS.council, { partnerId: 'council', period: 'M12', lines: [line('wellbeing', 'pooled', '395000.00', '395000.00'), line('community', 'pooled', '520000.00', '520000.00')] })).status, 201);

  // positions now, and as they stood after M6
  const now = (await call('GET', `${FY}/positions`, KEYS.council)).json();
  like(t, now.fund, { budget: '3250000.00', forecastOutturn: '3395000.00', forecastVariance: '145000.00' });
  like(t, now.fund.forecastVarianceByPeriod, { M1: null, M12: '145000.00' });
  const then = (await call('GET', `${FY}/positions?asOfRevision=${revisionAfterM6}`, KEYS.council)).json();
  t.equal(then.asOfRevision, revisionAfterM6);
  like(t, then.partners[0], { partnerId: 'ccg', lastPeriod: 'M6', forecastVariance: '0.00' });

  // close, a forecast settlement is refused nothing; the final one is example A to the penny
  like(t, (await call('POST', `${FY}/close`, KEYS.admin)).json(), { status: 'closed' });
  t.equal((await call('POST', `${FY}/returns`, KEYS.council, { partnerId: 'council', period: 'M12', correction: true, lines: [line('wellbeing', 'pooled', '1.00', '1.00'), line('community', 'pooled', '1.00', '1.00')] })).status, 409, 'no return after close');
  const final = await call('POST', `${FY}/settlements`, KEYS.admin, { mode: 'final' });
  t.equal(final.status, 201);
  const settlement = final.json();
  like(t, settlement, {
    mode: 'final', status: 'calculated', requiresDecision: false, agreementVersion: 1,
    pots: [{ potId: 'integrated-fund', budget: '3000000.00', variance: '85000.00', direction: 'overspend', shares: { ccg: '55000.00', council: '30000.00' }, capped: ['council'], unallocated: '0.00' }],
    partners: [{ partnerId: 'ccg', varianceBorne: '70000.00', share: '55000.00', transfer: '-15000.00' }, { partnerId: 'council', varianceBorne: '15000.00', share: '30000.00', transfer: '15000.00' }],
    payments: [{ from: 'council', to: 'ccg', amount: '15000.00' }],
    unshared: [{ strategyId: 'community', partnerId: 'ccg', arrangement: 'aligned', variance: '60000.00' }],
  });
  t.match(settlement.digest, /^sha256:[0-9a-f]{64}$/);

  // a post-close adjustment by the partner itself, and the final settlement again
  t.equal((await call('POST', `${FY}/adjustments`, KEYS.council, { ...routeSpec('adjustOutturn').example })).status, 403, 'council may not adjust a ccg line');
  t.equal((await call('POST', `${FY}/adjustments`, KEYS.ccg, { ...routeSpec('adjustOutturn').example })).status, 201);
  const second = (await call('POST', `${FY}/settlements`, KEYS.admin, { mode: 'final' })).json();
  like(t, second, { pots: [{ variance: '82500.00', shares: { ccg: '52500.00', council: '30000.00' } }], payments: [{ from: 'council', to: 'ccg', amount: '15000.00' }] });
  t.not(second.digest, settlement.digest);
  const list = (await call('GET', `${FY}/settlements`, KEYS.auditor)).json() as { settlementId: string; status: string }[];
  t.strictSame(list.map((s) => [s.settlementId, s.status]), [[second.settlementId, 'calculated'], [settlement.settlementId, 'superseded']], 'newest first; the older final is superseded');

  // verification, approvals, CSV
  const verification = (await call('GET', `${FY}/settlements/${second.settlementId}/verification`, KEYS.auditor)).json();
  t.strictSame(verification, {
    settlementId: second.settlementId, asOfRevision: second.asOfRevision, digest: second.digest, recomputedDigest: second.digest, storedBodyDigest: second.digest,
    chainHash: second.chainHash, match: true, checks: { figures: true, storedBody: true, chain: true }, firstBroken: null,
  });
  t.equal((await call('POST', `${FY}/settlements/${second.settlementId}/approvals`, KEYS.admin)).status, 403, 'only partners approve');
  like(t, (await call('POST', `${FY}/settlements/${second.settlementId}/approvals`, KEYS.ccg)).json(), { status: 'calculated', approvedBy: ['ccg'] });
  like(t, (await call('POST', `${FY}/settlements/${second.settlementId}/approvals`, KEYS.council)).json(), { status: 'approved', approvedBy: ['ccg', 'council'] });
  const csv = await call('GET', `${FY}/settlements/${second.settlementId}/statement.csv`, KEYS.council);
  t.equal(csv.status, 200);
  t.equal(csv.headers['content-type'], 'text/csv; charset=utf-8');
  t.ok(csv.body.includes(second.digest), 'the statement carries the digest');
  t.ok(csv.body.includes(`chain hash,${second.chainHash}`), '…and the chain hash');
  t.match(csv.body, /15000\.00/);
  t.equal((await call('GET', `${FY}/settlements/00000000-0000-4000-8000-000000000000`, KEYS.ccg)).status, 404);

  // the audit trail and the cross-fund summary
  t.equal((await call('GET', `${FY}/events`, KEYS.ccg)).status, 403, 'partners do not read the audit trail');
  const events = (await call('GET', `${FY}/events`, KEYS.auditor)).json() as { revision: number; type: string; metadata: unknown }[];
  t.equal(events[0]?.type, 'FundYearOpened');
  t.strictSame(events.map((e) => e.revision), events.map((_e, i) => i), 'every revision, in order');
  t.ok(events.some((e) => JSON.stringify(e.metadata).includes('ccg-2015-16-M12')), 'the idempotency key is in the metadata');
  const page = (await call('GET', `${FY}/events?fromRevision=2&limit=3`, KEYS.admin)).json() as { revision: number }[];
  t.strictSame(page.map((e) => e.revision), [2, 3, 4]);
  const funds = (await call('GET', '/v1/funds', KEYS.ccg)).json();
  like(t, funds, [{ fundId: 'plymouth-integrated-fund', year: '2015-16', status: 'closed', adoptedAgreementVersion: 1, latestSettlement: { settlementId: second.settlementId } }]);
  t.strictSame((await call('GET', '/v1/funds', KEYS.otherFundCcg)).json(), [], 'a key of another fund sees none');
  t.strictSame((await app.inject({ method: 'GET', url: '/readyz' })).json(), { status: 'ok' });
});

interface Started {
  child: ChildProcess;
  port: number;
  logs: Record<string, unknown>[];
  exit: Promise<number | null>;
}

function start(env: NodeJS.ProcessEnv): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: PROJECT_ROOT, env: { PATH: process.env['PATH'], ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Record<string, unknown>[] = [];
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    createInterface({ input: child.stdout! }).on('line', (text) => {
      const entry = JSON.parse(text) as Record<string, unknown>;
      logs.push(entry);
      const port = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(String(entry['msg']))?.[1];
      if (port !== undefined) resolve({ child, port: Number(port), logs, exit });
    });
    void exit.then((code) => reject(new Error(`exited ${code} before listening: ${stderr}`)));
  });
}

function run(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: PROJECT_ROOT, env: { PATH: process.env['PATH'], ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

test('main: starts, answers, exits 0 on SIGTERM', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poolshare-main-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const keysFile = path.join(dir, 'keys.json');
  fs.writeFileSync(keysFile, JSON.stringify([{ keySha256: hashKey('main-admin-key'), name: 'admin', role: 'admin', funds: ['*'] }]));
  const server = await start({ PORT: '0', DATA_DIR: path.join(dir, 'data'), API_KEYS_FILE: keysFile, LOG_LEVEL: 'info' });
  t.teardown(() => server.child.kill('SIGKILL'));
  const base = `http://127.0.0.1:${server.port}`;
  const health = await fetch(`${base}/healthz`);
  t.equal(health.status, 200);
  t.strictSame(await health.json(), { status: 'ok' });
  t.equal((await fetch(`${base}/readyz`)).status, 200);
  const open = await fetch(`${base}${FY}`, { method: 'POST', headers: { authorization: 'Bearer main-admin-key', 'content-type': 'application/json' }, body: JSON.stringify(routeSpec('openFundYear').example) });
  t.equal(open.status, 201, 'writes to the embedded store in DATA_DIR');
  t.ok(fs.readdirSync(path.join(dir, 'data')).length > 0, 'DATA_DIR holds the store');
  t.equal((await fetch(`${base}/v1/funds`)).status, 401);
  server.child.kill('SIGTERM');
  t.equal(await server.exit, 0, 'exit 0 on SIGTERM');
  t.ok(server.logs.some((entry) => entry['msg'] === 'stopped'), 'closed in order');
  t.notOk(JSON.stringify(server.logs).includes('main-admin-key'), 'the key was not logged');
});

test('main: refuses to start on bad configuration or keys file', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poolshare-main-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const badPort = await run({ PORT: 'eighty', DATA_DIR: dir });
  t.equal(badPort.code, 1);
  t.match(badPort.stderr, /poolshare: cannot start: PORT must be a whole number/);
  const keysFile = path.join(dir, 'keys.json');
  fs.writeFileSync(keysFile, '[{"keySha256": "plain-text-key", "name": "x", "role": "admin", "funds": ["*"]}]');
  const badKeys = await run({ PORT: '0', DATA_DIR: dir, API_KEYS_FILE: keysFile });
  t.equal(badKeys.code, 1);
  t.match(badKeys.stderr, new RegExp(`cannot start: API_KEYS_FILE ${keysFile}: not a valid keys file: /0/keySha256: must match`));
});
