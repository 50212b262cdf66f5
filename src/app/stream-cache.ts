// The folded state of recently used fund-year streams, kept between commands and reads.
// Streams are append-only, so a cached (revision, state) is a prefix of the stream for
// ever: it is brought up to date by reading only the events after it. Several service
// instances or processes on one store stay correct for the same reason: each one's cache
// is only ever a prefix, and every command or read first catches up from the store.
// Only events read back from the store, or acknowledged by its append, are folded in.
import { GENESIS_HASH, linkHash } from '../domain/chain.js';
import { DomainError } from '../domain/errors.js';
import { asFundYearEvent, fold, initialState, type FundYearEvent, type FundYearState } from '../domain/fundyear/index.js';
import type { EventStore, RecordedEvent } from '../store/port.js';
import type { EventMetadata } from './idempotency.js';

/**
 * Default bound on cached streams. Measured: a 40-event fund-year of 20-line returns holds about
 * 85 KB (about 2 KB an event), so about 85 MB at the bound; a bound below the number of
 * fund-years written in turn evicts each one before its next use and gains nothing.
 */
export const STREAM_CACHE_MAX_DEFAULT = 1024;

/** The requests an Idempotency-Key was used for in one stream: the first one's hash and every event it wrote. */
export interface KeyedRequest {
  /** From the first event carrying the key (the one a later request is compared with). */
  requestHash: string | undefined;
  revisions: readonly number[];
}

/** A stream folded up to `revision`. Never mutated: extending it makes a new one. */
export interface FoldedStream {
  /** Revision of the last event folded in; -1 for a stream with no events. */
  readonly revision: number;
  readonly state: FundYearState;
  /** Idempotency-Key → the events that carry it, from the metadata of every event folded in. */
  readonly keys: ReadonlyMap<string, KeyedRequest>;
  /** The chain hash the next event links to (src/domain/chain.ts): the last event's, GENESIS_HASH for none. */
  readonly lastHash: string;
}

export const EMPTY_STREAM: FoldedStream = { revision: -1, state: initialState(), keys: new Map(), lastHash: GENESIS_HASH };

/** One event to fold in: its domain form and the metadata it was (or is being) recorded with. */
export interface FoldableEvent {
  event: FundYearEvent;
  metadata: unknown;
}

function keyOf(metadata: unknown): { key: string; hash: string | undefined } | undefined {
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  const { idempotencyKey, requestHash } = metadata as Partial<EventMetadata>;
  return typeof idempotencyKey === 'string' ? { key: idempotencyKey, hash: requestHash } : undefined;
}

/** `base` with `events` folded in at the revisions right after it (a new value; `base` is untouched). */
export function extend(base: FoldedStream, events: readonly FoldableEvent[]): FoldedStream {
  if (events.length === 0) return base;
  const state = fold(events.map((e) => e.event), base.state);
  // Copied only when a new event carries a key: a cached value may be shared by concurrent commands.
  let keys: Map<string, KeyedRequest> | undefined;
  events.forEach(({ metadata }, i) => {
    const keyed = keyOf(metadata);
    if (keyed === undefined) return;
    keys ??= new Map(base.keys);
    const revision = base.revision + 1 + i;
    const seen = keys.get(keyed.key);
    keys.set(keyed.key, seen ? { ...seen, revisions: [...seen.revisions, revision] } : { requestHash: keyed.hash, revisions: [revision] });
  });
  const revision = base.revision + events.length;
  const last = events[events.length - 1]!;
  const lastHash = linkHash({ revision, type: last.event.type, data: last.event.data, metadata: last.metadata });
  return { revision, state, keys: keys ?? base.keys, lastHash };
}

/** Least-recently-used bound on the streams held; `max` 0 holds nothing (every read folds from scratch). */
export class StreamCache {
  private readonly entries = new Map<string, FoldedStream>();

  constructor(private readonly max: number) {
    if (!Number.isSafeInteger(max) || max < 0) throw new RangeError(`streamCacheMax must be a non-negative integer, got ${max}`);
  }

  get size(): number {
    return this.entries.size;
  }

  get(stream: string): FoldedStream | undefined {
    const found = this.entries.get(stream);
    if (found === undefined) return undefined;
    // Map keeps insertion order: re-inserting makes it the most recently used.
    this.entries.delete(stream);
    this.entries.set(stream, found);
    return found;
  }

  /** Keeps `folded` unless a longer prefix is already held (concurrent commands may finish out of order). */
  offer(stream: string, folded: FoldedStream): void {
    if (this.max === 0) return;
    const held = this.entries.get(stream);
    if (held !== undefined && held.revision >= folded.revision) return;
    this.entries.delete(stream);
    this.entries.set(stream, folded);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string);
  }
}

function tooLong(stream: string, eventsMax: number): DomainError {
  return new DomainError(
    'conflict',
    'fund-year-too-long',
    `${stream} holds more than ${eventsMax} events, the most a fund-year may hold; nothing was changed`,
  );
}

/**
 * The stream folded up to its latest revision: the cached prefix plus the events after it,
 * read from the store. A stream longer than `eventsMax` is refused (its length is revision + 1).
 */
export async function loadStream(store: EventStore, cache: StreamCache, stream: string, eventsMax: number): Promise<FoldedStream> {
  const base = cache.get(stream) ?? EMPTY_STREAM;
  const held = base.revision + 1;
  if (held > eventsMax) throw tooLong(stream, eventsMax);
  // One more than the room left, to tell "at the limit" from "past it".
  const suffix = await store.readStream(stream, { fromRevision: BigInt(held), maxCount: eventsMax - held + 1 });
  if (held + suffix.length > eventsMax) throw tooLong(stream, eventsMax);
  suffix.forEach((e, i) => {
    // The cache is only right if revisions are the positions in the stream, with no gap.
    if (e.revision !== BigInt(held + i)) throw new Error(`${stream}: read revision ${e.revision} where ${held + i} was expected`);
  });
  const folded = extend(base, suffix.map(foldable));
  cache.offer(stream, folded);
  return folded;
}

export function toDomainEvents(recorded: readonly RecordedEvent[]): FundYearEvent[] {
  return recorded.map((e) => asFundYearEvent(e.type, e.data));
}

export function foldable(e: RecordedEvent): FoldableEvent {
  return { event: asFundYearEvent(e.type, e.data), metadata: e.metadata };
}

/** The stream's first `revision + 1` events, read from the store (for earlier revisions and replays). */
export function readPrefix(store: EventStore, stream: string, revision: number): Promise<RecordedEvent[]> {
  if (revision < 0) return Promise.resolve([]);
  return store.readStream(stream, { fromRevision: 0n, toRevision: BigInt(revision), maxCount: revision + 1 });
}

/** The state at `revision` (≤ `latest.revision`): the latest as held, an earlier one folded from the store. */
export async function stateAt(store: EventStore, stream: string, latest: FoldedStream, revision: number): Promise<FundYearState> {
  if (revision === latest.revision) return latest.state;
  return fold(toDomainEvents(await readPrefix(store, stream, revision)));
}
