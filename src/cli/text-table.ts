// Plain-text tables for the demo's printout: amounts with thousands separators, columns
// padded to their widest cell.
import { Dec, formatAmount, parseExact } from '../domain/money.js';

/** "-1234567.5" → "-1,234,567.50": string work only, money never becomes a JS number. */
export function pounds(amount: string, signed = false): string {
  const text = formatAmount(parseExact(formatAmount(Dec(amount).round(2))));
  const negative = text.startsWith('-');
  const [whole, pence] = (negative ? text.slice(1) : text).split('.') as [string, string];
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const sign = negative ? '-' : signed && text !== '0.00' ? '+' : '';
  return `${sign}${grouped}.${pence}`;
}

export type Align = 'left' | 'right';

export function table(headers: string[], rows: string[][], align: Align[]): string[] {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const cell = (text: string, i: number): string =>
    align[i] === 'right' ? text.padStart(widths[i]!) : text.padEnd(widths[i]!);
  const line = (cells: string[]): string => cells.map(cell).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}
