// The application service the HTTP layer calls: one method per API.md operation.
// Request and response bodies are exactly API.md's JSON (amounts as strings).
// Each method enforces DOMAIN.md's rules, including who may act, and throws
// DomainError (src/domain/errors.ts) for every refusal; nothing is appended then.
import type { ChainBreakReason } from '../domain/chain.js';
import type { AdjustOutturn, OpenFundYear, ProposeAgreement, SetBudget, SubmitMonthlyReturn } from '../domain/fundyear/commands.js';
import type { SettlementMode } from '../domain/fundyear/events.js';
import type { Actor } from '../domain/roles.js';
import type { Decision } from '../domain/terms-types.js';
import type { FundYearDecisions } from './service-decisions.js';
import type { FundYearMonitoring } from './monitoring-service.js';
import type { RagThresholds } from '../domain/monitoring/types.js';
import type { AgreementsView, AgreementVersionView, FundSummary, PositionsView, Settlement } from '../domain/views/types.js';

// The read models live with the domain (src/domain/views/); named here too, as what the service returns.
export type { AgreementsView, AgreementVersionView, FigureSet, FundSummary, PositionsView, Settlement } from '../domain/views/types.js';

/** Who is calling: a key's name (from API_KEYS_FILE, e.g. "ccg-finance"), role and partner, and its funds. */
export interface Principal extends Actor {
  /** Fund ids this key may touch; ["*"] for all. */
  funds: string[];
}

export interface RequestContext {
  principal: Principal;
  requestId: string;
  /** The Idempotency-Key header, when sent. */
  idempotencyKey?: string;
  /** ISO-8601 time the request was received: recorded in metadata, never a settlement input. */
  receivedAt: string;
}

export interface FundYearRef {
  fundId: string;
  year: string;
}

// Request bodies: the commands' data (src/domain/fundyear/commands.ts) without what the path or
// the service supplies (fund-year ids, new ids, the clock).
export type OpenFundYearBody = Omit<OpenFundYear['data'], 'fundId' | 'year'>;
export type SetBudgetBody = SetBudget['data'];
export type ProposeAgreementBody = ProposeAgreement['data'];
export type SubmitReturnBody = Omit<SubmitMonthlyReturn['data'], 'returnId'>;
export type AdjustmentBody = Omit<AdjustOutturn['data'], 'adjustmentId'>;

export interface CalculateSettlementBody {
  mode: SettlementMode;
  asOfRevision?: number;
}

/** Result of a command: the stream revision after it (a number: fund-year streams stay small). */
export interface CommandResult {
  revision: number;
}

/** Where a stream's hash chain first breaks (src/domain/chain.ts), or what a settlement's chain hash fails. */
export interface ChainBreakView {
  revision: number;
  reason: ChainBreakReason | 'chain-hash-mismatch' | 'chain-hash-missing';
  detail: string;
}

export interface VerificationView {
  settlementId: string;
  asOfRevision: number;
  /** The digest the settlement records. */
  digest: string;
  /** The digest of the settlement recomputed from the log at asOfRevision; null if that log, broken, no longer settles. */
  recomputedDigest: string | null;
  /** The digest of the settlement's body as stored. */
  storedBodyDigest: string;
  /** The chain hash the settlement records (null: recorded before the chain). */
  chainHash: string | null;
  /** All three checks pass. */
  match: boolean;
  checks: { figures: boolean; storedBody: boolean; chain: boolean };
  /** The chain check's failure: the first break up to the settlement's own event, or a chain hash that does not match. */
  firstBroken: ChainBreakView | null;
}

export interface IntegrityView {
  /** The stream's last revision. */
  revision: number;
  /** The hash its last event records (null if none); evidence only when `intact`. */
  head: string | null;
  intact: boolean;
  firstBroken: ChainBreakView | null;
}

export interface AuditEvent {
  revision: number;
  position: string;
  eventId: string;
  type: string;
  data: unknown;
  metadata: unknown;
}

