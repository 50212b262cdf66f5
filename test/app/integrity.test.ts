// The tamper-evident log (docs/integrity.md): a fund-year written by the service to an SQLite
// file, changed behind its back with better-sqlite3, then read by a service started on the file
// (as after a restart). Every change is reported by …/integrity or by verification, naming the revision.
import t, { type Test } from 'tap';
import fc from 'fast-check';
import { setImmediate as nextTick } from 'node:timers/promises';
import { createFundYearService } from '../../src/app/service.js';
import { CHAIN_PAGE_SIZE, CHAIN_WALKS_MAX, checkStream, Limiter, walkChain } from '../../src/app/integrity.js';
import type { FundYearService, IntegrityView, VerificationView } from '../../src/app/service-types.js';
import { chainEvents, chainFieldsOf, GENESIS_HASH, linkHash } from '../../src/domain/chain.js';
import { buildApp } from '../../src/http/app.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { WrongExpectedRevisionError, type EventStore } from '../../src/store/port.js';
import { bearer, KEY_RECORDS, KEYS } from '../http/fixtures/fake-service.js';
import { ctx, memoryStore, monthly, principals, ref } from './fixtures/service.js';
import {
  copyYear, deleteRow, editData, editRow, recomputeSettlement, reseal, STREAM, storedHash, stripChain, tempDir, writeYear, type WrittenYear,
} from './fixtures/tamper.js';

const { admin, auditor, ccg } = principals;
const FINAL_AT = 10; // revision of the final settlement (as of 9)
const CCG_M12 = 7;
const LAST = 13;

/** A service started on the store in `dir`; closed with its store when `t` ends. */
function serviceOn(t: Test, dir: string): FundYearService {
  const store = openSqliteStore({ dataDir: dir });
  const service = createFundYearService({ store });
  t.teardown(async () => {
    await service.close();
    await store.close();
  });
  return service;
}

function integrity(service: FundYearService): Promise<IntegrityView> {
  return service.integrity(ctx(auditor), ref);
}

let year: WrittenYear;
t.before(async () => {
  year = await writeYear(tempDir(t));
});

t.test('an untouched log: intact to its head, and every settlement verifies on all three checks', async (t) => {
  const service = serviceOn(t, copyYear(t, year));
  const head = (year.trail[LAST]!.metadata as { hash: string }).hash;
  t.strictSame(await integrity(service), { revision: LAST, head, intact: true, firstBroken: null });
  t.equal(year.trail.length, LAST + 1);
  for (const [i, e] of year.trail.entries()) {
    t.strictSame(chainFieldsOf(e.metadata)?.prevHash, i === 0 ? GENESIS_HASH : (year.trail[i - 1]!.metadata as { hash: string }).hash, `revision ${i} links to the one before`);
  }
  t.equal(year.final.chainHash, (year.trail[9]!.metadata as { hash: string }).hash, 'the final settlement records the hash of the event at its asOfRevision');
  t.equal(year.forecast.chainHash, (year.trail[6]!.metadata as { hash: string }).hash, 'the forecast, that of revision 6');
  const verified = await service.verifySettlement(ctx(ccg), ref, year.final.settlementId);
  t.strictSame(verified, {
    settlementId: year.final.settlementId, asOfRevision: 9, digest: year.final.digest, recomputedDigest: year.final.digest, storedBodyDigest: year.final.digest,
    chainHash: year.final.chainHash, match: true, checks: { figures: true, storedBody: true, chain: true }, firstBroken: null,
  });
});

