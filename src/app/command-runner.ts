// How every command runs (DOMAIN.md "One stream per fund-year"): read the stream (only
// the events after its cached prefix, stream-cache.ts), fold, decide, append with the
// revision read; on a concurrent write decide again on fresh state, a bounded number of
// times, then 409. An Idempotency-Key that was already used gives back the first outcome
// from the log and appends nothing. The caller turns the outcome into its answer.
import { v4 as uuidv4 } from 'uuid';
import { chainEvents } from '../domain/chain.js';
import { DomainError } from '../domain/errors.js';
import {
  decide,
  fold,
  fundYearStream,
  type FundYearCommand,
  type FundYearEvent,
  type FundYearState,
} from '../domain/fundyear/index.js';
import type { KeyedOperation } from '../domain/roles.js';
import { assertAppendFits } from '../store/append-limit.js';
import { WrongExpectedRevisionError, type EventStore } from '../store/port.js';
import { requireFundScope } from './access.js';
import { requestHash, revisionsForKey, type EventMetadata } from './idempotency.js';
import { foldPrefix, loadStream, stateAt, type StreamCache } from './stream-cache.js';
import type { FundYearRef, RequestContext } from './service-types.js';

export const RETRIES_MAX_DEFAULT = 5;

/**
 * A limit on everything (TIGER_STYLE): a fund-year is a few hundred events (twelve months of
 * returns per partner, corrections, settlements). A stream past this is refused (409
 * fund-year-too-long) rather than folded without bound: at this length a cold fold of the whole
 * stream stays well under a second (measured in docs/bench.md), and it is read in pages that
 * give the event loop a turn between them.
 */
export const EVENTS_PER_FUND_YEAR_MAX = 10_000;

export interface CommandRequest {
  /** Names the operation in the request hash (API.md operation). */
  operation: KeyedOperation;
  /** Path parameters and body: what makes two requests the same request. */
  request: unknown;
  /** The partner the command acts for (metadata); null for fund-level commands. */
  onBehalfOf: string | null;
}

/** The stream as this attempt read it, for a command that needs more of the log than its state. */
export interface StreamRead {
  state: FundYearState;
  /** The state at an earlier revision (0 ≤ revision ≤ state.revision), folded from the store. */
  stateAt(revision: number): Promise<FundYearState>;
}

/** A command, or how to build it from the stream as read (afresh on each attempt). */
export type CommandSource = FundYearCommand | ((read: StreamRead) => Promise<FundYearCommand>);

/** What a command did: its events, the state after them and the stream's revision then. */
export interface Outcome {
  events: readonly FundYearEvent[];
  after: FundYearState;
  revision: number;
}

export interface RunnerDeps {
  store: EventStore;
  now: () => string;
  retriesMax: number;
  /** The most events a fund-year stream may hold (EVENTS_PER_FUND_YEAR_MAX). */
  eventsMax: number;
  /** Told the log position of every append (read-your-writes for the summary). */
  onAppended: (position: bigint) => void;
  /** Folded streams kept between commands (and shared with the service's reads). */
  cache: StreamCache;
}

export async function runCommand(deps: RunnerDeps, ctx: RequestContext, ref: FundYearRef, spec: CommandRequest, source: CommandSource): Promise<Outcome> {
  requireFundScope(ctx.principal, ref.fundId);
  const stream = fundYearStream(ref.fundId, ref.year);
  const key = ctx.idempotencyKey;
  const hash = key === undefined ? undefined : requestHash(spec.operation, ctx.principal.name, spec.request);
  for (let attempt = 0; attempt <= deps.retriesMax; attempt++) {
    // A prefix cached before a conflict is still a prefix: this catches up with whatever won.
    const folded = await loadStream(deps.store, deps.cache, stream, deps.eventsMax);
    if (key !== undefined && hash !== undefined) {
      const keyed = revisionsForKey(folded.keys, ctx.principal.name, key, hash);
      if (keyed.length > 0) return replay(deps.store, stream, keyed);
    }
    const state = folded.state;
    const command = typeof source === 'function'
      ? await source({ state, stateAt: (revision) => stateAt(deps.store, stream, folded, revision) })
      : source;
    const events = decide(command, state);
    // Chained to the last event just read: a retry after a conflict links to the winner's.
    const chained = chainEvents(folded.revision + 1, folded.lastHash, events, eventMetadata(deps, ctx, spec, hash));
    const toAppend = chained.map((e) => ({ id: uuidv4(), type: e.type, data: e.data, metadata: e.metadata }));
    assertAppendFits(stream, toAppend); // refused before anything is written, whatever the store
    try {
      const result = await deps.store.append(stream, toAppend, {
        expectedRevision: folded.revision < 0 ? 'no_stream' : BigInt(folded.revision),
      });
      deps.onAppended(result.position);
      // The cache is not extended here: the next load reads these events back as the store keeps
      // them (JSON), so the cache never holds anything the store did not return.
      return { events, after: fold(events, state), revision: Number(result.nextExpectedRevision) };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
    }
  }
  throw new DomainError(
    'conflict',
    'concurrency-conflict',
    `${stream} kept changing under this command (${deps.retriesMax + 1} attempts); try again`,
  );
}

/**
 * The first outcome, rebuilt from the log as it stood right after the first request: read
 * from the store up to the key's last event (replays are rare; the cache holds only the latest state).
 */
async function replay(store: EventStore, stream: string, keyed: readonly number[]): Promise<Outcome> {
  const revision = keyed[keyed.length - 1]!;
  // The key index already names the first request's events and checked its hash.
  const { state, kept } = await foldPrefix(store, stream, revision, keyed);
  return { events: kept, after: state, revision };
}

function eventMetadata(deps: RunnerDeps, ctx: RequestContext, spec: CommandRequest, hash: string | undefined): EventMetadata {
  const metadata: EventMetadata = {
    principal: ctx.principal.name,
    role: ctx.principal.role,
    partnerId: spec.onBehalfOf,
    requestId: ctx.requestId,
    receivedAt: ctx.receivedAt,
    recordedAt: deps.now(),
  };
  if (ctx.idempotencyKey !== undefined && hash !== undefined) {
    metadata.idempotencyKey = ctx.idempotencyKey;
    metadata.requestHash = hash;
  }
  return metadata;
}
