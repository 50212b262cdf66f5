// The application service the HTTP layer calls: one method per API.md operation.
// Request and response bodies are exactly API.md's JSON (amounts as strings).
// Each method enforces DOMAIN.md's rules, including who may act, and throws
// DomainError (src/domain/errors.ts) for every refusal; nothing is appended then.
import type { ChainBreakReason } from '../domain/chain.js';
import type { Period } from '../domain/fundyear/ids.js';
import type { AgreementTerms, Arrangement } from '../domain/terms-types.js';
import type { SettlementFigures } from '../domain/settlement-types.js';
import type { MonitoringPack, RagThresholds } from '../domain/monitoring/types.js';

export type Role = 'admin' | 'partner' | 'auditor';

export interface Principal {
  /** Key name from API_KEYS_FILE, e.g. "ccg-finance". */
  name: string;
  role: Role;
  /** Set for role "partner". */
  partnerId?: string;
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

export interface OpenFundYearBody {
  name: string;
  partners: { partnerId: string; name: string }[];
  strategies: { strategyId: string; name: string }[];
}

export interface BudgetLineBody {
  strategyId: string;
  partnerId: string;
  arrangement: Arrangement;
  amount: string;
  /** Twelve amounts M1..M12 summing to `amount`. */
  profile?: string[];
}

export interface SetBudgetBody {
  lines: BudgetLineBody[];
  reason?: string;
}

export interface ProposeAgreementBody {
  terms: AgreementTerms;
}

export interface ReturnLineBody {
  strategyId: string;
  arrangement: Arrangement;
  actualToDate: string;
  forecastOutturn: string;
  commentary?: string;
}

export interface SubmitReturnBody {
  partnerId: string;
  period: string;
  lines: ReturnLineBody[];
  correction?: boolean;
}

export interface AdjustmentBody {
  partnerId: string;
  strategyId: string;
  arrangement: Arrangement;
  amount: string;
  reason: string;
}

export interface CalculateSettlementBody {
  mode: 'final' | 'forecast';
  asOfRevision?: number;
}

/** Result of a command: the stream revision after it (a number: fund-year streams stay small). */
export interface CommandResult {
  revision: number;
}

export interface AgreementVersionView {
  version: number;
  terms: AgreementTerms;
  proposedBy: string;
  acceptedBy: string[];
  adopted: boolean;
}

export interface AgreementsView {
  adoptedVersion: number | null;
  versions: AgreementVersionView[];
}

export interface Settlement extends SettlementFigures {
  settlementId: string;
  fundId: string;
  year: string;
  mode: 'final' | 'forecast';
  asOfRevision: number;
  agreementVersion: number;
  engineVersion: string;
  status: 'calculated' | 'approved' | 'superseded';
  approvedBy: string[];
  assumedOnBudget: string[];
  calculatedAt: string;
  digest: string;
  /** The chain hash of the event at asOfRevision (docs/integrity.md); null on a settlement recorded before the chain. */
  chainHash: string | null;
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

export interface FigureSet {
  budget: string;
  actualToDate: string;
  forecastOutturn: string;
  forecastVariance: string;
  /** Forecast variance as it stood at the end of each month M1..M12 (null where no month yet). */
  forecastVarianceByPeriod: Record<Period, string | null>;
}

export interface PositionsView {
  fundId: string;
  year: string;
  asOfRevision: number;
  status: 'open' | 'closed';
  lines: (FigureSet & { strategyId: string; partnerId: string; arrangement: Arrangement })[];
  strategies: (FigureSet & { strategyId: string })[];
  partners: (FigureSet & { partnerId: string; lastPeriod: string | null })[];
  fund: FigureSet;
}

export interface FundSummary {
  fundId: string;
  year: string;
  name: string;
  status: 'open' | 'closed';
  revision: number;
  partners: string[];
  budget: string;
  forecastOutturn: string;
  forecastVariance: string;
  adoptedAgreementVersion: number | null;
  latestSettlement: { settlementId: string; mode: 'final' | 'forecast'; status: string; digest: string } | null;
}

export interface SettingsBody {
  rag: RagThresholds;
}

/** Which pack (MONITORING.md §5): the period defaults to the latest returned, the revision to the latest. */
export interface MonitoringQuery {
  period?: string;
  asOfRevision?: number;
}

export type FileFormat = 'csv' | 'xlsx';

/** A file to download: its name (for content-disposition), media type and bytes or text. */
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

export interface FundYearService {
  openFundYear(ctx: RequestContext, ref: FundYearRef, body: OpenFundYearBody): Promise<CommandResult & FundYearRef>;
  setBudget(ctx: RequestContext, ref: FundYearRef, body: SetBudgetBody): Promise<CommandResult>;
  proposeAgreement(ctx: RequestContext, ref: FundYearRef, body: ProposeAgreementBody): Promise<CommandResult & { version: number }>;
  acceptAgreement(ctx: RequestContext, ref: FundYearRef, version: number): Promise<CommandResult & AgreementVersionView>;
  listAgreements(ctx: RequestContext, ref: FundYearRef): Promise<AgreementsView>;
  submitReturn(ctx: RequestContext, ref: FundYearRef, body: SubmitReturnBody): Promise<CommandResult & { returnId: string }>;
  positions(ctx: RequestContext, ref: FundYearRef, asOfRevision?: number): Promise<PositionsView>;
  closeYear(ctx: RequestContext, ref: FundYearRef): Promise<CommandResult & { status: 'closed' }>;
  adjustOutturn(ctx: RequestContext, ref: FundYearRef, body: AdjustmentBody): Promise<CommandResult & { adjustmentId: string }>;
  calculateSettlement(ctx: RequestContext, ref: FundYearRef, body: CalculateSettlementBody): Promise<Settlement>;
  listSettlements(ctx: RequestContext, ref: FundYearRef): Promise<Settlement[]>;
  getSettlement(ctx: RequestContext, ref: FundYearRef, settlementId: string): Promise<Settlement>;
  verifySettlement(ctx: RequestContext, ref: FundYearRef, settlementId: string): Promise<VerificationView>;
  approveSettlement(ctx: RequestContext, ref: FundYearRef, settlementId: string): Promise<CommandResult & Settlement>;
  settlementStatementCsv(ctx: RequestContext, ref: FundYearRef, settlementId: string): Promise<string>;
  events(ctx: RequestContext, ref: FundYearRef, fromRevision?: number, limit?: number): Promise<AuditEvent[]>;
  /** Walks the fund-year's hash chain from revision 0 (admin, auditor). */
  integrity(ctx: RequestContext, ref: FundYearRef): Promise<IntegrityView>;
  listFunds(ctx: RequestContext): Promise<FundSummary[]>;
  /** PUT …/settings: the RAG thresholds from this revision on (admin). */
  changeSettings(ctx: RequestContext, ref: FundYearRef, body: SettingsBody): Promise<CommandResult & SettingsBody>;
  /** The monitoring pack (MONITORING.md), any role. */
  monitoring(ctx: RequestContext, ref: FundYearRef, query: MonitoringQuery): Promise<MonitoringPack>;
  /** The same pack as a CSV or XLSX file. */
  monitoringFile(ctx: RequestContext, ref: FundYearRef, query: MonitoringQuery, format: FileFormat): Promise<DownloadFile>;
  /** A return to fill in: the partner's budget lines with its latest figures (that partner, admin). */
  returnTemplate(ctx: RequestContext, ref: FundYearRef, query: ReturnTemplateQuery): Promise<DownloadFile>;
  /** A monthly return sent as CSV or XLSX: the same rules, Idempotency-Key and answer as submitReturn. */
  submitReturnFile(ctx: RequestContext, ref: FundYearRef, upload: ReturnUpload): Promise<CommandResult & { returnId: string }>;
  /** Readiness: the store reachable and the fund summary caught up with the log as it stood at start. */
  ready(): Promise<void>;
  close(): Promise<void>;
}
