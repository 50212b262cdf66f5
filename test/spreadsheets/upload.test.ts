// Returns uploaded as spreadsheets: every accepted cell form, every refusal naming its
// row and column, and the bounds.
import t from 'tap';
import ExcelJS from 'exceljs';
import { DomainError } from '../../src/domain/errors.js';
import {
  parseReturnUpload, pathsToRows, readReturnCsv, readReturnXlsx, RETURN_ROWS_MAX, UPLOAD_CSV_BYTES_MAX, UPLOAD_ROWS_SCANNED_MAX,
  UPLOAD_XLSX_BYTES_MAX, type ReadResult,
} from '../../src/app/spreadsheets/index.js';

const HEAD = 'strategyId,arrangement,actualToDate,forecastOutturn,commentary';
const csv = (...lines: string[]) => new TextEncoder().encode(lines.join('\r\n'));
const line = (actualToDate: string, forecastOutturn = '10.00', extra: Record<string, string> = {}) => ({
  strategyId: 'wellbeing', arrangement: 'pooled', actualToDate, forecastOutturn, ...extra,
});
const errorsOf = (result: ReadResult) => (result.ok ? [] : result.errors);

t.test('CSV amounts: 1234.50, 1,234.50, £1,234.50, and a leading minus', async (t) => {
  const cases: [string, string][] = [
    ['1234.50', '1234.50'], ['"1,234.50"', '1234.50'], ['"£1,234.50"', '1234.50'], ['"-1,234.50"', '-1234.50'],
    ['"-£1,234.50"', '-1234.50'], ['1234.5', '1234.50'], ['0', '0.00'], ['-0.00', '0.00'], ['" 12.00 "', '12.00'],
    ['"999,999,999,999.99"', '999999999999.99'], ['£7', '7.00'], ['"1,000,000"', '1000000.00'],
  ];
  for (const [cell, amount] of cases) {
    const result = readReturnCsv(csv(HEAD, `wellbeing,pooled,${cell},${cell},`));
    t.strictSame(result, { ok: true, value: { lines: [line(amount, amount)], rows: [2] } }, cell);
  }
});

t.test('CSV amounts refused, naming the row and the column', async (t) => {
  const cases: [string, string][] = [
    ['"(1,234.50)"', 'actualToDate "(1,234.50)" is not an amount like 1234.50, 1,234.50 or £1,234.50 (write a negative amount with a minus sign, not brackets)'],
    ['"1,2345.00"', 'actualToDate "1,2345.00" is not an amount like 1234.50, 1,234.50 or £1,234.50'],
    ['"12,34.00"', 'actualToDate "12,34.00" is not an amount like 1234.50, 1,234.50 or £1,234.50'],
    ['£-1.00', 'actualToDate "£-1.00" is not an amount like 1234.50, 1,234.50 or £1,234.50'],
    ['1.234', 'actualToDate "1.234" is not an amount like 1234.50, 1,234.50 or £1,234.50'],
    ['+1.00', 'actualToDate "+1.00" is not an amount like 1234.50, 1,234.50 or £1,234.50'],
    ['1e3', 'actualToDate "1e3" is not an amount like 1234.50, 1,234.50 or £1,234.50'],
    ['"1 234.00"', 'actualToDate "1 234.00" is not an amount like 1234.50, 1,234.50 or £1,234.50'],
    ['$5.00', 'actualToDate "$5.00" is not an amount like 1234.50, 1,234.50 or £1,234.50'],
    ['1234567890123.00', 'actualToDate "1234567890123.00" has more than 12 digits before the point'],
    ['', 'actualToDate is required'],
    ['"  "', 'actualToDate is required'],
  ];
  for (const [cell, message] of cases) {
    t.strictSame(errorsOf(readReturnCsv(csv(HEAD, `wellbeing,pooled,${cell},10.00,`))), [{ path: '/rows/2/actualToDate', message }], cell);
  }
});

