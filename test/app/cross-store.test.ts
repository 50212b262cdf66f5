// The service on the EventStoreDB adapter (over real gRPC to the test double), and
// SETTLEMENT.md §5 across stores: the same commands on SQLite and on EventStoreDB give
// the same settlement digests and positions, and a settlement calculated on one store
// verifies on a fresh store of the other kind holding a copy of the same events.
import t, { type Test } from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { createFundYearService } from '../../src/app/service.js';
import { summaryFile } from '../../src/app/summary.js';
import type { AuditEvent, FundSummary, FundYearService, IntegrityView, PositionsView, Settlement, VerificationView } from '../../src/app/service-types.js';
import { fundYearStream } from '../../src/domain/fundyear/index.js';
import { buildApp } from '../../src/http/app.js';
import { openEventStoreDbStore } from '../../src/store/eventstoredb/esdb-store.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { WrongExpectedRevisionError, type EventStore, type RecordedEvent } from '../../src/store/port.js';
import { startEsdbDouble, type EsdbDouble } from '../store/esdb-double/server.js';
import { bearer, KEY_RECORDS, KEYS } from '../http/fixtures/fake-service.js';
import { budgetLines, ctx, FUND, m12, memoryStore, monthly, openBody, principals, ref, terms, YEAR } from './fixtures/service.js';
import { like } from '../fixtures/like.js';

const STREAM = fundYearStream(FUND, YEAR);
const FY = `/v1/funds/${FUND}/years/${YEAR}`;

/** A fresh double per use: stopped when the test `t` ends (after the stores and services on it). */
async function double(t: Test): Promise<EsdbDouble> {
  const d = await startEsdbDouble();
  t.teardown(() => d.close());
  return d;
}

/** `store`, closed when `t` ends (teardowns run last-registered first: after what is built on it). */
function closing<S extends EventStore>(t: Test, store: S): S {
  t.teardown(() => store.close());
  return store;
}

/** The service on `store`; closed when `t` ends, before the store. */
function serviceOn(t: Test, store: EventStore, deps: { newId?: () => string; now?: () => string; retriesMax?: number } = {}) {
  const service = createFundYearService({ store, ...deps });
  t.teardown(() => service.close());
  return service;
}

interface YearRun {
  revisionAfterM3: number;
  closedAt: number;
  final: Settlement;
  forecast: Settlement;
  finalVerified: VerificationView;
  forecastVerified: VerificationView;
  approved: Settlement & { revision: number };
  positionsLatest: PositionsView;
  positionsAtM3: PositionsView;
  positionsAtClose: PositionsView;
  funds: FundSummary[];
  trail: AuditEvent[];
  settlements: Settlement[];
  integrity: IntegrityView;
}

