// The one contract every EventStore adapter must meet. Each adapter's test file calls
// runStoreContract(t, name, factory); the same cases then run as a named subtest.
// Stream names are unique per run and readAll/subscribe checks look only at our own
// streams, so the suite also runs against a real, shared EventStoreDB.
import type tap from 'tap';
import { randomUUID } from 'node:crypto';
import type { EventStore, EventToAppend, RecordedEvent, Subscription } from '../../src/store/port.js';
import { IdempotencyMismatchError, StoreUnavailableError, WrongExpectedRevisionError } from '../../src/store/port.js';

export type Tap = Parameters<Parameters<typeof tap.test>[0]>[0];
export type StoreFactory = () => Promise<EventStore>;

const WAIT_MS = 5_000;

export function newEvent(type = 'Thing', data: unknown = { n: 1 }, metadata: unknown = { by: 'test' }): EventToAppend {
  return { id: randomUUID(), type, data, metadata };
}

export function newEvents(n: number, prefix = 'E'): EventToAppend[] {
  return Array.from({ length: n }, (_, i) => newEvent(`${prefix}${i}`, { i }, { seq: i }));
}

function uniqueStream(label: string): string {
  return `contract-${label}-${randomUUID().slice(0, 8)}`;
}

async function withStore(factory: StoreFactory, body: (store: EventStore) => Promise<void>): Promise<void> {
  const store = await factory();
  try {
    await body(store);
  } finally {
    await store.close();
  }
}

/** Rejects with WrongExpectedRevisionError and the given actual revision. */
async function expectConflict(t: Tap, p: Promise<unknown>, actual: bigint | 'no_stream', msg: string): Promise<void> {
  try {
    await p;
    t.fail(`${msg}: expected a WrongExpectedRevisionError, the append succeeded`);
  } catch (error) {
    t.ok(error instanceof WrongExpectedRevisionError, `${msg}: WrongExpectedRevisionError (${(error as Error).name})`);
    if (error instanceof WrongExpectedRevisionError) t.equal(error.actual, actual, `${msg}: actual is ${String(actual)}`);
  }
}

/**
 * Pulls events of the given streams from a subscription until `count` arrive. No deadline of
 * its own: how fast events arrive depends on the machine, so a subscription that never
 * delivers is caught by tap's timeout for the file, not by a guessed bound here.
 */
export async function take(
  iterator: AsyncIterator<RecordedEvent>,
  count: number,
  streams: ReadonlySet<string>,
): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  while (out.length < count) {
    const next = await iterator.next();
    if (next.done === true) throw new Error(`subscription ended after ${out.length} of ${count} events`);
    if (streams.has(next.value.streamId)) out.push(next.value);
  }
  return out;
}

const brief = (e: RecordedEvent): string => `${e.streamId}@${e.revision}`;

export type ContractFaultKind = 'not-leader' | 'unavailable' | 'slow' | 'unavailable-after-write' | 'slow-after-write';
export const CONTRACT_FAULT_KINDS: readonly ContractFaultKind[] = ['not-leader', 'unavailable', 'slow', 'unavailable-after-write', 'slow-after-write'];

export interface ContractFault {
  kind: ContractFaultKind;
  on: 'append' | 'read' | 'subscribe';
  times?: number;
  delayMs?: number;
}

/** A store whose server can be made to fail, call by call (the EventStoreDB double). */
export interface FaultHarness {
  /** A store on that server with a short deadline (shorter than `slowMs`) and quick retries. */
  factory: StoreFactory;
  /** How long a slow answer takes: longer than the store's deadline. */
  slowMs: number;
  /** Attempts the store makes per call. */
  attempts: number;
  inject(fault: ContractFault): void;
  clear(): void;
  /** Ends every open subscription with an error (a connection lost, a node restarting). */
  dropSubscriptions(): void;
  /** How many calls have been answered with a fault so far. */
  fired(): number;
}

