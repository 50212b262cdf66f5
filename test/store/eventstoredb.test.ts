// The store contract against the EventStoreDB adapter: always over real gRPC to the test
// double started here, and also against a real server when EVENTSTORE_URL is set.
import t from 'tap';
import { openEventStoreDbStore } from '../../src/store/eventstoredb/esdb-store.js';
import { openStore } from '../../src/store/index.js';
import { WrongExpectedRevisionError, type EventStore } from '../../src/store/port.js';
import { startEsdbDouble } from './esdb-double/server.js';
import { newEvent, newEvents, runStoreContract } from './contract.js';

const double = await startEsdbDouble();
t.teardown(() => double.close());

/** A store on a double of its own (an empty log nobody else writes to); closing it stops that double. */
async function onFreshDouble(): Promise<EventStore> {
  const own = await startEsdbDouble();
  const store = openEventStoreDbStore({ url: own.url });
  const closeStore = store.close.bind(store);
  return Object.assign(store, {
    close: async () => {
      try {
        await closeStore();
      } finally {
        await own.close();
      }
    },
  });
}

await runStoreContract(t, 'eventstoredb', async () => openEventStoreDbStore({ url: double.url }), { privateLog: onFreshDouble });

t.test('the double was really reached over gRPC by the real client', async (t) => {
  t.ok(double.calls.append > 20, `append calls: ${double.calls.append}`);
  t.ok(double.calls.read > 10, `read calls: ${double.calls.read}`);
  t.ok(double.calls.subscribe >= 3, `subscriptions: ${double.calls.subscribe}`);
});

t.test('eventstoredb adapter specifics (on the double)', async (t) => {
  t.test('openStore picks EventStoreDB when a URL is configured', async (t) => {
    const store = openStore({ dataDir: '/nonexistent/never-used', eventStoreUrl: double.url });
    const r = await store.append('pick-esdb', [newEvent()], { expectedRevision: 'no_stream' });
    t.equal(double.log.stream('pick-esdb')?.length, 1, 'the event went to the double');
    t.equal(r.position, double.log.stream('pick-esdb')![0]!.position, 'the commit position is the port position');
    await store.close();
  });

  t.test('positions are commit positions, not counters; a half-matching retry is a wrong expected revision', async (t) => {
    const store = openEventStoreDbStore({ url: double.url });
    const a = newEvents(3);
    const r = await store.append('esdb-pos', a, { expectedRevision: 'no_stream' });
    const read = await store.readStream('esdb-pos');
    t.ok(read[1]!.position - read[0]!.position > 1n, 'positions grow by record size');
    t.equal(r.position, read[2]!.position);
    const err = await store.append('esdb-pos', [a[0]!, newEvent()], { expectedRevision: 'no_stream' }).catch((e: unknown) => e);
    t.ok(err instanceof WrongExpectedRevisionError, 'EventStoreDB answers corrupted idempotency with wrong expected version');
    t.equal((err as WrongExpectedRevisionError).actual, 2n);
    await store.close();
  });

  t.test('system events ($-types) are skipped in readAll and subscriptions', async (t) => {
    const store = openEventStoreDbStore({ url: double.url });
    const r0 = await store.append('esdb-sys', [newEvent('Before')], { expectedRevision: 'no_stream' });
    await store.append('$stats-127.0.0.1:2113', [newEvent('$statsCollected')], { expectedRevision: 'any' });
    await store.append('esdb-sys', [newEvent('After')], { expectedRevision: 0n });
    const all = await store.readAll({ afterPosition: r0.position });
    t.strictSame(all.map((e) => e.type), ['After'], 'only the user event');
    const limited = await store.readAll({ afterPosition: r0.position - 1n, maxCount: 2 });
    t.strictSame(limited.map((e) => e.type), ['Before', 'After'], 'maxCount counts user events only');
    await store.close();
  });

  t.test('headPosition reads back past system events, however many, to the last user event', async (t) => {
    const store = await onFreshDouble();
    t.teardown(() => store.close());
    const system = (n: number) => Array.from({ length: n }, () => newEvent('$statsCollected'));
    await store.append('$stats-127.0.0.1:2113', system(3), { expectedRevision: 'any' });
    t.equal(await store.headPosition(), null, 'a log of system events only has no head');
    const user = await store.append('esdb-head', [newEvent('Before')], { expectedRevision: 'no_stream' });
    t.equal(await store.headPosition(), user.position, 'the user event');
    // More than the first page and then one more full page: the read must keep paging.
    await store.append('$stats-127.0.0.1:2113', system(700), { expectedRevision: 'any' });
    await store.append('$$esdb-head', [newEvent('$metadata')], { expectedRevision: 'any' });
    t.equal(await store.headPosition(), user.position, 'still the user event, 701 system events later');
    const later = await store.readAll({ afterPosition: user.position });
    t.strictSame(later, [], 'readAll agrees: nothing after it that it would deliver');
  });

  t.test('null metadata and data survive the round trip as null', async (t) => {
    const store = openEventStoreDbStore({ url: double.url });
    await store.append('esdb-null', [{ ...newEvent(), data: null, metadata: null }], { expectedRevision: 'no_stream' });
    const [e] = await store.readStream('esdb-null');
    t.equal(e!.data, null);
    t.equal(e!.metadata, null);
    await store.close();
  });
});

const realUrl = process.env.EVENTSTORE_URL;
if (realUrl !== undefined && realUrl.length > 0) {
  await runStoreContract(t, 'eventstoredb-real', async () => openEventStoreDbStore({ url: realUrl }));
} else {
  t.comment('EVENTSTORE_URL not set: the contract ran against the gRPC test double only');
}
