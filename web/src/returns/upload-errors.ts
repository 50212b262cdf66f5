// Where a spreadsheet upload's refusal belongs: `errors[].path` is `/rows/<n>/<column>`,
// n the file's line (1 is the heading row) or the sheet's row; `/rows` alone is a line
// missing from the file; `querystring/<name>` a field of the query. Import-free for the Node tests.
import type { FieldProblem } from './errors.js';

export interface RowProblem {
  /** The file's row (1 = headings), or null for the file as a whole. */
  row: number | null;
  /** The column named (a heading such as actualToDate, or a column letter), or null for the row as a whole. */
  column: string | null;
  message: string;
  path: string;
}

const ROW_RE = /^\/rows(?:\/(\d+)(?:\/(.+))?)?$/;

export function placeUploadErrors(errors: readonly FieldProblem[]): RowProblem[] {
  return errors.map((error) => {
    const match = ROW_RE.exec(error.path);
    if (match === null) return { row: null, column: null, message: error.message, path: error.path };
    return { row: match[1] === undefined ? null : Number(match[1]), column: match[2] ?? null, message: error.message, path: error.path };
  });
}

/**
 * The cells of a CSV's rows by line number, to show a refused row as it was sent.
 * A simple reading (quotes honoured within a line); a value over several lines is shown cut.
 */
export function csvRows(text: string): Map<number, string[]> {
  const rows = new Map<number, string[]>();
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((line, i) => rows.set(i + 1, splitCsvLine(line)));
  return rows;
}

function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i];
    if (quoted && ch === '"' && line[i + 1] === '"') { cell += '"'; i += 1; }
    else if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) { cells.push(cell); cell = ''; }
    else cell += ch;
  }
  cells.push(cell);
  return cells;
}
