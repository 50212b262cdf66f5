// The in-memory log behind the EventStoreDB test double. Its append decision follows
// EventStoreDB's IndexCommitter.CheckCommit (KurrentDB source): expected-revision checks,
// idempotent retries by event id, and "corrupted idempotency" answered as wrong expected version.
import { EventEmitter } from 'node:events';

export type Expected = { kind: 'any' } | { kind: 'no_stream' } | { kind: 'stream_exists' } | { kind: 'revision'; revision: bigint };

export interface ProposedEvent {
  id: string;
  type: string;
  contentType: string;
  data: Uint8Array;
  customMetadata: Uint8Array;
}

export interface StoredEvent extends ProposedEvent {
  streamId: string;
  revision: bigint;
  /** Log position; commit == prepare, as for every event a modern server writes. */
  position: bigint;
  /** .NET ticks since the Unix epoch (ms × 10,000), as the client expects. */
  createdTicks: bigint;
}

export type AppendOutcome =
  | { kind: 'written' | 'idempotent'; currentRevision: bigint; position: bigint }
  | { kind: 'wrong_expected_version'; current: bigint | 'no_stream' };

const FIRST_POSITION = 1_024n; // a real log does not start at 0 either

export class DoubleLog {
  readonly events: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly byId = new Map<string, StoredEvent>();
  private nextPosition = FIRST_POSITION;
  /** Emits 'appended' with the new events after each write. */
  readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  /** Where the next event will be written: what a buggy filtered checkpoint points at (KurrentDB #4970). */
  get endPosition(): bigint {
    return this.nextPosition;
  }

  stream(name: string): StoredEvent[] | undefined {
    return this.streams.get(name);
  }

  append(streamId: string, expected: Expected, proposed: ProposedEvent[]): AppendOutcome {
    const stream = this.streams.get(streamId) ?? [];
    const cur = BigInt(stream.length) - 1n; // -1: no stream
    const current: bigint | 'no_stream' = cur < 0n ? 'no_stream' : cur;
    const wrong: AppendOutcome = { kind: 'wrong_expected_version', current };

    if (expected.kind === 'stream_exists' && cur < 0n) return wrong;
    if (expected.kind === 'any' || expected.kind === 'stream_exists') {
      // Every id already in this stream: a retry. The first one unknown: write. Later ones unknown: corrupted.
      let first = true;
      let last: StoredEvent | undefined;
      for (const p of proposed) {
        const found = this.byId.get(p.id);
        if (found === undefined || found.streamId !== streamId) {
          if (first) return this.write(streamId, stream, cur, proposed);
          return wrong;
        }
        first = false;
        last = found;
      }
      if (last === undefined) return this.write(streamId, stream, cur, proposed);
      return { kind: 'idempotent', currentRevision: last.revision, position: last.position };
    }
    const exp = expected.kind === 'no_stream' ? -1n : expected.revision;
    if (exp < cur) {
      let eventNumber = exp;
      for (const p of proposed) {
        eventNumber += 1n;
        if (stream[Number(eventNumber)]?.id === p.id) continue;
        return wrong; // first mismatch: wrong expected version; a later one: corrupted idempotency, answered the same way
      }
      if (eventNumber === exp) return wrong;
      const at = stream[Number(eventNumber)]!;
      return { kind: 'idempotent', currentRevision: eventNumber, position: at.position };
    }
    if (exp > cur) return wrong;
    return this.write(streamId, stream, cur, proposed);
  }

  private write(streamId: string, stream: StoredEvent[], cur: bigint, proposed: ProposedEvent[]): AppendOutcome {
    const written: StoredEvent[] = [];
    let revision = cur;
    const createdTicks = BigInt(Date.now()) * 10_000n;
    for (const p of proposed) {
      revision += 1n;
      const e: StoredEvent = { ...p, streamId, revision, position: this.nextPosition, createdTicks };
      // Positions grow by the record's size, so they are not consecutive integers.
      this.nextPosition += 96n + BigInt(p.data.length + p.customMetadata.length + streamId.length);
      written.push(e);
    }
    stream.push(...written);
    this.streams.set(streamId, stream);
    this.events.push(...written);
    for (const e of written) this.byId.set(e.id, e);
    this.emitter.emit('appended', written);
    const last = written[written.length - 1]!;
    return { kind: 'written', currentRevision: last.revision, position: last.position };
  }
}
