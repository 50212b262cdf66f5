// The application service behind the HTTP API: one method per API.md operation.
// Commands go through runCommand (read, fold, decide, append, retry); reads take the
// fund-year's folded state from the same stream cache (stream-cache.ts), or fold the
// stream's prefix from the store for an earlier revision, into the views API.md describes.
import { v4 as uuidv4 } from 'uuid';
import { DomainError } from '../domain/errors.js';
import {
  adoptedAgreement,
  findSettlement,
  fold,
  FUND_YEAR_STREAM_PREFIX,
  fundYearStream,
  isFundId,
  isYear,
  partnerIds,
  requireRevision,
  settlementRecord,
  settlementView,
  storedBodyDigest,
  type ExistingFundYear,
  type FundYearEvent,
  type FundYearState,
  type SettlementEntry,
} from '../domain/fundyear/index.js';
import { positions } from '../domain/positions.js';
import type { EventStore } from '../store/port.js';
import { actorOf, canSeeFund, requireAuditReader, requireFundScope } from './access.js';
import {
  EVENTS_PER_FUND_YEAR_MAX,
  RETRIES_MAX_DEFAULT,
  runCommand,
  type CommandSpec,
  type RunnerDeps,
} from './command-runner.js';
import { CHAIN_WALKS_MAX, chainHashAt, checkStream, Limiter, walkChain } from './integrity.js';
import { loadStream, stateAt, STREAM_CACHE_MAX_DEFAULT, StreamCache, type FoldedStream } from './stream-cache.js';
import { settlementStatementCsv } from './statement-csv.js';
import * as Monitoring from './monitoring-service.js';
import { submitReturnSpec } from './return-command.js';
import type { MonitoringPack } from '../domain/monitoring/index.js';
import { SummaryBehindError, SummaryProjection, summaryFile } from './summary.js';
import type * as T from './service-types.js';

export interface FundYearServiceDeps {
  store: EventStore;
  newId?: () => string;
  now?: () => string;
  retriesMax?: number;
  /** The most events one fund-year may hold; default EVENTS_PER_FUND_YEAR_MAX. */
  eventsMax?: number;
  /** Where the fund summary projection keeps its file; absent: in memory, rebuilt from the log on start. */
  dataDir?: string;
  /** Fund-year streams whose folded state is kept between requests (LRU); 0: none, every request folds from scratch. */
  streamCacheMax?: number;
  /** How long listFunds waits for the summary to reach the log's head before answering 503; default: waitFor's. */
  summaryWaitMs?: number;
  /** Where the summary's one line about an unreadable file goes; default: standard error. */
  log?: (line: string) => void;
}

/** The summary reads fund-year streams only: its head is the last of their events, not the log's. */
const SUMMARY_FILTER = { streamPrefix: FUND_YEAR_STREAM_PREFIX };

/** Audit trail page size: a limit on everything. */
export const EVENTS_PAGE_MAX = 1000;

export function createFundYearService(deps: FundYearServiceDeps): T.FundYearService & { readonly summary: SummaryProjection } {
  return new Service(deps);
}

function existing(state: FundYearState): ExistingFundYear {
  if (state.status === 'none') throw new Error('command answered on a fund-year that does not exist');
  return state;
}

function lastOf<E extends FundYearEvent['type']>(events: readonly FundYearEvent[], type: E): Extract<FundYearEvent, { type: E }> {
  const found = [...events].reverse().find((e) => e.type === type);
  if (!found) throw new Error(`command answer without a ${type} event`);
  return found as Extract<FundYearEvent, { type: E }>;
}

function agreementsView(fy: ExistingFundYear): T.AgreementsView {
  const adoptedVersion = adoptedAgreement(fy)?.version ?? null;
  return {
    adoptedVersion,
    versions: fy.agreements.map((a) => ({
      version: a.version, terms: a.terms, proposedBy: a.proposedBy, acceptedBy: [...a.acceptedBy], adopted: a.version === adoptedVersion,
    })),
  };
}

function entryOf(fy: ExistingFundYear, settlementId: string): SettlementEntry {
  const entry = findSettlement(fy, settlementId);
  if (!entry) throw new DomainError('not-found', 'settlement-not-found', `no settlement ${settlementId}`);
  return entry;
}