t.test('editing any byte of any stored event\'s data or metadata breaks the chain at that revision', async (t) => {
  const rows = year.trail.map((e) => ({ data: JSON.stringify(e.data), metadata: JSON.stringify(e.metadata) }));
  const edit = fc.record({
    revision: fc.integer({ min: 0, max: LAST }),
    column: fc.constantFrom('data' as const, 'metadata' as const),
    // fast-check leans to small numbers: the remainder spreads the edits over the whole text.
    at: fc.integer({ min: 0, max: 1_000_003 }),
    char: fc.constantFrom(...'"{}[]:,\\0123456789.-abcdefxyzAEZ _'.split('')),
  });
  const reasons = new Map<string, number>();
  await fc.assert(
    fc.asyncProperty(edit, async ({ revision, column, at, char }) => {
      const text = rows[revision]![column];
      const i = at % text.length;
      fc.pre(text[i] !== char);
      const dir = copyYear(t, year);
      editRow(dir, revision, () => ({ [column]: `${text.slice(0, i)}${char}${text.slice(i + 1)}` }));
      const store = openSqliteStore({ dataDir: dir });
      try {
        const view = await checkStream(store, STREAM, 100_000);
        const broken = view?.firstBroken;
        if (broken) reasons.set(broken.reason, (reasons.get(broken.reason) ?? 0) + 1);
        if (view?.intact !== false || broken?.revision !== revision) {
          t.fail(`byte ${i} of revision ${revision}'s ${column} set to ${JSON.stringify(char)}: ${JSON.stringify(view)}`);
          return false;
        }
        return true;
      } finally {
        await store.close();
      }
    }),
    { numRuns: 150 },
  );
  t.comment(JSON.stringify([...reasons]));
  t.ok((reasons.get('hash-mismatch') ?? 0) > 0 && (reasons.get('unreadable') ?? 0) > 0, 'edits that still parse and edits that do not were both tried');
});

t.test('an edited return: …/integrity and verification name its revision', async (t) => {
  const dir = copyYear(t, year);
  editData(dir, CCG_M12, (data) => ({ ...data, lines: [{ ...data.lines[0], actualToDate: '640001.00' }, ...data.lines.slice(1)] }));
  const service = serviceOn(t, dir);
  t.match(await integrity(service), { revision: LAST, intact: false, firstBroken: { revision: CCG_M12, reason: 'hash-mismatch' } });
  t.match(await service.verifySettlement(ctx(auditor), ref, year.final.settlementId), {
    match: false, checks: { figures: false, storedBody: true, chain: false }, firstBroken: { revision: CCG_M12, reason: 'hash-mismatch' },
  });
  t.match(await service.verifySettlement(ctx(auditor), ref, year.forecast.settlementId), {
    match: false, checks: { figures: true, storedBody: true, chain: false }, firstBroken: { revision: CCG_M12, reason: 'hash-mismatch' },
  }, 'the forecast (as of 6) has the same figures, but its own event at 13 follows the edit in the chain');
});

t.test('an edited return with its settlement recomputed and re-digested: only the chain catches it', async (t) => {
  const dir = copyYear(t, year);
  editData(dir, CCG_M12, (data) => ({ ...data, lines: data.lines.map((l: { actualToDate: string }) => ({ ...l, actualToDate: l.actualToDate.replace(/^6/, '7') })) }));
  const forged = recomputeSettlement(dir, FINAL_AT);
  const service = serviceOn(t, dir);
  const shown = await service.getSettlement(ctx(ccg), ref, year.final.settlementId);
  t.not(shown.digest, year.final.digest, 'the forged settlement is what the API shows…');
  t.notSame(shown.pots, year.final.pots, '…with other figures');
  const verified = await service.verifySettlement(ctx(auditor), ref, year.final.settlementId);
  t.match(verified, {
    digest: forged.digest, recomputedDigest: forged.digest, storedBodyDigest: forged.digest, match: false,
    checks: { figures: true, storedBody: true, chain: false }, firstBroken: { revision: CCG_M12, reason: 'hash-mismatch' },
  });
  t.match(await integrity(service), { intact: false, firstBroken: { revision: CCG_M12, reason: 'hash-mismatch' } });
});

