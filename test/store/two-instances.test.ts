// Two service processes (the real entry point, src/main.ts) on one store, as behind a load
// balancer: two on one SQLite DATA_DIR (one store file, one summary file), and two on one
// EventStoreDB (the wire-level double, with faults injected while they write). Writers go
// through both at once. Checked: no acknowledged write lost, no duplicate from an
// Idempotency-Key retried on the other instance (one after the other, and both at once),
// both summaries converge on the same listing, a settlement calculated on either verifies on
// the other. Bounded: a fixed number of requests; no assertion on time.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { routeSpec } from '../../src/http/route-table.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { STORE_FILE_NAME } from '../../src/store/sqlite/sqlite-store.js';
import { SUMMARY_FILE_NAME } from '../../src/app/summary.js';
import { SUMMARY_FILE_FORMAT } from '../../src/app/summary-file.js';
import { KEY_RECORDS, KEYS } from '../http/fixtures/fake-service.js';
import { startEsdbDouble } from './esdb-double/server.js';

const FY = '/v1/funds/plymouth-integrated-fund/years/2015-16';
const PERIODS_EACH = 5; // returns per partner: M1..M5, ten commands racing on one stream

interface Instance {
  name: string;
  base: string;
  child: ChildProcess;
  exit: Promise<number | null>;
  /** Its log lines (pino JSON). */
  logs: string[];
}

interface Reply {
  status: number;
  body: Record<string, unknown> & Record<string, unknown>[];
}

function startInstance(name: string, env: NodeJS.ProcessEnv): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env['PATH'], PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const logs: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (text) => {
      logs.push(text);
      const port = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(text)?.[1];
      if (port !== undefined) resolve({ name, base: `http://127.0.0.1:${port}`, child, exit, logs });
    });
    void exit.then((code) => reject(new Error(`${name} exited ${code} before listening: ${stderr}`)));
  });
}