/** The API's settlement: a settlement recorded before the chain has a null chain hash. */
function toSettlement(fy: ExistingFundYear, entry: SettlementEntry): T.Settlement {
  const view = settlementView(fy, entry);
  return { ...view, chainHash: view.chainHash ?? null };
}

function settlementOf(fy: ExistingFundYear, settlementId: string): T.Settlement {
  return toSettlement(fy, entryOf(fy, settlementId));
}

function fundYearNotFound(ref: T.FundYearRef): DomainError {
  return new DomainError('not-found', 'fund-year-not-found', `no fund-year ${ref.fundId} ${ref.year}`);
}

class Service implements T.FundYearService {
  readonly summary: SummaryProjection;
  private readonly store: EventStore;
  private readonly newId: () => string;
  private readonly runner: RunnerDeps;
  /** The newest log position this instance appended: listFunds waits for the summary to reach it. */
  private appendedPosition: bigint | null = null;
  private readonly summaryWaitMs: number | undefined;
  /** The log's head when the service started: ready() only once the summary has reached it. */
  private startHead: Promise<bigint | null> | null = null;
  /** Chain walks (integrity, verification) read whole streams: only a few at once. */
  private readonly walks = new Limiter(CHAIN_WALKS_MAX);

  constructor(deps: FundYearServiceDeps) {
    this.store = deps.store;
    this.newId = deps.newId ?? uuidv4;
    this.runner = {
      store: deps.store,
      now: deps.now ?? (() => new Date().toISOString()),
      retriesMax: deps.retriesMax ?? RETRIES_MAX_DEFAULT,
      eventsMax: deps.eventsMax ?? EVENTS_PER_FUND_YEAR_MAX,
      onAppended: (position) => {
        if (this.appendedPosition === null || position > this.appendedPosition) this.appendedPosition = position;
      },
      cache: new StreamCache(deps.streamCacheMax ?? STREAM_CACHE_MAX_DEFAULT),
    };
    this.summary = new SummaryProjection({
      store: deps.store,
      ...(deps.dataDir === undefined ? {} : { file: summaryFile(deps.dataDir) }),
      ...(deps.log === undefined ? {} : { log: deps.log }),
    });
    this.summary.start();
    this.summaryWaitMs = deps.summaryWaitMs;
    // Read now, so that readiness means "caught up with the log as it stood at start"; an
    // unreachable store is retried by the next readiness probe (headAtStart).
    this.headAtStart().catch(() => undefined);
  }

  private headAtStart(): Promise<bigint | null> {
    this.startHead ??= this.store.headPosition(SUMMARY_FILTER).catch((error: unknown) => {
      this.startHead = null;
      throw error;
    });
    return this.startHead;
  }

  private run<A>(ctx: T.RequestContext, ref: T.FundYearRef, spec: CommandSpec<A>): Promise<A> {
    return runCommand(this.runner, ctx, ref, spec);
  }

  /**
   * The fund-year folded up to its latest revision, and `at(revision)`: the state at an earlier
   * revision (0 ≤ revision ≤ fy.revision), folded from the store's prefix.
   */
  private async read(ctx: T.RequestContext, ref: T.FundYearRef): Promise<{ fy: ExistingFundYear; stream: string; at: (revision: number) => Promise<ExistingFundYear> }> {
    requireFundScope(ctx.principal, ref.fundId);
    const stream = fundYearStream(ref.fundId, ref.year);
    // An id that cannot name a fund-year names none: 404, as for any other unknown fund-year.
    const folded: FoldedStream | undefined = isFundId(ref.fundId) && isYear(ref.year) ? await loadStream(this.store, this.runner.cache, stream, this.runner.eventsMax) : undefined;
    if (folded === undefined || folded.state.status === 'none') throw fundYearNotFound(ref);
    return { fy: folded.state, stream, at: async (revision) => existing(await stateAt(this.store, stream, folded, revision)) };
  }

  openFundYear(ctx: T.RequestContext, ref: T.FundYearRef, body: T.OpenFundYearBody): Promise<T.CommandResult & T.FundYearRef> {
    return this.run(ctx, ref, {
      operation: 'openFundYear', request: { ref, body }, onBehalfOf: null,
      command: () => ({ type: 'OpenFundYear', actor: actorOf(ctx.principal), data: { ...body, fundId: ref.fundId, year: ref.year } }),
      answer: (_after, _events, revision) => ({ revision, fundId: ref.fundId, year: ref.year }),
    });
  }