t.test('edited settlement payments: the stored body no longer hashes to its digest, and the chain breaks there', async (t) => {
  const dir = copyYear(t, year);
  editData(dir, FINAL_AT, (data) => ({ ...data, payments: [{ ...data.payments[0], amount: '15001.00' }] }));
  const service = serviceOn(t, dir);
  t.match((await service.getSettlement(ctx(ccg), ref, year.final.settlementId)).payments, [{ amount: '15001.00' }], 'the API shows the edit…');
  const verified = await service.verifySettlement(ctx(auditor), ref, year.final.settlementId);
  t.match(verified, {
    digest: year.final.digest, recomputedDigest: year.final.digest, match: false,
    checks: { figures: true, storedBody: false, chain: false }, firstBroken: { revision: FINAL_AT, reason: 'hash-mismatch' },
  }, '…and verification says which checks fail');
  t.not(verified.storedBodyDigest, year.final.digest);
  t.match(await integrity(service), { intact: false, firstBroken: { revision: FINAL_AT, reason: 'hash-mismatch' } });
});

t.test('edited payments with a digest recomputed over them: figures and chain fail', async (t) => {
  const dir = copyYear(t, year);
  editData(dir, FINAL_AT, (data) => ({ ...data, payments: [{ ...data.payments[0], amount: '15001.00' }] }));
  const { storedBodyDigest } = await import('../../src/domain/fundyear/decide-settlement.js');
  editData(dir, FINAL_AT, (data) => ({ ...data, digest: storedBodyDigest(data) }));
  const verified = await serviceOn(t, dir).verifySettlement(ctx(auditor), ref, year.final.settlementId);
  t.match(verified, { match: false, checks: { figures: false, storedBody: true, chain: false }, firstBroken: { revision: FINAL_AT, reason: 'hash-mismatch' } });
  t.equal(verified.storedBodyDigest, verified.digest);
});

t.test('edited metadata, prevHash or hash: broken at that revision', async (t) => {
  const cases: [string, (m: Record<string, unknown>) => Record<string, unknown>, string][] = [
    ['the principal', (m) => ({ ...m, principal: 'someone-else' }), 'hash-mismatch'],
    ['the recorded time', (m) => ({ ...m, recordedAt: '2016-01-01T00:00:00.000Z' }), 'hash-mismatch'],
    ['the hash', (m) => ({ ...m, hash: GENESIS_HASH }), 'hash-mismatch'],
    ['the prevHash', (m) => ({ ...m, prevHash: GENESIS_HASH }), 'prev-hash-mismatch'],
    ['the chain fields removed', ({ prevHash: _p, hash: _h, ...m }) => m, 'chain-fields-missing'],
  ];
  for (const [what, edit, reason] of cases) {
    const dir = copyYear(t, year);
    editRow(dir, 4, (row) => ({ metadata: JSON.stringify(edit(JSON.parse(row.metadata))) }));
    t.match(await integrity(serviceOn(t, dir)), { intact: false, firstBroken: { revision: 4, reason } }, what);
  }
});

t.test('a deleted event: the revision is missing', async (t) => {
  for (const revision of [0, 5, 11]) {
    const dir = copyYear(t, year);
    deleteRow(dir, revision);
    t.match(await integrity(serviceOn(t, dir)), { revision: LAST, intact: false, firstBroken: { revision, reason: 'revision-missing' } }, `revision ${revision} (11: ccg's approval)`);
  }
  // A service that had the stream cached still answers: the walk reads the store, not the cache.
  const dir = copyYear(t, year);
  const warm = serviceOn(t, dir);
  await warm.positions(ctx(admin), ref);
  deleteRow(dir, 3);
  t.match(await integrity(warm), { intact: false, firstBroken: { revision: 3, reason: 'revision-missing' } });
  t.match(await warm.verifySettlement(ctx(auditor), ref, year.final.settlementId), {
    recomputedDigest: null, match: false, checks: { figures: false, storedBody: true, chain: false }, firstBroken: { revision: 3, reason: 'revision-missing' },
  }, 'an acceptance removed: the log no longer settles, and the chain says why');
});

t.test('removing the newest events leaves an intact, shorter chain: only a head noted elsewhere shows it', async (t) => {
  const dir = copyYear(t, year);
  const noted = await integrity(serviceOn(t, copyYear(t, year)));
  deleteRow(dir, LAST);
  const after = await integrity(serviceOn(t, dir));
  t.strictSame(after, { revision: LAST - 1, head: storedHash(dir, LAST - 1), intact: true, firstBroken: null });
  t.not(after.head, noted.head, 'the head an auditor noted (or a later statement\'s chain hash) no longer matches');
});

