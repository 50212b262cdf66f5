// How every command runs (DOMAIN.md "One stream per fund-year"): read the stream,
// fold, decide, append with the revision read; on a concurrent write decide again
// on fresh state, a bounded number of times, then 409. An Idempotency-Key that was
// already used replays the first answer from the log and appends nothing.
import { v4 as uuidv4 } from 'uuid';
import { DomainError } from '../domain/errors.js';
import {
  asFundYearEvent,
  decide,
  fold,
  fundYearStream,
  type FundYearCommand,
  type FundYearEvent,
  type FundYearState,
} from '../domain/fundyear/index.js';
import { WrongExpectedRevisionError, type EventStore, type RecordedEvent } from '../store/port.js';
import { requireFundScope } from './access.js';
import { eventsForKey, requestHash, type EventMetadata } from './idempotency.js';
import type { FundYearRef, RequestContext } from './service-types.js';

export const RETRIES_MAX_DEFAULT = 5;

/**
 * A limit on everything (TIGER_STYLE): a fund-year is a few hundred events (twelve months of
 * returns per partner, corrections, settlements). A stream far past that is refused rather than
 * folded without bound on every command.
 */
export const EVENTS_PER_FUND_YEAR_MAX = 100_000;

/** Reads a whole fund-year stream, refusing one longer than `eventsMax`. */
export async function readFundYearStream(store: EventStore, stream: string, eventsMax: number): Promise<RecordedEvent[]> {
  const recorded = await store.readStream(stream, { maxCount: eventsMax + 1 });
  if (recorded.length > eventsMax) {
    throw new DomainError(
      'conflict',
      'fund-year-too-long',
      `${stream} holds more than ${eventsMax} events, the most a fund-year may hold; nothing was changed`,
    );
  }
  return recorded;
}

export interface CommandSpec<A> {
  /** Names the operation in the request hash (API.md operation). */
  operation: string;
  /** Path parameters and body: what makes two requests the same request. */
  request: unknown;
  /** The partner the command acts for (metadata); null for fund-level commands. */
  onBehalfOf: string | null;
  /** Built afresh on every attempt, from the state (and log) just read. */
  command(state: FundYearState, recorded: readonly RecordedEvent[]): FundYearCommand;
  /** The answer, from the state after the events and the events themselves (also used for replays). */
  answer(after: FundYearState, events: readonly FundYearEvent[], revision: number): A;
}

export function toDomainEvents(recorded: readonly RecordedEvent[]): FundYearEvent[] {
  return recorded.map((e) => asFundYearEvent(e.type, e.data));
}

export interface RunnerDeps {
  store: EventStore;
  now: () => string;
  retriesMax: number;
  /** The most events a fund-year stream may hold (EVENTS_PER_FUND_YEAR_MAX). */
  eventsMax: number;
  /** Told the log position of every append (read-your-writes for the summary). */
  onAppended: (position: bigint) => void;
}

export async function runCommand<A>(deps: RunnerDeps, ctx: RequestContext, ref: FundYearRef, spec: CommandSpec<A>): Promise<A> {
  requireFundScope(ctx.principal, ref.fundId);
  const stream = fundYearStream(ref.fundId, ref.year);
  const key = ctx.idempotencyKey;
  const hash = key === undefined ? undefined : requestHash(spec.operation, ctx.principal.name, spec.request);
  for (let attempt = 0; attempt <= deps.retriesMax; attempt++) {
    const recorded = await readFundYearStream(deps.store, stream, deps.eventsMax);
    if (key !== undefined && hash !== undefined) {
      const keyed = eventsForKey(recorded, key, hash);
      if (keyed.length > 0) return replay(recorded, keyed, spec);
    }
    const state = fold(toDomainEvents(recorded));
    const events = decide(spec.command(state, recorded), state);
    const last = recorded[recorded.length - 1];
    const metadata = eventMetadata(deps, ctx, spec, hash);
    try {
      const result = await deps.store.append(
        stream,
        events.map((e) => ({ id: uuidv4(), type: e.type, data: e.data, metadata })),
        { expectedRevision: last === undefined ? 'no_stream' : last.revision },
      );
      deps.onAppended(result.position);
      return spec.answer(fold(events, state), events, Number(result.nextExpectedRevision));
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

/** The first answer, rebuilt from the log as it stood right after the first request. */
function replay<A>(recorded: readonly RecordedEvent[], keyed: RecordedEvent[], spec: CommandSpec<A>): A {
  const revision = Number(keyed[keyed.length - 1]!.revision);
  const state = fold(toDomainEvents(recorded.slice(0, revision + 1)));
  return spec.answer(state, toDomainEvents(keyed), revision);
}

function eventMetadata<A>(deps: RunnerDeps, ctx: RequestContext, spec: CommandSpec<A>, hash: string | undefined): EventMetadata {
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
