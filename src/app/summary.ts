// The cross-fund summary (DOMAIN.md, read side): one FundSummary per fund-year, kept
// by a catch-up subscription to the whole log from a stored checkpoint. The
// projection (each fund-year's folded state) and its checkpoint live in one JSON file
// beside the store, outside it, so the same code serves both store adapters; it can
// always be rebuilt from scratch because the log is the only truth.
import fs from 'node:fs';
import path from 'node:path';
import {
  adoptedAgreement,
  asFundYearEvent,
  evolve,
  initialState,
  parseFundYearStream,
  partnerIds,
  settlementStatus,
  type ExistingFundYear,
  type FundYearState,
} from '../domain/fundyear/index.js';
import { positions } from '../domain/positions.js';
import type { EventStore, RecordedEvent, Subscription } from '../store/port.js';
import type { FundSummary } from './service-types.js';

export const SUMMARY_FILE_NAME = 'fund-summary-projection.json';
const FILE_FORMAT = 1;
const FLUSH_DELAY_MS = 25;
const READ_PAGE = 1000;
const WAIT_TIMEOUT_MS = 5000;

interface StoredProjection {
  format: typeof FILE_FORMAT;
  /** Position of the last event applied, as a decimal string (bigint); null before any. */
  checkpoint: string | null;
  fundYears: Record<string, FundYearState>;
}

interface Waiter {
  position: bigint;
  resolve: () => void;
  reject: (error: Error) => void;
}

export interface SummaryProjectionOptions {
  store: EventStore;
  /** The JSON file; absent: kept in memory only (rebuilt from the log on each start). */
  file?: string;
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

  constructor(options: SummaryProjectionOptions) {
    this.store = options.store;
    this.file = options.file;
    if (this.file !== undefined && fs.existsSync(this.file)) this.load(this.file);
  }

  /** Position of the last event applied; null before any. */
  get checkpoint(): bigint | null {
    return this.position;
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
    const subscription = this.store.subscribeToAll(this.position === null ? {} : { afterPosition: this.position });
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
        reject(new Error(`fund summary did not reach log position ${position} within ${timeoutMs} ms`));
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
      const page = await this.store.readAll({ ...(this.position === null ? {} : { afterPosition: this.position }), maxCount: READ_PAGE });
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

  private apply(event: RecordedEvent): void {
    this.position = event.position;
    if (parseFundYearStream(event.streamId) === null) return;
    const state = this.fundYears.get(event.streamId) ?? initialState();
    this.fundYears.set(event.streamId, evolve(state, asFundYearEvent(event.type, event.data)));
    this.summaries.delete(event.streamId);
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

  /** Writes projection and checkpoint together (temp file + rename: never half a file). */
  private flushNow(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.file === undefined) return;
    const stored: StoredProjection = {
      format: FILE_FORMAT,
      checkpoint: this.position === null ? null : this.position.toString(),
      fundYears: Object.fromEntries(this.fundYears),
    };
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, JSON.stringify(stored));
    fs.renameSync(temp, this.file);
  }

  private load(file: string): void {
    const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as StoredProjection;
    if (stored.format !== FILE_FORMAT) throw new Error(`${file}: unknown summary format ${String(stored.format)}; rebuild it`);
    this.fundYears = new Map(Object.entries(stored.fundYears));
    this.position = stored.checkpoint === null ? null : BigInt(stored.checkpoint);
  }
}

export function fundSummary(fy: ExistingFundYear): FundSummary {
  const { fund } = positions(fy);
  const latest = fy.settlements[fy.settlements.length - 1];
  return {
    fundId: fy.fundId,
    year: fy.year,
    name: fy.name,
    status: fy.status,
    revision: fy.revision,
    partners: partnerIds(fy),
    budget: fund.budget,
    forecastOutturn: fund.forecastOutturn,
    forecastVariance: fund.forecastVariance,
    adoptedAgreementVersion: adoptedAgreement(fy)?.version ?? null,
    latestSettlement: latest
      ? {
          settlementId: latest.record.settlementId,
          mode: latest.record.mode,
          status: settlementStatus(fy, latest),
          digest: latest.record.digest,
        }
      : null,
  };
}
