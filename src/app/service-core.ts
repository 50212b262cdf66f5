// What the parts of the service share (commands, reads, the fund list): the store, the stream
// cache, ids and the clock, the limits, and the one way a read finds a fund-year.
import { DomainError } from '../domain/errors.js';
import { fundYearStream, isFundId, isYear, type ExistingFundYear, type FundYearState } from '../domain/fundyear/index.js';
import type { EventStore } from '../store/port.js';
import { requireFundScope } from './access.js';
import type { RunnerDeps } from './command-runner.js';
import type { Limiter } from './integrity.js';
import type { FundYearRef, RequestContext } from './service-types.js';
import { loadStream, stateAt } from './stream-cache.js';

export interface ServiceCore {
  store: EventStore;
  /** How commands run (command-runner.ts); its cache and limits serve the reads too. */
  runner: RunnerDeps;
  newId: () => string;
  /** Chain walks (integrity, verification) read whole streams: only a few at once. */
  walks: Limiter;
}

/** A fund-year as a read finds it: folded up to its latest revision, and at an earlier one on demand. */
export interface FundYearRead {
  fy: ExistingFundYear;
  stream: string;
  /** The state at revision (0 ≤ revision ≤ fy.revision), folded from the store's prefix. */
  at(revision: number): Promise<ExistingFundYear>;
}

export function fundYearNotFound(ref: FundYearRef): DomainError {
  return new DomainError('not-found', 'fund-year-not-found', `no fund-year ${ref.fundId} ${ref.year}`);
}

/** An id that cannot name a fund-year names none: 404, as for any other unknown fund-year. */
export function namesFundYear(ref: FundYearRef): boolean {
  return isFundId(ref.fundId) && isYear(ref.year);
}

export async function readFundYear(core: ServiceCore, ctx: RequestContext, ref: FundYearRef): Promise<FundYearRead> {
  requireFundScope(ctx.principal, ref.fundId);
  const stream = fundYearStream(ref.fundId, ref.year);
  const folded = namesFundYear(ref) ? await loadStream(core.store, core.runner.cache, stream, core.runner.eventsMax) : undefined;
  if (folded === undefined || folded.state.status === 'none') throw fundYearNotFound(ref);
  return { fy: folded.state, stream, at: async (revision) => existing(await stateAt(core.store, stream, folded, revision)) };
}

/** A state the caller knows exists (a prefix of an existing stream, the state after a command). */
export function existing(state: FundYearState): ExistingFundYear {
  if (state.status === 'none') throw new Error('a fund-year that does not exist where one was read');
  return state;
}
