// The one port every event store adapter implements (embedded SQLite, EventStoreDB).
// Revisions and positions are bigints end to end: nothing is lost in a JS number.

/** Where the caller believes the stream is. A revision is that of the stream's last event. */
export type ExpectedRevision = 'no_stream' | 'exists' | 'any' | bigint;

export interface EventToAppend {
  /** Client-supplied UUID; appending the same ids again at the same place is an idempotent no-op. */
  id: string;
  type: string;
  data: unknown;
  metadata: unknown;
}

export interface RecordedEvent {
  id: string;
  streamId: string;
  type: string;
  /** 0 for a stream's first event. */
  revision: bigint;
  /** Global position in the whole log; strictly increasing in log order. */
  position: bigint;
  data: unknown;
  metadata: unknown;
}

export interface AppendResult {
  /** Revision of the stream's last event after the append. */
  nextExpectedRevision: bigint;
  /** Global position of the last event written (or already present on an idempotent retry). */
  position: bigint;
}

export interface ReadStreamOptions {
  /** Inclusive; default: the start (forwards) or the end (backwards). */
  fromRevision?: bigint;
  /** Inclusive upper bound when reading forwards (lower bound backwards). */
  toRevision?: bigint;
  direction?: 'forwards' | 'backwards';
  maxCount?: number;
}

export interface StreamFilter {
  /**
   * Only events of streams whose name starts with this (e.g. `fundyear-`); default: every stream.
   * Positions are still global: a filtered reader's position is that of the last event it got.
   */
  streamPrefix?: string;
}

export interface ReadAllOptions extends StreamFilter {
  /** Exclusive: only events after this position. Default: from the very start. */
  afterPosition?: bigint;
  /** Counts delivered (matching) events only. */
  maxCount?: number;
}

export interface SubscribeOptions extends StreamFilter {
  /**
   * Exclusive: deliver events after this position, which must be the position of an event the
   * caller processed (never a filter checkpoint from the server). Default: from the start.
   */
  afterPosition?: bigint;
}

/** Catch-up subscription: past events, then live ones, in log order, until closed. */
export interface Subscription extends AsyncIterable<RecordedEvent> {
  close(): Promise<void>;
}

export interface EventStore {
  /** Atomic: all events or none. Throws WrongExpectedRevisionError on a mismatch. */
  append(stream: string, events: EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult>;
  /** A missing stream reads as []. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribeToAll(options?: SubscribeOptions): Subscription;
  /**
   * Position of the last event in the whole log that readAll/subscriptions deliver (system
   * events skipped; with a filter, the last matching one); null for none. What a catch-up
   * reader with the same filter must reach to be current.
   */
  headPosition(filter?: StreamFilter): Promise<bigint | null>;
  /** Resolves when the store is reachable (for /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The adapter owns its driver's errors: each one's conflict becomes this. */
export class WrongExpectedRevisionError extends Error {
  readonly stream: string;
  readonly expected: ExpectedRevision;
  /** The stream's actual last revision, or 'no_stream'. */
  readonly actual: bigint | 'no_stream';

  constructor(stream: string, expected: ExpectedRevision, actual: bigint | 'no_stream') {
    super(`wrong expected revision on ${stream}: expected ${String(expected)}, actual ${String(actual)}`);
    this.name = 'WrongExpectedRevisionError';
    this.stream = stream;
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * Ids that partly match events already written after the expected revision. The embedded
 * store says so precisely; EventStoreDB answers the same case with wrong-expected-version
 * (checked against the server's append-decision code), so callers must treat both as a conflict.
 */
export class IdempotencyMismatchError extends Error {
  readonly stream: string;
  constructor(stream: string, detail: string) {
    super(`conflicting retry on ${stream}: ${detail}`);
    this.name = 'IdempotencyMismatchError';
    this.stream = stream;
  }
}

/**
 * The store could not be reached, or did not answer within its deadline, even after the
 * adapter's bounded retries. Whether a write that failed this way took place is unknown to the
 * caller (an adapter confirms what it can by reading back first): retry with the same
 * Idempotency-Key. The message is one line and names no internals; the cause is kept.
 */
export class StoreUnavailableError extends Error {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(`event store unavailable: ${detail}`, options);
    this.name = 'StoreUnavailableError';
  }
}
