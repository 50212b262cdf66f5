// The folded state of recently used fund-year streams, kept between commands and reads.
// Streams are append-only, so a cached (revision, state) is a prefix of the stream for
// ever: it is brought up to date by reading only the events after it. Several service
// instances or processes on one store stay correct for the same reason: each one's cache
// is only ever a prefix, and every command or read first catches up from the store.
// Only events read back from the store, or acknowledged by its append, are folded in.
import { GENESIS_HASH, linkHash } from '../domain/chain.js';
import { DomainError } from '../domain/errors.js';
import { asFundYearEvent, Folder, initialState, type FundYearEvent, type FundYearState } from '../domain/fundyear/index.js';
import type { EventStore, RecordedEvent } from '../store/port.js';
import { scopedKey, type EventMetadata } from './idempotency.js';

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
  /** (principal, Idempotency-Key) → the events that carry it, from the metadata of every event folded in (idempotency.ts scopedKey). */
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

/** The event's key as filed in the index (scoped to the principal that sent it), or undefined. */
function keyOf(metadata: unknown): { key: string; hash: string | undefined } | undefined {
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  const { idempotencyKey, requestHash, principal } = metadata as Partial<EventMetadata>;
  if (typeof idempotencyKey !== 'string' || typeof principal !== 'string') return undefined;
  return { key: scopedKey(principal, idempotencyKey), hash: requestHash };
}

/**
 * Folds pages of events onto a FoldedStream. It owns what it builds (the state through a
 * Folder, and its own copy of the key index), so each event costs O(1) however long the
 * stream; `result()` hands out a value that nothing changes afterwards, and the base it
 * started from is never touched (a cached value may be shared by concurrent requests).
 */
class StreamFolder {
  private readonly folder: Folder;
  private readonly base: FoldedStream;
  private keys: Map<string, KeyedRequest> | undefined;
  private revision: number;
  private last: FoldableEvent | undefined;

  constructor(base: FoldedStream) {
    this.base = base;
    this.folder = new Folder(base.state);
    this.revision = base.revision;
  }

  add(events: readonly FoldableEvent[]): void {
    for (const foldable of events) {
      const { event, metadata } = foldable;
      this.folder.apply(event);
      this.revision += 1;
      this.last = foldable;
      const keyed = keyOf(metadata);
      if (keyed === undefined) continue;
      // Copied only when a new event carries a key.
      this.keys ??= new Map(this.base.keys);
      const seen = this.keys.get(keyed.key);
      this.keys.set(keyed.key, seen ? { ...seen, revisions: [...seen.revisions, this.revision] } : { requestHash: keyed.hash, revisions: [this.revision] });
    }
  }

  /** Call once, at the end. */
  result(): FoldedStream {
    if (this.revision === this.base.revision || this.last === undefined) return this.base;
    // Only the last event's link is needed: the next append chains onto it.
    const { event, metadata } = this.last;
    const lastHash = linkHash({ revision: this.revision, type: event.type, data: event.data, metadata });
    return { revision: this.revision, state: this.folder.state(), keys: this.keys ?? this.base.keys, lastHash };
  }
}

/** `base` with `events` folded in at the revisions right after it (a new value; `base` is untouched). */
export function extend(base: FoldedStream, events: readonly FoldableEvent[]): FoldedStream {
  const folder = new StreamFolder(base);
  folder.add(events);
  return folder.result();
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
 * Events read and folded per page. Between pages the event loop gets a turn, so that a long
 * fold (a cold cache, an `asOfRevision` read) delays other requests by one page at most
 * (measured in docs/bench.md), never by the whole stream.
 */
export const FOLD_PAGE_EVENTS = 500;

/** Lets timers, I/O and other requests run before the next page. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The cache is only right if revisions are the positions in the stream, with no gap. */
function checkRevisions(stream: string, page: readonly RecordedEvent[], from: number): void {
  page.forEach((e, i) => {
    if (e.revision !== BigInt(from + i)) throw new Error(`${stream}: read revision ${e.revision} where ${from + i} was expected`);
  });
}

/**
 * The stream folded up to its latest revision: the cached prefix plus the events after it,
 * read from the store page by page. A stream longer than `eventsMax` is refused (its length
 * is revision + 1).
 */
export async function loadStream(store: EventStore, cache: StreamCache, stream: string, eventsMax: number): Promise<FoldedStream> {
  const base = cache.get(stream) ?? EMPTY_STREAM;
  const folder = new StreamFolder(base);
  let next = base.revision + 1;
  for (let page = 0; ; page++) {
    if (next > eventsMax) throw tooLong(stream, eventsMax);
    if (page > 0) await nextTurn();
    // At most one more than the room left, to tell "at the limit" from "past it".
    const want = Math.min(FOLD_PAGE_EVENTS, eventsMax - next + 1);
    const events = await store.readStream(stream, { fromRevision: BigInt(next), maxCount: want });
    checkRevisions(stream, events, next);
    if (next + events.length > eventsMax) throw tooLong(stream, eventsMax);
    folder.add(events.map(foldable));
    next += events.length;
    if (events.length < want) break;
  }
  const folded = folder.result();
  cache.offer(stream, folded);
  return folded;
}

export function foldable(e: RecordedEvent): FoldableEvent {
  return { event: asFundYearEvent(e.type, e.data), metadata: e.metadata };
}

/**
 * The stream's first `revision + 1` events folded from the store, page by page, and the
 * events at `keep` (revisions within the prefix, for a replay's answer).
 */
export async function foldPrefix(store: EventStore, stream: string, revision: number, keep: readonly number[] = []): Promise<{ state: FundYearState; kept: FundYearEvent[] }> {
  const folder = new Folder();
  const wanted = new Set(keep);
  const kept = new Map<number, FundYearEvent>();
  for (let from = 0; from <= revision; from += FOLD_PAGE_EVENTS) {
    if (from > 0) await nextTurn();
    const to = Math.min(revision, from + FOLD_PAGE_EVENTS - 1);
    const events = await store.readStream(stream, { fromRevision: BigInt(from), toRevision: BigInt(to), maxCount: to - from + 1 });
    checkRevisions(stream, events, from);
    if (events.length !== to - from + 1) throw new Error(`${stream}: revision ${to} was read before, and is missing now`);
    events.forEach((e, i) => {
      const event = asFundYearEvent(e.type, e.data);
      folder.apply(event);
      if (wanted.has(from + i)) kept.set(from + i, event);
    });
  }
  return { state: folder.state(), kept: keep.map((r) => kept.get(r)!) };
}

/** The state at `revision` (≤ `latest.revision`): the latest as held, an earlier one folded from the store. */
export async function stateAt(store: EventStore, stream: string, latest: FoldedStream, revision: number): Promise<FundYearState> {
  if (revision === latest.revision) return latest.state;
  return (await foldPrefix(store, stream, revision)).state;
}
