// A spreadsheet reduced to what a return needs: numbered rows of typed cells. CSV gives
// text cells only; XLSX gives text, number and "other" cells (dates, booleans, formulas,
// errors, hyperlinks), which a return refuses by name.
export type Cell =
  | { kind: 'empty' }
  | { kind: 'text'; text: string }
  | { kind: 'number'; value: number }
  | { kind: 'other'; what: string };

export interface GridRow {
  /** The file's line (CSV) or the sheet's row number (XLSX), 1-based. */
  row: number;
  cells: Cell[];
}

export const EMPTY: Cell = { kind: 'empty' };

export function isBlank(cell: Cell): boolean {
  return cell.kind === 'empty' || (cell.kind === 'text' && cell.text.trim() === '');
}

/** JSON-pointer escaping (RFC 6901) for a column name in an error path. */
export function pointerToken(text: string): string {
  return text.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** "A", "B", … "AA": how a spreadsheet names a column without a heading. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let name = '';
  while (n > 0) {
    const rest = (n - 1) % 26;
    name = String.fromCharCode(65 + rest) + name;
    n = Math.floor((n - 1) / 26);
  }
  return name;
}