t.test('CSV: ids, arrangement and commentary cells', async (t) => {
  const errors = (row: string) => errorsOf(readReturnCsv(csv(HEAD, row)));
  t.strictSame(errors('Wellbeing,pooled,1,1,'), [{ path: '/rows/2/strategyId', message: 'strategyId "Wellbeing" is not a strategy id (lower-case letters, digits and hyphens)' }]);
  t.strictSame(errors(',pooled,1,1,'), [{ path: '/rows/2/strategyId', message: 'strategyId is required' }]);
  t.strictSame(errors('wellbeing,Pooled,1,1,'), [{ path: '/rows/2/arrangement', message: 'arrangement "Pooled" must be pooled or aligned' }]);
  t.strictSame(errors(`wellbeing,pooled,1,1,${'x'.repeat(1001)}`), [{ path: '/rows/2/commentary', message: 'commentary is longer than 1000 characters' }]);
  t.strictSame(readReturnCsv(csv(HEAD, `wellbeing,pooled,1,1,${'£'.repeat(1000)}`)).ok, true, '1,000 characters (not bytes) are allowed');
  t.strictSame(errors('wellbeing,pooled,1,1,,stray'), [{ path: '/rows/2/F', message: 'a value in column F, which has no heading' }]);
  t.strictSame(errors('wellbeing,aligned,x,,'), [
    { path: '/rows/2/actualToDate', message: 'actualToDate "x" is not an amount like 1234.50, 1,234.50 or £1,234.50' },
    { path: '/rows/2/forecastOutturn', message: 'forecastOutturn is required' },
  ], 'every error of a row');
});

t.test('CSV: the heading row names each column once, the four required ones present', async (t) => {
  const errors = (head: string, row = 'wellbeing,pooled,1,1') => errorsOf(readReturnCsv(csv(head, row)));
  t.strictSame(errors('strategyId,arrangement,actualToDate,forecast'), [
    { path: '/rows/1/forecast', message: 'unknown column "forecast": the columns are strategyId, arrangement, actualToDate, forecastOutturn, commentary' },
    { path: '/rows/1/forecastOutturn', message: 'column forecastOutturn is missing' },
  ]);
  t.strictSame(errors('strategyId,arrangement,actualToDate,forecastOutturn,a/b', 'wellbeing,pooled,1,1,x'), [
    { path: '/rows/1/a~1b', message: 'unknown column "a/b": the columns are strategyId, arrangement, actualToDate, forecastOutturn, commentary' },
  ], 'a column name is escaped in the path');
  t.strictSame(errors('strategyId,arrangement,actualToDate,actualToDate,forecastOutturn', 'wellbeing,pooled,1,1,1'), [
    { path: '/rows/1/actualToDate', message: 'column actualToDate is repeated' },
  ]);
  t.strictSame(errors('strategyId,arrangement,,actualToDate,forecastOutturn', 'wellbeing,pooled,7,1,1'), [
    { path: '/rows/1/C', message: 'column C has values but no heading' },
  ]);
  t.strictSame(readReturnCsv(csv('forecastOutturn,actualToDate,arrangement,strategyId,', '2.00,1.00,aligned,community,')), {
    ok: true, value: { lines: [{ strategyId: 'community', arrangement: 'aligned', actualToDate: '1.00', forecastOutturn: '2.00' }], rows: [2] },
  }, 'any column order; no commentary column; an empty trailing column is ignored');
});

t.test('CSV: rows are the file\'s lines; blank rows are skipped; a repeated line is refused', async (t) => {
  const file = csv('\uFEFF' + HEAD, 'wellbeing,pooled,1,1,"two', 'lines"', '', ',,,,', 'community,pooled,2,2,', 'wellbeing,pooled,3,3,');
  t.strictSame(errorsOf(readReturnCsv(file)), [{ path: '/rows/7/strategyId', message: 'line wellbeing/pooled is repeated (first on row 2)' }]);
  const ok = readReturnCsv(csv('\uFEFF' + HEAD, 'wellbeing,pooled,1,1,"two', 'lines"', '', 'community,pooled,2,2,'));
  t.strictSame(ok, { ok: true, value: { lines: [line('1.00', '1.00', { commentary: 'two\r\nlines' }), { strategyId: 'community', arrangement: 'pooled', actualToDate: '2.00', forecastOutturn: '2.00' }], rows: [2, 5] } });
  t.strictSame(errorsOf(readReturnCsv(csv('', HEAD, 'Bad,pooled,1,1,'))), [{ path: '/rows/3/strategyId', message: 'strategyId "Bad" is not a strategy id (lower-case letters, digits and hyphens)' }], 'a blank first line still counts');
});