/** One whole fund-year, the same commands in the same order whatever the store. */
async function driveYear(service: FundYearService): Promise<YearRun> {
  const { admin, ccg, council, auditor } = principals;
  await service.openFundYear(ctx(admin), ref, openBody);
  await service.setBudget(ctx(admin), ref, { lines: budgetLines });
  await service.proposeAgreement(ctx(admin), ref, { terms });
  await service.acceptAgreement(ctx(ccg), ref, 1);
  await service.acceptAgreement(ctx(council), ref, 1);
  let revisionAfterM3 = -1;
  for (let k = 1; k <= 11; k++) {
    await service.submitReturn(ctx(ccg), ref, monthly('ccg', k));
    const r = await service.submitReturn(ctx(council), ref, monthly('council', k));
    if (k === 3) revisionAfterM3 = r.revision;
  }
  await service.submitReturn(ctx(ccg), ref, { ...monthly('ccg', 6), correction: true, lines: monthly('ccg', 10).lines });
  await service.submitReturn(ctx(ccg), ref, m12('ccg'));
  await service.submitReturn(ctx(council), ref, m12('council'));
  const closedAt = (await service.closeYear(ctx(admin), ref)).revision;
  await service.adjustOutturn(ctx(council), ref, {
    partnerId: 'council', strategyId: 'community', arrangement: 'pooled', amount: '-20000.00', reason: 'credit note received after close',
  });
  const final = await service.calculateSettlement(ctx(admin), ref, { mode: 'final' });
  const finalVerified = await service.verifySettlement(ctx(auditor), ref, final.settlementId);
  await service.approveSettlement(ctx(ccg), ref, final.settlementId);
  const approved = await service.approveSettlement(ctx(council), ref, final.settlementId);
  const forecast = await service.calculateSettlement(ctx(admin), ref, { mode: 'forecast', asOfRevision: revisionAfterM3 });
  const forecastVerified = await service.verifySettlement(ctx(auditor), ref, forecast.settlementId);
  return {
    revisionAfterM3,
    closedAt,
    final,
    forecast,
    finalVerified,
    forecastVerified,
    approved,
    positionsLatest: await service.positions(ctx(admin), ref),
    positionsAtM3: await service.positions(ctx(council), ref, revisionAfterM3),
    positionsAtClose: await service.positions(ctx(auditor), ref, closedAt),
    funds: await service.listFunds(ctx(ccg)),
    trail: await service.events(ctx(auditor), ref),
    settlements: await service.listSettlements(ctx(auditor), ref),
    integrity: await service.integrity(ctx(auditor), ref),
  };
}

/** What identifies a settlement record rather than its figures: may differ across runs (the chain hash covers metadata: ids and clocks). */
function figuresOf(s: Settlement): Omit<Settlement, 'settlementId' | 'calculatedAt' | 'chainHash'> {
  const { settlementId: _id, calculatedAt: _at, chainHash: _chain, ...rest } = s;
  return rest;
}

/** What a verification of `s` that passes every check answers. */
function verifiedOk(s: Settlement): VerificationView {
  return {
    settlementId: s.settlementId, asOfRevision: s.asOfRevision, digest: s.digest, recomputedDigest: s.digest, storedBodyDigest: s.digest,
    chainHash: s.chainHash, match: true, checks: { figures: true, storedBody: true, chain: true }, firstBroken: null,
  };
}

// chainHash: a hash over metadata, which holds run-made request ids and clocks.
const RUN_SPECIFIC = new Set(['returnId', 'adjustmentId', 'settlementId', 'calculatedAt', 'chainHash']);
/** An audit event without the ids and clock readings a run makes up (and without its store position). */
function portable(e: AuditEvent): unknown {
  const data = Object.fromEntries(Object.entries(e.data as Record<string, unknown>).map(([k, v]) => [k, RUN_SPECIFIC.has(k) ? '*' : v]));
  const { principal, role, partnerId } = e.metadata as Record<string, unknown>;
  return { revision: e.revision, type: e.type, data, metadata: { principal, role, partnerId } };
}

/** Copies every event of STREAM into `to`, in batches of 1, 2, 3, … with expected revisions. */
async function copyStream(t: Test, from: RecordedEvent[], to: EventStore): Promise<void> {
  let at = 0;
  let size = 1;
  while (at < from.length) {
    const batch = from.slice(at, at + size).map((e) => ({ id: e.id, type: e.type, data: e.data, metadata: e.metadata }));
    const expectedRevision = at === 0 ? ('no_stream' as const) : BigInt(at - 1);
    const result = await to.append(STREAM, batch, { expectedRevision });
    t.equal(result.nextExpectedRevision, BigInt(at + batch.length - 1));
    at += batch.length;
    size += 1;
  }
}

function sameEvents(t: Test, a: RecordedEvent[], b: RecordedEvent[], what: string): void {
  const strip = (e: RecordedEvent) => ({ id: e.id, type: e.type, revision: e.revision, data: e.data, metadata: e.metadata });
  t.strictSame(b.map(strip), a.map(strip), what);
}

