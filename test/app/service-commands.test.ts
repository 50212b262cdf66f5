// Idempotency, concurrency, scope, and "a refused command appends nothing".
import t, { type Test } from 'tap';
import { createFundYearService } from '../../src/app/service.js';
import { DomainError } from '../../src/domain/errors.js';
import { fundYearStream } from '../../src/domain/fundyear/index.js';
import { WrongExpectedRevisionError, type EventStore } from '../../src/store/port.js';
import { budgetLines, ctx, FUND, memoryStore, monthly, openBody, principals, ref, terms, YEAR } from './fixtures/service.js';
import { like } from '../fixtures/like.js';

const { admin, ccg, council, auditor, elsewhere } = principals;
const stream = fundYearStream(FUND, YEAR);

async function openedYear(t: Test, store: EventStore = memoryStore()) {
  const service = createFundYearService({ store });
  t.teardown(async () => {
    await service.close();
    await store.close();
  });
  await service.openFundYear(ctx(admin), ref, openBody);
  await service.setBudget(ctx(admin), ref, { lines: budgetLines });
  return { service, store, length: async () => (await store.readStream(stream)).length };
}

async function rejects(t: Test, promise: Promise<unknown>, kind: string, code: string): Promise<void> {
  const error: unknown = await promise.then(() => undefined, (e: unknown) => e);
  t.ok(error instanceof DomainError, `refused with a DomainError (${String(error)})`);
  t.strictSame({ kind: (error as DomainError).kind, code: (error as DomainError).code }, { kind, code }, `${kind} ${code}`);
}

t.test('the same Idempotency-Key and body replays the first answer and appends nothing', async (t) => {
  const { service, store, length } = await openedYear(t);
  const first = await service.submitReturn(ctx(ccg, 'key-1'), ref, monthly('ccg', 1));
  const before = await length();
  const again = await service.submitReturn(ctx(ccg, 'key-1'), ref, monthly('ccg', 1));
  t.strictSame(again, first, 'same returnId and revision');
  t.equal(await length(), before, 'nothing appended');

  await rejects(t, service.submitReturn(ctx(ccg, 'key-1'), ref, monthly('ccg', 2)), 'unprocessable', 'idempotency-key-reused');
  t.equal(await length(), before, 'nothing appended by a refused key');
  const events = await store.readStream(stream);
  like(t, events[events.length - 1]?.metadata, { idempotencyKey: 'key-1', requestHash: /^sha256:[0-9a-f]{64}$/, principal: 'ccg-finance' });

  // Keys belong to their caller: council's key-1 is another request, not a reuse of ccg's.
  const councils = await service.submitReturn(ctx(council, 'key-1'), ref, monthly('council', 1));
  t.not(councils.returnId, first.returnId);
  t.equal(await length(), before + 1);
  t.strictSame(await service.submitReturn(ctx(council, 'key-1'), ref, monthly('council', 1)), councils, 'and council replays its own');
  t.strictSame(await service.submitReturn(ctx(ccg, 'key-1'), ref, monthly('ccg', 1)), first, 'as ccg does');

  const restarted = createFundYearService({ store });
  t.teardown(() => restarted.close());
  t.strictSame(await restarted.submitReturn(ctx(ccg, 'key-1'), ref, monthly('ccg', 1)), first, 'a new instance replays it from the log');
  t.equal(await length(), before + 1, 'the replays appended nothing');

  // A replay answers as the first time, even where the request would now be refused.
  const settledKey = await service.proposeAgreement(ctx(admin, 'key-2'), ref, { terms });
  await service.proposeAgreement(ctx(admin), ref, { terms });
  t.strictSame(await service.proposeAgreement(ctx(admin, 'key-2'), ref, { terms }), settledKey);
});

t.test('a refused command appends nothing', async (t) => {
  const { service, length } = await openedYear(t);
  await service.submitReturn(ctx(ccg), ref, monthly('ccg', 1));
  const before = await length();
  await rejects(t, service.submitReturn(ctx(ccg), ref, monthly('ccg', 1)), 'conflict', 'duplicate-return');
  await rejects(t, service.submitReturn(ctx(ccg), ref, monthly('council', 1)), 'forbidden', 'forbidden-partner');
  await rejects(t, service.closeYear(ctx(admin), ref), 'conflict', 'm12-returns-missing');
  await rejects(t, service.setBudget(ctx(auditor), ref, { lines: budgetLines }), 'forbidden', 'forbidden-role');
  await rejects(t, service.calculateSettlement(ctx(admin), ref, { mode: 'forecast' }), 'conflict', 'no-adopted-agreement');
  await rejects(t, service.openFundYear(ctx(admin), ref, openBody), 'conflict', 'fund-year-exists');
  t.equal(await length(), before);
});

