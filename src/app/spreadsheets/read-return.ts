// A monthly return read from a spreadsheet grid (CSV or XLSX): a heading row naming the
// columns, then one row per line. Every refusal names the row (the file's line or the
// sheet's row) and the column, as `/rows/<n>/<column>`. Whether the lines are exactly the
// partner's budget lines is the decider's rule, checked later on the JSON form; `rows`
// maps each line back to its row so that those errors can name rows too.
import { returnLineLabel } from '../../domain/lines.js';
import type { FieldError } from '../../domain/errors.js';
import { isSlug } from '../../domain/fundyear/ids.js';
import type { Arrangement } from '../../domain/terms-types.js';
import { amountFromCell, textFromCell } from './cells.js';
import { columnLetter, EMPTY, isBlank, pointerToken, type Cell, type GridRow } from './grid.js';
import { COMMENTARY_LENGTH_MAX, RETURN_ROWS_MAX } from './limits.js';

export const RETURN_COLUMNS = ['strategyId', 'arrangement', 'actualToDate', 'forecastOutturn', 'commentary'] as const;
export type ReturnColumn = (typeof RETURN_COLUMNS)[number];
const REQUIRED_COLUMNS: readonly ReturnColumn[] = ['strategyId', 'arrangement', 'actualToDate', 'forecastOutturn'];

export interface UploadedReturnLine {
  strategyId: string;
  arrangement: Arrangement;
  actualToDate: string;
  forecastOutturn: string;
  commentary?: string;
}

export interface UploadedReturn {
  lines: UploadedReturnLine[];
  /** The row each line came from (same order as `lines`). */
  rows: number[];
}

export type ReadResult = { ok: true; value: UploadedReturn } | { ok: false; errors: FieldError[] };

export const refuse = (path: string, message: string): ReadResult => ({ ok: false, errors: [{ path, message }] });

export function readReturnGrid(grid: readonly GridRow[]): ReadResult {
  const filled = grid.filter((r) => !r.cells.every(isBlank));
  const heading = filled[0];
  if (!heading) return refuse('/rows', 'the file is empty: it needs a heading row and one row per line');
  const columns = readHeading(heading, filled.slice(1));
  if (!columns.ok) return { ok: false, errors: columns.errors };
  const body = filled.slice(1);
  if (body.length > RETURN_ROWS_MAX) {
    return refuse(`/rows/${(body[RETURN_ROWS_MAX] as GridRow).row}`, `a return has at most ${RETURN_ROWS_MAX} lines`);
  }
  const errors: FieldError[] = [];
  const value: UploadedReturn = { lines: [], rows: [] };
  const seen = new Map<string, number>();
  for (const row of body) {
    const line = readLine(row, columns.value, errors);
    if (!line) continue;
    const key = returnLineLabel(line);
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({ path: `/rows/${row.row}/strategyId`, message: `line ${key} is repeated (first on row ${first})` });
      continue;
    }
    seen.set(key, row.row);
    value.lines.push(line);
    value.rows.push(row.row);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value };
}

type Columns = Map<ReturnColumn, number>;

/** The heading row: each known column once, the four required ones present, nothing else. */
function readHeading(heading: GridRow, body: readonly GridRow[]): { ok: true; value: Columns } | { ok: false; errors: FieldError[] } {
  const columns: Columns = new Map();
  const errors: FieldError[] = [];
  heading.cells.forEach((cell, index) => {
    const name = cell.kind === 'text' ? cell.text.trim() : '';
    if (isBlank(cell)) {
      // A column without a heading is ignored only if nothing is written in it.
      if (body.some((r) => !isBlank(r.cells[index] ?? EMPTY))) {
        errors.push({ path: `/rows/${heading.row}/${columnLetter(index)}`, message: `column ${columnLetter(index)} has values but no heading` });
      }
    } else if (cell.kind !== 'text' || !(RETURN_COLUMNS as readonly string[]).includes(name)) {
      const shown = cell.kind === 'text' ? name : columnLetter(index);
      errors.push({ path: `/rows/${heading.row}/${pointerToken(shown)}`, message: `unknown column "${shown}": the columns are ${RETURN_COLUMNS.join(', ')}` });
    } else if (columns.has(name as ReturnColumn)) {
      errors.push({ path: `/rows/${heading.row}/${name}`, message: `column ${name} is repeated` });
    } else {
      columns.set(name as ReturnColumn, index);
    }
  });
  for (const name of REQUIRED_COLUMNS) {
    if (!columns.has(name)) errors.push({ path: `/rows/${heading.row}/${name}`, message: `column ${name} is missing` });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: columns };
}

function readLine(row: GridRow, columns: Columns, errors: FieldError[]): UploadedReturnLine | undefined {
  const cell = (name: ReturnColumn): Cell => {
    const index = columns.get(name);
    return index === undefined ? EMPTY : (row.cells[index] ?? EMPTY);
  };
  const fail = (name: ReturnColumn, message: string) => errors.push({ path: `/rows/${row.row}/${name}`, message: `${name} ${message}` });
  const before = errors.length;
  const extra = row.cells.findIndex((c, index) => !isBlank(c) && ![...columns.values()].includes(index));
  if (extra >= 0) errors.push({ path: `/rows/${row.row}/${columnLetter(extra)}`, message: `a value in column ${columnLetter(extra)}, which has no heading` });
  const strategy = textFromCell(cell('strategyId'), true);
  if (!strategy.ok) fail('strategyId', strategy.message);
  else if (!isSlug(strategy.value)) fail('strategyId', `"${strategy.value}" is not a strategy id (lower-case letters, digits and hyphens)`);
  const arrangement = textFromCell(cell('arrangement'), true);
  if (!arrangement.ok) fail('arrangement', arrangement.message);
  else if (arrangement.value !== 'pooled' && arrangement.value !== 'aligned') fail('arrangement', `"${arrangement.value}" must be pooled or aligned`);
  const actual = amountFromCell(cell('actualToDate'));
  if (!actual.ok) fail('actualToDate', actual.message);
  const forecast = amountFromCell(cell('forecastOutturn'));
  if (!forecast.ok) fail('forecastOutturn', forecast.message);
  const commentary = textFromCell(cell('commentary'), false);
  if (!commentary.ok) fail('commentary', commentary.message);
  else if (commentary.value !== undefined && [...commentary.value].length > COMMENTARY_LENGTH_MAX) fail('commentary', `is longer than ${COMMENTARY_LENGTH_MAX} characters`);
  if (errors.length > before || !strategy.ok || !arrangement.ok || !actual.ok || !forecast.ok || !commentary.ok) return undefined;
  const line: UploadedReturnLine = {
    strategyId: strategy.value as string,
    arrangement: arrangement.value as Arrangement,
    actualToDate: actual.value,
    forecastOutturn: forecast.value,
  };
  if (commentary.value !== undefined) line.commentary = commentary.value;
  return line;
}
