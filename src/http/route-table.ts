// The route table: one entry per API.md operation. It is the single source for
// the Fastify routes (schemas, access) and, with schemas/, for openapi/openapi.json.
import { OPERATION_ROLES, OWN_PARTNER_OPERATIONS, type KeyedOperation, type Role } from '../domain/roles.js';
import { exampleABudget, exampleATerms } from '../examples.js';

export type HttpMethod = 'get' | 'post' | 'put';

/** Who may call: `public` needs no key; otherwise the roles allowed. */
export type Access =
  | { kind: 'public' }
  | {
      kind: 'key';
      roles: readonly Role[];
      /** The body names a partnerId: a partner key may only name its own partner. */
      ownPartnerInBody: boolean;
    };

/** The XLSX media type (a workbook), as sent and accepted. */
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export type FileMediaType = 'text/csv' | typeof XLSX_TYPE;

export type SuccessBody =
  | { kind: 'json'; schema: string }
  | { kind: 'csv' }
  /** A page of the web app (GET /). */
  | { kind: 'html' }
  /** A file to download (content-disposition: attachment) of one of these types. */
  | { kind: 'file'; mediaTypes: readonly FileMediaType[] };

/** The media type of each success body that is text, not JSON (a file names its own). */
export const TEXT_MEDIA_TYPES = { csv: 'text/csv', html: 'text/html' } as const satisfies Record<Exclude<SuccessBody['kind'], 'json' | 'file'>, string>;

export interface RouteSpec {
  operationId: string;
  method: HttpMethod;
  /** OpenAPI path template, e.g. `/v1/funds/{fundId}/years/{year}`. */
  path: string;
  tag: string;
  summary: string;
  description: string;
  access: Access;
  /** Schema names (schemas/<name>.schema.json). */
  params?: string;
  querystring?: string;
  body?: string;
  /**
   * Besides its JSON body, the operation takes the same request as a spreadsheet of one of
   * `mediaTypes`, with what the JSON body carries beside its lines in `querystring` (a schema).
   */
  fileBody?: { mediaTypes: readonly FileMediaType[]; querystring: string };
  /** The operation honours an `Idempotency-Key` header. */
  idempotencyKey: boolean;
  success: {
    status: 200 | 201;
    description: string;
    body: SuccessBody;
    /** Response headers worth documenting (name → description); their values are strings. */
    headers?: Readonly<Record<string, string>>;
  };
  /** Problem statuses besides the ones every route of its kind can answer. */
  problems: readonly number[];
  /** A valid request body, shown in the docs and used by the auth walk test. */
  example?: unknown;
}

/** A keyed operation's access, from the one map of roles per operation (src/domain/roles.ts). */
function key(operation: KeyedOperation): Access {
  return { kind: 'key', roles: OPERATION_ROLES[operation], ownPartnerInBody: OWN_PARTNER_OPERATIONS.has(operation) };
}
const SPREADSHEETS: readonly FileMediaType[] = ['text/csv', XLSX_TYPE];
const FY = '/v1/funds/{fundId}/years/{year}';

const TERMS_EXAMPLE = exampleATerms();

