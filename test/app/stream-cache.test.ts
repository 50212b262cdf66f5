// The stream cache (src/app/stream-cache.ts): a cached service answers exactly as one that
// folds every stream from scratch, across instances sharing a store, after evictions,
// conflicts and failed appends, and reads only the events after its cached prefix.
import fc from 'fast-check';
import t, { type Test } from 'tap';
import { createFundYearService } from '../../src/app/service.js';
import { EMPTY_STREAM, extend, StreamCache } from '../../src/app/stream-cache.js';
import { scopedKey } from '../../src/app/idempotency.js';
import { DomainError } from '../../src/domain/errors.js';
import { fundYearStream, type FundYearEvent } from '../../src/domain/fundyear/index.js';
import { WrongExpectedRevisionError, type EventStore } from '../../src/store/port.js';
import type { FundYearService } from '../../src/app/service-types.js';
import { budgetLines, ccgLines, councilLines, ctx, FUND, memoryStore, monthly, openBody, principals, ref, terms, YEAR } from './fixtures/service.js';
import { like } from '../fixtures/like.js';

const { admin, ccg, council } = principals;
const stream = fundYearStream(FUND, YEAR);

type Service = ReturnType<typeof createFundYearService>;

function service(t: Test, store: EventStore, extra: { streamCacheMax?: number; newId?: () => string } = {}): Service {
  const s = createFundYearService({ store, now: () => '2016-05-01T00:00:00.000Z', ...extra });
  t.teardown(() => s.close());
  return s;
}

/** A refusal as the caller sees it, or the answer. */
async function outcome(promise: Promise<unknown>): Promise<unknown> {
  try {
    return { answer: await promise };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return { refused: { kind: error.kind, code: error.code, errors: error.errors } };
  }
}

/** A store that counts the events its stream reads return (to see that only the suffix is read). */
function counting(store: EventStore): { store: EventStore; eventsRead: () => number } {
  let read = 0;
  const wrapped: EventStore = Object.assign(Object.create(store) as EventStore, {
    readStream: async (...args: Parameters<EventStore['readStream']>) => {
      const events = await store.readStream(...args);
      read += events.length;
      return events;
    },
    append: (...args: Parameters<EventStore['append']>) => store.append(...args),
  });
  return { store: wrapped, eventsRead: () => read };
}

t.test('the LRU keeps the most recently used streams and never trades a longer prefix for a shorter one', async (t) => {
  const cache = new StreamCache(2);
  const at = (revision: number) => ({ ...EMPTY_STREAM, revision });
  cache.offer('a', at(1));
  cache.offer('b', at(1));
  t.equal(cache.get('a')?.revision, 1, 'a used: b is now the least recent');
  cache.offer('c', at(0));
  t.equal(cache.get('b'), undefined, 'b evicted');
  t.equal(cache.size, 2);
  cache.offer('a', at(0));
  t.equal(cache.get('a')?.revision, 1, 'an older prefix (a slower concurrent read) does not replace a newer one');
  cache.offer('a', at(5));
  t.equal(cache.get('a')?.revision, 5);
  const none = new StreamCache(0);
  none.offer('a', at(3));
  t.equal(none.get('a'), undefined, '0 holds nothing');
  t.throws(() => new StreamCache(-1), RangeError);
});

t.test('the key index records every revision a key was written at, and the first request hash, per principal', async (t) => {
  const opened: FundYearEvent = { type: 'FundYearOpened', data: { fundId: FUND, year: YEAR, name: 'n', partners: [], strategies: [] } };
  const budget: FundYearEvent = { type: 'BudgetSet', data: { lines: [] } };
  const by = (principal: string, idempotencyKey: string, requestHash: string) => ({ principal, idempotencyKey, requestHash });
  const base = extend(EMPTY_STREAM, [{ event: opened, metadata: by('admin', 'k', 'h1') }]);
  const next = extend(base, [
    { event: budget, metadata: by('admin', 'k', 'h2') },
    { event: budget, metadata: null },
    { event: budget, metadata: by('admin', 'j', 'h3') },
    { event: budget, metadata: by('ccg', 'k', 'h4') },
    { event: budget, metadata: { idempotencyKey: 'k', requestHash: 'h5' } },
  ]);
  t.strictSame(next.keys.get(scopedKey('admin', 'k')), { requestHash: 'h1', revisions: [0, 1] });
  t.strictSame(next.keys.get(scopedKey('admin', 'j')), { requestHash: 'h3', revisions: [3] });
  t.strictSame(next.keys.get(scopedKey('ccg', 'k')), { requestHash: 'h4', revisions: [4] }, 'the same key from another principal is filed apart');
  t.equal(next.keys.size, 3, 'a key without a principal is not filed');
  t.equal(next.revision, 5);
  t.strictSame(base.keys.get(scopedKey('admin', 'k')), { requestHash: 'h1', revisions: [0] }, 'the prefix it was extended from is untouched');
  t.equal(base.keys.size, 1);
});

