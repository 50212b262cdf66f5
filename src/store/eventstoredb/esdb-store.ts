// EventStoreDB adapter. Every @eventstore/db-client call lives in this one file, so a move
// to the successor client (@kurrent/kurrentdb-client) touches nothing else.
// Positions: the port's bigint is the event's commit position in $all. Modern servers write
// each event with commit == prepare, so we hand back {commit: p, prepare: p} when reading on.
//
// What a cluster demands of a client (checked in the client's and KurrentDB's sources, see
// docs/store.md): every call has a deadline (the client puts none on reads, and an append can
// hang through a leader election); NotLeader, Unavailable, a cancelled call, a server timeout
// and a deadline are retried with bounded backoff — the client reconnects to the new leader but
// still throws — with the same event ids and the same exact expected revision, the one
// combination the server treats as fully idempotent, and a retried append is confirmed by
// reading its events back. Calls carry `requires-leader` so a follower refuses instead of
// answering from a stale copy. Whatever is still failing after the retries is a
// StoreUnavailableError.
import {
  BACKWARDS,
  CancelledError,
  DeadlineExceededError,
  END,
  EventStoreDBClient,
  FORWARDS,
  MaxAppendSizeExceededError,
  NotLeaderError,
  START,
  StreamNotFoundError,
  TimeoutError,
  UnavailableError,
  WrongExpectedVersionError,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type AppendResult as ClientAppendResult,
  type Position,
  type ResolvedEvent,
  type StreamingRead,
} from '@eventstore/db-client';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { appendBytes, EventsTooLargeError } from '../append-limit.js';
import type {
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamFilter,
  Subscription,
  SubscribeOptions,
} from '../port.js';
import { StoreUnavailableError, WrongExpectedRevisionError } from '../port.js';
import { inspectConnectionString } from './connection-string.js';

export interface RetryEvent {
  operation: string;
  /** The attempt that failed (1 = the first). */
  attempt: number;
  /** The client's error class, e.g. NotLeaderError. */
  reason: string;
  /** Wait before the next attempt. */
  delayMs: number;
}

export interface EventStoreDbOptions {
  /** e.g. esdb://127.0.0.1:2113?tls=false, or several gossip seeds: esdb://a:2113,b:2113,c:2113?nodePreference=leader */
  url: string;
  /** Deadline of each call attempt; default the connection string's defaultDeadline, else 5000 ms. */
  deadlineMs?: number;
  /** Attempts per call (the first one included) on a transient failure; default 6. */
  attempts?: number;
  /** First wait before a retry; it doubles up to backoffMaxMs (with jitter). Defaults 100 and 2000 ms. */
  backoffMs?: number;
  backoffMaxMs?: number;
  /** Told of every retry (and every subscription reconnect): for logs and metrics, never per-request stacks. */
  onRetry?: (event: RetryEvent) => void;
}

interface Policy {
  deadlineMs: number;
  attempts: number;
  backoffMs: number;
  backoffMaxMs: number;
  requiresLeader: boolean;
  onRetry: (event: RetryEvent) => void;
}

const DEADLINE_DEFAULT_MS = 5_000;
const ATTEMPTS_DEFAULT = 6;
const BACKOFF_DEFAULT_MS = 100;
const BACKOFF_MAX_DEFAULT_MS = 2_000;
const READ_ALL_PAGE = 500;
/** headPosition's pages: one small read in the usual case, larger ones when other events pile up. */
const HEAD_FIRST_PAGE = 16;
const HEAD_PAGE = 500;
/** A subscription pauses the gRPC stream while this many events wait for the consumer. */
const SUBSCRIPTION_BUFFER_MAX = 1_000;
/** The server's "no position" marker (u64 max) on events read from a stream by older servers. */
const NO_POSITION = 18446744073709551615n;

export function openEventStoreDbStore(options: EventStoreDbOptions): EventStore {
  const facts = inspectConnectionString(options.url);
  const deadlineMs = options.deadlineMs ?? facts.defaultDeadlineMs ?? DEADLINE_DEFAULT_MS;
  // The client's own deadline (appends, server features) then matches ours.
  const url = facts.defaultDeadlineMs === undefined ? withQuery(options.url.trim(), `defaultDeadline=${deadlineMs}`) : options.url.trim();
  const policy: Policy = {
    deadlineMs,
    attempts: Math.max(1, options.attempts ?? ATTEMPTS_DEFAULT),
    backoffMs: options.backoffMs ?? BACKOFF_DEFAULT_MS,
    backoffMaxMs: options.backoffMaxMs ?? BACKOFF_MAX_DEFAULT_MS,
    // Unless the operator asked for followers, a follower must refuse (NotLeader) rather than
    // answer a read from a copy that may lag the leader (the Go and Rust clients do the same).
    requiresLeader: facts.nodePreference === undefined || facts.nodePreference === 'leader',
    onRetry: options.onRetry ?? (() => undefined),
  };
  return new EventStoreDbStore(EventStoreDBClient.connectionString(url), policy);
}

