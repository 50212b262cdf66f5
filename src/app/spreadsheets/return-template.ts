// The return a partner fills in (API.md: GET …/returns/template): the five upload
// columns, one row per budget line, pre-filled with its latest figures. The XLSX form
// adds an "About" sheet saying whose return it is; only the first sheet is read back.
import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import type { Period } from '../../domain/fundyear/ids.js';
import type { MonitoringReturnLine } from '../../domain/monitoring/index.js';
import { RETURN_COLUMNS } from './read-return.js';
import { workbookBytes, writeAmount } from './write-cells.js';

export interface ReturnTemplate {
  fundId: string;
  year: string;
  partnerId: string;
  period: Period;
  lines: readonly MonitoringReturnLine[];
}

export const RETURN_SHEET = 'Return';

const row = (l: MonitoringReturnLine): string[] => [l.strategyId, l.arrangement, l.actualToDate, l.forecastOutturn, l.commentary ?? ''];

export function returnTemplateCsv(template: ReturnTemplate): string {
  return stringify([[...RETURN_COLUMNS], ...template.lines.map(row)], { record_delimiter: '\r\n' });
}

export async function returnTemplateXlsx(template: ReturnTemplate): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'poolshare';
  const sheet = workbook.addWorksheet(RETURN_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = RETURN_COLUMNS.map((header) => ({ header, key: header, width: header === 'commentary' ? 60 : 18 }));
  sheet.getRow(1).font = { bold: true };
  template.lines.forEach((l, index) => {
    const r = sheet.getRow(index + 2);
    r.getCell(1).value = l.strategyId;
    r.getCell(2).value = l.arrangement;
    writeAmount(r.getCell(3), l.actualToDate);
    writeAmount(r.getCell(4), l.forecastOutturn);
    if (l.commentary !== undefined) r.getCell(5).value = l.commentary;
  });
  const about = workbook.addWorksheet('About');
  about.addRows([
    ['Monthly return'],
    ['fund', template.fundId],
    ['year', template.year],
    ['partner', template.partnerId],
    ['period', template.period],
    [],
    ['Fill in the Return sheet: one row per budget line, amounts in pounds (number cells, or text like 1,234.50), commentary optional.'],
    [`Upload it with POST /v1/funds/${template.fundId}/years/${template.year}/returns?partnerId=${template.partnerId}&period=${template.period} (add &correction=true to correct a return already sent). Only the first sheet is read.`],
  ]);
  about.getCell('A1').font = { bold: true };
  return workbookBytes(workbook);
}