t.test('CSV bounds and unreadable files', async (t) => {
  const rows = (n: number) => Array.from({ length: n }, (_, i) => `s${i},pooled,1,1,`);
  t.equal(readReturnCsv(csv(HEAD, ...rows(RETURN_ROWS_MAX))).ok, true, `${RETURN_ROWS_MAX} lines are allowed`);
  t.strictSame(errorsOf(readReturnCsv(csv(HEAD, ...rows(RETURN_ROWS_MAX + 1)))), [{ path: `/rows/${RETURN_ROWS_MAX + 2}`, message: `a return has at most ${RETURN_ROWS_MAX} lines` }]);
  const lastLine = (blank: number) => readReturnCsv(csv(HEAD, ...Array<string>(blank).fill(''), 'wellbeing,pooled,1,1,'));
  t.strictSame(lastLine(UPLOAD_ROWS_SCANNED_MAX - 2), { ok: true, value: { lines: [line('1.00', '1.00')], rows: [UPLOAD_ROWS_SCANNED_MAX] } }, 'a line on the last row read');
  t.strictSame(errorsOf(lastLine(UPLOAD_ROWS_SCANNED_MAX - 1)), [{ path: `/rows/${UPLOAD_ROWS_SCANNED_MAX + 1}`, message: `a return file has at most ${UPLOAD_ROWS_SCANNED_MAX} rows` }]);
  t.strictSame(errorsOf(readReturnCsv(new Uint8Array(UPLOAD_CSV_BYTES_MAX + 1).fill(32))), [{ path: '/rows', message: `the file is larger than ${UPLOAD_CSV_BYTES_MAX} bytes` }]);
  t.strictSame(errorsOf(readReturnCsv(csv(HEAD.split(',').concat(Array(30).fill('x')).join(',')))), [{ path: '/rows/1', message: 'a return file has at most 30 columns' }]);
  const empty = [{ path: '/rows', message: 'the file is empty: it needs a heading row and one row per line' }];
  t.strictSame(errorsOf(readReturnCsv(new Uint8Array(0))), empty);
  t.strictSame(errorsOf(readReturnCsv(csv('', ',,', '  '))), empty, 'blank lines only');
  t.strictSame(readReturnCsv(csv(HEAD)), { ok: true, value: { lines: [], rows: [] } }, 'a heading alone: a return with no lines');
  t.strictSame(errorsOf(readReturnCsv(Uint8Array.from([0x61, 0xa3, 0x31]))), [{ path: '/rows', message: 'the file is not UTF-8 text: save it as "CSV UTF-8"' }]);
  const unclosed = errorsOf(readReturnCsv(csv(HEAD, 'wellbeing,pooled,1,1,"open')));
  t.equal(unclosed.length, 1);
  t.equal(unclosed[0]?.path, '/rows/2', 'an unclosed quote names its line');
});

// ------------------------------------------------------------------ XLSX

async function xlsx(fill: (ws: ExcelJS.Worksheet) => void): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  fill(workbook.addWorksheet('Return'));
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}
const heading = (ws: ExcelJS.Worksheet, row = 1) => (ws.getRow(row).values = HEAD.split(','));

t.test('XLSX: number cells holding whole pence, text cells as CSV', async (t) => {
  const cases: [number | string, string][] = [
    [1234.5, '1234.50'], [0.29, '0.29'], [-12.34, '-12.34'], [0, '0.00'], [1e11, '100000000000.00'], [999999999999.99, '999999999999.99'],
    ['£1,234.50', '1234.50'], ['-1,234.50', '-1234.50'],
  ];
  for (const [value, amount] of cases) {
    const bytes = await xlsx((ws) => { heading(ws); ws.getRow(2).values = ['wellbeing', 'pooled', value, value, 'ok']; });
    t.strictSame(await readReturnXlsx(bytes), { ok: true, value: { lines: [line(amount, amount, { commentary: 'ok' })], rows: [2] } }, String(value));
  }
});