/** Commands (service-commands.ts): each appends the events the decider returns, or refuses. */
export interface FundYearCommands {
  openFundYear(ctx: RequestContext, ref: FundYearRef, body: OpenFundYearBody): Promise<CommandResult & FundYearRef>;
  setBudget(ctx: RequestContext, ref: FundYearRef, body: SetBudgetBody): Promise<CommandResult>;
  proposeAgreement(ctx: RequestContext, ref: FundYearRef, body: ProposeAgreementBody): Promise<CommandResult & { version: number }>;
  acceptAgreement(ctx: RequestContext, ref: FundYearRef, version: number): Promise<CommandResult & AgreementVersionView>;
  submitReturn(ctx: RequestContext, ref: FundYearRef, body: SubmitReturnBody): Promise<CommandResult & { returnId: string }>;
  closeYear(ctx: RequestContext, ref: FundYearRef): Promise<CommandResult & { status: 'closed' }>;
  adjustOutturn(ctx: RequestContext, ref: FundYearRef, body: AdjustmentBody): Promise<CommandResult & { adjustmentId: string }>;
  calculateSettlement(ctx: RequestContext, ref: FundYearRef, body: CalculateSettlementBody): Promise<Settlement>;
  approveSettlement(ctx: RequestContext, ref: FundYearRef, settlementId: string): Promise<CommandResult & Settlement>;
}

/** Reads of one fund-year (service-reads.ts): its folded state, or the log itself. */
export interface FundYearReads {
  listAgreements(ctx: RequestContext, ref: FundYearRef): Promise<AgreementsView>;
  positions(ctx: RequestContext, ref: FundYearRef, asOfRevision?: number): Promise<PositionsView>;
  listSettlements(ctx: RequestContext, ref: FundYearRef): Promise<Settlement[]>;
  getSettlement(ctx: RequestContext, ref: FundYearRef, settlementId: string): Promise<Settlement>;
  verifySettlement(ctx: RequestContext, ref: FundYearRef, settlementId: string): Promise<VerificationView>;
  settlementStatementCsv(ctx: RequestContext, ref: FundYearRef, settlementId: string): Promise<string>;
  events(ctx: RequestContext, ref: FundYearRef, fromRevision?: number, limit?: number): Promise<AuditEvent[]>;
  /** Walks the fund-year's hash chain from revision 0 (admin, auditor). */
  integrity(ctx: RequestContext, ref: FundYearRef): Promise<IntegrityView>;
}

/** The cross-fund list and readiness (service-readiness.ts): both wait on the fund summary. */
export interface FundListAndReadiness {
  listFunds(ctx: RequestContext): Promise<FundSummary[]>;
  /** Readiness: the store reachable and the fund summary caught up with the log as it stood at start. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** Engine 2 (service-decisions.ts). */
export interface DecisionVersionView {
  version: number;
  decision: Decision;
  agreementVersion: number;
  proposedBy: string;
  acceptedBy: string[];
  adopted: boolean;
}

export interface DecisionsView {
  versions: DecisionVersionView[];
}

export interface BroughtForwardView {
  amounts: Record<string, string>;
  settlementId: string;
  digest: string;
  revision: number;
}

/** Monitoring (monitoring-service.ts): the RAG settings, the pack, the return template, spreadsheet returns. */
export interface SettingsBody {
  rag: RagThresholds;
}

/** Which pack (MONITORING.md §5): the period defaults to the latest returned, the revision to the latest. */
export interface MonitoringQuery {
  period?: string;
  asOfRevision?: number;
}

export type FileFormat = 'csv' | 'xlsx';

/** A file to download: its name (for content-disposition), media type and text or bytes. */
export interface DownloadFile {
  fileName: string;
  mediaType: string;
  body: string | Buffer;
}

export interface ReturnTemplateQuery {
  partnerId: string;
  period: string;
  format: FileFormat;
}

/** A monthly return sent as a spreadsheet: what the JSON form has beside its lines, and the file. */
export interface ReturnUpload {
  partnerId: string;
  period: string;
  correction?: boolean;
  format: FileFormat;
  bytes: Uint8Array;
}

export interface FundYearService extends FundYearCommands, FundYearReads, FundListAndReadiness, FundYearDecisions, FundYearMonitoring {}
