// Walking a fund-year stream's hash chain (docs/integrity.md) as the store holds it: never
// through the stream cache or the fold, which trust what they read. The walk reads in pages
// and yields to the event loop between them, so a long stream never blocks other requests.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { checkLink, GENESIS_HASH, linkHash, type ChainBreak, type ChainedEvent } from '../domain/chain.js';
import { DomainError } from '../domain/errors.js';
import type { EventStore, RecordedEvent } from '../store/port.js';

/** Events hashed between two yields to the event loop. */
export const CHAIN_PAGE_SIZE = 500;

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
    const page = await store.readStream(stream, { fromRevision: BigInt(expected), toRevision: BigInt(last), maxCount: count });
    for (const event of page) {
      const link = checkLink(expected, prevHash, chained(event));
      if (!link.ok) return { lastRevision: Number(event.revision), head: null, firstBroken: link.broken };
      prevHash = link.hash;
      expected += 1;
    }
    if (page.length < count) break;
    await yieldToEventLoop();
  }
  if (toRevision !== undefined && expected <= toRevision) {
    const detail = `revision ${expected} is missing: the stream ends at revision ${expected - 1}`;
    return { lastRevision: expected - 1, head: null, firstBroken: { revision: expected, reason: 'revision-missing', detail } };
  }
  return { lastRevision: expected - 1, head: expected === 0 ? null : prevHash, firstBroken: null };
}

/** The stream's last event as stored, or undefined for an empty stream. */
export async function lastEvent(store: EventStore, stream: string): Promise<RecordedEvent | undefined> {
  const [event] = await store.readStream(stream, { direction: 'backwards', maxCount: 1 });
  return event;
}

/**
 * The chain hash a settlement at `revision` records: the one the event there records (its
 * content hash for an event written before the chain). Undefined if the stream has no such event.
 */
export async function chainHashAt(store: EventStore, stream: string, revision: number): Promise<string | undefined> {
  const [event] = await store.readStream(stream, { fromRevision: BigInt(revision), toRevision: BigInt(revision), maxCount: 1 });
  return event === undefined || event.revision !== BigInt(revision) ? undefined : linkHash(chained(event));
}