t.test('fund scope, roles for reading, unknown fund-years', async (t) => {
  const { service } = await openedYear(t);
  await rejects(t, service.positions(ctx(elsewhere), ref), 'forbidden', 'forbidden-fund');
  await rejects(t, service.setBudget(ctx(elsewhere), ref, { lines: budgetLines }), 'forbidden', 'forbidden-fund');
  await rejects(t, service.events(ctx(ccg), ref), 'forbidden', 'forbidden-role');
  await rejects(t, service.positions(ctx(admin), { fundId: FUND, year: '2016-17' }), 'not-found', 'fund-year-not-found');
  await rejects(t, service.positions(ctx(admin), { fundId: 'Bad Id', year: YEAR }), 'not-found', 'fund-year-not-found');
  await rejects(t, service.positions(ctx(admin), ref, 99), 'bad-request', 'invalid-revision');
  await rejects(t, service.getSettlement(ctx(admin), ref, 'nope'), 'not-found', 'settlement-not-found');
  t.strictSame(await service.listFunds(ctx(elsewhere)), [], 'listFunds shows only the key\'s funds');
  like(t, await service.listFunds(ctx(ccg)), [{ fundId: FUND, year: YEAR, status: 'open', budget: '3250000.00' }]);
  await service.ready();
});

t.test('two concurrent commands on one stream both succeed by deciding again', async (t) => {
  const store = memoryStore();
  let conflicts = 0;
  const counting: EventStore = Object.assign(Object.create(store) as EventStore, {
    append: async (...args: Parameters<EventStore['append']>) => {
      try {
        return await store.append(...args);
      } catch (error) {
        if (error instanceof WrongExpectedRevisionError) conflicts += 1;
        throw error;
      }
    },
    readStream: (...args: Parameters<EventStore['readStream']>) => store.readStream(...args),
  });
  const { service, length } = await openedYear(t, counting);
  const before = await length();
  const results = await Promise.all([
    service.submitReturn(ctx(ccg), ref, monthly('ccg', 1)),
    service.submitReturn(ctx(council), ref, monthly('council', 1)),
    service.submitReturn(ctx(ccg), ref, monthly('ccg', 2)),
  ]);
  t.strictSame(results.map((r) => r.revision).sort(), [before, before + 1, before + 2]);
  t.equal(await length(), before + 3);
  t.ok(conflicts > 0, `the appends raced (${conflicts} conflicts) and were decided again`);
});

t.test('a stream that always conflicts gives 409 after the retries', async (t) => {
  const store = memoryStore();
  let attempts = 0;
  const hostile: EventStore = Object.assign(Object.create(store) as EventStore, {
    append: async (name: string, _events: unknown, options: { expectedRevision: bigint | 'no_stream' }) => {
      attempts += 1;
      throw new WrongExpectedRevisionError(name, options.expectedRevision, 99n);
    },
    readStream: (...args: Parameters<EventStore['readStream']>) => store.readStream(...args),
  });
  const service = createFundYearService({ store: hostile, retriesMax: 3 });
  t.teardown(async () => {
    await service.close();
    await store.close();
  });
  await rejects(t, service.openFundYear(ctx(admin), ref, openBody), 'conflict', 'concurrency-conflict');
  t.equal(attempts, 4, 'one attempt and three retries');
  t.equal((await store.readStream(stream)).length, 0);
});

t.test('a fund-year past its event limit is refused, for commands and reads alike, and nothing is appended', async (t) => {
  const store = memoryStore();
  const roomy = createFundYearService({ store });
  const tight = createFundYearService({ store, eventsMax: 2 });
  t.teardown(async () => {
    await roomy.close();
    await tight.close();
    await store.close();
  });
  await roomy.openFundYear(ctx(admin), ref, openBody);
  await roomy.setBudget(ctx(admin), ref, { lines: budgetLines });
  await tight.positions(ctx(admin), ref); // exactly at the limit: still served
  await roomy.submitReturn(ctx(ccg), ref, monthly('ccg', 1));
  const before = (await store.readStream(stream)).length;
  await rejects(t, tight.submitReturn(ctx(council), ref, monthly('council', 1)), 'conflict', 'fund-year-too-long');
  await rejects(t, tight.positions(ctx(admin), ref), 'conflict', 'fund-year-too-long');
  t.equal((await store.readStream(stream)).length, before, 'nothing appended');
});
