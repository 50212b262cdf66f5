// EventStoreDB adapter. Every @eventstore/db-client call lives in this one file, so a move
// to the successor client (@kurrent/kurrentdb-client) touches nothing else.
// Positions: the port's bigint is the event's commit position in $all. Modern servers write
// each event with commit == prepare, so we hand back {commit: p, prepare: p} when reading on.
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  jsonEvent,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type Position,
  type ResolvedEvent,
  type StreamingRead,
} from '@eventstore/db-client';
import type {
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  Subscription,
  SubscribeOptions,
} from '../port.js';
import { WrongExpectedRevisionError } from '../port.js';

export interface EventStoreDbOptions {
  /** e.g. esdb://127.0.0.1:2113?tls=false */
  url: string;
}

const READ_ALL_PAGE = 500;
/** headPosition's pages: one small read in the usual case, larger ones when system events pile up. */
const HEAD_FIRST_PAGE = 16;
const HEAD_PAGE = 500;
/** A subscription pauses the gRPC stream while this many events wait for the consumer. */
const SUBSCRIPTION_BUFFER_MAX = 1_000;
/** The server's "no position" marker (u64 max) on events read from a stream by older servers. */
const NO_POSITION = 18446744073709551615n;

export function openEventStoreDbStore(options: EventStoreDbOptions): EventStore {
  return new EventStoreDbStore(EventStoreDBClient.connectionString(options.url));
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

class EventStoreDbStore implements EventStore {
  private readonly client: EventStoreDBClient;
  private readonly subscriptions = new Set<EsdbSubscription>();
  private closed = false;

  constructor(client: EventStoreDBClient) {
    this.client = client;
  }

  async append(stream: string, events: EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    this.assertOpen();
    if (events.length === 0) throw new RangeError('append needs at least one event');
    const proposed = events.map((e) =>
      jsonEvent({ id: e.id, type: e.type, data: toJsonData(e.data), metadata: e.metadata ?? undefined }),
    );
    try {
      const result = await this.client.appendToStream(stream, proposed, {
        expectedRevision: toClientExpected(options.expectedRevision),
      });
      if (result.position === undefined) throw new Error(`append to ${stream}: the server returned no position`);
      return { nextExpectedRevision: result.nextExpectedRevision, position: result.position.commit };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        // Also what EventStoreDB answers for a half-matching retry ("corrupted idempotency").
        throw new WrongExpectedRevisionError(stream, options.expectedRevision, error.actualVersion);
      }
      throw error;
    }
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
    const read = this.client.readStream(stream, {
      direction: backwards ? BACKWARDS : FORWARDS,
      fromRevision: from ?? (backwards ? END : START),
      ...(count === undefined ? {} : { maxCount: count }),
    });
    const inRange = (r: bigint): boolean => to === undefined || (backwards ? r >= to : r <= to);
    return collect(read, (e) => (inRange(e.revision) ? 'keep' : 'stop'));
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const limit = options.maxCount ?? Number.POSITIVE_INFINITY;
    const out: RecordedEvent[] = [];
    let after = options.afterPosition;
    while (out.length < limit) {
      const page = await collect(
        this.client.readAll({ fromPosition: after === undefined ? START : asPosition(after), maxCount: READ_ALL_PAGE }),
        () => 'keep',
        true,
      );
      for (const e of page) {
        if (after !== undefined && e.position <= after) continue; // fromPosition is inclusive on the server
        after = e.position;
        if (!isSystemEvent(e.type) && out.length < limit) out.push(e);
      }
      if (page.length < READ_ALL_PAGE) break;
    }
    return out;
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    const after = options.afterPosition;
    const source = this.client.subscribeToAll({ fromPosition: after === undefined ? START : asPosition(after) });
    const sub = new EsdbSubscription(source, after, () => this.subscriptions.delete(sub));
    this.subscriptions.add(sub);
    return sub;
  }

  /**
   * Reads $all backwards from the end, a page at a time, past any system events ($stats,
   * $metadata, links…: what readAll and subscriptions skip) to the last user event. The
   * first page is small because the last event is nearly always a user one; after that pages
   * grow, and it keeps paging however many system events there are: a head that stopped
   * early would be a wrong head.
   */
  async headPosition(): Promise<bigint | null> {
    this.assertOpen();
    let before: bigint | undefined; // exclusive upper bound for the next page
    for (let pageSize = HEAD_FIRST_PAGE; ; pageSize = HEAD_PAGE) {
      const page = await collect(
        this.client.readAll({ direction: BACKWARDS, fromPosition: before === undefined ? END : asPosition(before), maxCount: pageSize }),
        () => 'keep',
        true,
      );
      for (const e of page) {
        // Whether the server's backwards start is inclusive or not, nothing at or after it counts twice.
        if (before !== undefined && e.position >= before) continue;
        if (!isSystemEvent(e.type)) return e.position;
        before = e.position;
      }
      if (page.length < pageSize) return null;
    }
  }

  async ping(): Promise<void> {
    this.assertOpen();
    await collect(this.client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 }), () => 'keep', true);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.client.dispose();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('event store is closed');
  }
}

/** Drains a read; a missing stream reads as []. `keepSystem` keeps $-events for the caller to skip. */
async function collect(
  read: StreamingRead<ResolvedEvent | AllStreamResolvedEvent>,
  decide: (e: RecordedEvent) => 'keep' | 'stop',
  keepSystem = false,
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

/** Wraps the client's catch-up subscription: skips system events and anything at or before the checkpoint. */
class EsdbSubscription implements Subscription {
  private readonly source: SubscriptionSource;
  private readonly buffer: RecordedEvent[] = [];
  private readonly onDone: () => void;
  private checkpoint: bigint | undefined;
  private failure: unknown;
  private ended = false;
  private closed = false;
  private wake: (() => void) | undefined;

  constructor(source: SubscriptionSource, afterPosition: bigint | undefined, onDone: () => void) {
    this.source = source;
    this.checkpoint = afterPosition;
    this.onDone = onDone;
    source.on('data', (resolved: AllStreamResolvedEvent) => this.accept(resolved));
    source.on('error', (error: Error) => {
      this.failure = error;
      this.signal();
    });
    source.on('end', () => {
      this.ended = true;
      this.signal();
    });
  }

  private accept(resolved: AllStreamResolvedEvent): void {
    const e = toRecorded(resolved);
    if (e === undefined || isSystemEvent(e.type)) return;
    if (this.checkpoint !== undefined && e.position <= this.checkpoint) return;
    this.checkpoint = e.position;
    this.buffer.push(e);
    if (this.buffer.length >= SUBSCRIPTION_BUFFER_MAX) this.source.pause();
    this.signal();
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
        if (this.ended) return;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    } finally {
      await this.close();
    }
  }
}