t.test('XLSX: every other cell is refused, naming its sheet row and column', async (t) => {
  const cases: [ExcelJS.CellValue, string][] = [
    [0.001, 'actualToDate 0.001 is not a whole number of pence'],
    [1234.567, 'actualToDate 1234.567 is not a whole number of pence'],
    [1e-7, 'actualToDate 1e-7 is not a whole number of pence'],
    [1e17, 'actualToDate 100000000000000000 is too large to be exact in a number cell: write it as text'],
    [1e13, 'actualToDate 10000000000000.00 has more than 12 digits before the point'],
    [new Date(Date.UTC(2015, 3, 30)), 'actualToDate a date cell: an amount must be a number or text cell'],
    [true, 'actualToDate a true/false cell: an amount must be a number or text cell'],
    [{ formula: 'B1*2', result: 10 }, 'actualToDate a formula (paste it as values) cell: an amount must be a number or text cell'],
    [{ error: '#DIV/0!' }, 'actualToDate an error cell: an amount must be a number or text cell'],
    [{ text: '5', hyperlink: 'https://example.org' }, 'actualToDate a hyperlink cell: an amount must be a number or text cell'],
    ['(5.00)', 'actualToDate "(5.00)" is not an amount like 1234.50, 1,234.50 or £1,234.50 (write a negative amount with a minus sign, not brackets)'],
  ];
  for (const [value, message] of cases) {
    // A blank first row: rows are the sheet's own numbers, so the data row is 3.
    const bytes = await xlsx((ws) => { heading(ws, 2); ws.getRow(3).values = ['wellbeing', 'pooled', value, 1]; });
    t.strictSame(errorsOf(await readReturnXlsx(bytes)), [{ path: '/rows/3/actualToDate', message }], message);
  }
  const idCell = await xlsx((ws) => { heading(ws); ws.getRow(2).values = [2024, 'pooled', 1, 1, 7]; });
  t.strictSame(errorsOf(await readReturnXlsx(idCell)), [
    { path: '/rows/2/strategyId', message: 'strategyId number cell: must be a text cell' },
    { path: '/rows/2/commentary', message: 'commentary number cell: must be a text cell' },
  ]);
  const rich = await xlsx((ws) => { heading(ws); ws.getRow(2).values = ['wellbeing', 'pooled', 1, 1, { richText: [{ text: 'bold ', font: { bold: true } }, { text: 'text' }] }]; });
  t.strictSame(await readReturnXlsx(rich), { ok: true, value: { lines: [line('1.00', '1.00', { commentary: 'bold text' })], rows: [2] } }, 'rich text is text');
});

