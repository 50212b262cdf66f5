// Walking a fund-year stream's hash chain (docs/integrity.md) as the store holds it: never
// through the stream cache or the fold, which trust what they read. The walk reads in pages
// and yields to the event loop between them, so a long stream never blocks other requests.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { chainFieldsOf, checkLink, GENESIS_HASH, linkHash, type ChainBreak, type ChainedEvent } from '../domain/chain.js';
import { DomainError } from '../domain/errors.js';
import type { EventStore, RecordedEvent } from '../store/port.js';
import type { IntegrityView } from './service-types.js';

/**
 * Events hashed between two yields to the event loop. Measured: about 0.2 ms an event of a
 * 20-line return (read, parse, canonicalise, hash), so a page holds the loop for about 40 ms.
 */
export const CHAIN_PAGE_SIZE = 200;

/** Chain walks run at once per service; more wait their turn (each one reads a whole stream). */
export const CHAIN_WALKS_MAX = 2;

/** At most `max` tasks at once; the others wait, first come first served. */
export class Limiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`a limiter needs max ≥ 1, got ${max}`);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running += 1;
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter, or is freed.
      const next = this.waiting.shift();
      if (next === undefined) this.running -= 1;
      else next();
    }
  }
}

export interface ChainWalk {
  /** Revision of the last event read (-1: none). */
  lastRevision: number;
  /** Hash of the last event read when the chain is intact up to it, else null. */
  head: string | null;
  firstBroken: ChainBreak | null;
}

function chained(e: RecordedEvent): ChainedEvent {
  return { revision: Number(e.revision), type: e.type, data: e.data, metadata: e.metadata };
}

/**
 * Checks the chain from revision 0 up to `toRevision` (inclusive; default: the stream's end),
 * reading at most `maxEvents` events. Stops at the first break. With `toRevision`, a stream
 * that ends before it is broken at the first absent revision.
 */
export async function walkChain(store: EventStore, stream: string, options: { toRevision?: number; maxEvents: number }): Promise<ChainWalk> {
  const { toRevision, maxEvents } = options;
  if (toRevision !== undefined && toRevision >= maxEvents) {
    throw new DomainError('conflict', 'fund-year-too-long', `${stream} holds more than ${maxEvents} events, the most a fund-year may hold`);
  }
  const last = toRevision ?? maxEvents - 1;
  let expected = 0;
  let prevHash = GENESIS_HASH;
  while (expected <= last) {
    const count = Math.min(CHAIN_PAGE_SIZE, last - expected + 1);
    const page = await readPage(store, stream, expected, last, count);
    for (const event of page.events) {
      const link = checkLink(expected, prevHash, chained(event));
      if (!link.ok) return { lastRevision: Number(event.revision), head: null, firstBroken: link.broken };
      prevHash = link.hash;
      expected += 1;
    }
    if (page.unreadable !== undefined) {
      const detail = `the event after revision ${expected - 1} cannot be read as JSON (${page.unreadable})`;
      return { lastRevision: expected - 1, head: null, firstBroken: { revision: expected, reason: 'unreadable', detail } };
    }
    if (page.events.length < count) break;
    await yieldToEventLoop();
  }
  if (toRevision !== undefined && expected <= toRevision) {
    const detail = `revision ${expected} is missing: the stream ends at revision ${expected - 1}`;
    return { lastRevision: expected - 1, head: null, firstBroken: { revision: expected, reason: 'revision-missing', detail } };
  }
  return { lastRevision: expected - 1, head: expected === 0 ? null : prevHash, firstBroken: null };
}

/**
 * Up to `count` events from `from`. A store whose row no longer parses as JSON (an edited byte)
 * throws a SyntaxError for the whole page: the events before that row are read one at a time,
 * so the walk can check them and name the unreadable one. Any other error is the store's, and is thrown.
 */
async function readPage(store: EventStore, stream: string, from: number, to: number, count: number): Promise<{ events: RecordedEvent[]; unreadable?: string }> {
  try {
    return { events: await store.readStream(stream, { fromRevision: BigInt(from), toRevision: BigInt(to), maxCount: count }) };
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
  }
  const events: RecordedEvent[] = [];
  let after = from;
  while (events.length < count) {
    try {
      const [event] = await store.readStream(stream, { fromRevision: BigInt(after), toRevision: BigInt(to), maxCount: 1 });
      if (event === undefined) return { events };
      events.push(event);
      after = Number(event.revision) + 1;
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      return { events, unreadable: error.message };
    }
  }
  return { events };
}

/**
 * The whole stream's chain, from revision 0 to its last event as read before the walk (events
 * appended meanwhile are not part of the answer); undefined for a stream with no events.
 */
export async function checkStream(store: EventStore, stream: string, maxEvents: number): Promise<IntegrityView | undefined> {
  let last: RecordedEvent | undefined;
  try {
    [last] = await store.readStream(stream, { direction: 'backwards', maxCount: 1 });
    if (last === undefined) return undefined;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    // The last event itself is unreadable: walk to wherever the stream ends; the walk names it.
    const walk = await walkChain(store, stream, { maxEvents });
    return { revision: walk.firstBroken?.revision ?? walk.lastRevision, head: null, intact: walk.firstBroken === null, firstBroken: walk.firstBroken };
  }
  const revision = Number(last.revision);
  const walk = await walkChain(store, stream, { toRevision: revision, maxEvents });
  const head = chainFieldsOf(last.metadata)?.hash ?? null;
  return { revision, head, intact: walk.firstBroken === null, firstBroken: walk.firstBroken };
}

/**
 * The chain hash a settlement at `revision` records: the one the event there records (its
 * content hash for an event written before the chain). Undefined if the stream has no such event.
 */
export async function chainHashAt(store: EventStore, stream: string, revision: number): Promise<string | undefined> {
  const [event] = await store.readStream(stream, { fromRevision: BigInt(revision), toRevision: BigInt(revision), maxCount: 1 });
  return event === undefined || event.revision !== BigInt(revision) ? undefined : linkHash(chained(event));
}