t.test('a whole fund-year on EventStoreDB and on SQLite: same digests, same positions, verifies across stores', async (t) => {
  const esdb = await double(t);
  // ESDB: the production defaults (random v4 ids, the real clock). SQLite: deterministic ids and clock.
  const onEsdb = serviceOn(t, closing(t, openEventStoreDbStore({ url: esdb.url })));
  let next = 0;
  const sqliteStore = closing(t, memoryStore());
  const onSqlite = serviceOn(t, sqliteStore, { newId: () => `sqlite-id-${next++}`, now: () => '2016-05-01T09:00:00.000Z' });

  const started = Date.now();
  const e = await driveYear(onEsdb);
  const esdbMs = Date.now() - started;
  const s = await driveYear(onSqlite);
  t.comment(`whole year: EventStoreDB double ${esdbMs} ms, SQLite ${Date.now() - started - esdbMs} ms; ${e.trail.length} events`);

  t.test('the year went through on EventStoreDB', async (t) => {
    const written = esdb.log.stream(STREAM) ?? [];
    t.equal(written.length, e.trail.length, 'every event is in the double');
    t.ok(esdb.calls.append >= written.length, `append calls: ${esdb.calls.append}`);
    t.ok(esdb.calls.subscribe >= 1, 'the summary subscribed to $all on the double');
    t.strictSame(e.integrity, { revision: written.length - 1, head: (e.trail[e.trail.length - 1]!.metadata as { hash: string }).hash, intact: true, firstBroken: null }, 'the hash chain on EventStoreDB');
    t.strictSame(s.integrity, { revision: written.length - 1, head: (s.trail[s.trail.length - 1]!.metadata as { hash: string }).hash, intact: true, firstBroken: null }, 'the hash chain on SQLite');
    t.match(e.final, { mode: 'final', status: 'calculated', agreementVersion: 1, fundId: FUND, requiresDecision: false });
    t.equal(e.final.asOfRevision, e.closedAt + 1, 'final at the latest revision (the adjustment)');
    t.strictSame(e.final.payments, [{ from: 'council', to: 'ccg', amount: '31500.00' }], 'Example A moved by the adjustment');
    like(t, e.finalVerified, { match: true, digest: e.final.digest, recomputedDigest: e.final.digest });
    like(t, e.forecastVerified, { match: true, digest: e.forecast.digest, recomputedDigest: e.forecast.digest });
    like(t, e.approved, { status: 'approved', approvedBy: ['ccg', 'council'] });
    like(t, e.forecast, { mode: 'forecast', asOfRevision: e.revisionAfterM3 });
    t.equal(e.forecast.pots[0]?.variance, '3000.00', 'forecast at M3: pooled lines only');
    t.equal(e.positionsAtM3.asOfRevision, e.revisionAfterM3);
    t.equal(e.positionsAtM3.fund.forecastVariance, '6000.00');
    t.strictSame(e.positionsAtM3.partners.map((p) => p.lastPeriod), ['M3', 'M3']);
    t.equal(e.positionsAtClose.status, 'closed');
    t.equal(e.positionsAtClose.fund.forecastVariance, '145000.00', 'at close: Example A before the adjustment');
    t.equal(e.positionsLatest.fund.forecastVariance, '125000.00', 'latest: with the −20000 adjustment');
    t.strictSame(e.settlements.map((x) => [x.settlementId, x.mode, x.status]), [
      [e.forecast.settlementId, 'forecast', 'calculated'],
      [e.final.settlementId, 'final', 'approved'],
    ]);

    // The summary runs on a catch-up subscription over the ESDB adapter.
    t.equal(e.funds.length, 1);
    like(t, e.funds[0], {
      fundId: FUND, year: YEAR, status: 'closed', revision: e.trail.length - 1, partners: ['ccg', 'council'], budget: '3250000.00',
      forecastVariance: '125000.00', adoptedAgreementVersion: 1,
      latestSettlement: { settlementId: e.forecast.settlementId, mode: 'forecast', digest: e.forecast.digest },
    });

    // The audit trail: revisions 0…n, positions are the double's commit positions (bigint, as strings).
    t.strictSame(e.trail.map((x) => x.revision), written.map((_, i) => i));
    t.strictSame(e.trail.map((x) => x.position), written.map((w) => w.position.toString()));
    t.strictSame(e.trail.map((x) => x.eventId), written.map((w) => w.id));
    t.ok(e.trail.every((x, i) => i === 0 || BigInt(x.position) > BigInt(e.trail[i - 1]!.position)), 'positions strictly increase');
    like(t, e.trail[5], { type: 'MonthlyReturnSubmitted', metadata: { principal: 'ccg-finance', partnerId: 'ccg' } });
  });

  t.test('the same commands give the same settlements and positions on both stores', async (t) => {
    t.equal(e.final.digest, s.final.digest, `final digest ${e.final.digest}`);
    t.equal(e.forecast.digest, s.forecast.digest, `forecast digest ${e.forecast.digest}`);
    t.not(e.final.settlementId, s.final.settlementId, 'different ids on the two runs…');
    t.not(e.final.calculatedAt, s.final.calculatedAt, '…and different clocks: the digest does not depend on them');
    t.strictSame(figuresOf(e.final), figuresOf(s.final), 'final figures identical');
    t.strictSame(figuresOf(e.forecast), figuresOf(s.forecast), 'forecast figures identical');
    t.strictSame(figuresOf(e.approved), figuresOf(s.approved));
    t.strictSame(e.positionsLatest, s.positionsLatest, 'positions at latest');
    t.strictSame(e.positionsAtM3, s.positionsAtM3, 'positions after M3');
    t.strictSame(e.positionsAtClose, s.positionsAtClose, 'positions at close');
    const summary = (f: FundSummary[]) => f.map(({ latestSettlement, ...rest }) => ({ ...rest, latestSettlement: latestSettlement && { ...latestSettlement, settlementId: '*' } }));
    t.strictSame(summary(e.funds), summary(s.funds), 'the fund summaries');
    t.strictSame(e.trail.map(portable), s.trail.map(portable), 'the same events, but for run-made ids and clocks');
    t.strictSame(s.finalVerified, verifiedOk(s.final));
    t.strictSame(e.finalVerified, verifiedOk(e.final));
  });

  t.test('a SQLite settlement verifies on a fresh EventStoreDB holding a copy of its events', async (t) => {
    const fresh = await double(t);
    const target = closing(t, openEventStoreDbStore({ url: fresh.url }));
    const source = await sqliteStore.readStream(STREAM);
    await copyStream(t, source, target);
    // A repeat of the last batch at the same place is EventStoreDB's idempotent no-op.
    const last = source.slice(-2).map((x) => ({ id: x.id, type: x.type, data: x.data, metadata: x.metadata }));
    await target.append(STREAM, last, { expectedRevision: BigInt(source.length - 3) });
    t.equal(fresh.log.stream(STREAM)?.length, source.length, 'a repeated batch writes nothing');
    sameEvents(t, source, await target.readStream(STREAM), 'the copy reads back identically');

    const copy = serviceOn(t, target);
    const verifiedFinal = await copy.verifySettlement(ctx(principals.auditor), ref, s.final.settlementId);
    t.strictSame(verifiedFinal, verifiedOk(s.final), 'figures, stored body and chain all check on the copy');
    t.equal(verifiedFinal.recomputedDigest, e.final.digest, 'and the digest the ESDB run computed itself');
    const verifiedForecast = await copy.verifySettlement(ctx(principals.auditor), ref, s.forecast.settlementId);
    like(t, verifiedForecast, { match: true, recomputedDigest: s.forecast.digest });
    const { revision: _revision, ...approvedOnSqlite } = s.approved;
    t.strictSame(await copy.getSettlement(ctx(principals.admin), ref, s.final.settlementId), approvedOnSqlite, 'the whole settlement, ids and all');
    t.strictSame(await copy.positions(ctx(principals.admin), ref), s.positionsLatest);
    t.strictSame(await copy.positions(ctx(principals.admin), ref, s.revisionAfterM3), s.positionsAtM3);
    // No command ran on this instance: its summary has to catch up over $all on its own.
    await copy.summary.waitFor(fresh.log.events[fresh.log.events.length - 1]!.position);
    t.strictSame(await copy.listFunds(ctx(principals.admin)), s.funds, 'the catch-up summary over ESDB equals the live one on SQLite');
    // And a new settlement at the same revision, on the copy, gives the same digest again.
    const again = await copy.calculateSettlement(ctx(principals.admin), ref, { mode: 'final', asOfRevision: s.final.asOfRevision });
    t.equal(again.digest, s.final.digest);
  });

  t.test('an EventStoreDB settlement verifies on a fresh SQLite store holding a copy of its events', async (t) => {
    const source = closing(t, openEventStoreDbStore({ url: esdb.url }));
    const events = await source.readStream(STREAM);
    const target = closing(t, openSqliteStore({ memory: true }));
    await copyStream(t, events, target);
    sameEvents(t, events, await target.readStream(STREAM), 'the copy reads back identically');
    const copy = serviceOn(t, target);
    t.strictSame(await copy.verifySettlement(ctx(principals.auditor), ref, e.final.settlementId), verifiedOk(e.final));
    const integrity = await copy.integrity(ctx(principals.auditor), ref);
    t.strictSame(integrity, { revision: events.length - 1, head: (events[events.length - 1]!.metadata as { hash: string }).hash, intact: true, firstBroken: null }, 'the chain written on EventStoreDB checks on SQLite');
    t.match(await copy.verifySettlement(ctx(principals.auditor), ref, e.forecast.settlementId), { match: true, recomputedDigest: e.forecast.digest });
  });
});