/** Waits (bounded) until the server has answered one more call with a fault than `before`. */
async function faultFired(h: FaultHarness, before: number): Promise<void> {
  for (let i = 0; i < 500 && h.fired() <= before; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (h.fired() <= before) throw new Error('the injected fault never fired');
}

export interface ContractOptions {
  /**
   * Opens a store on a log of its own, empty and written by nobody else (the adapter's
   * factory itself when each store is fresh). Absent for a shared server, where an empty
   * log cannot be had and the head may move: headPosition is then checked as a lower bound.
   */
  privateLog?: StoreFactory;
  /** When given, every fault is run and must lose and duplicate nothing. */
  faults?: FaultHarness;
}

export function runStoreContract(t: Tap, name: string, factory: StoreFactory, options: ContractOptions = {}): Promise<unknown> {
  return t.test(name, async (t) => {
    t.test('append/read round trip keeps ids, types, unicode and large payloads; bigint revisions and positions', (t) =>
      withStore(factory, async (store) => {
        const stream = uniqueStream('roundtrip');
        const big = 'x'.repeat(400_000);
        const unicode = 'Zoë’s fund — £476.12m ✓ 日本語 😀 \u0000 \\ "quoted"';
        const events = [
          newEvent('FundYearOpened', { unicode, nested: { list: [1, 'two', null, true] } }, { principal: 'ccg-officer', note: unicode }),
          newEvent('Big', { big }, { size: big.length }),
          newEvent('EmptyObjects', {}, {}),
        ];
        const result = await store.append(stream, events, { expectedRevision: 'no_stream' });
        t.equal(result.nextExpectedRevision, 2n, 'next expected revision is that of the last event');
        t.equal(typeof result.position, 'bigint', 'position is a bigint');
        const read = await store.readStream(stream);
        t.equal(read.length, 3);
        t.strictSame(read.map((e) => e.id), events.map((e) => e.id), 'ids kept');
        t.strictSame(read.map((e) => e.type), events.map((e) => e.type), 'types kept');
        t.strictSame(read.map((e) => e.revision), [0n, 1n, 2n], 'revisions are bigints from 0');
        t.ok(read.every((e) => e.streamId === stream), 'stream id kept');
        t.strictSame(read[0]!.data, events[0]!.data, 'unicode data intact');
        t.strictSame(read[0]!.metadata, events[0]!.metadata, 'unicode metadata intact');
        t.equal((read[1]!.data as { big: string }).big.length, big.length, 'large payload intact');
        t.strictSame(read[2]!.data, {}, 'empty data intact');
        t.ok(read[0]!.position < read[1]!.position && read[1]!.position < read[2]!.position, 'positions increase');
        t.equal(read[2]!.position, result.position, 'append returns the position of the last event');
        t.strictSame(await store.readStream(uniqueStream('missing')), [], 'a missing stream reads as []');
      }),
    );

    t.test('every expected-revision form', (t) =>
      withStore(factory, async (store) => {
        const s = uniqueStream('expected');
        await expectConflict(t, store.append(s, [newEvent()], { expectedRevision: 'exists' }), 'no_stream', 'exists on a missing stream');
        await expectConflict(t, store.append(s, [newEvent()], { expectedRevision: 0n }), 'no_stream', 'revision 0 on a missing stream');
        t.equal((await store.append(s, [newEvent()], { expectedRevision: 'no_stream' })).nextExpectedRevision, 0n, 'no_stream on a missing stream');
        await expectConflict(t, store.append(s, [newEvent()], { expectedRevision: 'no_stream' }), 0n, 'no_stream on an existing stream');
        t.equal((await store.append(s, [newEvent()], { expectedRevision: 'exists' })).nextExpectedRevision, 1n, 'exists on an existing stream');
        t.equal((await store.append(s, [newEvent()], { expectedRevision: 'any' })).nextExpectedRevision, 2n, 'any on an existing stream');
        t.equal((await store.append(s, newEvents(2), { expectedRevision: 2n })).nextExpectedRevision, 4n, 'the right revision');
        await expectConflict(t, store.append(s, [newEvent()], { expectedRevision: 3n }), 4n, 'a stale revision');
        await expectConflict(t, store.append(s, [newEvent()], { expectedRevision: 9n }), 4n, 'a revision ahead of the stream');
        const any = uniqueStream('any');
        t.equal((await store.append(any, [newEvent()], { expectedRevision: 'any' })).nextExpectedRevision, 0n, 'any on a missing stream');
        t.equal((await store.readStream(s)).length, 5, 'no conflicting append wrote anything');
      }),
    );

    t.test('idempotent retry: the very same ids at the same place succeed and write nothing', (t) =>
      withStore(factory, async (store) => {
        const s = uniqueStream('idem');
        const first = newEvents(3, 'A');
        const second = newEvents(2, 'B');
        const r1 = await store.append(s, first, { expectedRevision: 'no_stream' });
        const r2 = await store.append(s, second, { expectedRevision: 2n });
        const again1 = await store.append(s, first, { expectedRevision: 'no_stream' });
        t.equal(again1.nextExpectedRevision, 2n, 'retry of the first batch answers its own last revision');
        t.equal(again1.position, r1.position, 'and its position');
        const again2 = await store.append(s, second, { expectedRevision: 2n });
        t.equal(again2.nextExpectedRevision, r2.nextExpectedRevision, 'retry of the last batch answers the same revision');
        t.equal(again2.position, r2.position, 'and the same position');
        const read = await store.readStream(s);
        t.strictSame(read.map((e) => e.id), [...first, ...second].map((e) => e.id), 'nothing was written twice');
        const tail = await store.append(s, [newEvent()], { expectedRevision: 4n });
        t.equal(tail.nextExpectedRevision, 5n, 'the stream carries on after the retries');
      }),
    );

    t.test('conflicting retry: other ids at a taken place conflict; a half-matching batch is refused', (t) =>
      withStore(factory, async (store) => {
        const s = uniqueStream('conflict');
        const first = newEvents(2, 'A');
        await store.append(s, first, { expectedRevision: 'no_stream' });
        await expectConflict(t, store.append(s, newEvents(2, 'X'), { expectedRevision: 'no_stream' }), 1n, 'fresh ids at a taken place');
        // EventStoreDB answers "corrupted idempotency" with wrong expected version; the embedded
        // store names it IdempotencyMismatchError. Either is a refusal; nothing may be written.
        const refusal = async (p: Promise<unknown>, msg: string): Promise<void> => {
          const error = await p.then(() => undefined, (e: unknown) => e);
          t.ok(error instanceof WrongExpectedRevisionError || error instanceof IdempotencyMismatchError, `${msg} (${String(error)})`);
        };
        await refusal(store.append(s, [first[0]!, newEvent('Other')], { expectedRevision: 'no_stream' }), 'first id matches, second does not: refused');
        await refusal(store.append(s, [...first, newEvent('Extra')], { expectedRevision: 'no_stream' }), 'a retry that grew an extra event is refused');
        await refusal(store.append(s, [first[1]!, first[0]!], { expectedRevision: 'no_stream' }), 'the same ids in another order are refused');
        t.strictSame((await store.readStream(s)).map((e) => e.id), first.map((e) => e.id), 'the stream is unchanged');
      }),
    );

    t.test('two concurrent appenders at the same revision: exactly one wins', (t) =>
      withStore(factory, async (store) => {
        for (let round = 0; round < 5; round++) {
          const s = uniqueStream(`race${round}`);
          await store.append(s, [newEvent()], { expectedRevision: 'no_stream' });
          const a = newEvents(2, 'A');
          const b = newEvents(3, 'B');
          const results = await Promise.allSettled([
            store.append(s, a, { expectedRevision: 0n }),
            store.append(s, b, { expectedRevision: 0n }),
          ]);
          const won = results.filter((r) => r.status === 'fulfilled');
          const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
          t.equal(won.length, 1, `round ${round}: one winner`);
          t.equal(lost.length, 1, `round ${round}: one loser`);
          t.ok(lost[0]?.reason instanceof WrongExpectedRevisionError, `round ${round}: the loser gets a WrongExpectedRevisionError`);
          const read = await store.readStream(s);
          const winner = results[0]!.status === 'fulfilled' ? a : b;
          t.strictSame(read.slice(1).map((e) => e.id), winner.map((e) => e.id), `round ${round}: only the winner's batch is written, whole`);
        }
      }),
    );

    t.test('readStream from and to revisions, forwards and backwards, with maxCount', (t) =>
      withStore(factory, async (store) => {
        const s = uniqueStream('range');
        await store.append(s, newEvents(10), { expectedRevision: 'no_stream' });
        const revs = async (o: Parameters<EventStore['readStream']>[1]): Promise<bigint[]> =>
          (await store.readStream(s, o)).map((e) => e.revision);
        t.strictSame(await revs({}), [0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n], 'all, forwards by default');
        t.strictSame(await revs({ fromRevision: 3n }), [3n, 4n, 5n, 6n, 7n, 8n, 9n], 'from 3');
        t.strictSame(await revs({ fromRevision: 3n, toRevision: 5n }), [3n, 4n, 5n], 'from 3 to 5 inclusive');
        t.strictSame(await revs({ toRevision: 2n }), [0n, 1n, 2n], 'to 2');
        t.strictSame(await revs({ fromRevision: 2n, maxCount: 3 }), [2n, 3n, 4n], 'from 2, three of them');
        t.strictSame(await revs({ direction: 'backwards' }), [9n, 8n, 7n, 6n, 5n, 4n, 3n, 2n, 1n, 0n], 'all backwards');
        t.strictSame(await revs({ direction: 'backwards', maxCount: 1 }), [9n], 'the last event');
        t.strictSame(await revs({ direction: 'backwards', fromRevision: 6n, toRevision: 4n }), [6n, 5n, 4n], 'backwards from 6 to 4');
        t.strictSame(await revs({ direction: 'backwards', fromRevision: 2n }), [2n, 1n, 0n], 'backwards from 2');
        t.strictSame(await revs({ direction: 'backwards', toRevision: 8n }), [9n, 8n], 'backwards down to 8');
        t.strictSame(await revs({ fromRevision: 20n }), [], 'from past the end');
        t.strictSame(await revs({ fromRevision: 4n, toRevision: 3n }), [], 'an empty range');
        t.strictSame(await revs({ maxCount: 0 }), [], 'maxCount 0');
      }),
    );

    t.test('readAll gives every stream in global order, pages by afterPosition', (t) =>
      withStore(factory, async (store) => {
        const streams = [uniqueStream('all-a'), uniqueStream('all-b'), uniqueStream('all-c')];
        const ours = new Set(streams);
        const marker = await store.append(uniqueStream('all-marker'), [newEvent()], { expectedRevision: 'no_stream' });
        const expected: string[] = [];
        const revs = new Map<string, bigint>();
        for (let i = 0; i < 12; i++) {
          const s = streams[i % 3 === 0 ? 0 : i % 5 === 0 ? 2 : 1]!;
          const events = newEvents(1 + (i % 3));
          const prev = revs.get(s);
          const r = await store.append(s, events, { expectedRevision: prev ?? 'no_stream' });
          revs.set(s, r.nextExpectedRevision);
          expected.push(...events.map((e) => e.id));
        }
        const all = (await store.readAll({ afterPosition: marker.position })).filter((e) => ours.has(e.streamId));
        t.strictSame(all.map((e) => e.id), expected, 'append order across streams');
        t.ok(all.every((e, i) => i === 0 || all[i - 1]!.position < e.position), 'positions strictly increase');
        t.ok(all[0]!.position > marker.position, 'afterPosition is exclusive');
        const paged: RecordedEvent[] = [];
        let after = marker.position;
        for (let guard = 0; guard < 1000; guard++) {
          const page = await store.readAll({ afterPosition: after, maxCount: 4 });
          t.ok(page.length <= 4, 'a page respects maxCount');
          if (page.length === 0) break;
          paged.push(...page.filter((e) => ours.has(e.streamId)));
          after = page[page.length - 1]!.position;
        }
        t.strictSame(paged.map((e) => e.id), expected, 'paging by afterPosition sees each event once');
        const fromStart = (await store.readAll()).filter((e) => ours.has(e.streamId));
        t.strictSame(fromStart.map((e) => e.id), expected, 'readAll from the start agrees');
      }),
    );

    t.test('subscription: past then live, in order; resumes from a checkpoint without gaps or duplicates', (t) =>
      withStore(factory, async (store) => {
        const a = uniqueStream('sub-a');
        const b = uniqueStream('sub-b');
        const ours = new Set([a, b]);
        const marker = await store.append(uniqueStream('sub-marker'), [newEvent()], { expectedRevision: 'no_stream' });
        await store.append(a, newEvents(3, 'past-a'), { expectedRevision: 'no_stream' });
        await store.append(b, newEvents(2, 'past-b'), { expectedRevision: 'no_stream' });
        const sub = store.subscribeToAll({ afterPosition: marker.position });
        const it = sub[Symbol.asyncIterator]();
        const past = await take(it, 5, ours);
        t.strictSame(past.map(brief), [`${a}@0`, `${a}@1`, `${a}@2`, `${b}@0`, `${b}@1`], 'past events first, in log order');
        await store.append(a, newEvents(2, 'live-a'), { expectedRevision: 2n });
        await store.append(b, newEvents(1, 'live-b'), { expectedRevision: 1n });
        const live = await take(it, 3, ours);
        t.strictSame(live.map(brief), [`${a}@3`, `${a}@4`, `${b}@2`], 'then live events, in order');
        const seen = [...past, ...live];
        t.ok(seen.every((e, i) => i === 0 || seen[i - 1]!.position < e.position), 'positions strictly increase');
        await sub.close();
        const end = await it.next();
        t.equal(end.done, true, 'a closed subscription ends its iteration');

        const checkpoint = seen[3]!.position; // as if we had stopped after the 4th event
        await store.append(b, newEvents(2, 'while-away'), { expectedRevision: 2n });
        const resumed = store.subscribeToAll({ afterPosition: checkpoint });
        const rit = resumed[Symbol.asyncIterator]();
        const again = await take(rit, 5, ours);
        t.strictSame(again.map(brief), [`${b}@1`, `${a}@3`, `${a}@4`, `${b}@2`, `${b}@3`], 'resumes right after the checkpoint');
        await store.append(a, newEvents(1, 'after-resume'), { expectedRevision: 4n });
        const more = await take(rit, 2, ours);
        t.strictSame(more.map(brief), [`${b}@4`, `${a}@5`], 'no gap, no duplicate, then live again');
        t.strictSame(more[1]!.type, 'after-resume0');
        await resumed.close();
        t.equal((await rit.next()).done, true, 'closed');
      }),
    );

    t.test('close() ends a subscription that is waiting for live events; a loop with break stops it', (t) =>
      withStore(factory, async (store) => {
        const s = uniqueStream('sub-close');
        const first = await store.append(s, [newEvent()], { expectedRevision: 'no_stream' });
        const sub: Subscription = store.subscribeToAll({ afterPosition: first.position });
        const it = sub[Symbol.asyncIterator]();
        const pending = it.next(); // nothing of ours after this position: it waits
        setTimeout(() => void sub.close(), 100);
        const outcome = await Promise.race([
          pending.then((r) => (r.done === true ? 'ended' : `event ${r.value.streamId}`)),
          new Promise<string>((resolve) => setTimeout(() => resolve('still waiting'), WAIT_MS)),
        ]);
        // On a shared server, unrelated events may arrive first; only the end matters here.
        if (outcome !== 'ended') {
          let r = await it.next();
          while (r.done !== true) r = await it.next();
        }
        t.pass('the waiting iteration ended after close()');

        const sub2 = store.subscribeToAll({});
        let n = 0;
        for await (const _e of sub2) {
          n++;
          if (n >= 1) break;
        }
        t.equal(n, 1, 'break after the first event');
        await sub2.close();
        await store.ping();
        t.pass('store still usable');
      }),
    );

    const privateLog = options.privateLog;
    if (privateLog !== undefined) {
      t.test('headPosition: null on an empty log', (t) =>
        withStore(privateLog, async (store) => {
          t.equal(await store.headPosition(), null, 'an empty log has no head');
          t.strictSame(await store.readAll(), [], 'and readAll agrees it is empty');
        }),
      );
    }

    t.test('headPosition: the last appended event across streams, the last readAll position', (t) =>
      withStore(privateLog ?? factory, async (store) => {
        const streams = [uniqueStream('head-a'), uniqueStream('head-b'), uniqueStream('head-c')];
        const first = await store.append(streams[0]!, newEvents(2), { expectedRevision: 'no_stream' });
        const exact = privateLog !== undefined;
        const check = async (expected: bigint, msg: string): Promise<void> => {
          const head = await store.headPosition();
          if (exact) t.equal(head, expected, msg);
          else t.ok(head !== null && head >= expected, `${msg} (or later: a shared log)`);
        };
        await check(first.position, 'after the first append');
        let last = first;
        for (const [i, s] of [streams[1]!, streams[2]!, streams[1]!].entries()) {
          last = await store.append(s, newEvents(1 + i), { expectedRevision: 'any' });
          await check(last.position, `after append ${i + 2}, to ${s}`);
        }
        const all = await store.readAll({ afterPosition: first.position });
        const lastRead = all[all.length - 1]!.position;
        t.equal(typeof (await store.headPosition()), 'bigint', 'a bigint');
        if (exact) t.equal(await store.headPosition(), lastRead, 'equal to the last position readAll gives');
        else t.ok(lastRead >= last.position, 'readAll reaches the last append');
        t.equal((await store.readStream(streams[1]!)).length, 4, 'reading the head changed nothing');
      }),
    );

    t.test('a stream-prefix filter: readAll, subscription and head see only matching streams, with global positions', (t) =>
      withStore(privateLog ?? factory, async (store) => {
        const tag = randomUUID().slice(0, 8);
        const prefix = `flt${tag}-`;
        const inA = `${prefix}a`;
        const inB = `${prefix}b`;
        const out = `other${tag}-a`;
        const marker = await store.append(uniqueStream('flt-marker'), [newEvent()], { expectedRevision: 'no_stream' });
        await store.append(inA, newEvents(2), { expectedRevision: 'no_stream' });
        await store.append(out, newEvents(3), { expectedRevision: 'no_stream' });
        const lastIn = await store.append(inB, newEvents(1), { expectedRevision: 'no_stream' });
        const lastOut = await store.append(out, newEvents(1), { expectedRevision: 2n });
        const all = await store.readAll({ afterPosition: marker.position, streamPrefix: prefix });
        t.strictSame(all.map(brief), [`${inA}@0`, `${inA}@1`, `${inB}@0`], 'readAll: only the prefix, in log order');
        const unfiltered = await store.readAll({ afterPosition: marker.position });
        const positions = new Map(unfiltered.map((e) => [e.id, e.position]));
        t.ok(all.every((e) => positions.get(e.id) === e.position), 'the same global positions as unfiltered');
        t.strictSame((await store.readAll({ afterPosition: marker.position, streamPrefix: prefix, maxCount: 2 })).map(brief), [`${inA}@0`, `${inA}@1`], 'maxCount counts matching events');
        const head = await store.headPosition({ streamPrefix: prefix });
        if (privateLog !== undefined) t.equal(head, lastIn.position, 'head of the prefix: its last event, not the log\'s');
        t.ok(lastOut.position > lastIn.position, 'the log itself went on past it');
        t.equal(await store.headPosition({ streamPrefix: `none${tag}-` }), null, 'no matching stream: no head');
        const sub = store.subscribeToAll({ afterPosition: marker.position, streamPrefix: prefix });
        const it = sub[Symbol.asyncIterator]();
        const past = await take(it, 3, new Set([inA, inB]));
        t.strictSame(past.map(brief), [`${inA}@0`, `${inA}@1`, `${inB}@0`], 'subscription: past events of the prefix');
        await store.append(out, newEvents(2), { expectedRevision: 3n });
        await store.append(inA, newEvents(1), { expectedRevision: 1n });
        const [live] = await take(it, 1, new Set([inA, inB, out]));
        t.equal(live && brief(live), `${inA}@2`, 'live: the next matching event, the others never delivered');
        await sub.close();
        // Resuming from the last delivered event (never from a server checkpoint) misses nothing.
        await store.append(out, newEvents(1), { expectedRevision: 5n });
        await store.append(inB, newEvents(1), { expectedRevision: 0n });
        const resumed = store.subscribeToAll({ afterPosition: live!.position, streamPrefix: prefix });
        const [next] = await take(resumed[Symbol.asyncIterator](), 1, new Set([inA, inB, out]));
        t.equal(next && brief(next), `${inB}@1`, 'resumed from the last delivered position: the next matching event');
        await resumed.close();
      }),
    );

    const harness = options.faults;
    if (harness !== undefined) runFaultCases(t, harness);

    t.test('ping answers when the store is reachable', (t) =>
      withStore(factory, async (store) => {
        await t.resolves(store.ping(), 'ping resolves');
      }),
    );
  });
}

/** The stream as ids, each exactly once, in order, or a failure naming the duplicate. */
async function idsOf(store: EventStore, stream: string): Promise<string[]> {
  return (await store.readStream(stream)).map((e) => e.id);
}

function runFaultCases(t: Tap, h: FaultHarness): void {
  t.test('faults: every kind on an append, once and twice: the batch is written exactly once', (t) =>
    withStore(h.factory, async (store) => {
      for (const kind of CONTRACT_FAULT_KINDS) {
        for (const times of [1, 2]) {
          const s = uniqueStream(`fault-${kind}-${times}`);
          const first = newEvents(2, 'A');
          await store.append(s, first, { expectedRevision: 'no_stream' });
          const batch = newEvents(3, 'B');
          h.inject({ kind, on: 'append', times, delayMs: h.slowMs });
          const r = await store.append(s, batch, { expectedRevision: 1n });
          h.clear();
          t.equal(r.nextExpectedRevision, 4n, `${kind} x${times}: the revision of the batch's last event`);
          const read = await store.readStream(s);
          t.strictSame(read.map((e) => e.id), [...first, ...batch].map((e) => e.id), `${kind} x${times}: written once, in order`);
          t.equal(r.position, read[4]!.position, `${kind} x${times}: the position of the batch's last event`);
        }
      }
    }),
  );

  t.test('faults: a conflict is still a conflict after a retry; the winner\'s batch alone is written', (t) =>
    withStore(h.factory, async (store) => {
      for (const kind of CONTRACT_FAULT_KINDS) {
        const s = uniqueStream(`fault-race-${kind}`);
        await store.append(s, [newEvent()], { expectedRevision: 'no_stream' });
        const winner = newEvents(2, 'W');
        const loser = newEvents(2, 'L');
        const before = h.fired();
        h.inject({ kind, on: 'append', delayMs: h.slowMs });
        const first = store.append(s, loser, { expectedRevision: 0n });
        first.catch(() => undefined);
        // The faulted append is in flight; another writer takes revision 1 (through the same store, unfaulted).
        await faultFired(h, before);
        const won = await store.append(s, winner, { expectedRevision: 0n }).then(() => 'won', (e: unknown) => e);
        const lost = await first.then(() => 'won', (e: unknown) => e);
        const outcomes = [won, lost];
        t.equal(outcomes.filter((o) => o === 'won').length, 1, `${kind}: exactly one of the two appends succeeded`);
        t.ok(outcomes.some((o) => o instanceof WrongExpectedRevisionError), `${kind}: the other one is a WrongExpectedRevisionError`);
        const winnerIds = won === 'won' ? winner : loser;
        t.strictSame((await idsOf(store, s)).slice(1), winnerIds.map((e) => e.id), `${kind}: only the winner's batch, whole, once`);
      }
    }),
  );

  t.test('faults: two writers through faults, each retrying its conflicts, lose nothing and duplicate nothing', (t) =>
    withStore(h.factory, async (store) => {
      const s = uniqueStream('fault-writers');
      await store.append(s, [newEvent('Start')], { expectedRevision: 'no_stream' });
      const acknowledged: string[] = [];
      const writer = async (name: string, count: number): Promise<void> => {
        for (let i = 0; i < count; i++) {
          const event = newEvent(`${name}${i}`);
          for (let round = 0; round < 50; round++) {
            const [last] = await store.readStream(s, { direction: 'backwards', maxCount: 1 });
            if (round % 2 === 0) h.inject({ kind: CONTRACT_FAULT_KINDS[(i + round) % CONTRACT_FAULT_KINDS.length]!, on: 'append', delayMs: h.slowMs });
            try {
              await store.append(s, [event], { expectedRevision: last!.revision });
              acknowledged.push(event.id);
              break;
            } catch (error) {
              if (!(error instanceof WrongExpectedRevisionError)) throw error;
            }
          }
        }
      };
      await Promise.all([writer('x', 4), writer('y', 4)]);
      h.clear();
      const ids = (await idsOf(store, s)).slice(1);
      t.equal(acknowledged.length, 8, 'every append was acknowledged');
      t.equal(new Set(ids).size, ids.length, 'no event twice');
      t.strictSame([...ids].sort(), [...acknowledged].sort(), 'the stream holds exactly the acknowledged events');
    }),
  );

  t.test('faults: reads retry through NotLeader, Unavailable and a slow answer', (t) =>
    withStore(h.factory, async (store) => {
      const s = uniqueStream('fault-read');
      const events = newEvents(4);
      const r = await store.append(s, events, { expectedRevision: 'no_stream' });
      for (const kind of ['not-leader', 'unavailable', 'slow'] as const) {
        h.inject({ kind, on: 'read', times: 2, delayMs: h.slowMs });
        t.strictSame(await idsOf(store, s), events.map((e) => e.id), `${kind}: readStream answers in full`);
        h.inject({ kind, on: 'read', delayMs: h.slowMs });
        t.ok(((await store.headPosition()) ?? -1n) >= r.position, `${kind}: headPosition answers`);
        h.clear();
      }
    }),
  );

  t.test('faults: a subscription refused or dropped resumes after its last delivered event', (t) =>
    withStore(h.factory, async (store) => {
      const s = uniqueStream('fault-sub');
      const ours = new Set([s]);
      const marker = await store.append(uniqueStream('fault-sub-marker'), [newEvent()], { expectedRevision: 'no_stream' });
      await store.append(s, newEvents(3), { expectedRevision: 'no_stream' });
      h.inject({ kind: 'unavailable', on: 'subscribe', times: 2 });
      const sub = store.subscribeToAll({ afterPosition: marker.position });
      const it = sub[Symbol.asyncIterator]();
      const before = await take(it, 3, ours);
      h.dropSubscriptions();
      await store.append(s, newEvents(2), { expectedRevision: 2n });
      h.inject({ kind: 'not-leader', on: 'subscribe' });
      h.dropSubscriptions();
      const after = await take(it, 2, ours);
      t.strictSame([...before, ...after].map((e) => e.revision), [0n, 1n, 2n, 3n, 4n], 'every event once, in order, across the drops');
      await sub.close();
      h.clear();
    }),
  );

  t.test('faults: a store that stays unreachable gives StoreUnavailableError and writes nothing', (t) =>
    withStore(h.factory, async (store) => {
      const s = uniqueStream('fault-down');
      await store.append(s, [newEvent()], { expectedRevision: 'no_stream' });
      h.inject({ kind: 'unavailable', on: 'append', times: h.attempts + 1 });
      h.inject({ kind: 'unavailable', on: 'read', times: 100 });
      const error = await store.append(s, newEvents(2), { expectedRevision: 0n }).then(() => undefined, (e: unknown) => e);
      h.clear();
      t.ok(error instanceof StoreUnavailableError, `StoreUnavailableError (${String(error)})`);
      t.notMatch(String((error as Error).message), /\n/, 'a one-line message');
      t.equal((await idsOf(store, s)).length, 1, 'nothing was written');
    }),
  );
}