t.test('two instances on one store see each other\'s writes, refusals and idempotent replays', async (t) => {
  const store = memoryStore();
  t.teardown(() => store.close());
  const a = service(t, store);
  const b = service(t, store);
  await a.openFundYear(ctx(admin), ref, openBody);
  await b.setBudget(ctx(admin), ref, { lines: budgetLines });
  await a.positions(ctx(admin), ref); // a caches the stream, then b writes behind it
  await b.submitReturn(ctx(ccg), ref, monthly('ccg', 1));
  t.strictSame(await a.positions(ctx(admin), ref), await b.positions(ctx(admin), ref), 'a catches up with b\'s return');
  like(t, await outcome(a.submitReturn(ctx(ccg), ref, monthly('ccg', 1))), { refused: { kind: 'conflict', code: 'duplicate-return' } });

  const first = await a.submitReturn(ctx(council, 'key-1'), ref, monthly('council', 1));
  const length = (await store.readStream(stream)).length;
  t.strictSame(await b.submitReturn(ctx(council, 'key-1'), ref, monthly('council', 1)), first, 'b replays a\'s answer');
  like(t, await outcome(b.submitReturn(ctx(council, 'key-1'), ref, monthly('council', 2))), {
    refused: { kind: 'unprocessable', code: 'idempotency-key-reused' },
  });
  // The key's events are no longer the latest: the replay still answers as the log stood then.
  await b.submitReturn(ctx(ccg), ref, monthly('ccg', 2));
  t.strictSame(await a.submitReturn(ctx(council, 'key-1'), ref, monthly('council', 1)), first);
  t.equal((await store.readStream(stream)).length, length + 1, 'replays appended nothing');
  t.strictSame(await a.positions(ctx(admin), ref, 2), await b.positions(ctx(admin), ref, 2), 'an earlier revision folds alike');
  t.strictSame(await a.events(ctx(admin), ref, 1, 2), await b.events(ctx(admin), ref, 1, 2));
});

t.test('a command on a cached stream reads only the events after the cached prefix', async (t) => {
  const memory = memoryStore();
  t.teardown(() => memory.close());
  const { store, eventsRead } = counting(memory);
  const cached = service(t, store);
  await cached.openFundYear(ctx(admin), ref, openBody);
  await cached.setBudget(ctx(admin), ref, { lines: budgetLines });
  await cached.positions(ctx(admin), ref);
  const before = eventsRead();
  await cached.submitReturn(ctx(ccg), ref, monthly('ccg', 1));
  await cached.submitReturn(ctx(council), ref, monthly('council', 1));
  // Each command reads back only the one event the previous one appended.
  t.equal(eventsRead() - before, 1, 'the second command read one event; the first none');

  const uncached = service(t, store, { streamCacheMax: 0 });
  const start = eventsRead();
  await uncached.positions(ctx(admin), ref);
  t.equal(eventsRead() - start, 4, 'with the cache off every read folds the whole stream');
});

t.test('eviction still gives right answers', async (t) => {
  const store = memoryStore();
  t.teardown(() => store.close());
  const tiny = service(t, store, { streamCacheMax: 1 });
  const other = service(t, store);
  const refs = [ref, { fundId: 'devon-better-care', year: YEAR }];
  for (const at of refs) {
    await tiny.openFundYear(ctx(admin), at, openBody);
    await other.setBudget(ctx(admin), at, { lines: budgetLines });
  }
  const scoped = { ...ccg, funds: ['*'] };
  for (let k = 1; k <= 3; k++) {
    for (const at of refs) {
      await tiny.submitReturn(ctx(scoped), at, monthly('ccg', k));
      like(t, await outcome(other.submitReturn(ctx(scoped), at, monthly('ccg', k))), { refused: { code: 'duplicate-return' } });
    }
  }
  const fresh = service(t, store, { streamCacheMax: 0 });
  for (const at of refs) t.strictSame(await tiny.positions(ctx(admin), at), await fresh.positions(ctx(admin), at));
});