/** An EventStore that can hold `n` concurrent reads of STREAM until all have read (so they race to append). */
function racingStore(inner: EventStore) {
  let gate: { want: number; waiting: (() => void)[] } | null = null;
  const seen = { conflicts: 0 };
  const store: EventStore = {
    async append(stream, events, options) {
      try {
        return await inner.append(stream, events, options);
      } catch (error) {
        if (error instanceof WrongExpectedRevisionError) seen.conflicts++;
        throw error;
      }
    },
    async readStream(stream, options) {
      const read = await inner.readStream(stream, options);
      const g = gate;
      if (g !== null && stream === STREAM) {
        await new Promise<void>((resolve) => {
          g.waiting.push(resolve);
          if (g.waiting.length === g.want) {
            gate = null;
            for (const go of g.waiting) go();
          }
        });
      }
      return read;
    },
    readAll: (options) => inner.readAll(options),
    subscribeToAll: (options) => inner.subscribeToAll(options),
    headPosition: () => inner.headPosition(),
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
  return { store, seen, race: (n: number) => { gate = { want: n, waiting: [] }; } };
}

t.test('through HTTP on the EventStoreDB adapter: the error mapping holds', async (t) => {
  const esdb = await double(t);
  const racing = racingStore(closing(t, openEventStoreDbStore({ url: esdb.url })));
  const service = serviceOn(t, racing.store);
  const app = await buildApp({ service, keys: KEY_RECORDS });
  t.teardown(() => app.close());
  // A second instance on the same adapter that never retries: a lost race is a 409.
  const impatient = createFundYearService({ store: racing.store, retriesMax: 0 });
  t.teardown(() => impatient.close());
  const impatientApp = await buildApp({ service: impatient, keys: KEY_RECORDS });
  t.teardown(() => impatientApp.close());

  const call = async (on: FastifyInstance, method: InjectOptions['method'], url: string, key: string, payload?: object, headers: Record<string, string> = {}) => {
    const res = await on.inject({ method, url, headers: { ...bearer(key), ...headers }, ...(payload === undefined ? {} : { payload }) });
    return { status: res.statusCode, json: () => res.json() as Record<string, unknown> & { revision: number }, headers: res.headers };
  };
  const written = () => esdb.log.stream(STREAM)?.length ?? 0;

  const opened = await call(app, 'POST', FY, KEYS.admin, openBody);
  t.equal(opened.status, 201);
  t.strictSame(opened.json(), { revision: 0, fundId: FUND, year: YEAR });
  const reopened = await call(app, 'POST', FY, KEYS.admin, openBody);
  t.equal(reopened.status, 409, 'opening it again');
  t.match(reopened.headers['content-type'], /^application\/problem\+json/);
  t.equal((await call(app, 'PUT', `${FY}/budget`, KEYS.admin, { lines: budgetLines })).status, 200);
  t.equal((await call(app, 'POST', `${FY}/agreements`, KEYS.admin, { terms })).status, 201);
  t.equal((await call(app, 'POST', `${FY}/agreements/1/acceptances`, KEYS.ccg)).status, 200);
  like(t, (await call(app, 'POST', `${FY}/agreements/1/acceptances`, KEYS.council)).json(), { adopted: true, revision: 4 });

  // Two partners' returns at once: both read revision 4, one append loses (wrong expected
  // version from the server, mapped by the adapter), and the runner retries it on the fresh log.
  const appendsBefore = esdb.calls.append;
  racing.race(2);
  const [c1, k1] = await Promise.all([
    call(app, 'POST', `${FY}/returns`, KEYS.ccg, monthly('ccg', 1)),
    call(app, 'POST', `${FY}/returns`, KEYS.council, monthly('council', 1)),
  ]);
  t.strictSame([c1.status, k1.status], [201, 201], 'both recorded');
  t.strictSame([c1.json().revision, k1.json().revision].sort((a, b) => a - b), [5, 6]);
  t.equal(racing.seen.conflicts, 1, 'exactly one WrongExpectedRevisionError came back from the adapter');
  t.equal(esdb.calls.append - appendsBefore, 3, 'two appends and one retried append reached the double');
  t.equal(written(), 7);

  // Without retries the loser is a 409 concurrency-conflict, and nothing of it is written.
  racing.race(2);
  const [c2, k2] = await Promise.all([
    call(impatientApp, 'POST', `${FY}/returns`, KEYS.ccg, monthly('ccg', 2)),
    call(impatientApp, 'POST', `${FY}/returns`, KEYS.council, monthly('council', 2)),
  ]);
  t.strictSame([c2.status, k2.status].sort((a, b) => a - b), [201, 409]);
  const lost = c2.status === 409 ? c2 : k2;
  like(t, lost.json(), { status: 409, type: 'https://poolshare.example/problems/concurrency-conflict' });
  t.match(lost.headers['content-type'], /^application\/problem\+json/);
  t.equal(racing.seen.conflicts, 2);
  t.equal(written(), 8, 'only the winner was written');
  const loser = c2.status === 409 ? 'ccg' : 'council';
  t.equal((await call(app, 'POST', `${FY}/returns`, loser === 'ccg' ? KEYS.ccg : KEYS.council, monthly(loser, 2))).status, 201, 'the loser tries again');

  // A duplicate return is the domain's 409, and appends nothing.
  const before = written();
  const duplicate = await call(app, 'POST', `${FY}/returns`, KEYS.ccg, monthly('ccg', 1));
  t.equal(duplicate.status, 409);
  like(t, duplicate.json(), { type: 'https://poolshare.example/problems/duplicate-return', detail: /correction/ });
  t.equal(written(), before, 'nothing appended');

  // An Idempotency-Key replays from the ESDB log.
  const keyed = await call(app, 'POST', `${FY}/returns`, KEYS.ccg, m12('ccg'), { 'idempotency-key': 'ccg-m12' });
  t.equal(keyed.status, 201);
  const replayed = await call(app, 'POST', `${FY}/returns`, KEYS.ccg, m12('ccg'), { 'idempotency-key': 'ccg-m12' });
  t.strictSame(replayed.json(), keyed.json(), 'the first answer, replayed');
  t.equal(written(), before + 1);

  t.equal((await call(app, 'POST', `${FY}/returns`, KEYS.council, m12('council'))).status, 201);
  t.equal((await call(app, 'POST', `${FY}/close`, KEYS.admin)).status, 200);
  const settled = await call(app, 'POST', `${FY}/settlements`, KEYS.admin, { mode: 'final' });
  t.equal(settled.status, 201);
  const settlement = settled.json() as unknown as Settlement;
  like(t, settlement, { mode: 'final', status: 'calculated', asOfRevision: written() - 2, payments: [{ from: 'council', to: 'ccg', amount: '15000.00' }] });
  t.match(settlement.digest, /^sha256:[0-9a-f]{64}$/);
  const verification = await call(app, 'GET', `${FY}/settlements/${settlement.settlementId}/verification`, KEYS.auditor);
  t.strictSame(verification.json(), verifiedOk(settlement));
  const integrity = await call(app, 'GET', `${FY}/integrity`, KEYS.auditor);
  t.match(integrity.json(), { revision: written() - 1, intact: true, firstBroken: null }, 'the chain over HTTP on EventStoreDB, with a retried append in it');
  t.equal((await call(app, 'GET', `${FY}/integrity`, KEYS.ccg)).status, 403, 'partners do not walk the chain');
  const funds = await call(app, 'GET', '/v1/funds', KEYS.ccg);
  t.equal(funds.status, 200);
  like(t, funds.json(), [{ fundId: FUND, status: 'closed', latestSettlement: { settlementId: settlement.settlementId, digest: settlement.digest } }]);
  const trail = await call(app, 'GET', `${FY}/events`, KEYS.auditor);
  t.strictSame((trail.json() as unknown as AuditEvent[]).map((x) => x.position), esdb.log.stream(STREAM)!.map((x) => x.position.toString()), 'audit positions are the commit positions');
  t.equal((await call(app, 'GET', '/readyz', KEYS.admin)).status, 200, 'ready: the adapter pings the double');
});

t.test('the summary checkpoint is an EventStoreDB commit position, and a restarted summary catches up from it', async (t) => {
  const esdb = await double(t);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'poolshare-cross-store-'));
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const store = closing(t, openEventStoreDbStore({ url: esdb.url }));
  const first = createFundYearService({ store, dataDir });
  await first.openFundYear(ctx(principals.admin), ref, openBody);
  await first.setBudget(ctx(principals.admin), ref, { lines: budgetLines });
  like(t, await first.listFunds(ctx(principals.admin)), [{ revision: 1, budget: '3250000.00' }]);
  await first.close();
  const lastPosition = () => esdb.log.events[esdb.log.events.length - 1]!.position;
  const stored = JSON.parse(fs.readFileSync(summaryFile(dataDir), 'utf8')) as { checkpoint: string };
  t.equal(stored.checkpoint, lastPosition().toString(), 'the stored checkpoint is the double\'s commit position of the last event');

  // Written while no summary was running; the next instance starts after its checkpoint.
  const writer = createFundYearService({ store });
  await writer.proposeAgreement(ctx(principals.admin), ref, { terms });
  await writer.close();
  const subscribesBefore = esdb.calls.subscribe;
  const second = createFundYearService({ store, dataDir });
  t.teardown(() => second.close());
  await second.summary.waitFor(lastPosition());
  t.equal(esdb.calls.subscribe, subscribesBefore + 1);
  like(t, await second.listFunds(ctx(principals.admin)), [{ revision: 2, budget: '3250000.00', adoptedAgreementVersion: null }]);
  t.equal(second.summary.checkpoint, lastPosition());
});
