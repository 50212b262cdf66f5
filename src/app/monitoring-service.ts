// The service's monitoring operations (MONITORING.md, API.md "Additions"): the RAG settings,
// the monitoring pack as JSON, CSV and XLSX, the return template, and a monthly return sent as
// a spreadsheet. Reads fold the log up to the pack's revision; the upload becomes the JSON
// form's command, so it meets the same rules, the same Idempotency-Key handling and gives the
// same answer.
import { createHash } from 'node:crypto';
import { DomainError, type FieldError } from '../domain/errors.js';
import { isPeriod, requireRevision, type ExistingFundYear, type Period } from '../domain/fundyear/index.js';
import { requireOwnPartner } from '../domain/fundyear/access.js';
import { monitoringPack, returnTemplateOf, type MonitoringPack } from '../domain/monitoring/index.js';
import {
  CSV_MEDIA_TYPE,
  monitoringPackCsv,
  monitoringPackXlsx,
  parseReturnUpload,
  pathsToRows,
  returnTemplateCsv,
  returnTemplateXlsx,
  XLSX_MEDIA_TYPE,
} from './spreadsheets/index.js';
import { actorOf } from './access.js';
import type { CommandSpec } from './command-runner.js';
import { submitReturnSpec } from './return-command.js';
import type * as T from './service-types.js';

/** What the monitoring operations need of the service: its reads, its command runner, its ids. */
export interface MonitoringPorts {
  read(ctx: T.RequestContext, ref: T.FundYearRef): Promise<{ fy: ExistingFundYear; at: (revision: number) => Promise<ExistingFundYear> }>;
  run<A>(ctx: T.RequestContext, ref: T.FundYearRef, spec: CommandSpec<A>): Promise<A>;
  newId(): string;
}

const MEDIA_TYPES: Record<T.FileFormat, string> = { csv: `${CSV_MEDIA_TYPE}; charset=utf-8`, xlsx: XLSX_MEDIA_TYPE };

export function changeSettings(ports: MonitoringPorts, ctx: T.RequestContext, ref: T.FundYearRef, body: T.SettingsBody): Promise<T.CommandResult & T.SettingsBody> {
  return ports.run(ctx, ref, {
    operation: 'changeSettings', request: { ref, body }, onBehalfOf: null,
    command: () => ({ type: 'ChangeSettings', actor: actorOf(ctx.principal), data: { rag: body.rag } }),
    answer: (_after, events, revision) => {
      const changed = events.find((e) => e.type === 'SettingsChanged');
      if (changed?.type !== 'SettingsChanged') throw new Error('settings answered without a SettingsChanged event');
      return { revision, rag: changed.data.rag };
    },
  });
}

function periodOf(text: string | undefined, path: string): Period | undefined {
  if (text === undefined) return undefined;
  if (!isPeriod(text)) throw new DomainError('bad-request', 'invalid-period', 'period must be M1 (April) to M12 (March)', [{ path, message: 'must be M1 to M12' }]);
  return text;
}

/** MONITORING.md §5: the fund-year folded to the revision, at the period (default: the latest returned). */
export async function monitoring(ports: MonitoringPorts, ctx: T.RequestContext, ref: T.FundYearRef, query: T.MonitoringQuery): Promise<MonitoringPack> {
  const { fy, at } = await ports.read(ctx, ref);
  const period = periodOf(query.period, 'querystring/period');
  const state = query.asOfRevision === undefined ? fy : await at(requireRevision(fy, query.asOfRevision, 'querystring/asOfRevision'));
  return monitoringPack(state, period);
}

export async function monitoringFile(ports: MonitoringPorts, ctx: T.RequestContext, ref: T.FundYearRef, query: T.MonitoringQuery, format: T.FileFormat): Promise<T.DownloadFile> {
  const pack = await monitoring(ports, ctx, ref, query);
  const fileName = `${pack.fundId}-${pack.year}-monitoring-${pack.period}-r${pack.asOfRevision}.${format}`;
  const body = format === 'csv' ? monitoringPackCsv(pack) : await monitoringPackXlsx(pack);
  return { fileName, mediaType: MEDIA_TYPES[format], body };
}

/** The partner's budget lines in force, pre-filled (that partner's key, or an admin's). */
export async function returnTemplate(ports: MonitoringPorts, ctx: T.RequestContext, ref: T.FundYearRef, query: T.ReturnTemplateQuery): Promise<T.DownloadFile> {
  requireOwnPartner(actorOf(ctx.principal), query.partnerId, 'querystring/partnerId');
  const { fy } = await ports.read(ctx, ref);
  const period = periodOf(query.period, 'querystring/period') as Period;
  if (!fy.partners.some((p) => p.partnerId === query.partnerId)) {
    throw new DomainError('bad-request', 'unknown-partner', `${JSON.stringify(query.partnerId)} is not a partner declared in this fund-year`, [
      { path: 'querystring/partnerId', message: 'must be a declared partner' },
    ]);
  }
  if (fy.budget === null) throw new DomainError('conflict', 'budget-not-set', 'no budget has been set: a return has no lines to cover');
  const template = { fundId: fy.fundId, year: fy.year, partnerId: query.partnerId, period, lines: returnTemplateOf(fy, query.partnerId, period) };
  const fileName = `${fy.fundId}-${fy.year}-return-${query.partnerId}-${period}.${query.format}`;
  const body = query.format === 'csv' ? returnTemplateCsv(template) : await returnTemplateXlsx(template);
  return { fileName, mediaType: MEDIA_TYPES[query.format], body };
}

/**
 * A return as a spreadsheet: read the file (400 naming each bad row and column), then the JSON
 * form's command. Two uploads are the same request when their query and bytes are (the
 * Idempotency-Key's hash is over the file's SHA-256, its format and the query).
 */
export async function submitReturnFile(ports: MonitoringPorts, ctx: T.RequestContext, ref: T.FundYearRef, upload: T.ReturnUpload): Promise<T.CommandResult & { returnId: string }> {
  const read = await parseReturnUpload(upload.bytes, upload.format);
  const lines = read.lines.map((l) => ({ ...l }));
  const body: T.SubmitReturnBody = { partnerId: upload.partnerId, period: upload.period, lines, ...(upload.correction === undefined ? {} : { correction: upload.correction }) };
  const file = { format: upload.format, sha256: createHash('sha256').update(upload.bytes).digest('hex') };
  const query = { partnerId: upload.partnerId, period: upload.period, correction: upload.correction ?? null };
  try {
    return await ports.run(ctx, ref, submitReturnSpec(ctx, body, { ref, upload: { query, file } }, ports.newId));
  } catch (error) {
    throw error instanceof DomainError ? inFileTerms(error, read.rows) : error;
  }
}

/** The JSON form's paths in the file's terms: a line is its row, the other fields are query parameters. */
function inFileTerms(error: DomainError, rows: readonly number[]): DomainError {
  const mapped = pathsToRows(error.errors, rows).map((e): FieldError => {
    if (e.path === '/lines') return { path: '/rows', message: e.message };
    if (/^\/(partnerId|period|correction)$/.test(e.path)) return { path: `querystring${e.path}`, message: e.message };
    return e;
  });
  let detail = error.message;
  error.errors.forEach((e, i) => {
    const to = mapped[i];
    if (to !== undefined && to.path !== e.path) detail = detail.replace(`${e.path}: `, `${to.path}: `);
  });
  return new DomainError(error.kind, error.code, detail, mapped);
}
