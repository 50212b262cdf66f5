// Typed wrappers for the API operations whose branches have not reached main yet:
// the monitoring pack (GET …/monitoring, the spreadsheet returns) and engine 2's
// decisions. The shapes below copy the schemas (schemas/monitoring-pack.schema.json
// and its parts, decision.schema.json); once the paths are in src/generated/api.d.ts
// these calls move to the typed client and this file goes.
import { ApiError, type FundYearRef, type Problem } from './problem.js';

export type Rag = 'red' | 'amber' | 'green';

/** The figures every level of the pack carries (decimal strings, as the API gives them). */
export interface PackFigures {
  originalBudget: string;
  budget: string;
  budgetToDate: string;
  actualToDate: string;
  varianceToDate: string;
  forecastOutturn: string;
  previousForecastOutturn: string;
  movement: string;
  forecastVariance: string;
  forecastVariancePercent: string | null;
  rag: Rag;
}

export interface PackLine extends PackFigures {
  strategyId: string;
  partnerId: string;
  arrangement: 'pooled' | 'aligned';
  returnPeriod: string | null;
  commentary: string | null;
}

export interface PackForecastSettlement {
  agreementVersion: number;
  requiresDecision: boolean;
  partners: { partnerId: string; share: string; transfer: string }[];
  digest: string;
}

export interface MonitoringPack {
  fundId: string;
  year: string;
  period: string;
  asOfRevision: number;
  lines: PackLine[];
  strategies: (PackFigures & { strategyId: string })[];
  partners: (PackFigures & { partnerId: string })[];
  arrangements: (PackFigures & { arrangement: 'pooled' | 'aligned' })[];
  fund: PackFigures;
  forecastSettlement: PackForecastSettlement | null;
}

/** decision.schema.json: who bears an amount the caps left unallocated. */
export interface DecisionProposal {
  potId: string;
  direction: 'overspend' | 'underspend';
  allocate: { basis: 'contribution' | 'fixed' | 'lead'; weights?: Record<string, string>; partnerId?: string };
  reference: string;
}

/** A decision as listed: its version and whom it still waits for (fields beyond the proposal are optional until the view lands). */
export interface DecisionView extends DecisionProposal {
  version: number;
  acceptedBy?: string[];
  adopted?: boolean;
}

/** The key-carrying fetch every pending call uses (set by the app on sign-in). */
export type RawFetch = (path: string, init?: RequestInit) => Promise<Response>;

function base(ref: FundYearRef): string {
  return `/v1/funds/${encodeURIComponent(ref.fundId)}/years/${encodeURIComponent(ref.year)}`;
}

async function problemOf(response: Response): Promise<ApiError> {
  const text = await response.text();
  try {
    const parsed = JSON.parse(text) as Problem;
    if (typeof parsed === 'object' && parsed !== null && typeof parsed.detail === 'string') return new ApiError(response.status, parsed);
  } catch {
    // not JSON: described below
  }
  return new ApiError(response.status, { type: 'about:blank', title: 'Error', status: response.status, detail: text || `The service answered ${response.status}.` });
}

async function json<T>(pending: Promise<Response>): Promise<T> {
  let response: Response;
  try {
    response = await pending;
  } catch (error) {
    throw new ApiError(0, { type: 'about:blank', title: 'Error', status: 0, detail: `The service could not be reached (${String((error as Error).message)}).` });
  }
  if (!response.ok) throw await problemOf(response);
  return await response.json() as T;
}

function query(params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) search.set(name, value);
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

export function monitoringPath(ref: FundYearRef, ext: '' | '.csv' | '.xlsx', period?: string): string {
  return `${base(ref)}/monitoring${ext}${query({ period })}`;
}

export function getMonitoring(raw: RawFetch, ref: FundYearRef, period?: string): Promise<MonitoringPack> {
  return json(raw(monitoringPath(ref, '', period)));
}

export function templatePath(ref: FundYearRef, partnerId: string, period: string, format: 'csv' | 'xlsx'): string {
  return `${base(ref)}/returns/template${query({ partnerId, period, format })}`;
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** POST a filled template: the file as it is, typed by its name. */
export function uploadReturn(raw: RawFetch, ref: FundYearRef, file: File, options: { partnerId: string; period: string; correction: boolean; idempotencyKey: string }): Promise<{ revision: number }> {
  const type = file.name.toLowerCase().endsWith('.xlsx') ? XLSX_TYPE : 'text/csv';
  const path = `${base(ref)}/returns${query({ partnerId: options.partnerId, period: options.period, correction: String(options.correction) })}`;
  return json(raw(path, { method: 'POST', body: file, headers: { 'content-type': type, 'idempotency-key': options.idempotencyKey } }));
}

export function listDecisions(raw: RawFetch, ref: FundYearRef): Promise<DecisionView[] | { decisions: DecisionView[] }> {
  return json(raw(`${base(ref)}/decisions`));
}

export function proposeDecision(raw: RawFetch, ref: FundYearRef, body: DecisionProposal, key: string): Promise<{ version: number }> {
  return json(raw(`${base(ref)}/decisions`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', 'idempotency-key': key } }));
}

export function acceptDecision(raw: RawFetch, ref: FundYearRef, version: number, key: string): Promise<unknown> {
  return json(raw(`${base(ref)}/decisions/${version}/acceptances`, { method: 'POST', headers: { 'idempotency-key': key } }));
}

export function bringForward(raw: RawFetch, ref: FundYearRef, key: string): Promise<unknown> {
  return json(raw(`${base(ref)}/brought-forward`, { method: 'POST', headers: { 'idempotency-key': key } }));
}

let published: Promise<ReadonlySet<string>> | null = null;

/**
 * Whether the service publishes a path in its OpenAPI document (read once per page
 * load): a service without the pack is asked for the positions instead, rather than
 * probed with a request it would answer 404.
 */
export async function servicePublishes(raw: RawFetch, path: string): Promise<boolean> {
  published ??= raw('/openapi.json')
    .then(async (response) => (response.ok ? new Set(Object.keys(((await response.json()) as { paths?: object }).paths ?? {})) : new Set<string>()))
    .catch(() => new Set<string>());
  return (await published).has(path);
}

export const MONITORING_PATH = '/v1/funds/{fundId}/years/{year}/monitoring';