export const ROUTES = [
  {
    operationId: 'openFundYear', method: 'post', path: FY, tag: 'fund-years',
    summary: 'Open a fund-year',
    description: 'Declares the fund-year, its partners in order (the order breaks every tie) and its strategies. Opening it again: 409.',
    access: key('openFundYear'), params: 'fund-year-params', body: 'open-fund-year-request', idempotencyKey: true,
    success: { status: 201, description: 'Opened.', body: { kind: 'json', schema: 'open-fund-year-response' } },
    problems: [409, 422],
    example: {
      name: 'Plymouth Integrated Fund 2015/16',
      partners: [{ partnerId: 'ccg', name: 'NEW Devon CCG' }, { partnerId: 'council', name: 'Plymouth City Council' }],
      strategies: [{ strategyId: 'wellbeing', name: 'Wellbeing' }, { strategyId: 'community', name: 'Community' }],
    },
  },
  {
    operationId: 'getMe', method: 'get', path: '/v1/me', tag: 'fund-years',
    summary: 'The calling key',
    description: "The caller's key: its name, role, partner (partner keys only) and funds. The web app uses it to show only what the key may do; every operation still enforces its own rule.",
    access: key('getMe'), idempotencyKey: false,
    success: { status: 200, description: 'The key.', body: { kind: 'json', schema: 'me' } },
    problems: [],
  },
  {
    operationId: 'listFunds', method: 'get', path: '/v1/funds', tag: 'fund-years',
    summary: 'List fund-years',
    description: 'Fund-years visible to the caller (its key\'s funds), with summary positions, one page at a time in order of fund id then year: at most `limit` (default 100, maximum 1000) after the fund-year `after`. While more follow, the answer has a `Link: <…>; rel="next"` header with the next page\'s URL. Never a shorter list: the summary first catches up with the log as it stands at the request; if it cannot within 5 s, 503 `summary-catching-up`.',
    access: key('listFunds'), querystring: 'funds-query', idempotencyKey: false,
    success: {
      status: 200, description: 'A page of fund-years.', body: { kind: 'json', schema: 'fund-summary-list' },
      headers: { Link: 'Present while more fund-years follow: `</v1/funds?limit=…&after=…>; rel="next"` (RFC 8288).' },
    },
    problems: [503],
  },
  {
    operationId: 'setBudget', method: 'put', path: `${FY}/budget`, tag: 'budget',
    summary: 'Set the whole budget',
    description: 'Replaces the budget. After the first monthly return a `reason` is required and the change is recorded as a variation.',
    access: key('setBudget'), params: 'fund-year-params', body: 'set-budget-request', idempotencyKey: true,
    success: { status: 200, description: 'Recorded.', body: { kind: 'json', schema: 'command-result' } },
    problems: [409, 422],
    example: { lines: exampleABudget() },
  },
  {
    operationId: 'proposeAgreement', method: 'post', path: `${FY}/agreements`, tag: 'agreements',
    summary: 'Propose risk-share terms',
    description: 'Proposes a new agreement version (SETTLEMENT.md). It is adopted once every partner has accepted it.',
    access: key('proposeAgreement'), params: 'fund-year-params', body: 'propose-agreement-request', idempotencyKey: true,
    success: { status: 201, description: 'Proposed.', body: { kind: 'json', schema: 'propose-agreement-response' } },
    problems: [409, 422],
    example: { terms: TERMS_EXAMPLE },
  },
  {
    operationId: 'acceptAgreement', method: 'post', path: `${FY}/agreements/{version}/acceptances`, tag: 'agreements',
    summary: "Accept an agreement version for the caller's partner",
    description: "Records the caller's partner's acceptance; the version is adopted when every partner has accepted it. No request body.",
    access: key('acceptAgreement'), params: 'agreement-params', idempotencyKey: true,
    success: { status: 200, description: 'Accepted.', body: { kind: 'json', schema: 'accept-agreement-response' } },
    problems: [409, 422],
  },
  {
    operationId: 'listAgreements', method: 'get', path: `${FY}/agreements`, tag: 'agreements',
    summary: 'List agreement versions',
    description: 'Every version, who accepted it, and which is adopted.',
    access: key('listAgreements'), params: 'fund-year-params', idempotencyKey: false,
    success: { status: 200, description: 'The agreement versions.', body: { kind: 'json', schema: 'agreements-view' } },
    problems: [],
  },
  {
    operationId: 'proposeDecision', method: 'post', path: `${FY}/decisions`, tag: 'agreements',
    summary: 'Propose a board decision',
    description: 'Proposes who bears an amount the caps left unallocated in one pot and direction (docs/engine.md). Needs an adopted agreement with that pot; adopted once every partner has accepted it.',
    access: key('proposeDecision'), params: 'fund-year-params', body: 'decision', idempotencyKey: true,
    success: { status: 201, description: 'Proposed.', body: { kind: 'json', schema: 'propose-agreement-response' } },
    problems: [409, 422],
    example: { potId: 'community', direction: 'overspend', allocate: { basis: 'contribution' }, reference: 'Joint Commissioning Board, minute 7' },
  },
  {
    operationId: 'acceptDecision', method: 'post', path: `${FY}/decisions/{version}/acceptances`, tag: 'agreements',
    summary: "Accept a decision for the caller's partner",
    description: "Records the caller's partner's acceptance; the decision is adopted when every partner has accepted it. No request body.",
    access: key('acceptDecision'), params: 'agreement-params', idempotencyKey: true,
    success: { status: 200, description: 'Accepted.', body: { kind: 'json', schema: 'accept-decision-response' } },
    problems: [409, 422],
  },
  {
    operationId: 'listDecisions', method: 'get', path: `${FY}/decisions`, tag: 'agreements',
    summary: 'List decisions',
    description: 'Every decision version, who accepted it, and which are adopted.',
    access: key('listDecisions'), params: 'fund-year-params', idempotencyKey: false,
    success: { status: 200, description: 'The decisions.', body: { kind: 'json', schema: 'decisions-view' } },
    problems: [],
  },
  {
    operationId: 'bringReserveForward', method: 'post', path: `${FY}/brought-forward`, tag: 'settlements',
    summary: "Bring the previous year's reserve forward",
    description: "Records the carried-forward reserve of the previous fund-year's approved, not superseded final settlement as this year's opening balance. A second needs `correction: true`; the latest is in force.",
    access: key('bringReserveForward'), params: 'fund-year-params', body: 'brought-forward-request', idempotencyKey: true,
    success: { status: 201, description: 'Brought forward.', body: { kind: 'json', schema: 'brought-forward-response' } },
    problems: [409, 422],
    example: { fromYear: '2015-16' },
  },
  {
    operationId: 'submitReturn', method: 'post', path: `${FY}/returns`, tag: 'returns',
    summary: 'Submit a monthly return',
    description: "One partner's figures for one period, covering each of its budget lines once. A second return for the same period must say `correction: true` (otherwise 409). The same `Idempotency-Key` with the same body replays the first answer; with another body: 422.\n\nThe same return may be sent as a spreadsheet (`text/csv`, or an XLSX workbook: its first sheet), with `partnerId`, `period` and `correction` as query parameters: a heading row naming the columns `strategyId, arrangement, actualToDate, forecastOutturn, commentary`, then a row per line. Amounts `1234.50`, `1,234.50` or `£1,234.50`, or number cells holding whole pence. Any other cell, a missing or repeated line or an unknown column: 400 whose `errors[].path` names the row and column (`/rows/3/actualToDate`). At most 1 MiB (CSV) or 2 MiB (XLSX) and 1,000 rows. The same rules, Idempotency-Key behaviour (over the file's bytes and the query) and answer as the JSON form.",
    access: key('submitReturn'), params: 'fund-year-params', body: 'submit-return-request', idempotencyKey: true,
    fileBody: { mediaTypes: SPREADSHEETS, querystring: 'return-upload-query' },
    success: { status: 201, description: 'Recorded (or replayed).', body: { kind: 'json', schema: 'submit-return-response' } },
    problems: [409, 422],
    example: {
      partnerId: 'ccg', period: 'M12',
      lines: [
        { strategyId: 'wellbeing', arrangement: 'pooled', actualToDate: '640000.00', forecastOutturn: '640000.00' },
        { strategyId: 'community', arrangement: 'pooled', actualToDate: '1530000.00', forecastOutturn: '1530000.00' },
        { strategyId: 'community', arrangement: 'aligned', actualToDate: '310000.00', forecastOutturn: '310000.00' },
      ],
    },
  },
  {
    operationId: 'getPositions', method: 'get', path: `${FY}/positions`, tag: 'positions',
    summary: 'Positions',
    description: 'Budget, actual to date, forecast outturn and forecast variance per line, strategy, partner and for the fund, with the variance month by month; at the latest revision or at `asOfRevision`.',
    access: key('getPositions'), params: 'fund-year-params', querystring: 'positions-query', idempotencyKey: false,
    success: { status: 200, description: 'The positions.', body: { kind: 'json', schema: 'positions-view' } },
    problems: [],
  },
  {
    operationId: 'closeYear', method: 'post', path: `${FY}/close`, tag: 'close',
    summary: 'Close the year',
    description: 'Closes the year once every partner has an M12 return (otherwise 409 naming the partners). No request body.',
    access: key('closeYear'), params: 'fund-year-params', idempotencyKey: true,
    success: { status: 200, description: 'Closed.', body: { kind: 'json', schema: 'close-year-response' } },
    problems: [409],
  },
  {
    operationId: 'adjustOutturn', method: 'post', path: `${FY}/adjustments`, tag: 'close',
    summary: 'Adjust an outturn after close',
    description: "A post-close change to a line's outturn; `amount` is the signed change. An admin, or that partner's own key.",
    access: key('adjustOutturn'), params: 'fund-year-params', body: 'adjustment-request', idempotencyKey: true,
    success: { status: 201, description: 'Recorded.', body: { kind: 'json', schema: 'adjustment-response' } },
    problems: [409, 422],
    example: { partnerId: 'ccg', strategyId: 'community', arrangement: 'pooled', amount: '-2500.00', reason: 'Late credit note from provider' },
  },
  {
    operationId: 'calculateSettlement', method: 'post', path: `${FY}/settlements`, tag: 'settlements',
    summary: 'Calculate a settlement',
    description: '`final` needs a closed year; both modes need an adopted agreement. `asOfRevision` defaults to the latest revision.',
    access: key('calculateSettlement'), params: 'fund-year-params', body: 'calculate-settlement-request', idempotencyKey: true,
    success: { status: 201, description: 'The settlement.', body: { kind: 'json', schema: 'settlement' } },
    problems: [409, 422],
    example: { mode: 'final' },
  },
  {
    operationId: 'listSettlements', method: 'get', path: `${FY}/settlements`, tag: 'settlements',
    summary: 'List settlements',
    description: 'Newest first; an older final settlement is `superseded`.',
    access: key('listSettlements'), params: 'fund-year-params', idempotencyKey: false,
    success: { status: 200, description: 'The settlements.', body: { kind: 'json', schema: 'settlement-list' } },
    problems: [],
  },
  {
    operationId: 'getSettlement', method: 'get', path: `${FY}/settlements/{settlementId}`, tag: 'settlements',
    summary: 'Get a settlement',
    description: 'One settlement.',
    access: key('getSettlement'), params: 'settlement-params', idempotencyKey: false,
    success: { status: 200, description: 'The settlement.', body: { kind: 'json', schema: 'settlement' } },
    problems: [],
  },
  {
    operationId: 'verifySettlement', method: 'get', path: `${FY}/settlements/{settlementId}/verification`, tag: 'settlements',
    summary: 'Verify a settlement',
    description: 'Recomputes the settlement from the log at its `asOfRevision`, hashes its stored body, and checks the hash chain up to the settlement (docs/integrity.md); says which check failed.',
    access: key('verifySettlement'), params: 'settlement-params', idempotencyKey: false,
    success: { status: 200, description: 'The verification.', body: { kind: 'json', schema: 'verification-view' } },
    problems: [422],
  },
  {
    operationId: 'approveSettlement', method: 'post', path: `${FY}/settlements/{settlementId}/approvals`, tag: 'settlements',
    summary: "Approve a settlement for the caller's partner",
    description: "Records the caller's partner's approval; the settlement is `approved` when every partner has. Refused while `requiresDecision`. No request body.",
    access: key('approveSettlement'), params: 'settlement-params', idempotencyKey: true,
    success: { status: 200, description: 'Approved.', body: { kind: 'json', schema: 'approve-settlement-response' } },
    problems: [409, 422],
  },
  {
    operationId: 'getSettlementStatement', method: 'get', path: `${FY}/settlements/{settlementId}/statement.csv`, tag: 'settlements',
    summary: 'Settlement statement (CSV)',
    description: 'The settlement as a CSV statement a finance team can file.',
    access: key('getSettlementStatement'), params: 'settlement-params', idempotencyKey: false,
    success: { status: 200, description: 'The statement.', body: { kind: 'csv' } },
    problems: [],
  },
  {
    operationId: 'listEvents', method: 'get', path: `${FY}/events`, tag: 'audit',
    summary: 'Audit trail',
    description: "The fund-year's events with their metadata, from `fromRevision` (default 0), at most `limit` (default and maximum 1000).",
    access: key('listEvents'), params: 'fund-year-params', querystring: 'events-query', idempotencyKey: false,
    success: { status: 200, description: 'The events.', body: { kind: 'json', schema: 'audit-event-list' } },
    problems: [],
  },
  {
    operationId: 'getIntegrity', method: 'get', path: `${FY}/integrity`, tag: 'audit',
    summary: "Check the log's hash chain",
    description: "Walks the fund-year's hash chain from revision 0 to its last event as stored and says where it first breaks (docs/integrity.md). Reads in pages; bounded by the fund-year's event limit.",
    access: key('getIntegrity'), params: 'fund-year-params', idempotencyKey: false,
    success: { status: 200, description: 'The chain.', body: { kind: 'json', schema: 'integrity-view' } },
    problems: [],
  },
  {
    operationId: 'changeSettings', method: 'put', path: `${FY}/settings`, tag: 'monitoring',
    summary: 'Set the RAG thresholds',
    description: 'The red / amber / green thresholds of the monitoring pack, in per cent of budget (default 2 and 5; 0 ≤ amber < red ≤ 100, else 422). Recorded as an event: a pack at an earlier revision uses the thresholds then in force.',
    access: key('changeSettings'), params: 'fund-year-params', body: 'settings-request', idempotencyKey: true,
    success: { status: 200, description: 'Recorded.', body: { kind: 'json', schema: 'settings-response' } },
    problems: [409, 422],
    example: { rag: { amberPercent: '2', redPercent: '5' } },
  },
  {
    operationId: 'getMonitoring', method: 'get', path: `${FY}/monitoring`, tag: 'monitoring',
    summary: 'The monthly monitoring pack',
    description: "Lines, strategies, partners, arrangements and fund: original and latest budget, budget to date, actual to date, variance to date, previous and latest forecast outturn, movement, forecast variance in £ and %, RAG and commentary; and the forecast settlement \"if the year ended at the period\" (null without an adopted agreement). At `period` (default: the latest any partner has returned, M1 if none) and `asOfRevision` (default: the latest): the same pair always gives the same figures. Where the engine refuses the terms on these figures, 422 with its problem, as a forecast settlement request would get.",
    access: key('getMonitoring'), params: 'fund-year-params', querystring: 'monitoring-query', idempotencyKey: false,
    success: { status: 200, description: 'The pack.', body: { kind: 'json', schema: 'monitoring-pack' } },
    problems: [422],
  },
  {
    operationId: 'getMonitoringCsv', method: 'get', path: `${FY}/monitoring.csv`, tag: 'monitoring',
    summary: 'The monitoring pack as CSV',
    description: 'The same pack as one CSV table: a row per line and per total, with a `level` column (`line`, `strategy`, `partner`, `arrangement`, `fund`) and the fund, year, period and revision on every row.',
    access: key('getMonitoringCsv'), params: 'fund-year-params', querystring: 'monitoring-query', idempotencyKey: false,
    success: { status: 200, description: 'The pack (an attachment).', body: { kind: 'file', mediaTypes: ['text/csv'] } },
    problems: [422],
  },
  {
    operationId: 'getMonitoringXlsx', method: 'get', path: `${FY}/monitoring.xlsx`, tag: 'monitoring',
    summary: 'The monitoring pack as an XLSX workbook',
    description: 'The same pack as a workbook: a sheet per level and one for the forecast settlement, a title row (fund, year, period, revision, thresholds), amounts as number cells formatted `#,##0.00`, RAG cells coloured.',
    access: key('getMonitoringXlsx'), params: 'fund-year-params', querystring: 'monitoring-query', idempotencyKey: false,
    success: { status: 200, description: 'The workbook (an attachment).', body: { kind: 'file', mediaTypes: [XLSX_TYPE] } },
    problems: [422],
  },
  {
    operationId: 'getReturnTemplate', method: 'get', path: `${FY}/returns/template`, tag: 'returns',
    summary: 'A return to fill in',
    description: "The partner's budget lines in force as a CSV file or an XLSX workbook with the upload's columns, pre-filled with its latest figures up to the period (commentary only from a return for that period). Fill it in and send it back to `POST …/returns`. A partner key may ask only for its own partner.",
    access: key('getReturnTemplate'), params: 'fund-year-params', querystring: 'return-template-query', idempotencyKey: false,
    success: { status: 200, description: 'The template (an attachment).', body: { kind: 'file', mediaTypes: SPREADSHEETS } },
    problems: [409],
  },
  {
    operationId: 'getOpenApi', method: 'get', path: '/openapi.json', tag: 'meta',
    summary: 'This OpenAPI document',
    description: 'The OpenAPI 3.1 document; `GET /docs` renders it (served locally).',
    access: { kind: 'public' }, idempotencyKey: false,
    success: { status: 200, description: 'The document.', body: { kind: 'json', schema: 'openapi-document' } },
    problems: [],
  },
  {
    operationId: 'getWebApp', method: 'get', path: '/', tag: 'meta',
    summary: 'The web app',
    description: 'The web app for finance teams (served from this server; it calls this same API with the user\'s key). Any other GET of a page path that accepts text/html gets the same page (its router picks the view). 503 `web-app-not-built` when its assets were not built (`npm run build`).',
    access: { kind: 'public' }, idempotencyKey: false,
    success: { status: 200, description: 'The page.', body: { kind: 'html' } },
    problems: [503],
  },
  {
    operationId: 'getHealth', method: 'get', path: '/healthz', tag: 'meta',
    summary: 'Liveness', description: 'The process is up.',
    access: { kind: 'public' }, idempotencyKey: false,
    success: { status: 200, description: 'Alive.', body: { kind: 'json', schema: 'health' } },
    problems: [],
  },
  {
    operationId: 'getReadiness', method: 'get', path: '/readyz', tag: 'meta',
    summary: 'Readiness', description: 'The store is reachable and the fund summary has caught up with the log as it stood at start; otherwise 503 (`store-unavailable`, `summary-catching-up`, `summary-failed`).',
    access: { kind: 'public' }, idempotencyKey: false,
    success: { status: 200, description: 'Ready.', body: { kind: 'json', schema: 'health' } },
    problems: [503],
  },
] as const satisfies readonly RouteSpec[];

export type RouteTable = typeof ROUTES;
export type OperationId = RouteTable[number]['operationId'];
export type RouteOf<Op extends OperationId> = Extract<RouteTable[number], { operationId: Op }>;

export function routeSpec<Op extends OperationId>(operationId: Op): RouteOf<Op> {
  const spec = ROUTES.find((route) => route.operationId === operationId);
  if (spec === undefined) throw new Error(`no route ${operationId}`);
  return spec as RouteOf<Op>;
}

/** `/v1/funds/{fundId}` → `/v1/funds/:fundId`. */
export function fastifyUrl(openApiPath: string): string {
  return openApiPath.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
}
