// A spreadsheet upload as the service takes it: the file's bytes and media type in, the
// return's lines out, or a 400 problem naming each refused row and column.
import { DomainError } from '../../domain/errors.js';
import { readReturnCsv } from './read-csv.js';
import { readReturnXlsx } from './read-xlsx.js';
import type { ReadResult, UploadedReturn } from './read-return.js';

export const CSV_MEDIA_TYPE = 'text/csv';
export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export type SpreadsheetFormat = 'csv' | 'xlsx';

export async function readReturnUpload(bytes: Uint8Array, format: SpreadsheetFormat): Promise<ReadResult> {
  return format === 'csv' ? readReturnCsv(bytes) : readReturnXlsx(bytes);
}

/** Throws 400 `spreadsheet-invalid` with every error (`/rows/<n>/<column>`), or gives the lines. */
export async function parseReturnUpload(bytes: Uint8Array, format: SpreadsheetFormat): Promise<UploadedReturn> {
  const result = await readReturnUpload(bytes, format);
  if (!result.ok) {
    throw new DomainError('bad-request', 'spreadsheet-invalid', `The ${format.toUpperCase()} return cannot be read: ${result.errors.length} problem(s), each naming its row and column.`, result.errors);
  }
  return result.value;
}

/**
 * Maps the decider's errors on the JSON form (`/lines/<i>/…`) to the file's rows
 * (`/rows/<n>/…`), so that a line the budget does not have names its row.
 */
export function pathsToRows(errors: readonly { path: string; message: string }[], rows: readonly number[]): { path: string; message: string }[] {
  return errors.map((e) => {
    const match = /^\/lines\/([0-9]+)(\/.*)?$/.exec(e.path);
    const row = match ? rows[Number(match[1])] : undefined;
    return row === undefined ? e : { path: `/rows/${row}${match?.[2] ?? ''}`, message: e.message };
  });
}
