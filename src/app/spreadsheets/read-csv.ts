// A return uploaded as CSV: UTF-8 (a byte-order mark is allowed, as Excel writes one),
// comma-separated, quoted as RFC 4180. Rows are numbered by the file's line where they start.
import { parse } from 'csv-parse/sync';
import { CsvError } from 'csv-parse';
import type { GridRow } from './grid.js';
import { UPLOAD_COLUMNS_MAX, UPLOAD_CSV_BYTES_MAX, UPLOAD_ROWS_SCANNED_MAX } from './limits.js';
import { readReturnGrid, refuse, type ReadResult } from './read-return.js';

export function readReturnCsv(bytes: Uint8Array): ReadResult {
  if (bytes.byteLength > UPLOAD_CSV_BYTES_MAX) return refuse('/rows', `the file is larger than ${UPLOAD_CSV_BYTES_MAX} bytes`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return refuse('/rows', 'the file is not UTF-8 text: save it as "CSV UTF-8"');
  }
  const grid = csvGrid(text);
  return Array.isArray(grid) ? readReturnGrid(grid) : grid;
}

function csvGrid(text: string): GridRow[] | ReadResult {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // Blank lines are kept as records so that every line of the file is counted.
    records = parse(text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: false, to_line: UPLOAD_ROWS_SCANNED_MAX + 1 }) as unknown as typeof records;
  } catch (error) {
    if (error instanceof CsvError) return refuse(`/rows/${String(error.lines ?? 1)}`, `not readable as CSV: ${error.message}`);
    throw error;
  }
  const grid: GridRow[] = [];
  let previousEnd = 0;
  for (const { record, info } of records) {
    const row = previousEnd + 1;
    previousEnd = info.lines;
    if (row > UPLOAD_ROWS_SCANNED_MAX) return refuse(`/rows/${row}`, `a return file has at most ${UPLOAD_ROWS_SCANNED_MAX} rows`);
    if (record.length > UPLOAD_COLUMNS_MAX) return refuse(`/rows/${row}`, `a return file has at most ${UPLOAD_COLUMNS_MAX} columns`);
    grid.push({ row, cells: record.map((text) => (text === '' ? { kind: 'empty' } : { kind: 'text', text })) });
  }
  return grid;
}
