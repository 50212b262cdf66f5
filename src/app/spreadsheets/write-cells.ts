// Amounts leave as spreadsheet numbers only here, at the output edge, and only when the
// number is exact: a decimal string becomes a number cell if it reads back to the same
// pence and has at most 15 significant digits (what a spreadsheet shows and keeps). Any
// larger amount is written as text, with a note saying why, so no penny is lost.
import type ExcelJS from 'exceljs';
import { Dec } from '../../domain/money.js';
import type { Rag } from '../../domain/monitoring/index.js';

export const AMOUNT_FORMAT = '#,##0.00';
export const PERCENT_FORMAT = '0.0';
/** 15 significant digits of pence: 9,999,999,999,999.99. */
const NUMBER_CELL_PENCE_MAX = Dec('999999999999999');
export const AMOUNT_AS_TEXT_NOTE = 'Written as text: this amount has more digits than a spreadsheet number keeps exactly.';

/** The number a cell may hold for this amount, or null if it must stay text. */
export function exactNumber(amount: string): number | null {
  const exact = Dec(amount);
  if (exact.times(Dec('100')).abs().gt(NUMBER_CELL_PENCE_MAX)) return null;
  const value = Number(amount);
  return Dec(String(value)).eq(exact) ? value : null;
}

export function writeAmount(cell: ExcelJS.Cell, amount: string): void {
  const value = exactNumber(amount);
  if (value === null) {
    cell.value = amount;
    cell.note = AMOUNT_AS_TEXT_NOTE;
    cell.alignment = { horizontal: 'right' };
  } else {
    cell.value = value;
    cell.numFmt = AMOUNT_FORMAT;
  }
}

/** A per cent like "4.2" (not money): a number cell shown to one place; none when null. */
export function writePercent(cell: ExcelJS.Cell, percent: string | null): void {
  if (percent === null) return;
  cell.value = Number(percent);
  cell.numFmt = PERCENT_FORMAT;
}

/** Fills and fonts of the usual red / amber / green cell styles. */
export const RAG_STYLE: Record<Rag, { fill: string; font: string }> = {
  red: { fill: 'FFFFC7CE', font: 'FF9C0006' },
  amber: { fill: 'FFFFEB9C', font: 'FF9C5700' },
  green: { fill: 'FFC6EFCE', font: 'FF006100' },
};

export function writeRag(cell: ExcelJS.Cell, rag: Rag): void {
  cell.value = rag;
  cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: RAG_STYLE[rag].fill } };
  cell.font = { color: { argb: RAG_STYLE[rag].font }, bold: true };
}

/** A workbook as bytes. */
export async function workbookBytes(workbook: ExcelJS.Workbook): Promise<Buffer> {
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
