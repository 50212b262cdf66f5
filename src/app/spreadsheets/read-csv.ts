// A return uploaded as CSV: UTF-8 (a byte-order mark is allowed, as Excel writes one),
// comma-separated, quoted as RFC 4180. Rows are numbered by the file's line where they start.
import { parse } from 'csv-parse/sync';
import { CsvError } from 'csv-parse';
import type { GridRow } from './grid.js';
import { UPLOAD_COLUMNS_MAX, UPLOAD_CSV_BYTES_MAX, UPLOAD_ROWS_SCANNED_MAX } from './limits.js';
import { readReturnGrid, refuse, type ReadResult } from './read-return.js';

export function readReturnCsv(bytes: Uint8Array): ReadResult {
  if (bytes.byteLength > UPLOAD_CSV_BYTES_MAX) return refuse('/rows', `the file is larger than ${UPLOAD_CSV_BYTES_MAX} bytes`);
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return refuse('/rows', 'the file is not UTF-8 text: save it as "CSV UTF-8"');
  }
  const grid = csvGrid(bytes);
  return Array.isArray(grid) ? readReturnGrid(grid) : grid;
}

function csvGrid(bytes: Uint8Array): GridRow[] | ReadResult {
  let records: { record: string[]; info: { bytes: number } }[];
  try {
    // Blank lines are kept as records so that every line of the file is counted.
    const options = { bom: true, info: true, relax_column_count: true, skip_empty_lines: false } as const;
    records = parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), options) as unknown as typeof records;
  } catch (error) {
    if (error instanceof CsvError) return refuse(`/rows/${String(error.lines ?? 1)}`, `not readable as CSV: ${error.message}`);
    throw error;
  }
  const grid: GridRow[] = [];
  let line = 1;
  let offset = 0;
  for (const { record, info } of records) {
    const row = line;
    // The parser's own line count takes a CR LF inside quotes for two lines: count here.
    line += lineBreaks(bytes, offset, info.bytes);
    offset = info.bytes;
    if (row > UPLOAD_ROWS_SCANNED_MAX) return refuse(`/rows/${row}`, `a return file has at most ${UPLOAD_ROWS_SCANNED_MAX} rows`);
    if (record.length > UPLOAD_COLUMNS_MAX) return refuse(`/rows/${row}`, `a return file has at most ${UPLOAD_COLUMNS_MAX} columns`);
    grid.push({ row, cells: record.map((text) => (text === '' ? { kind: 'empty' } : { kind: 'text', text })) });
  }
  return grid;
}

const CR = 0x0d;
const LF = 0x0a;

/** Line breaks in bytes[from, to): CR LF, CR and LF each count once. */
function lineBreaks(bytes: Uint8Array, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i += 1) {
    if (bytes[i] === LF || (bytes[i] === CR && bytes[i + 1] !== LF)) count += 1;
  }
  return count;
}
