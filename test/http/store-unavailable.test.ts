// A store that cannot answer is a 503 store-unavailable (problem+json) on /v1 and on /readyz,
// logged as one line per failure, never a stack per request: an unreachable EventStoreDB (the
// adapter's typed StoreUnavailableError) and SQLite's busy and I/O errors alike. A fault of ours
// stays a 500 with its stack in the log.
import Database from 'better-sqlite3';
import type { FastifyInstance, InjectOptions } from 'fastify';
import t, { type Test } from 'tap';
import { createFundYearService } from '../../src/app/service.js';
import { buildApp } from '../../src/http/app.js';
import { openEventStoreDbStore } from '../../src/store/eventstoredb/esdb-store.js';
import type { EventStore } from '../../src/store/port.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { bearer, FUND, KEY_RECORDS, KEYS, YEAR } from './fixtures/fake-service.js';

const FY = `/v1/funds/${FUND}/years/${YEAR}`;
const PROBLEM = 'https://poolshare.example/problems/store-unavailable';
const BUDGET = { lines: [{ strategyId: 'wellbeing', partnerId: 'ccg', arrangement: 'pooled', amount: '1.00' }] };

interface LogLine {
  level: number;
  reqId?: string;
  msg?: string;
  err?: unknown;
  cause?: string;
  type?: string;
}

/** The real app and service on `store`, with its log lines kept. */
async function appOn(t: Test, store: EventStore) {
  const lines: LogLine[] = [];
  const service = createFundYearService({ store, summaryWaitMs: 200 });
  const app = await buildApp({ service, keys: KEY_RECORDS, logger: { level: 'info', stream: { write: (line: string) => lines.push(JSON.parse(line) as LogLine) } } });
  t.teardown(async () => {
    await app.close();
    await service.close();
    await store.close();
  });
  return { app, lines };
}

/** The request's answer is 503 store-unavailable, and its log holds one warning and no stack. */
async function unavailable(t: Test, app: FastifyInstance, lines: LogLine[], what: string, request: InjectOptions) {
  const res = await app.inject(request);
  t.equal(res.statusCode, 503, `${what}: 503`);
  t.match(String(res.headers['content-type']), /^application\/problem\+json/, `${what}: problem+json`);
  const body = res.json();
  t.strictSame({ type: body.type, status: body.status }, { type: PROBLEM, status: 503 }, `${what}: store-unavailable`);
  const id = String(res.headers['x-request-id']);
  const mine = lines.filter((l) => l.reqId === id && l.level >= 40);
  t.equal(mine.length, 1, `${what}: one log line`);
  t.equal(mine[0]?.err, undefined, `${what}: no stack`);
  t.type(mine[0]?.cause, 'string', `${what}: the cause in one line`);
  t.notMatch(mine[0]?.cause ?? '', /\n/);
}

t.test('an unreachable EventStoreDB: 503 store-unavailable on /v1 and /readyz, one line each', async (t) => {
  const store = openEventStoreDbStore({ url: 'esdb://127.0.0.1:1?tls=false', deadlineMs: 300, attempts: 1 });
  const { app, lines } = await appOn(t, store);
  await unavailable(t, app, lines, 'a read', { method: 'GET', url: `${FY}/positions`, headers: bearer(KEYS.admin) });
  await unavailable(t, app, lines, 'a command', { method: 'PUT', url: `${FY}/budget`, headers: bearer(KEYS.admin), payload: BUDGET });
  await unavailable(t, app, lines, 'the fund list', { method: 'GET', url: '/v1/funds', headers: bearer(KEYS.admin) });
  await unavailable(t, app, lines, 'readiness', { method: 'GET', url: '/readyz' });
  t.equal(lines.filter((l) => l.err !== undefined).length, 0, 'no stack anywhere in the log');
});

/** An in-memory SQLite store whose reads (or appends) fail as SQLite does. */
function failingSqlite(failure: Error, on: 'readStream' | 'append'): EventStore {
  const store = openSqliteStore({ memory: true });
  return new Proxy(store, {
    get(target, name, receiver) {
      if (name === on) return () => Promise.reject(failure);
      const value = Reflect.get(target, name, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

t.test('SQLite locked beyond its busy timeout, or failing on disk: 503 store-unavailable', async (t) => {
  const busy = await appOn(t, failingSqlite(new Database.SqliteError('database is locked', 'SQLITE_BUSY'), 'readStream'));
  await unavailable(t, busy.app, busy.lines, 'locked', { method: 'GET', url: `${FY}/positions`, headers: bearer(KEYS.admin) });
  t.match(busy.lines.find((l) => l.cause !== undefined)?.cause, /^SQLITE_BUSY: database is locked$/);
  const disk = await appOn(t, failingSqlite(new Database.SqliteError('disk I/O error', 'SQLITE_IOERR_WRITE'), 'append'));
  const open = { name: 'A fund', partners: [{ partnerId: 'ccg', name: 'CCG' }], strategies: [{ strategyId: 'wellbeing', name: 'Wellbeing' }] };
  await unavailable(t, disk.app, disk.lines, 'a failing disk', { method: 'POST', url: FY, headers: bearer(KEYS.admin), payload: open });
});

t.test('a store fault that is not unavailability stays an internal error, logged with its stack', async (t) => {
  const { app, lines } = await appOn(t, failingSqlite(new Database.SqliteError('database disk image is malformed', 'SQLITE_CORRUPT'), 'readStream'));
  const res = await app.inject({ method: 'GET', url: `${FY}/positions`, headers: bearer(KEYS.admin) });
  t.equal(res.statusCode, 500);
  t.equal(res.json().type, 'https://poolshare.example/problems/internal');
  const logged = lines.filter((l) => l.reqId === res.headers['x-request-id'] && l.level >= 50);
  t.equal(logged.length, 1, 'one error line');
  t.not(logged[0]?.err, undefined, 'with the error and its stack');
});
