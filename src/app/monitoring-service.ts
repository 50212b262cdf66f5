// The service's monitoring operations (MONITORING.md, API.md "Additions"): the RAG settings,
// the monitoring pack as JSON, CSV and XLSX, the return template, and a monthly return sent as
// a spreadsheet. Reads fold the log up to the pack's revision; the upload becomes the JSON
// form's command, so it meets the same rules, the same Idempotency-Key handling and gives the
// same answer.
import { createHash } from 'node:crypto';
import { DomainError, type FieldError } from '../domain/errors.js';
import { isPeriod, requireRevision, type FundYearEvent, type Period } from '../domain/fundyear/index.js';
import { monitoringPack, returnTemplateOf, type MonitoringPack } from '../domain/monitoring/index.js';
import { requireOwnPartner } from '../domain/roles.js';
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
import { runCommand } from './command-runner.js';
import { readFundYear, type ServiceCore } from './service-core.js';
import type * as T from './service-types.js';

export interface FundYearMonitoring {
  /** PUT …/settings: the RAG thresholds from this revision on (admin). */
  changeSettings(ctx: T.RequestContext, ref: T.FundYearRef, body: T.SettingsBody): Promise<T.CommandResult & T.SettingsBody>;
  /** The monitoring pack (MONITORING.md), any role. */
  monitoring(ctx: T.RequestContext, ref: T.FundYearRef, query: T.MonitoringQuery): Promise<MonitoringPack>;
  /** The same pack as a CSV or XLSX file. */
  monitoringFile(ctx: T.RequestContext, ref: T.FundYearRef, query: T.MonitoringQuery, format: T.FileFormat): Promise<T.DownloadFile>;
  /** A return to fill in: the partner's budget lines with its latest figures (that partner, admin). */
  returnTemplate(ctx: T.RequestContext, ref: T.FundYearRef, query: T.ReturnTemplateQuery): Promise<T.DownloadFile>;
  /** A monthly return sent as CSV or XLSX: the same rules, Idempotency-Key and answer as submitReturn. */
  submitReturnFile(ctx: T.RequestContext, ref: T.FundYearRef, upload: T.ReturnUpload): Promise<T.CommandResult & { returnId: string }>;
}

const MEDIA_TYPES: Record<T.FileFormat, string> = { csv: `${CSV_MEDIA_TYPE}; charset=utf-8`, xlsx: XLSX_MEDIA_TYPE };

function lastOf<E extends FundYearEvent['type']>(events: readonly FundYearEvent[], type: E): Extract<FundYearEvent, { type: E }> {
  const found = [...events].reverse().find((e) => e.type === type);
  if (!found) throw new Error(`command outcome without a ${type} event`);
  return found as Extract<FundYearEvent, { type: E }>;
}

function periodOf(text: string, path: string): Period {
  if (!isPeriod(text)) throw new DomainError('bad-request', 'invalid-period', 'period must be M1 (April) to M12 (March)', [{ path, message: 'must be M1 to M12' }]);
  return text;
}

export function fundYearMonitoring(core: ServiceCore): FundYearMonitoring {
  /** MONITORING.md §5: the fund-year folded to the revision, at the period (default: the latest returned). */
  const monitoring: FundYearMonitoring['monitoring'] = async (ctx, ref, query) => {
    const { fy, at } = await readFundYear(core, ctx, ref);
    const period = query.period === undefined ? undefined : periodOf(query.period, 'querystring/period');
    const state = query.asOfRevision === undefined ? fy : await at(requireRevision(fy, query.asOfRevision, 'querystring/asOfRevision'));
    return monitoringPack(state, period);
  };

  return {
    async changeSettings(ctx, ref, body) {
      const { revision, events } = await runCommand(core.runner, ctx, ref, { operation: 'changeSettings', request: { ref, body }, onBehalfOf: null },
        { type: 'ChangeSettings', actor: ctx.principal, data: { rag: body.rag } });
      return { revision, rag: lastOf(events, 'SettingsChanged').data.rag };
    },

    monitoring,

    async monitoringFile(ctx, ref, query, format) {
      const pack = await monitoring(ctx, ref, query);
      const fileName = `${pack.fundId}-${pack.year}-monitoring-${pack.period}-r${pack.asOfRevision}.${format}`;
      const body = format === 'csv' ? monitoringPackCsv(pack) : await monitoringPackXlsx(pack);
      return { fileName, mediaType: MEDIA_TYPES[format], body };
    },

    /** The partner's budget lines in force, pre-filled (that partner's key, or an admin's). */
    async returnTemplate(ctx, ref, query) {
      requireOwnPartner(ctx.principal, query.partnerId, 'querystring/partnerId');
      const { fy } = await readFundYear(core, ctx, ref);
      const period = periodOf(query.period, 'querystring/period');
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
    },

    /**
     * A return as a spreadsheet: read the file (400 naming each bad row and column), then the JSON
     * form's command. Two uploads are the same request when their query and bytes are (the
     * Idempotency-Key's hash is over the file's SHA-256, its format and the query); an upload and
     * its JSON twin are two requests.
     */
    async submitReturnFile(ctx, ref, upload) {
      const read = await parseReturnUpload(upload.bytes, upload.format);
      const lines = read.lines.map((l) => ({ ...l }));
      const body = { partnerId: upload.partnerId, period: upload.period, lines, ...(upload.correction === undefined ? {} : { correction: upload.correction }) };
      const file = { format: upload.format, sha256: createHash('sha256').update(upload.bytes).digest('hex') };
      const query = { partnerId: upload.partnerId, period: upload.period, correction: upload.correction ?? null };
      try {
        const { revision, events } = await runCommand(core.runner, ctx, ref, { operation: 'submitReturn', request: { ref, upload: { query, file } }, onBehalfOf: body.partnerId },
          { type: 'SubmitMonthlyReturn', actor: ctx.principal, data: { ...body, returnId: core.newId() } });
        return { revision, returnId: lastOf(events, 'MonthlyReturnSubmitted').data.returnId };
      } catch (error) {
        throw error instanceof DomainError ? inFileTerms(error, read.rows) : error;
      }
    },
  };
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