t.test('concurrent commands on one cached stream, in one instance and across two, all succeed by retrying', async (t) => {
  const memory = memoryStore();
  t.teardown(() => memory.close());
  let conflicts = 0;
  const store: EventStore = Object.assign(Object.create(memory) as EventStore, {
    append: async (...args: Parameters<EventStore['append']>) => {
      try {
        return await memory.append(...args);
      } catch (error) {
        if (error instanceof WrongExpectedRevisionError) conflicts += 1;
        throw error;
      }
    },
    readStream: (...args: Parameters<EventStore['readStream']>) => memory.readStream(...args),
  });
  const a = service(t, store);
  const b = service(t, store);
  await a.openFundYear(ctx(admin), ref, openBody);
  await a.setBudget(ctx(admin), ref, { lines: budgetLines });
  await Promise.all([a.positions(ctx(admin), ref), b.positions(ctx(admin), ref)]); // both cached
  const before = (await memory.readStream(stream)).length;
  const results = await Promise.all([
    a.submitReturn(ctx(ccg), ref, monthly('ccg', 1)),
    b.submitReturn(ctx(council), ref, monthly('council', 1)),
    a.submitReturn(ctx(ccg), ref, monthly('ccg', 2)),
    b.submitReturn(ctx(council), ref, monthly('council', 2)),
  ]);
  t.strictSame(results.map((r) => r.revision).sort(), [before, before + 1, before + 2, before + 3]);
  t.ok(conflicts > 0, `the appends raced (${conflicts} conflicts)`);
  t.strictSame(await a.positions(ctx(admin), ref), await b.positions(ctx(admin), ref));
});

t.test('a failed append leaves nothing of the proposed events in the cache', async (t) => {
  const memory = memoryStore();
  t.teardown(() => memory.close());
  let failNext = false;
  const store: EventStore = Object.assign(Object.create(memory) as EventStore, {
    append: async (...args: Parameters<EventStore['append']>) => {
      if (failNext) {
        failNext = false;
        throw new Error('disk full');
      }
      return memory.append(...args);
    },
    readStream: (...args: Parameters<EventStore['readStream']>) => memory.readStream(...args),
  });
  const cached = service(t, store);
  await cached.openFundYear(ctx(admin), ref, openBody);
  await cached.setBudget(ctx(admin), ref, { lines: budgetLines });
  const before = await cached.positions(ctx(admin), ref);
  failNext = true;
  await t.rejects(cached.submitReturn(ctx(ccg), ref, monthly('ccg', 1)), /disk full/);
  t.strictSame(await cached.positions(ctx(admin), ref), before, 'positions as before the failed command');
  t.ok(await cached.submitReturn(ctx(ccg), ref, monthly('ccg', 1)), 'the same return is not a duplicate');
});

// A random command sequence (as test/app/summary.test.ts), run through cached services and an uncached one.
const refs = [
  { fundId: 'plymouth-integrated-fund', year: '2015-16' },
  { fundId: 'devon-better-care', year: '2016-17' },
];
const scoped = { ccg: { ...ccg, funds: ['*'] }, council: { ...council, funds: ['*'] } };
const pence = (n: number) => `${n < 0 ? '-' : ''}${Math.floor(Math.abs(n) / 100)}.${String(Math.abs(n) % 100).padStart(2, '0')}`;

