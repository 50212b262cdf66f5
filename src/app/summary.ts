// The cross-fund summary (DOMAIN.md, read side): one FundSummary per fund-year, kept
// by a catch-up subscription to the whole log from a stored checkpoint. The
// projection and its checkpoint live in one JSON file beside the store, outside it,
// so the same code serves both store adapters; it can always be rebuilt from scratch
// because the log is the only truth.
//
// Bounded by design: per fund-year it keeps only what a summary shows (each partner's
// latest return, adjustments summed per line, the latest settlement), so memory and
// the file grow with the number of fund-years and lines, never with the number of
// events. The file is written at most once a second (atomically: summary-file.ts); after a
// crash the subscription resumes from the last written checkpoint and re-applies what
// followed. The checkpoint only ever names an event that was applied: one that fails stops
// the projection before it, so a restart tries it again rather than skipping it.
import path from 'node:path';
import { formatAmount, parseExact } from '../domain/money.js';
import {
  asFundYearEvent,
  evolve,
  FUND_YEAR_STREAM_PREFIX,
  initialState,
  latestReturn,
  parseFundYearStream,
  partnerIds,
  type AdjustmentRecord,
  type FundYearState,
} from '../domain/fundyear/index.js';
import { lineKey } from '../domain/lines.js';
import { fundSummary, type FundSummary } from '../domain/views/index.js';
import type { EventStore, RecordedEvent, Subscription } from '../store/port.js';
import { readSummaryFile, SUMMARY_FILE_FORMAT, writeSummaryFile, type StoredProjection } from './summary-file.js';

export const SUMMARY_FILE_NAME = 'fund-summary-projection.json';
const FLUSH_DELAY_MS = 1000;
const READ_PAGE = 1000;
const WAIT_TIMEOUT_MS = 5000;

interface Waiter {
  position: bigint;
  resolve: () => void;
  reject: (error: Error) => void;
}

export interface SummaryProjectionOptions {
  store: EventStore;
  /** The JSON file; absent: kept in memory only (rebuilt from the log on each start). */
  file?: string;
  /** Where the one line about an unusable file goes; default: standard error. */
  log?: (line: string) => void;
}