  setBudget(ctx: T.RequestContext, ref: T.FundYearRef, body: T.SetBudgetBody): Promise<T.CommandResult> {
    return this.run(ctx, ref, {
      operation: 'setBudget', request: { ref, body }, onBehalfOf: null,
      command: () => ({ type: 'SetBudget', actor: actorOf(ctx.principal), data: body }),
      answer: (_after, _events, revision) => ({ revision }),
    });
  }

  proposeAgreement(ctx: T.RequestContext, ref: T.FundYearRef, body: T.ProposeAgreementBody): Promise<T.CommandResult & { version: number }> {
    return this.run(ctx, ref, {
      operation: 'proposeAgreement', request: { ref, body }, onBehalfOf: null,
      command: () => ({ type: 'ProposeAgreement', actor: actorOf(ctx.principal), data: { terms: body.terms } }),
      answer: (_after, events, revision) => ({ revision, version: lastOf(events, 'AgreementProposed').data.version }),
    });
  }

  acceptAgreement(ctx: T.RequestContext, ref: T.FundYearRef, version: number): Promise<T.CommandResult & T.AgreementVersionView> {
    return this.run(ctx, ref, {
      operation: 'acceptAgreement', request: { ref, version }, onBehalfOf: ctx.principal.partnerId ?? null,
      command: () => ({ type: 'AcceptAgreement', actor: actorOf(ctx.principal), data: { version } }),
      answer: (after, events, revision) => {
        const accepted = lastOf(events, 'AgreementAccepted').data.version;
        const view = agreementsView(existing(after)).versions.find((v) => v.version === accepted);
        if (!view) throw new Error(`accepted version ${accepted} missing from the fold`);
        return { revision, ...view };
      },
    });
  }

  async listAgreements(ctx: T.RequestContext, ref: T.FundYearRef): Promise<T.AgreementsView> {
    return agreementsView((await this.read(ctx, ref)).fy);
  }

  submitReturn(ctx: T.RequestContext, ref: T.FundYearRef, body: T.SubmitReturnBody): Promise<T.CommandResult & { returnId: string }> {
    return this.run(ctx, ref, submitReturnSpec(ctx, body, { ref, body }, this.newId));
  }

  // Monitoring (monitoring-service.ts): settings, the pack, the return template and spreadsheet returns.
  private get ports(): Monitoring.MonitoringPorts {
    return { read: (ctx, ref) => this.read(ctx, ref), run: (ctx, ref, spec) => this.run(ctx, ref, spec), newId: this.newId };
  }

  changeSettings(ctx: T.RequestContext, ref: T.FundYearRef, body: T.SettingsBody): Promise<T.CommandResult & T.SettingsBody> {
    return Monitoring.changeSettings(this.ports, ctx, ref, body);
  }

  monitoring(ctx: T.RequestContext, ref: T.FundYearRef, query: T.MonitoringQuery): Promise<MonitoringPack> {
    return Monitoring.monitoring(this.ports, ctx, ref, query);
  }

  monitoringFile(ctx: T.RequestContext, ref: T.FundYearRef, query: T.MonitoringQuery, format: T.FileFormat): Promise<T.DownloadFile> {
    return Monitoring.monitoringFile(this.ports, ctx, ref, query, format);
  }

  returnTemplate(ctx: T.RequestContext, ref: T.FundYearRef, query: T.ReturnTemplateQuery): Promise<T.DownloadFile> {
    return Monitoring.returnTemplate(this.ports, ctx, ref, query);
  }

  submitReturnFile(ctx: T.RequestContext, ref: T.FundYearRef, upload: T.ReturnUpload): Promise<T.CommandResult & { returnId: string }> {
    return Monitoring.submitReturnFile(this.ports, ctx, ref, upload);
  }

  async positions(ctx: T.RequestContext, ref: T.FundYearRef, asOfRevision?: number): Promise<T.PositionsView> {
    const { fy, at } = await this.read(ctx, ref);
    if (asOfRevision === undefined) return positions(fy);
    return positions(await at(requireRevision(fy, asOfRevision)));
  }