t.test('a settlement\'s chain hash must be that of the event at its asOfRevision', async (t) => {
  const dir = copyYear(t, year);
  editData(dir, FINAL_AT, (data) => ({ ...data, chainHash: storedHash(dir, 8) }));
  reseal(dir, FINAL_AT); // a forger who re-seals the chain after the edit
  const service = serviceOn(t, dir);
  t.match(await integrity(service), { intact: true }, 'the chain itself is whole again…');
  t.match(await service.verifySettlement(ctx(auditor), ref, year.final.settlementId), {
    match: false, checks: { figures: true, storedBody: true, chain: false }, firstBroken: { revision: 9, reason: 'chain-hash-mismatch' },
  }, '…but the settlement no longer points at revision 9');

  const without = copyYear(t, year);
  editData(without, FINAL_AT, ({ chainHash: _c, ...data }) => data);
  reseal(without, FINAL_AT);
  t.match(await serviceOn(t, without).verifySettlement(ctx(auditor), ref, year.final.settlementId), {
    chainHash: null, match: false, checks: { chain: false }, firstBroken: { revision: FINAL_AT, reason: 'chain-hash-missing' },
  });
});

t.test('a log written before the chain is reported, not a crash; new events are chained after it', async (t) => {
  const dir = copyYear(t, year);
  stripChain(dir);
  const service = serviceOn(t, dir);
  t.strictSame(await integrity(service), {
    revision: LAST, head: null, intact: false,
    firstBroken: { revision: 0, reason: 'chain-fields-missing', detail: 'the event at revision 0 carries no prevHash and hash in its metadata' },
  });
  const verified = await service.verifySettlement(ctx(auditor), ref, year.final.settlementId);
  t.match(verified, { chainHash: null, match: false, checks: { figures: true, storedBody: true, chain: false }, firstBroken: { revision: 0, reason: 'chain-fields-missing' } });
  t.equal((await service.getSettlement(ctx(ccg), ref, year.final.settlementId)).chainHash, null);
  t.match(await service.settlementStatementCsv(ctx(ccg), ref, year.final.settlementId), /\r\nchain hash,\r\n/, 'the statement has an empty chain hash');

  const again = await service.calculateSettlement(ctx(admin), ref, { mode: 'forecast', asOfRevision: 6 });
  const [added] = await service.events(ctx(auditor), ref, LAST + 1);
  const legacyLast = year.trail[LAST]!;
  const { prevHash: _p, hash: _h, ...unchained } = legacyLast.metadata as Record<string, unknown>;
  const { chainHash: _c, ...settlementData } = legacyLast.data as Record<string, unknown>;
  t.equal(legacyLast.type, 'SettlementCalculated');
  t.equal(chainFieldsOf(added!.metadata)?.prevHash, linkHash({ revision: LAST, type: legacyLast.type, data: settlementData, metadata: unchained }), 'linked to the unchained event by its content hash');
  t.equal(again.chainHash, linkHash({ ...(year.trail[6]!), metadata: (({ prevHash: _a, hash: _b, ...m }) => m)(year.trail[6]!.metadata as Record<string, unknown>) }));
  t.match(await integrity(service), { revision: LAST + 1, intact: false, firstBroken: { revision: 0, reason: 'chain-fields-missing' } }, 'still not evidence');
});