async function call(instance: Instance, method: string, url: string, key: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(`${instance.base}${url}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text.length > 0 ? JSON.parse(text) : null) as Reply['body'] };
}

const line = (strategyId: string, arrangement: 'pooled' | 'aligned', amount: string) => ({ strategyId, arrangement, actualToDate: amount, forecastOutturn: amount });

/** Example A's lines for each partner, with figures that differ by period. */
function returnBody(partnerId: 'ccg' | 'council', period: number): object {
  const a = `${100000 + period}.00`;
  const lines = partnerId === 'ccg'
    ? [line('wellbeing', 'pooled', a), line('community', 'pooled', a), line('community', 'aligned', a)]
    : [line('wellbeing', 'pooled', a), line('community', 'pooled', a)];
  return { partnerId, period: `M${period}`, lines };
}

async function twoInstances(t: Tap, label: string, envA: NodeJS.ProcessEnv, envB: NodeJS.ProcessEnv, duringWrites: () => void = () => undefined): Promise<Instance[]> {
  const a = await startInstance(`${label}-a`, envA);
  t.teardown(() => void a.child.kill('SIGKILL'));
  const b = await startInstance(`${label}-b`, envB);
  t.teardown(() => void b.child.kill('SIGKILL'));

  // Set-up through A, read back through B at once.
  t.equal((await call(a, 'POST', FY, KEYS.admin, routeSpec('openFundYear').example)).status, 201, 'opened through A');
  t.equal((await call(b, 'PUT', `${FY}/budget`, KEYS.admin, routeSpec('setBudget').example)).status, 200, 'budget through B');
  t.equal((await call(a, 'POST', `${FY}/agreements`, KEYS.admin, routeSpec('proposeAgreement').example)).status, 201, 'proposed through A');
  t.equal((await call(b, 'POST', `${FY}/agreements/1/acceptances`, KEYS.ccg)).status, 200, 'accepted through B');
  t.equal((await call(a, 'POST', `${FY}/agreements/1/acceptances`, KEYS.council)).status, 200, 'accepted through A');

  // Two writers at once, each alternating between the instances, every request with a key.
  duringWrites();
  const acknowledged = new Map<string, string>(); // returnId -> key
  const firstReplies = new Map<string, { via: Instance; body: Reply['body'] }>();
  const writer = async (partnerId: 'ccg' | 'council', key: string): Promise<void> => {
    for (let period = 1; period <= PERIODS_EACH; period++) {
      const via = period % 2 === (partnerId === 'ccg' ? 0 : 1) ? a : b;
      const idempotencyKey = `${partnerId}-M${period}`;
      const reply = await call(via, 'POST', `${FY}/returns`, key, returnBody(partnerId, period), { 'idempotency-key': idempotencyKey });
      t.equal(reply.status, 201, `${partnerId} M${period} through ${via.name}: ${JSON.stringify(reply.body).slice(0, 200)}`);
      if (reply.status === 201) acknowledged.set(String(reply.body['returnId']), idempotencyKey);
      firstReplies.set(idempotencyKey, { via, body: reply.body });
    }
  };
  await Promise.all([writer('ccg', KEYS.ccg), writer('council', KEYS.council)]);

  // The same key and body again, on the instance that did not answer it first: the first answer, nothing new.
  for (const [partnerId, period, key] of [['ccg', 2, KEYS.ccg], ['council', 3, KEYS.council]] as const) {
    const first = firstReplies.get(`${partnerId}-M${period}`)!;
    const other = first.via === a ? b : a;
    const retried = await call(other, 'POST', `${FY}/returns`, key, returnBody(partnerId, period), { 'idempotency-key': `${partnerId}-M${period}` });
    t.strictSame(retried, { status: 201, body: first.body }, `${partnerId}-M${period} retried on ${other.name}: the first answer (from ${first.via.name})`);
  }
  // A new key sent to both at the same moment: one event, one answer.
  const both = await Promise.all([a, b].map((i) => call(i, 'POST', `${FY}/returns`, KEYS.ccg, { ...returnBody('ccg', 6) }, { 'idempotency-key': 'ccg-M6-both' })));
  t.strictSame(both.map((r) => r.status), [201, 201], 'both instances answer the racing key');
  t.equal(both[0]!.body['returnId'], both[1]!.body['returnId'], 'with the same return');
  acknowledged.set(String(both[0]!.body['returnId']), 'ccg-M6-both');

  // No acknowledged write lost, none twice: the audit trail, read through each instance.
  for (const via of [a, b]) {
    const trail = await call(via, 'GET', `${FY}/events`, KEYS.auditor);
    t.equal(trail.status, 200);
    const returns = (trail.body as unknown as { type: string; data: { returnId: string } }[]).filter((e) => e.type === 'MonthlyReturnSubmitted');
    const ids = returns.map((e) => e.data.returnId);
    t.equal(new Set(ids).size, ids.length, `${via.name}: no return recorded twice`);
    t.strictSame([...ids].sort(), [...acknowledged.keys()].sort(), `${via.name}: exactly the ${acknowledged.size} acknowledged returns`);
  }

  // Both summaries converge (each waits for the log's head before answering).
  const listA = await call(a, 'GET', '/v1/funds', KEYS.admin);
  const listB = await call(b, 'GET', '/v1/funds', KEYS.admin);
  t.equal(listA.status, 200);
  t.strictSame(listB.body, listA.body, 'the same listing from both instances');
  t.match(listA.body, [{ fundId: 'plymouth-integrated-fund', revision: 4 + acknowledged.size }], 'at the last revision');

  // A settlement run on either verifies on the other.
  for (const [on, check] of [[a, b], [b, a]] as const) {
    const settlement = await call(on, 'POST', `${FY}/settlements`, KEYS.admin, { mode: 'forecast' });
    t.equal(settlement.status, 201, `calculated on ${on.name}`);
    const id = String(settlement.body['settlementId']);
    const verification = await call(check, 'GET', `${FY}/settlements/${id}/verification`, KEYS.auditor);
    t.match(verification.body, { settlementId: id, match: true, digest: settlement.body['digest'] }, `verified on ${check.name}`);
  }

  for (const instance of [a, b]) {
    instance.child.kill('SIGTERM');
    t.equal(await instance.exit, 0, `${instance.name} stopped cleanly`);
  }
  return [a, b];
}

type Tap = Parameters<Parameters<typeof t.test>[0]>[0];

function keysFile(dir: string): string {
  const file = path.join(dir, 'keys.json');
  fs.writeFileSync(file, JSON.stringify(KEY_RECORDS));
  return file;
}

t.test('two instances on one SQLite DATA_DIR', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poolshare-two-sqlite-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const env = { DATA_DIR: path.join(dir, 'data'), API_KEYS_FILE: keysFile(dir) };
  await twoInstances(t, 'sqlite', env, env);
  const files = fs.readdirSync(env.DATA_DIR);
  t.ok(files.includes(STORE_FILE_NAME), 'one store file');
  t.strictSame(files.filter((f) => f.endsWith('.tmp')), [], 'no temporary summary file left behind');
  const summary = JSON.parse(fs.readFileSync(path.join(env.DATA_DIR, SUMMARY_FILE_NAME), 'utf8')) as { format: number; checkpoint: string };
  t.match(summary, { format: SUMMARY_FILE_FORMAT, checkpoint: /^[0-9]+$/ }, 'the shared summary file is whole, with a checkpoint');
});

t.test('two instances on one EventStoreDB (the double), with faults while they write', async (t) => {
  const double = await startEsdbDouble();
  t.teardown(() => double.close());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poolshare-two-esdb-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const keys = keysFile(dir);
  const envFor = (name: string) => ({ DATA_DIR: path.join(dir, name), API_KEYS_FILE: keys, EVENTSTORE_URL: double.url });
  const instances = await twoInstances(t, 'esdb', envFor('a'), envFor('b'), () => {
    double.faults.inject({ kind: 'unavailable-after-write', on: 'append', times: 2 });
    double.faults.inject({ kind: 'not-leader', on: 'append', times: 2 });
    double.faults.inject({ kind: 'unavailable', on: 'read', times: 2 });
  });
  t.ok(double.faults.total >= 6, `faults were answered while they wrote (${double.faults.total})`);
  t.ok(double.calls.subscribe >= 2, 'each instance subscribed for its summary');
  const logs = instances.flatMap((i) => i.logs);
  const retried = logs.filter((l) => l.includes('event store call retried'));
  t.ok(retried.length > 0, `the retries were logged, one line each (${retried.length})`);
  t.notOk(logs.some((l) => l.includes('"stack"')), 'no stack in any log line');
});