  closeYear(ctx: T.RequestContext, ref: T.FundYearRef): Promise<T.CommandResult & { status: 'closed' }> {
    return this.run(ctx, ref, {
      operation: 'closeYear', request: { ref }, onBehalfOf: null,
      command: () => ({ type: 'CloseYear', actor: actorOf(ctx.principal) }),
      answer: (_after, _events, revision) => ({ revision, status: 'closed' as const }),
    });
  }

  adjustOutturn(ctx: T.RequestContext, ref: T.FundYearRef, body: T.AdjustmentBody): Promise<T.CommandResult & { adjustmentId: string }> {
    return this.run(ctx, ref, {
      operation: 'adjustOutturn', request: { ref, body }, onBehalfOf: body.partnerId,
      command: () => ({ type: 'AdjustOutturn', actor: actorOf(ctx.principal), data: { ...body, adjustmentId: this.newId() } }),
      answer: (_after, events, revision) => ({ revision, adjustmentId: lastOf(events, 'OutturnAdjusted').data.adjustmentId }),
    });
  }

  calculateSettlement(ctx: T.RequestContext, ref: T.FundYearRef, body: T.CalculateSettlementBody): Promise<T.Settlement> {
    const stream = fundYearStream(ref.fundId, ref.year);
    return this.run(ctx, ref, {
      operation: 'calculateSettlement', request: { ref, body }, onBehalfOf: null,
      command: async (state, at) => {
        // Default: the latest revision as read on this attempt (a retry settles the fresher log).
        const asOfRevision = body.asOfRevision ?? state.revision;
        const inRange = Number.isSafeInteger(asOfRevision) && asOfRevision >= 0 && asOfRevision <= state.revision;
        // Out of range: no fund-year at all, which decide refuses (invalid-revision).
        const basis = inRange ? await at(asOfRevision) : fold([]);
        // Which log the figures came from: the chain hash at that revision, read on this attempt.
        const chainHash = inRange ? await chainHashAt(this.store, stream, asOfRevision) : undefined;
        const data = { settlementId: this.newId(), mode: body.mode, asOfRevision, calculatedAt: this.runner.now(), basis, ...(chainHash === undefined ? {} : { chainHash }) };
        return { type: 'CalculateSettlement', actor: actorOf(ctx.principal), data };
      },
      answer: (after, events) => settlementOf(existing(after), lastOf(events, 'SettlementCalculated').data.settlementId),
    });
  }

  async listSettlements(ctx: T.RequestContext, ref: T.FundYearRef): Promise<T.Settlement[]> {
    const { fy } = await this.read(ctx, ref);
    return fy.settlements.map((entry) => toSettlement(fy, entry)).reverse();
  }

  async getSettlement(ctx: T.RequestContext, ref: T.FundYearRef, settlementId: string): Promise<T.Settlement> {
    return settlementOf((await this.read(ctx, ref)).fy, settlementId);
  }

  /**
   * Three checks (docs/integrity.md): the figures recomputed from the log at asOfRevision give
   * the recorded digest; the stored body still hashes to it; and the chain is intact up to the
   * settlement's own event, with the recorded chain hash that of the event at asOfRevision.
   */
  async verifySettlement(ctx: T.RequestContext, ref: T.FundYearRef, settlementId: string): Promise<T.VerificationView> {
    const { fy, stream, at } = await this.read(ctx, ref);
    const entry = entryOf(fy, settlementId);
    const { record } = entry;
    const firstBroken = await this.settlementChainBreak(stream, entry);
    const { settlementId: id, mode, asOfRevision, calculatedAt } = record;
    let recomputedDigest: string | null;
    try {
      // The same computation as when it was calculated, from the log's prefix up to its revision.
      recomputedDigest = settlementRecord(await at(asOfRevision), { settlementId: id, mode, asOfRevision, calculatedAt }).digest;
    } catch (error) {
      // A log changed behind the service (an event removed) may no longer settle at all; the
      // chain check has said where. On an intact chain a failure here is a fault, not a finding.
      if (firstBroken === null) throw error;
      recomputedDigest = null;
    }
    const bodyDigest = storedBodyDigest(record);
    const checks = { figures: recomputedDigest === record.digest, storedBody: bodyDigest === record.digest, chain: firstBroken === null };
    return {
      settlementId, asOfRevision, digest: record.digest, recomputedDigest, storedBodyDigest: bodyDigest, chainHash: record.chainHash ?? null,
      match: checks.figures && checks.storedBody && checks.chain, checks, firstBroken,
    };
  }