t.test('a retried command is chained on the state it retried on', async (t) => {
  const inner = memoryStore();
  t.teardown(() => inner.close());
  const other = createFundYearService({ store: inner });
  t.teardown(() => other.close());
  let interleave: (() => Promise<unknown>) | null = null;
  let conflicts = 0;
  // Before the first append of a command goes through, another writer appends: a conflict.
  const store: EventStore = {
    ...inner,
    append: async (stream, events, options) => {
      const cut = interleave;
      interleave = null;
      if (cut !== null) await cut();
      try {
        return await inner.append(stream, events, options);
      } catch (error) {
        if (error instanceof WrongExpectedRevisionError) conflicts += 1;
        throw error;
      }
    },
    readStream: (stream, options) => inner.readStream(stream, options),
    readAll: (options) => inner.readAll(options),
    subscribeToAll: (options) => inner.subscribeToAll(options),
    headPosition: () => inner.headPosition(),
    ping: () => inner.ping(),
    close: async () => undefined,
  };
  const service = createFundYearService({ store });
  t.teardown(() => service.close());
  const { budgetLines, openBody, terms } = await import('./fixtures/service.js');
  await service.openFundYear(ctx(admin), ref, openBody);
  await service.setBudget(ctx(admin), ref, { lines: budgetLines });
  await service.proposeAgreement(ctx(admin), ref, { terms });
  interleave = () => other.acceptAgreement(ctx(principals.council), ref, 1);
  const accepted = await service.acceptAgreement(ctx(ccg), ref, 1);
  t.equal(conflicts, 1, 'the first append lost to the other writer');
  t.equal(accepted.revision, 4, 'and was decided again after it');
  t.strictSame(await service.integrity(ctx(auditor), ref), { revision: 4, head: chainFieldsOf((await inner.readStream(STREAM))[4]!.metadata)!.hash, intact: true, firstBroken: null });
});

t.test('the walk reads in pages and lets other work run between them', async (t) => {
  const store = memoryStore();
  t.teardown(() => store.close());
  const total = 2 * CHAIN_PAGE_SIZE + 1;
  let prev = GENESIS_HASH;
  for (let from = 0; from < total; from += 250) {
    const batch = Array.from({ length: Math.min(250, total - from) }, (_, i) => ({ type: 'YearClosed', data: { closedBy: `admin-${from + i}` } }));
    const sealed = chainEvents(from, prev, batch, { principal: 'bench' });
    prev = sealed[sealed.length - 1]!.metadata.hash;
    await store.append('fundyear-paged-2015-16', sealed.map((e, i) => ({ id: `00000000-0000-4000-8000-${String(from + i).padStart(12, '0')}`, ...e })), { expectedRevision: from === 0 ? 'no_stream' : BigInt(from - 1) });
  }
  let reads = 0;
  const counting: EventStore = { ...store, readStream: async (stream, options) => { reads += 1; return store.readStream(stream, options); } };
  let readsWhenOtherWorkRan = -1;
  setImmediate(() => { readsWhenOtherWorkRan = reads; });
  const walk = await walkChain(counting, 'fundyear-paged-2015-16', { maxEvents: 100_000 });
  t.strictSame(walk, { lastRevision: total - 1, head: prev, firstBroken: null });
  t.equal(reads, 3, `${total} events in pages of ${CHAIN_PAGE_SIZE}`);
  t.equal(readsWhenOtherWorkRan, 1, 'a callback queued before the walk ran after its first page');
  await nextTick();

  await t.rejects(walkChain(store, 'fundyear-paged-2015-16', { toRevision: total - 1, maxEvents: total - 1 }), { code: 'fund-year-too-long' }, 'bounded');
  t.match(await walkChain(store, 'fundyear-paged-2015-16', { toRevision: total + 5, maxEvents: 100_000 }), { firstBroken: { revision: total, reason: 'revision-missing' } }, 'a stream shorter than asked for');
});

