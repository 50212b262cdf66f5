// The cross-fund summary follows the log asynchronously. These tests hold its subscription
// at a gate (fixtures/gated-store.ts), as a start on a long log or a second writer would, and
// check that GET /v1/funds never answers a shorter list, that /readyz says 503 until the
// summary has caught up, and that a failed summary is an error rather than a hang.
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { createFundYearService } from '../../src/app/service.js';
import type { FundYearService } from '../../src/app/service-types.js';
import { DomainError } from '../../src/domain/errors.js';
import { buildApp } from '../../src/http/app.js';
import type { EventStore } from '../../src/store/port.js';
import { bearer, KEY_RECORDS, KEYS } from '../http/fixtures/fake-service.js';
import { budgetLines, ctx, memoryStore, openBody, principals } from './fixtures/service.js';
import { gatedSubscriptions } from './fixtures/gated-store.js';

type Test = Parameters<Parameters<typeof t.test>[0]>[0];

const refs = [
  { fundId: 'plymouth-integrated-fund', year: '2015-16' },
  { fundId: 'devon-better-care', year: '2016-17' },
];
/** Long enough for an unwaited answer to have come back; nothing moves while the gate is shut. */
const SETTLE_MS = 100;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function storeFor(t: Test): EventStore {
  const store = memoryStore();
  t.teardown(() => store.close());
  return store;
}

function serviceOn(t: Test, store: EventStore, summaryWaitMs?: number): FundYearService & { readonly summary: { checkpoint: bigint | null } } {
  const service = createFundYearService(summaryWaitMs === undefined ? { store } : { store, summaryWaitMs });
  t.teardown(() => service.close());
  return service;
}

async function appFor(t: Test, service: FundYearService): Promise<FastifyInstance> {
  const app = await buildApp({ service, keys: KEY_RECORDS });
  t.teardown(() => app.close());
  return app;
}

/** Another instance writes two fund-years (one with a budget) and goes away. */
async function writtenElsewhere(store: EventStore): Promise<void> {
  const writer = createFundYearService({ store });
  try {
    await writer.openFundYear(ctx(principals.admin), refs[0]!, openBody);
    await writer.setBudget(ctx(principals.admin), refs[0]!, { lines: budgetLines });
    await writer.openFundYear(ctx(principals.admin), refs[1]!, openBody);
  } finally {
    await writer.close();
  }
}

/** Whether a promise has settled, without waiting for it. */
function track<T>(p: Promise<T>): { settled: () => boolean } {
  let done = false;
  p.then(() => (done = true), () => (done = true));
  return { settled: () => done };
}

t.test('a service started on a log another instance wrote lists all of it on the first call', async (t) => {
  const store = storeFor(t);
  await writtenElsewhere(store);
  const gated = gatedSubscriptions(store);
  const reader = serviceOn(t, gated.store);
  const first = reader.listFunds(ctx(principals.admin));
  const state = track(first);
  await sleep(SETTLE_MS);
  t.notOk(state.settled(), 'it waits for the summary instead of answering what it has so far (nothing)');
  gated.open();
  const funds = await first;
  t.same(funds.map((f) => f.fundId), ['devon-better-care', 'plymouth-integrated-fund'], 'both fund-years');
  t.match(funds[1], { revision: 1, budget: '3250000.00' }, 'each as of its latest event');
});

t.test('events another instance appends while this one runs are in its next list', async (t) => {
  const store = storeFor(t);
  const gated = gatedSubscriptions(store);
  const reader = serviceOn(t, gated.store);
  t.same(await reader.listFunds(ctx(principals.admin)), [], 'an empty log: nothing to wait for');
  await writtenElsewhere(store);
  const next = reader.listFunds(ctx(principals.admin));
  const state = track(next);
  await sleep(SETTLE_MS);
  t.notOk(state.settled(), 'the head moved: it waits');
  gated.open();
  t.equal((await next).length, 2, "the other instance's fund-years are there");
});

t.test('GET /v1/funds: 503 summary-catching-up when the summary cannot catch up in time, never a short list', async (t) => {
  const store = storeFor(t);
  await writtenElsewhere(store);
  const gated = gatedSubscriptions(store);
  const app = await appFor(t, serviceOn(t, gated.store, 50));
  const behind = await app.inject({ method: 'GET', url: '/v1/funds', headers: bearer(KEYS.admin) });
  t.equal(behind.statusCode, 503);
  t.match(behind.headers['content-type'], /^application\/problem\+json/);
  t.match(behind.json(), { type: 'https://poolshare.example/problems/summary-catching-up', status: 503, instance: '/v1/funds' });
  gated.open();
  const caughtUp = await app.inject({ method: 'GET', url: '/v1/funds', headers: bearer(KEYS.admin) });
  t.equal(caughtUp.statusCode, 200);
  t.equal(caughtUp.json().length, 2);
});

t.test('/readyz: 503 while the summary catches up with the log as it stood at start, then 200', async (t) => {
  const store = storeFor(t);
  await writtenElsewhere(store);
  const head = await store.headPosition();
  const gated = gatedSubscriptions(store);
  const service = serviceOn(t, gated.store);
  const app = await appFor(t, service);
  const catchingUp = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(catchingUp.statusCode, 503);
  t.match(catchingUp.headers['content-type'], /^application\/problem\+json/);
  t.match(catchingUp.json(), { type: 'https://poolshare.example/problems/summary-catching-up', status: 503, instance: '/readyz' });
  t.equal(service.summary.checkpoint, null, 'the summary has applied nothing yet');
  gated.open();
  await service.listFunds(ctx(principals.admin)); // returns once the summary is at the head
  t.equal(service.summary.checkpoint, head, 'caught up');
  const ready = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(ready.statusCode, 200);
  t.same(ready.json(), { status: 'ok' });
  await store.close();
  const down = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(down.statusCode, 503, 'a closed store is still a 503');
  t.match(down.json(), { type: 'https://poolshare.example/problems/store-unavailable' });
});

t.test('/readyz on an empty log is ready at once', async (t) => {
  const gated = gatedSubscriptions(storeFor(t));
  const app = await appFor(t, serviceOn(t, gated.store));
  t.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200, 'nothing to catch up with, gate shut or not');
});

t.test('a summary whose subscription failed: an error at once (500 problem+json), /readyz 503 summary-failed', async (t) => {
  const store = storeFor(t);
  await writtenElsewhere(store);
  const gated = gatedSubscriptions(store);
  // A wait longer than the test's own timeout: had listFunds waited instead of failing at
  // once, the test would time out (no wall-clock assertion needed).
  const service = serviceOn(t, gated.store, 600_000);
  const app = await appFor(t, service);
  const waiting = service.listFunds(ctx(principals.admin));
  gated.fail(new Error('connection reset by peer'));
  const error = await waiting.then(() => undefined, (e: unknown) => e);
  t.ok(error instanceof Error && !(error instanceof DomainError), 'a request waiting when it failed gets an internal error');
  t.match((error as Error).message, /fund summary stopped/);
  const res = await app.inject({ method: 'GET', url: '/v1/funds', headers: bearer(KEYS.admin) });
  t.equal(res.statusCode, 500, 'answered at once, not after the wait');
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  t.match(res.json(), { type: 'https://poolshare.example/problems/internal' });
  t.notMatch(res.body, /connection reset/, 'the cause is logged, not shown');
  const readiness = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(readiness.statusCode, 503);
  t.match(readiness.json(), { type: 'https://poolshare.example/problems/summary-failed', status: 503 });
});