function logToStderr(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** waitFor gave up: the projection is behind (still catching up), not broken. */
export class SummaryBehindError extends Error {
  readonly position: bigint;
  constructor(position: bigint, timeoutMs: number) {
    super(`fund summary did not reach log position ${position} within ${timeoutMs} ms`);
    this.name = 'SummaryBehindError';
    this.position = position;
  }
}

export function summaryFile(dataDir: string): string {
  return path.join(dataDir, SUMMARY_FILE_NAME);
}

export class SummaryProjection {
  private readonly store: EventStore;
  private readonly file: string | undefined;
  private fundYears = new Map<string, FundYearState>();
  private summaries = new Map<string, FundSummary>();
  private position: bigint | null = null;
  private subscription: Subscription | null = null;
  private running: Promise<void> | null = null;
  private failure: Error | null = null;
  private waiters: Waiter[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  /** The last failure to write the file (the projection in memory stays right; the next flush retries). */
  flushError: Error | null = null;

  constructor(options: SummaryProjectionOptions) {
    this.store = options.store;
    this.file = options.file;
    if (this.file !== undefined) this.load(this.file, options.log ?? logToStderr);
  }

  /** Position of the last event applied; null before any. */
  get checkpoint(): bigint | null {
    return this.position;
  }

  /** Why the subscription stopped, if it threw: the projection then never catches up again. */
  get failed(): Error | null {
    return this.failure;
  }

  /** Summaries of every fund-year, ordered by fund then year. */
  list(): FundSummary[] {
    return [...this.fundYears.keys()].sort().flatMap((stream) => {
      const summary = this.summaryOf(stream);
      return summary ? [summary] : [];
    });
  }

  /** Starts the catch-up subscription from the checkpoint (idempotent). */
  start(): void {
    if (this.running) return;
    // Server-side filter; the checkpoint stays the position of the last event applied (never a
    // filter checkpoint from the server, which can point past an event: KurrentDB #4970).
    const filter = { streamPrefix: FUND_YEAR_STREAM_PREFIX };
    const subscription = this.store.subscribeToAll(this.position === null ? filter : { ...filter, afterPosition: this.position });
    this.subscription = subscription;
    this.running = this.consume(subscription);
  }

  async stop(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = null;
    if (subscription) await subscription.close();
    await this.running;
    this.running = null;
    this.flushNow();
  }

  /** Resolves once every event up to `position` is applied (read-your-writes). */
  waitFor(position: bigint, timeoutMs = WAIT_TIMEOUT_MS): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.position !== null && this.position >= position) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new SummaryBehindError(position, timeoutMs));
      }, timeoutMs);
      const waiter: Waiter = {
        position,
        resolve: () => { clearTimeout(timer); resolve(); },
        reject: (error) => { clearTimeout(timer); reject(error); },
      };
      this.waiters.push(waiter);
    });
  }

  /** Forgets everything and folds the whole log again, then carries on live if it was running. */
  async rebuild(): Promise<void> {
    const wasRunning = this.running !== null;
    if (wasRunning) await this.stop();
    this.fundYears = new Map();
    this.summaries = new Map();
    this.position = null;
    this.failure = null;
    for (;;) {
      const page = await this.store.readAll({ ...(this.position === null ? {} : { afterPosition: this.position }), maxCount: READ_PAGE, streamPrefix: FUND_YEAR_STREAM_PREFIX });
      for (const event of page) this.apply(event);
      if (page.length < READ_PAGE) break;
    }
    this.flushNow();
    this.release();
    if (wasRunning) this.start();
  }

  private async consume(subscription: Subscription): Promise<void> {
    try {
      for await (const event of subscription) {
        this.apply(event);
        this.scheduleFlush();
        this.release();
      }
    } catch (error) {
      // A projection that cannot apply the log must not pretend to be current.
      this.failure = error instanceof Error ? error : new Error(String(error));
      for (const waiter of this.waiters.splice(0)) waiter.reject(this.failure);
    }
  }

  /** Applies one event, then (only then) records its position: a failing event is never counted as applied. */
  private apply(event: RecordedEvent): void {
    if (parseFundYearStream(event.streamId) !== null) {
      const state = this.fundYears.get(event.streamId) ?? initialState();
      const next = compact(evolve(state, asFundYearEvent(event.type, event.data)));
      this.fundYears.set(event.streamId, next);
      this.summaries.delete(event.streamId);
    }
    this.position = event.position;
  }

  private release(): void {
    const position = this.position;
    if (position === null) return;
    const ready = this.waiters.filter((w) => w.position <= position);
    this.waiters = this.waiters.filter((w) => w.position > position);
    for (const waiter of ready) waiter.resolve();
  }

  private summaryOf(stream: string): FundSummary | undefined {
    const cached = this.summaries.get(stream);
    if (cached) return cached;
    const state = this.fundYears.get(stream);
    if (!state || state.status === 'none') return undefined;
    const summary = fundSummary(state);
    this.summaries.set(stream, summary);
    return summary;
  }

  private scheduleFlush(): void {
    if (this.file === undefined || this.flushTimer) return;
    this.flushTimer = setTimeout(() => this.flushNow(), FLUSH_DELAY_MS);
  }

  /**
   * Writes projection and checkpoint together (atomically: never half a file).
   * Runs from a timer, so it must not throw: a failed write is kept in `flushError` and
   * retried by the next flush; the checkpoint on disk then simply stays older.
   */
  private flushNow(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.file === undefined) return;
    try {
      this.writeFile(this.file);
      this.flushError = null;
    } catch (error) {
      this.flushError = error instanceof Error ? error : new Error(String(error));
    }
  }

  private writeFile(file: string): void {
    const stored: StoredProjection = {
      format: SUMMARY_FILE_FORMAT,
      checkpoint: this.position === null ? null : this.position.toString(),
      fundYears: Object.fromEntries(this.fundYears),
    };
    writeSummaryFile(file, stored);
  }

  /**
   * Starts from the file if it is one we wrote; otherwise (truncated, not JSON, another shape,
   * an older format) says so in one line and starts from the beginning of the log, which the
   * next flush then writes over it. Never throws: the log is the truth, the file only a head start.
   */
  private load(file: string, log: (line: string) => void): void {
    const read = readSummaryFile(file);
    if (read.kind === 'absent') return;
    if (read.kind === 'unusable') {
      log(`poolshare: fund summary file ${file} is unreadable (${read.reason}); rebuilding the summary from the log`);
      return;
    }
    this.fundYears = new Map(Object.entries(read.stored.fundYears));
    this.position = read.stored.checkpoint === null ? null : BigInt(read.stored.checkpoint);
  }
}

/**
 * Drops what no summary shows so the state stays bounded (the sums of adjustments are exact
 * and may be longer than any amount a caller can send): each partner's latest return
 * (what both forecast and final outturn read: M12 is the highest period), adjustments
 * summed per line, and only the latest settlement (the one a summary names; a later
 * approval of an older settlement then changes nothing here, as it should not).
 */
export function compact(state: FundYearState): FundYearState {
  if (state.status === 'none') return state;
  const returns = partnerIds(state).flatMap((partnerId) => latestReturn(state, partnerId) ?? []);
  const latest = state.settlements[state.settlements.length - 1];
  // finalInputs only decide whether a settlement may be approved, which the summary never does.
  return { ...state, returns, adjustments: sumAdjustments(state.adjustments), settlements: latest ? [latest] : [], finalInputs: [] };
}

function sumAdjustments(adjustments: readonly AdjustmentRecord[]): AdjustmentRecord[] {
  const byLine = new Map<string, AdjustmentRecord>();
  for (const a of adjustments) {
    const key = lineKey(a);
    const seen = byLine.get(key);
    byLine.set(key, seen ? { ...seen, amount: formatAmount(parseExact(seen.amount).plus(parseExact(a.amount))) } : a);
  }
  return [...byLine.values()];
}