function withQuery(url: string, pair: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}${pair}`;
}

function toClientExpected(expected: ExpectedRevision): AppendExpectedRevision {
  return expected === 'exists' ? 'stream_exists' : expected;
}

function toJsonData(value: unknown): Parameters<typeof jsonEvent>[0]['data'] {
  return (value ?? null) as Parameters<typeof jsonEvent>[0]['data'];
}

function isSystemEvent(type: string): boolean {
  return type.startsWith('$');
}

function matches(e: RecordedEvent, filter: StreamFilter): boolean {
  return !isSystemEvent(e.type) && (filter.streamPrefix === undefined || e.streamId.startsWith(filter.streamPrefix));
}

function toRecorded(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | undefined {
  const e = resolved.event;
  if (e === undefined) return undefined;
  const commit = e.position?.commit ?? resolved.commitPosition;
  return {
    id: e.id,
    streamId: e.streamId,
    type: e.type,
    revision: e.revision,
    position: commit === undefined || commit === NO_POSITION ? -1n : commit,
    data: e.isJson ? e.data : Buffer.from(e.data as Uint8Array).toString('base64'),
    // The client leaves metadata out when it is empty; the port's JSON metadata is then null.
    metadata: e.metadata ?? null,
  };
}

function asPosition(p: bigint): Position {
  return { commit: p, prepare: p };
}

/** Our own deadline ran out (the client puts none on reads, and none on cluster discovery). */
class CallDeadlineError extends Error {
  constructor(operation: string, ms: number) {
    super(`${operation}: no answer within ${ms} ms`);
    this.name = 'CallDeadlineError';
  }
}

const TRANSIENT_CODES: ReadonlySet<number> = new Set([GrpcStatus.UNAVAILABLE, GrpcStatus.DEADLINE_EXCEEDED, GrpcStatus.CANCELLED, GrpcStatus.ABORTED]);

/**
 * Failures after which the same call may succeed: the node is not the leader (the client has
 * switched to the one named in the answer), not ready or unreachable, cancelled the call, timed
 * the operation out (ABORTED, e.g. a commit not acknowledged during an election), or said nothing
 * within the deadline; cluster discovery finding no node is the same.
 */
function isTransient(error: unknown): boolean {
  if (
    error instanceof NotLeaderError ||
    error instanceof UnavailableError ||
    error instanceof CancelledError ||
    error instanceof DeadlineExceededError ||
    error instanceof TimeoutError ||
    error instanceof CallDeadlineError
  ) {
    return true;
  }
  if (error instanceof Error && error.message.startsWith('Failed to discover after')) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' && TRANSIENT_CODES.has(code);
}

/** One short line naming the failure, for messages and logs (no stack, no payload). */
function reasonOf(error: unknown): string {
  if (error instanceof Error) return error.constructor.name === 'Error' ? error.message.split('\n')[0]! : error.constructor.name;
  return String(error);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function backoff(policy: Policy, retry: number): number {
  const base = Math.min(policy.backoffMaxMs, policy.backoffMs * 2 ** (retry - 1));
  return Math.round(base / 2 + (Math.random() * base) / 2); // jitter: instances do not retry in step
}

/** Rejects with CallDeadlineError after `ms`, running `onTimeout` (to cancel the call); the late outcome is dropped. */
function withDeadline<T>(operation: string, ms: number, run: () => Promise<T>, onTimeout: () => void = () => undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout();
      reject(new CallDeadlineError(operation, ms));
    }, ms);
    run().then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

class EventStoreDbStore implements EventStore {
  private readonly client: EventStoreDBClient;
  private readonly policy: Policy;
  private readonly subscriptions = new Set<EsdbSubscription>();
  private closed = false;

  constructor(client: EventStoreDBClient, policy: Policy) {
    this.client = client;
    this.policy = policy;
  }

  async append(stream: string, events: EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    this.assertOpen();
    if (events.length === 0) throw new RangeError('append needs at least one event');
    const expected = options.expectedRevision;
    // Built once: every attempt sends the very same ids.
    const proposed = events.map((e) =>
      jsonEvent({ id: e.id, type: e.type, data: toJsonData(e.data), metadata: e.metadata ?? undefined }),
    );
    const exact = typeof expected === 'bigint' || expected === 'no_stream';
    let failure: unknown;
    for (let attempt = 1; attempt <= this.policy.attempts; attempt++) {
      try {
        const result = await this.appendOnce(stream, proposed, expected);
        const answer = { nextExpectedRevision: result.nextExpectedRevision, position: result.position!.commit };
        // After a retry, make sure the events with these ids are where we asked for them.
        return attempt === 1 ? answer : await this.confirmed(stream, events, expected, answer);
      } catch (error) {
        if (error instanceof WrongExpectedVersionError) {
          // Also what EventStoreDB answers for a half-matching retry ("corrupted idempotency").
          const ours = attempt > 1 && exact ? await this.readBack(stream, events, expected) : undefined;
          if (ours !== undefined) return ours;
          throw new WrongExpectedRevisionError(stream, expected, error.actualVersion);
        }
        if (error instanceof MaxAppendSizeExceededError) throw new EventsTooLargeError(stream, appendBytes(events), error.maxAppendSize);
        // With `any`/`exists` only a NotLeader refusal (nothing was written) is safe to repeat.
        if (!isTransient(error) || (!exact && !(error instanceof NotLeaderError))) throw this.unavailableOr(error, `append to ${stream}`);
        failure = error;
        if (attempt < this.policy.attempts) await this.pause('append', attempt, error);
      }
    }
    // Still failing: the write may have been applied by an attempt whose answer was lost.
    const ours = exact ? await this.readBack(stream, events, expected).catch(() => undefined) : undefined;
    if (ours !== undefined) return ours;
    throw new StoreUnavailableError(`append to ${stream} failed ${this.policy.attempts} times (${reasonOf(failure)}); it may or may not have been written`, { cause: failure });
  }

  private appendOnce(stream: string, proposed: ReturnType<typeof jsonEvent>[], expected: ExpectedRevision): Promise<ClientAppendResult> {
    const call = this.client.appendToStream(stream, proposed, {
      expectedRevision: toClientExpected(expected),
      deadline: this.policy.deadlineMs,
      requiresLeader: this.policy.requiresLeader,
    });
    call.catch(() => undefined); // an answer after our deadline is dropped, never unhandled
    return withDeadline('append', this.policy.deadlineMs, async () => {
      const result = await call;
      if (result.position === undefined) throw new Error(`append to ${stream}: the server returned no position`);
      return result;
    });
  }

  /** A success after a retry: the read-back must agree with it, or something is badly wrong. */
  private async confirmed(stream: string, events: EventToAppend[], expected: ExpectedRevision, answer: AppendResult): Promise<AppendResult> {
    if (typeof expected !== 'bigint' && expected !== 'no_stream') return answer;
    const ours = await this.readBack(stream, events, expected);
    if (ours === undefined) throw new Error(`append to ${stream}: a retry succeeded but its events are not right after revision ${String(expected)}`);
    return answer;
  }

  /** The events with these ids at the revisions right after `expected`, in order; undefined if not. */
  private async readBack(stream: string, events: EventToAppend[], expected: ExpectedRevision): Promise<AppendResult | undefined> {
    const after = expected === 'no_stream' ? -1n : (expected as bigint);
    const read = await this.readStream(stream, { fromRevision: after + 1n, maxCount: events.length });
    if (read.length !== events.length || read.some((e, i) => e.id !== events[i]!.id)) return undefined;
    return { nextExpectedRevision: after + BigInt(events.length), position: read[read.length - 1]!.position };
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision;
    const to = options.toRevision;
    let count = options.maxCount === undefined ? undefined : BigInt(options.maxCount);
    if (from !== undefined && to !== undefined) {
      const span = backwards ? from - to + 1n : to - from + 1n;
      if (span <= 0n) return [];
      count = count === undefined || span < count ? span : count;
    }
    if (count === 0n) return [];
    const inRange = (r: bigint): boolean => to === undefined || (backwards ? r >= to : r <= to);
    return this.retrying(`read ${stream}`, () =>
      this.collect(
        this.client.readStream(stream, {
          direction: backwards ? BACKWARDS : FORWARDS,
          fromRevision: from ?? (backwards ? END : START),
          requiresLeader: this.policy.requiresLeader,
          ...(count === undefined ? {} : { maxCount: count }),
        }),
        (e) => (inRange(e.revision) ? 'keep' : 'stop'),
      ),
    );
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const limit = options.maxCount ?? Number.POSITIVE_INFINITY;
    const out: RecordedEvent[] = [];
    let after = options.afterPosition;
    // The client's readAll sends no filter: the prefix is applied here, page by page.
    while (out.length < limit) {
      const from = after;
      const page = await this.retrying('read $all', () => this.collect(this.readAllCall(FORWARDS, from === undefined ? START : asPosition(from), READ_ALL_PAGE), () => 'keep', true));
      for (const e of page) {
        if (after !== undefined && e.position <= after) continue; // fromPosition is inclusive on the server
        after = e.position;
        if (matches(e, options) && out.length < limit) out.push(e);
      }
      if (page.length < READ_ALL_PAGE) break;
    }
    return out;
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    const prefix = options.streamPrefix;
    const open = (after: bigint | undefined): SubscriptionSource =>
      this.client.subscribeToAll({
        fromPosition: after === undefined ? START : asPosition(after),
        requiresLeader: this.policy.requiresLeader,
        // Server-side: only these streams come over the wire. No checkpointReached callback: a
        // filtered checkpoint can point past the next event (KurrentDB #4970), so the only
        // positions this adapter hands out are those of events it delivered.
        ...(prefix === undefined ? {} : { filter: streamNameFilter({ prefixes: [prefix] }) }),
      });
    const sub = new EsdbSubscription(open, options, this.policy, () => this.subscriptions.delete(sub));
    this.subscriptions.add(sub);
    return sub;
  }

  /**
   * Reads $all backwards from the end, a page at a time, past any system events ($stats,
   * $metadata, links…: what readAll and subscriptions skip) and events outside the filter, to
   * the last one a reader with the same filter gets. The first page is small because that is
   * nearly always the last event; after that pages grow, and it keeps paging however many there
   * are to skip: a head that stopped early would be a wrong head.
   */
  async headPosition(filter: StreamFilter = {}): Promise<bigint | null> {
    this.assertOpen();
    let before: bigint | undefined; // exclusive upper bound for the next page
    for (let pageSize = HEAD_FIRST_PAGE; ; pageSize = HEAD_PAGE) {
      const from = before;
      const page = await this.retrying('read $all backwards', () =>
        this.collect(this.readAllCall(BACKWARDS, from === undefined ? END : asPosition(from), pageSize), () => 'keep', true),
      );
      for (const e of page) {
        // Whether the server's backwards start is inclusive or not, nothing at or after it counts twice.
        if (before !== undefined && e.position >= before) continue;
        if (matches(e, filter)) return e.position;
        before = e.position;
      }
      if (page.length < pageSize) return null;
    }
  }

  /** One attempt within the deadline: readiness wants a quick answer, not a patient one. */
  async ping(): Promise<void> {
    this.assertOpen();
    try {
      await this.collect(this.readAllCall(BACKWARDS, END, 1), () => 'keep', true);
    } catch (error) {
      throw this.unavailableOr(error, 'ping');
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.client.dispose();
  }

  private readAllCall(direction: typeof FORWARDS | typeof BACKWARDS, fromPosition: typeof START | typeof END | Position, maxCount: number): StreamingRead<AllStreamResolvedEvent> {
    return this.client.readAll({ direction, fromPosition, maxCount, requiresLeader: this.policy.requiresLeader });
  }

  /** Runs a read, again after a transient failure (reads change nothing), within the policy. */
  private async retrying<T>(operation: string, run: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run();
      } catch (error) {
        if (!isTransient(error)) throw error;
        if (attempt >= this.policy.attempts) throw this.unavailableOr(error, `${operation} failed ${attempt} times`);
        await this.pause(operation, attempt, error);
      }
    }
  }

  private async pause(operation: string, attempt: number, error: unknown): Promise<void> {
    const delayMs = backoff(this.policy, attempt);
    this.policy.onRetry({ operation, attempt, reason: reasonOf(error), delayMs });
    await sleep(delayMs);
    this.assertOpen();
  }

  private unavailableOr(error: unknown, what: string): unknown {
    return isTransient(error) ? new StoreUnavailableError(`${what} (${reasonOf(error)})`, { cause: error }) : error;
  }

  /** Drains a read within the deadline; a missing stream reads as []. `keepSystem` keeps $-events for the caller to skip. */
  private collect(
    read: StreamingRead<ResolvedEvent | AllStreamResolvedEvent>,
    decide: (e: RecordedEvent) => 'keep' | 'stop',
    keepSystem = false,
  ): Promise<RecordedEvent[]> {
    return withDeadline('read', this.policy.deadlineMs, () => drain(read, decide, keepSystem), () => {
      void read.cancel();
      read.destroy();
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('event store is closed');
  }
}

async function drain(
  read: StreamingRead<ResolvedEvent | AllStreamResolvedEvent>,
  decide: (e: RecordedEvent) => 'keep' | 'stop',
  keepSystem: boolean,
): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  try {
    for await (const resolved of read) {
      const e = toRecorded(resolved as ResolvedEvent);
      if (e === undefined || (!keepSystem && isSystemEvent(e.type))) continue;
      if (decide(e) === 'stop') {
        await read.cancel();
        break;
      }
      out.push(e);
    }
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
  return out;
}

type SubscriptionSource = ReturnType<EventStoreDBClient['subscribeToAll']>;

/**
 * Wraps the client's catch-up subscription: skips system events and anything at or before the
 * last delivered event, and survives a dropped connection (a leader election, a node restart):
 * on a transient failure it subscribes again from the position of the last event it delivered,
 * after a bounded backoff, for as long as it is open; any other failure ends the iteration.
 */
class EsdbSubscription implements Subscription {
  private readonly open: (after: bigint | undefined) => SubscriptionSource;
  private readonly filter: StreamFilter;
  private readonly policy: Policy;
  private readonly buffer: RecordedEvent[] = [];
  private readonly onDone: () => void;
  private source: SubscriptionSource;
  /** Position of the last event delivered into the buffer: the only position ever used to resume. */
  private lastDelivered: bigint | undefined;
  private failures = 0;
  /** Between a drop and the next connect: the old source's late events and errors are ignored. */
  private reconnecting = false;
  private failure: unknown;
  private closed = false;
  private wake: (() => void) | undefined;

  constructor(open: (after: bigint | undefined) => SubscriptionSource, options: SubscribeOptions, policy: Policy, onDone: () => void) {
    this.open = open;
    this.filter = options;
    this.policy = policy;
    this.lastDelivered = options.afterPosition;
    this.onDone = onDone;
    this.source = this.connect();
  }

  private connect(): SubscriptionSource {
    const source = this.open(this.lastDelivered);
    const current = (): boolean => source === this.source && !this.reconnecting;
    source.on('confirmation', () => {
      if (current()) this.failures = 0;
    });
    source.on('data', (resolved: AllStreamResolvedEvent) => {
      if (current()) this.accept(resolved);
    });
    source.on('error', (error: Error) => {
      if (current()) this.dropped(error);
    });
    source.on('end', () => {
      if (current()) this.dropped(new UnavailableError(undefined, 'the subscription ended'));
    });
    return source;
  }

  private accept(resolved: AllStreamResolvedEvent): void {
    const e = toRecorded(resolved);
    if (e === undefined || !matches(e, this.filter)) return;
    if (this.lastDelivered !== undefined && e.position <= this.lastDelivered) return;
    this.lastDelivered = e.position;
    this.buffer.push(e);
    if (this.buffer.length >= SUBSCRIPTION_BUFFER_MAX) this.source.pause();
    this.signal();
  }

  private dropped(error: unknown): void {
    if (this.closed) return;
    const old = this.source;
    void old.unsubscribe().catch(() => undefined);
    if (!isTransient(error)) {
      this.failure = error;
      this.signal();
      return;
    }
    this.failures += 1;
    this.reconnecting = true;
    const delayMs = backoff(this.policy, Math.min(this.failures, 30));
    this.policy.onRetry({ operation: 'subscribe to $all', attempt: this.failures, reason: reasonOf(error), delayMs });
    setTimeout(() => {
      if (this.closed) return;
      this.reconnecting = false;
      this.source = this.connect();
    }, delayMs);
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onDone();
    this.signal();
    await this.source.unsubscribe();
    this.source.destroy();
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    return this.iterate();
  }

  private async *iterate(): AsyncGenerator<RecordedEvent> {
    try {
      for (;;) {
        if (this.closed) return;
        const next = this.buffer.shift();
        if (next !== undefined) {
          if (this.buffer.length < SUBSCRIPTION_BUFFER_MAX / 2 && this.source.isPaused()) this.source.resume();
          yield next;
          continue;
        }
        if (this.failure !== undefined) throw this.failure;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    } finally {
      await this.close();
    }
  }
}
