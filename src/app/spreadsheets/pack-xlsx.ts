// The monitoring pack as an XLSX workbook (API.md: GET …/monitoring.xlsx): a sheet per
// level and one for the forecast settlement, each with a title row (fund, year, period,
// revision, thresholds), headed columns, amounts as number cells formatted #,##0.00, and
// RAG cells coloured.
import ExcelJS from 'exceljs';
import type { MonitoringPack } from '../../domain/monitoring/index.js';
import { LEVELS, SETTLEMENT_SHEET, type Column } from './pack-columns.js';
import { workbookBytes, writeAmount, writePercent, writeRag } from './write-cells.js';

/** Row of the column headings; data follow it. */
export const PACK_HEADING_ROW = 3;

export async function monitoringPackXlsx(pack: MonitoringPack): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'poolshare';
  const tables: Record<string, readonly object[]> = {
    line: pack.lines, strategy: pack.strategies, partner: pack.partners, arrangement: pack.arrangements, fund: [pack.fund],
  };
  for (const { level, sheet, columns } of LEVELS) {
    const ws = addSheet(workbook, sheet, pack);
    writeTable(ws, columns, tables[level] ?? []);
  }
  writeSettlement(addSheet(workbook, SETTLEMENT_SHEET, pack), pack);
  return workbookBytes(workbook);
}

function addSheet(workbook: ExcelJS.Workbook, name: string, pack: MonitoringPack): ExcelJS.Worksheet {
  const ws = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: PACK_HEADING_ROW }] });
  const title = ws.getRow(1);
  title.values = [
    'fund', pack.fundId, 'year', pack.year, 'period', pack.period, 'revision', pack.asOfRevision,
    'amber from %', pack.rag.amberPercent, 'red above %', pack.rag.redPercent,
  ];
  title.font = { bold: true };
  return ws;
}

function writeTable(ws: ExcelJS.Worksheet, columns: readonly Column[], rows: readonly object[]): void {
  const heading = ws.getRow(PACK_HEADING_ROW);
  heading.values = columns.map((c) => c.label);
  heading.font = { bold: true };
  columns.forEach((c, index) => (ws.getColumn(index + 1).width = c.field === 'commentary' ? 60 : Math.max(14, c.label.length + 2)));
  rows.forEach((row, r) => {
    const sheetRow = ws.getRow(PACK_HEADING_ROW + 1 + r);
    columns.forEach((c, index) => writeCell(sheetRow.getCell(index + 1), c, (row as Record<string, unknown>)[c.field]));
  });
}

function writeCell(cell: ExcelJS.Cell, column: Column, value: unknown): void {
  if (value === null || value === undefined) return;
  if (column.kind === 'amount') writeAmount(cell, value as string);
  else if (column.kind === 'percent') writePercent(cell, value as string);
  else if (column.kind === 'rag') writeRag(cell, value as 'red' | 'amber' | 'green');
  else cell.value = String(value);
}

function writeSettlement(ws: ExcelJS.Worksheet, pack: MonitoringPack): void {
  const s = pack.forecastSettlement;
  if (s === null) {
    ws.getCell(`A${PACK_HEADING_ROW}`).value = 'No agreement is adopted at this revision: there is no forecast settlement.';
    return;
  }
  ws.getRow(PACK_HEADING_ROW).values = ['Partner', 'Share', 'Transfer (positive pays)'];
  ws.getRow(PACK_HEADING_ROW).font = { bold: true };
  [16, 18, 26].forEach((width, index) => (ws.getColumn(index + 1).width = width));
  s.partners.forEach((p, index) => {
    const row = ws.getRow(PACK_HEADING_ROW + 1 + index);
    row.getCell(1).value = p.partnerId;
    writeAmount(row.getCell(2), p.share);
    writeAmount(row.getCell(3), p.transfer);
  });
  const after = PACK_HEADING_ROW + s.partners.length + 2;
  ws.getRow(after).values = ['agreement version', s.agreementVersion];
  ws.getRow(after + 1).values = ['requires decision', s.requiresDecision ? 'yes' : 'no'];
  ws.getRow(after + 2).values = ['digest', s.digest];
}