t.test('XLSX: heading, repeated lines, bounds and files that are not workbooks', async (t) => {
  const repeated = await xlsx((ws) => { heading(ws); ws.getRow(2).values = ['wellbeing', 'pooled', 1, 1]; ws.getRow(4).values = ['wellbeing', 'pooled', 2, 2]; });
  t.strictSame(errorsOf(await readReturnXlsx(repeated)), [{ path: '/rows/4/strategyId', message: 'line wellbeing/pooled is repeated (first on row 2)' }]);
  const unknown = await xlsx((ws) => { ws.getRow(1).values = ['strategyId', 'arrangement', 'actualToDate', 'forecastOutturn', 'budget']; });
  t.strictSame(errorsOf(await readReturnXlsx(unknown)), [{ path: '/rows/1/budget', message: 'unknown column "budget": the columns are strategyId, arrangement, actualToDate, forecastOutturn, commentary' }]);
  const numberHeading = await xlsx((ws) => { ws.getRow(1).values = ['strategyId', 'arrangement', 'actualToDate', 'forecastOutturn', 2015]; });
  t.strictSame(errorsOf(await readReturnXlsx(numberHeading)), [{ path: '/rows/1/E', message: 'unknown column "E": the columns are strategyId, arrangement, actualToDate, forecastOutturn, commentary' }]);
  const tooMany = await xlsx((ws) => { heading(ws); ws.getRow(UPLOAD_ROWS_SCANNED_MAX + 1).values = ['x']; });
  t.strictSame(errorsOf(await readReturnXlsx(tooMany)), [{ path: `/rows/${UPLOAD_ROWS_SCANNED_MAX + 1}`, message: `a return file has at most ${UPLOAD_ROWS_SCANNED_MAX} rows` }]);
  const manyLines = await xlsx((ws) => { heading(ws); for (let i = 0; i <= RETURN_ROWS_MAX; i += 1) ws.getRow(i + 2).values = [`s${i}`, 'pooled', 1, 1]; });
  t.strictSame(errorsOf(await readReturnXlsx(manyLines)), [{ path: `/rows/${RETURN_ROWS_MAX + 2}`, message: `a return has at most ${RETURN_ROWS_MAX} lines` }]);
  const empty = await xlsx(() => undefined);
  t.strictSame(errorsOf(await readReturnXlsx(empty)), [{ path: '/rows', message: 'the file is empty: it needs a heading row and one row per line' }]);
  t.strictSame(errorsOf(await readReturnXlsx(new Uint8Array(UPLOAD_XLSX_BYTES_MAX + 1))), [{ path: '/rows', message: `the file is larger than ${UPLOAD_XLSX_BYTES_MAX} bytes` }]);
  t.strictSame(errorsOf(await readReturnXlsx(new TextEncoder().encode(HEAD))), [{ path: '/rows', message: 'the file is not an XLSX workbook' }], 'a CSV sent as XLSX');
  const broken = Uint8Array.from(empty);
  broken.fill(0, 0, 200);
  t.strictSame(errorsOf(await readReturnXlsx(broken)), [{ path: '/rows', message: 'the file is not an XLSX workbook' }], 'a damaged zip');
  t.strictSame(errorsOf(await readReturnXlsx(declareHuge(empty))), [{ path: '/rows', message: 'the workbook unzips to more than 33554432 bytes' }], 'a zip declaring gigabytes is not inflated');
});

/** The same zip with its first central-directory entry declaring 2 GiB unzipped. */
function declareHuge(zip: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(zip);
  const view = new DataView(copy.buffer);
  for (let at = 0; at + 4 <= copy.length; at += 1) {
    if (view.getUint32(at, true) === 0x02014b50) {
      view.setUint32(at + 24, 0x7fffffff, true);
      return copy;
    }
  }
  throw new Error('no central directory');
}

t.test('the upload as the service takes it: a 400 problem listing every row, or the lines', async (t) => {
  const bad = csv(HEAD, 'wellbeing,pooled,x,1,', 'community,pooled,1,(2),');
  const thrown = await parseReturnUpload(bad, 'csv').then(() => null, (e: unknown) => e);
  t.ok(thrown instanceof DomainError);
  if (thrown instanceof DomainError) {
    t.equal(thrown.status, 400);
    t.equal(thrown.code, 'spreadsheet-invalid');
    t.strictSame(thrown.errors.map((e) => e.path), ['/rows/2/actualToDate', '/rows/3/forecastOutturn']);
  }
  t.strictSame(await parseReturnUpload(csv(HEAD, 'wellbeing,pooled,1,2,'), 'csv'), { lines: [line('1.00', '2.00')], rows: [2] });
  t.strictSame(pathsToRows([
    { path: '/lines/1/strategyId', message: 'not a budget line' },
    { path: '/lines', message: 'budget line x is missing' },
    { path: '/partnerId', message: 'wrong partner' },
  ], [2, 5]), [
    { path: '/rows/5/strategyId', message: 'not a budget line' },
    { path: '/lines', message: 'budget line x is missing' },
    { path: '/partnerId', message: 'wrong partner' },
  ]);
});