  /** The chain up to the settlement's own event, then its recorded chain hash against the event at asOfRevision. */
  private async settlementChainBreak(stream: string, entry: SettlementEntry): Promise<T.ChainBreakView | null> {
    const walk = await this.walks.run(() => walkChain(this.store, stream, { toRevision: entry.revision, maxEvents: this.runner.eventsMax }));
    if (walk.firstBroken !== null) return walk.firstBroken;
    const { asOfRevision, chainHash } = entry.record;
    if (chainHash === undefined) {
      return { revision: entry.revision, reason: 'chain-hash-missing', detail: `the settlement at revision ${entry.revision} records no chain hash` };
    }
    const found = await chainHashAt(this.store, stream, asOfRevision);
    if (found === chainHash) return null;
    return { revision: asOfRevision, reason: 'chain-hash-mismatch', detail: `the settlement records chain hash ${chainHash}, but the event at revision ${asOfRevision} has ${String(found)}` };
  }

  approveSettlement(ctx: T.RequestContext, ref: T.FundYearRef, settlementId: string): Promise<T.CommandResult & T.Settlement> {
    return this.run(ctx, ref, {
      operation: 'approveSettlement', request: { ref, settlementId }, onBehalfOf: ctx.principal.partnerId ?? null,
      command: () => ({ type: 'ApproveSettlement', actor: actorOf(ctx.principal), data: { settlementId } }),
      answer: (after, _events, revision) => ({ revision, ...settlementOf(existing(after), settlementId) }),
    });
  }

  async settlementStatementCsv(ctx: T.RequestContext, ref: T.FundYearRef, settlementId: string): Promise<string> {
    const { fy } = await this.read(ctx, ref);
    return settlementStatementCsv(settlementOf(fy, settlementId), partnerIds(fy));
  }

  async events(ctx: T.RequestContext, ref: T.FundYearRef, fromRevision = 0, limit = EVENTS_PAGE_MAX): Promise<T.AuditEvent[]> {
    requireAuditReader(ctx.principal);
    const { fy, stream } = await this.read(ctx, ref);
    if (!Number.isSafeInteger(fromRevision) || fromRevision < 0) {
      throw new DomainError('bad-request', 'invalid-revision', 'fromRevision must be a non-negative integer', [
        { path: '/fromRevision', message: 'must be a non-negative integer' },
      ]);
    }
    const count = Math.max(1, Math.min(Number.isSafeInteger(limit) ? limit : EVENTS_PAGE_MAX, EVENTS_PAGE_MAX));
    if (fromRevision > fy.revision) return [];
    // Only the page, and no further than the revision just folded: the trail matches that state.
    const page = await this.store.readStream(stream, { fromRevision: BigInt(fromRevision), toRevision: BigInt(fy.revision), maxCount: count });
    return page.map((e) => ({
      revision: Number(e.revision), position: e.position.toString(), eventId: e.id, type: e.type, data: e.data, metadata: e.metadata,
    }));
  }

  /**
   * The chain walked from revision 0 to the stream's last event as the store holds it. Not
   * through the fold: a store with a missing revision cannot be folded, but can be reported.
   */
  async integrity(ctx: T.RequestContext, ref: T.FundYearRef): Promise<T.IntegrityView> {
    requireAuditReader(ctx.principal);
    requireFundScope(ctx.principal, ref.fundId);
    const stream = fundYearStream(ref.fundId, ref.year);
    const view = isFundId(ref.fundId) && isYear(ref.year) ? await this.walks.run(() => checkStream(this.store, stream, this.runner.eventsMax)) : undefined;
    if (view === undefined) throw fundYearNotFound(ref);
    return view;
  }

  async listFunds(ctx: T.RequestContext): Promise<T.FundSummary[]> {
    // The summary follows the log asynchronously: after a start on a long log, or with another
    // process writing, it can be behind. Waiting for the head as this request found it (and for
    // what this instance appended: read-your-writes) means the list is never silently short.
    const head = await this.store.headPosition(SUMMARY_FILTER);
    const mine = this.appendedPosition;
    await this.summaryReached(mine !== null && (head === null || mine > head) ? mine : head);
    return this.summary.list().filter((s) => canSeeFund(ctx.principal, s.fundId));
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
}
