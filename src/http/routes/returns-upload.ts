// A monthly return sent as a spreadsheet (API.md "Additions"): a body parser per media type,
// each with its own size bound, registered only where uploads are taken (Fastify keeps parsers
// to the plugin that adds them, so every other route still answers 415 to anything but JSON);
// and the upload's query, checked against its schema before the file is read.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FileFormat, ReturnUpload } from '../../app/service-types.js';
import { UPLOAD_CSV_BYTES_MAX, UPLOAD_XLSX_BYTES_MAX } from '../../app/spreadsheets/limits.js';
import { requireOwnPartner } from '../../domain/roles.js';
import { makeProblem, ProblemError, validationErrors } from '../problem.js';
import { XLSX_TYPE } from '../route-table.js';
import { schemaRef } from '../schemas.js';

const FORMATS: ReadonlyMap<string, FileFormat> = new Map([['text/csv', 'csv'], [XLSX_TYPE, 'xlsx']]);
const CHARSET_RE = /;\s*charset\s*=\s*"?([^";\s]*)"?/i;

/** Raw bytes for `text/csv` (UTF-8 only: the reader checks the bytes) and for XLSX, each bounded. */
export function registerSpreadsheetParsers(app: FastifyInstance): void {
  app.addContentTypeParser('text/csv', { parseAs: 'buffer', bodyLimit: UPLOAD_CSV_BYTES_MAX }, (request, body, done) => {
    const charset = CHARSET_RE.exec(request.headers['content-type'] ?? '')?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      done(new ProblemError(makeProblem(415, 'unsupported-media-type', 'A CSV return must be UTF-8 ("CSV UTF-8" in Excel).')), undefined);
      return;
    }
    done(null, body);
  });
  app.addContentTypeParser(XLSX_TYPE, { parseAs: 'buffer', bodyLimit: UPLOAD_XLSX_BYTES_MAX }, (_request, body, done) => done(null, body));
}

/** The upload a request carries, or undefined for the JSON form (which takes no query parameters). */
export function spreadsheetUpload(request: FastifyRequest): ReturnUpload | undefined {
  const query = (request.query ?? {}) as Record<string, string | undefined>;
  if (!Buffer.isBuffer(request.body)) {
    const extra = Object.keys(query);
    if (extra.length > 0) {
      throw invalidQuery('A JSON return carries its partner, period and correction in the body, not in the query.', extra.map((name) => ({ path: `querystring/${name}`, message: 'is not allowed with a JSON body' })));
    }
    // The route's body schema is keyed by media type, so a request without one (no body at
    // all) reaches here unchecked: the JSON form is checked again, whatever its media type.
    const validate = request.compileValidationSchema(schemaRef('submit-return-request'), 'body');
    if (!validate(request.body)) {
      throw new ProblemError(makeProblem(400, 'validation', 'The body does not match its schema.', validationErrors(validate.errors ?? [], 'body')));
    }
    return undefined;
  }
  const validate = request.compileValidationSchema(schemaRef('return-upload-query'), 'querystring');
  if (!validate(query)) throw invalidQuery('The querystring does not match its schema.', validationErrors(validate.errors ?? [], 'querystring'));
  const { partnerId, period, correction } = query as { partnerId: string; period: string; correction?: 'true' | 'false' };
  // Before the file is read: a partner key sends only its own partner's return.
  if (request.principal !== null) requireOwnPartner(request.principal, partnerId, 'querystring/partnerId');
  const format = FORMATS.get(request.headers['content-type']?.split(';')[0]?.trim().toLowerCase() ?? '');
  if (format === undefined) throw new Error('a spreadsheet body without a spreadsheet parser');
  return { partnerId, period, format, bytes: request.body, ...(correction === undefined ? {} : { correction: correction === 'true' }) };
}

function invalidQuery(detail: string, errors: { path: string; message: string }[]): ProblemError {
  return new ProblemError(makeProblem(400, 'validation', detail, errors));
}