t.test('only a few walks at once: the others wait their turn, and a failed one frees its place', async (t) => {
  const limiter = new Limiter(2);
  let running = 0;
  let most = 0;
  const releases: (() => void)[] = [];
  const task = (fail: boolean) => limiter.run(async () => {
    running += 1;
    most = Math.max(most, running);
    await new Promise<void>((resolve) => releases.push(resolve));
    running -= 1;
    if (fail) throw new Error('store gone');
    return 'done';
  });
  const tasks = [task(true), task(false), task(false), task(false), task(false)];
  tasks[0]!.catch(() => undefined); // looked at below, with the others
  for (let round = 0; round < 5; round++) {
    await nextTick();
    t.equal(releases.length, Math.min(round + 2, 5), `round ${round}: only freed places started a task`);
    releases[round]!();
  }
  t.strictSame(await Promise.allSettled(tasks).then((r) => r.map((x) => x.status)), ['rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
  t.equal(most, 2);
  t.throws(() => new Limiter(0), RangeError);

  // The service holds its walks to CHAIN_WALKS_MAX: a third integrity request waits for a place.
  const inner = openSqliteStore({ dataDir: copyYear(t, year) });
  t.teardown(() => inner.close());
  let started = 0;
  const gates: (() => void)[] = [];
  const gated: EventStore = {
    ...inner,
    readStream: async (stream, options) => {
      if (options?.direction === 'backwards') {
        started += 1;
        await new Promise<void>((resolve) => gates.push(resolve));
      }
      return inner.readStream(stream, options);
    },
    readAll: (options) => inner.readAll(options),
    subscribeToAll: (options) => inner.subscribeToAll(options),
    headPosition: () => inner.headPosition(),
    ping: () => inner.ping(),
    close: async () => undefined,
  };
  const service = createFundYearService({ store: gated });
  t.teardown(() => service.close());
  const answers = [integrity(service), integrity(service), integrity(service)];
  await nextTick();
  t.equal(started, CHAIN_WALKS_MAX, `${CHAIN_WALKS_MAX} walks started, the third waits`);
  gates.shift()!();
  await answers[0];
  await nextTick();
  t.equal(started, CHAIN_WALKS_MAX + 1, 'the third starts once one has finished');
  for (const open of gates.splice(0)) open();
  t.match(await Promise.all(answers), [{ intact: true }, { intact: true }, { intact: true }]);
});

t.test('over HTTP: auditor and admin walk the chain, partners may not, an unknown fund-year is 404', async (t) => {
  const dir = copyYear(t, year);
  editData(dir, CCG_M12, (data) => ({ ...data, lines: [{ ...data.lines[0], actualToDate: '1.00' }, ...data.lines.slice(1)] }));
  const store = openSqliteStore({ dataDir: dir });
  const service = createFundYearService({ store });
  const app = await buildApp({ service, keys: KEY_RECORDS });
  t.teardown(async () => {
    await app.close();
    await service.close();
    await store.close();
  });
  const url = `/v1/funds/${ref.fundId}/years/${ref.year}/integrity`;
  for (const key of [KEYS.auditor, KEYS.admin]) {
    const res = await app.inject({ method: 'GET', url, headers: bearer(key) });
    t.equal(res.statusCode, 200);
    t.strictSame(res.json(), {
      revision: LAST, head: storedHash(dir, LAST), intact: false,
      firstBroken: { revision: CCG_M12, reason: 'hash-mismatch', detail: (await integrity(service)).firstBroken!.detail },
    });
  }
  const partner = await app.inject({ method: 'GET', url, headers: bearer(KEYS.ccg) });
  t.equal(partner.statusCode, 403);
  t.match(partner.headers['content-type'], /^application\/problem\+json/);
  t.equal((await app.inject({ method: 'GET', url: `/v1/funds/${ref.fundId}/years/2016-17/integrity`, headers: bearer(KEYS.auditor) })).statusCode, 404);
  const verification = await app.inject({ method: 'GET', url: `/v1/funds/${ref.fundId}/years/${ref.year}/settlements/${year.final.settlementId}/verification`, headers: bearer(KEYS.ccg) });
  t.match(verification.json() as VerificationView, { match: false, checks: { figures: false, storedBody: true, chain: false }, firstBroken: { revision: CCG_M12, reason: 'hash-mismatch' } });
});

t.test('every command appends chained events (a fresh service on a fresh store)', async (t) => {
  const store = memoryStore();
  t.teardown(() => store.close());
  const service = createFundYearService({ store });
  t.teardown(() => service.close());
  const { openBody } = await import('./fixtures/service.js');
  await service.openFundYear(ctx(admin), ref, openBody);
  await t.rejects(service.submitReturn(ctx(ccg), ref, monthly('ccg', 1)));
  const [first] = await store.readStream(STREAM);
  t.equal(chainFieldsOf(first!.metadata)?.prevHash, GENESIS_HASH);
  t.strictSame(await service.integrity(ctx(auditor), ref), { revision: 0, head: chainFieldsOf(first!.metadata)!.hash, intact: true, firstBroken: null });
});
