// The cross-fund list and readiness: both wait on the fund summary (summary.ts), which follows
// the log asynchronously. The list is never silently short: it waits for the log's head as the
// request found it, and for what this instance appended (read-your-writes).
import { DomainError } from '../domain/errors.js';
import { FUND_YEAR_STREAM_PREFIX } from '../domain/fundyear/index.js';
import type { EventStore } from '../store/port.js';
import { canSeeFund } from './access.js';
import type { FundListAndReadiness, FundSummary, RequestContext } from './service-types.js';
import { SummaryBehindError, type SummaryProjection } from './summary.js';

/** The summary reads fund-year streams only: its head is the last of their events, not the log's. */
const SUMMARY_FILTER = { streamPrefix: FUND_YEAR_STREAM_PREFIX };

export class FundList implements FundListAndReadiness {
  /** The newest log position this instance appended: listFunds waits for the summary to reach it. */
  private appendedPosition: bigint | null = null;
  /** The log's head when the service started: ready() only once the summary has reached it. */
  private startHead: Promise<bigint | null> | null = null;

  constructor(
    private readonly store: EventStore,
    readonly summary: SummaryProjection,
    private readonly summaryWaitMs: number | undefined,
  ) {
    this.summary.start();
    // Read now, so that readiness means "caught up with the log as it stood at start"; an
    // unreachable store is retried by the next readiness probe (headAtStart).
    this.headAtStart().catch(() => undefined);
  }

  /** Told the log position of every append. */
  appended(position: bigint): void {
    if (this.appendedPosition === null || position > this.appendedPosition) this.appendedPosition = position;
  }

  async listFunds(ctx: RequestContext): Promise<FundSummary[]> {
    const head = await this.store.headPosition(SUMMARY_FILTER);
    const mine = this.appendedPosition;
    await this.summaryReached(mine !== null && (head === null || mine > head) ? mine : head);
    return this.summary.list().filter((s) => canSeeFund(ctx.principal, s.fundId));
  }

  /** The store answers and the summary has caught up with the log as it stood at start (and has not failed). */
  async ready(): Promise<void> {
    await this.store.ping();
    if (this.summary.failed) {
      throw new DomainError('unavailable', 'summary-failed', 'The fund summary stopped applying the log; the service needs a restart.');
    }
    const head = await this.headAtStart();
    const at = this.summary.checkpoint;
    if (head !== null && (at === null || at < head)) {
      throw new DomainError('unavailable', 'summary-catching-up', 'The fund summary is still catching up with the log.');
    }
  }

  /** Stops the summary subscription and saves its checkpoint; the store belongs to whoever opened it. */
  close(): Promise<void> {
    return this.summary.stop();
  }

  private headAtStart(): Promise<bigint | null> {
    this.startHead ??= this.store.headPosition(SUMMARY_FILTER).catch((error: unknown) => {
      this.startHead = null;
      throw error;
    });
    return this.startHead;
  }

  /** A summary that stopped is an internal error (500, logged); one still behind after the wait, a 503. */
  private async summaryReached(position: bigint | null): Promise<void> {
    const stopped = (cause: unknown): Error => new Error(`fund summary stopped: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    if (this.summary.failed) throw stopped(this.summary.failed);
    if (position === null) return;
    try {
      await this.summary.waitFor(position, this.summaryWaitMs);
    } catch (error) {
      if (!(error instanceof SummaryBehindError)) throw stopped(error);
      throw new DomainError('unavailable', 'summary-catching-up', 'The fund summary has not caught up with the log yet; try again shortly.');
    }
  }
}