const step = fc.record({
  fund: fc.integer({ min: 0, max: 1 }),
  /** Which cached instance runs it: the roomy one or the one that holds a single stream. */
  via: fc.integer({ min: 0, max: 1 }),
  kind: fc.oneof(
    { arbitrary: fc.constant('return' as const), weight: 4 },
    { arbitrary: fc.constantFrom('open', 'budget', 'propose', 'accept', 'close', 'adjust', 'settle', 'approve'), weight: 5 },
    { arbitrary: fc.constantFrom('positionsAt', 'verify', 'audit'), weight: 2 },
  ),
  partner: fc.constantFrom('ccg' as const, 'council' as const),
  period: fc.integer({ min: 1, max: 12 }),
  correction: fc.boolean(),
  delta: fc.integer({ min: -5_000_000, max: 5_000_000 }),
  mode: fc.constantFrom('final' as const, 'forecast' as const, 'forecast' as const),
  key: fc.option(fc.constantFrom('k1', 'k2', 'k3'), { freq: 3 }),
  /** Where in the stream an asOfRevision or audit page starts, as a fraction of its length. */
  at: fc.oneof(fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
});
type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;

async function latestRevision(service: FundYearService, at: (typeof refs)[number]): Promise<number> {
  const trail = await service.events(ctx(principals.admin), at, 0, 1000);
  return trail.length - 1;
}

function apply(service: FundYearService, s: Step): Promise<unknown> {
  const at = refs[s.fund]!;
  const as = scoped[s.partner];
  // One request id for the step on both sides: it is in the metadata, so in every chain hash.
  const c = (p: typeof admin | typeof as) => ({ ...ctx(p, s.key ?? undefined), requestId: 'req-step' });
  const lines = (s.partner === 'ccg' ? ccgLines : councilLines)().map((l) => ({ ...l, forecastOutturn: pence(100 * 400_000 + s.delta) }));
  const actions: Record<Step['kind'], () => Promise<unknown>> = {
    open: () => service.openFundYear(c(admin), at, openBody),
    budget: () => service.setBudget(c(admin), at, { lines: budgetLines, reason: 'varied' }),
    propose: () => service.proposeAgreement(c(admin), at, { terms }),
    accept: () => service.acceptAgreement(c(as), at, 1),
    return: () => service.submitReturn(c(as), at, { partnerId: s.partner, period: `M${s.period}`, lines, correction: s.correction }),
    close: () => service.closeYear(c(admin), at),
    adjust: () => service.adjustOutturn(c(as), at, { partnerId: s.partner, strategyId: 'wellbeing', arrangement: 'pooled', amount: pence(s.delta), reason: 'late' }),
    // At 1: the default revision (the latest, as the command reads it).
    settle: async () => service.calculateSettlement(c(admin), at, s.at === 1 ? { mode: s.mode } : { mode: s.mode, asOfRevision: Math.floor(s.at * (await latestRevision(service, at))) }),
    approve: async () => {
      const [latest] = await service.listSettlements(ctx(admin), at);
      return latest ? service.approveSettlement(c(as), at, latest.settlementId) : null;
    },
    positionsAt: async () => service.positions(ctx(admin), at, Math.floor(s.at * (await latestRevision(service, at)))),
    verify: async () => Promise.all((await service.listSettlements(ctx(admin), at)).map((x) => service.verifySettlement(ctx(admin), at, x.settlementId))),
    audit: async () => (await service.events(ctx(admin), at, Math.floor(s.at * 10), 3)).map((e) => ({ revision: e.revision, type: e.type, data: e.data })),
  };
  return outcome(actions[s.kind]());
}

/** Everything a reader can see of both fund-years, at the latest revision. */
async function views(service: FundYearService): Promise<unknown> {
  return Promise.all(refs.map(async (at) => ({
    positions: await outcome(service.positions(ctx(admin), at)),
    settlements: await outcome(service.listSettlements(ctx(admin), at)),
    agreements: await outcome(service.listAgreements(ctx(admin), at)),
  })));
}

t.test('any command sequence: cached services answer exactly as an uncached one, at every step', async (t) => {
  // What the sequences reached, so that a generator that only ever gets refused shows up.
  const reached = new Map<string, number>();
  const count = (what: string) => reached.set(what, (reached.get(what) ?? 0) + 1);
  await fc.assert(
    fc.asyncProperty(fc.boolean(), fc.array(step, { minLength: 1, maxLength: 60, size: 'medium' }), async (setUp, steps) => {
      const cachedStore = memoryStore();
      const plainStore = memoryStore();
      // The same ids on both sides: answers carry returnId, settlementId.
      const ids = () => {
        let n = 0;
        return () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
      };
      const cachedIds = ids();
      const now = () => '2016-05-01T00:00:00.000Z';
      const cached = [
        createFundYearService({ store: cachedStore, now, newId: cachedIds }),
        createFundYearService({ store: cachedStore, now, newId: cachedIds, streamCacheMax: 1 }),
      ];
      const plain = createFundYearService({ store: plainStore, now, newId: ids(), streamCacheMax: 0 });
      try {
        // Often start from fund-years with an adopted agreement, so that sequences get far.
        const ready: Step[] = [0, 1].flatMap((fund) =>
          (['open', 'budget', 'propose', 'accept', 'accept'] as const).map((kind, i) => ({ ...steps[0]!, fund, kind, key: null, partner: i === 4 ? 'council' as const : 'ccg' as const })),
        );
        for (const [i, s] of (setUp ? [...ready, ...steps] : steps).entries()) {
          const expected = await apply(plain, s);
          const actual = await apply(cached[s.via]!, s);
          const refused = (actual as { refused?: { code: string } }).refused;
          count(refused ? refused.code : s.kind);
          if (!refused && s.key !== null) count('with a key');
          if (JSON.stringify(actual) !== JSON.stringify(expected)) {
            t.strictSame(actual, expected, `step ${i}: ${s.kind}`);
            return false;
          }
          const seen = await views(cached[1 - s.via]!);
          if (JSON.stringify(seen) !== JSON.stringify(await views(plain))) {
            t.strictSame(seen, await views(plain), `step ${i}: views after ${s.kind}`);
            return false;
          }
        }
        return true;
      } finally {
        for (const s of [...cached, plain]) await s.close();
        await cachedStore.close();
        await plainStore.close();
      }
    }),
    // A fixed seed: the guard below asks that rare outcomes (a duplicate return) were reached,
    // which a random seed meets only most of the time. Change the seed to explore other sequences.
    { numRuns: 60, seed: 20151231 },
  );
  t.comment(JSON.stringify([...reached].sort()));
  for (const what of ['return', 'settle', 'verify', 'positionsAt', 'audit', 'with a key', 'idempotency-key-reused', 'duplicate-return']) {
    t.ok((reached.get(what) ?? 0) > 0, `reached: ${what} (${reached.get(what) ?? 0})`);
  }
});
