// A return uploaded as an XLSX workbook: its first worksheet, read like the CSV form, with
// rows numbered as the sheet numbers them. Number cells must hold whole pence; text cells
// read as CSV cells; dates, booleans, formulas, errors and hyperlinks are refused by name.
import ExcelJS from 'exceljs';
import type { Cell, GridRow } from './grid.js';
import { UPLOAD_COLUMNS_MAX, UPLOAD_ROWS_SCANNED_MAX, UPLOAD_XLSX_BYTES_MAX, UPLOAD_XLSX_UNZIPPED_BYTES_MAX } from './limits.js';
import { readReturnGrid, refuse, type ReadResult } from './read-return.js';
import { declaredUnzippedBytes } from './zip-size.js';

export async function readReturnXlsx(bytes: Uint8Array): Promise<ReadResult> {
  if (bytes.byteLength > UPLOAD_XLSX_BYTES_MAX) return refuse('/rows', `the file is larger than ${UPLOAD_XLSX_BYTES_MAX} bytes`);
  const unzipped = declaredUnzippedBytes(bytes);
  if (unzipped === null) return refuse('/rows', 'the file is not an XLSX workbook');
  if (unzipped > UPLOAD_XLSX_UNZIPPED_BYTES_MAX) return refuse('/rows', `the workbook unzips to more than ${UPLOAD_XLSX_UNZIPPED_BYTES_MAX} bytes`);
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ExcelJS.Buffer);
  } catch {
    return refuse('/rows', 'the file is not an XLSX workbook');
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) return refuse('/rows', 'the workbook has no worksheet');
  if (sheet.rowCount > UPLOAD_ROWS_SCANNED_MAX) return refuse(`/rows/${UPLOAD_ROWS_SCANNED_MAX + 1}`, `a return file has at most ${UPLOAD_ROWS_SCANNED_MAX} rows`);
  if (sheet.columnCount > UPLOAD_COLUMNS_MAX) return refuse('/rows/1', `a return file has at most ${UPLOAD_COLUMNS_MAX} columns`);
  const grid: GridRow[] = [];
  for (let row = 1; row <= sheet.rowCount; row += 1) {
    const cells: Cell[] = [];
    for (let column = 1; column <= sheet.columnCount; column += 1) cells.push(cellOf(sheet.getRow(row).getCell(column)));
    grid.push({ row, cells });
  }
  return readReturnGrid(grid);
}

function cellOf(cell: ExcelJS.Cell): Cell {
  const value = cell.value;
  switch (cell.type) {
    case ExcelJS.ValueType.Null:
      return { kind: 'empty' };
    case ExcelJS.ValueType.Number:
      return { kind: 'number', value: value as number };
    case ExcelJS.ValueType.String:
    case ExcelJS.ValueType.SharedString:
      return { kind: 'text', text: String(value) };
    case ExcelJS.ValueType.RichText:
      return { kind: 'text', text: (value as ExcelJS.CellRichTextValue).richText.map((run) => run.text).join('') };
    case ExcelJS.ValueType.Date:
      return { kind: 'other', what: 'a date' };
    case ExcelJS.ValueType.Boolean:
      return { kind: 'other', what: 'a true/false' };
    case ExcelJS.ValueType.Formula:
      return { kind: 'other', what: 'a formula (paste it as values)' };
    case ExcelJS.ValueType.Error:
      return { kind: 'other', what: 'an error' };
    case ExcelJS.ValueType.Hyperlink:
      return { kind: 'other', what: 'a hyperlink' };
    case ExcelJS.ValueType.Merge:
      return { kind: 'other', what: 'a merged' };
    default:
      return { kind: 'other', what: 'an unsupported' };
  }
}
