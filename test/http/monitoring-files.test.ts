// The pack's CSV and XLSX through HTTP, on every period of the demo year: the CSV parsed back
// (csv-parse) and the workbook read back (exceljs) give the JSON's figures to the penny, with
// the headers a finance officer's browser needs (type, attachment and a name that says what
// the file holds).
import t from 'tap';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { Dec, formatAmount } from '../../src/domain/money.js';
import { PERIODS } from '../../src/domain/fundyear/ids.js';
import type { MonitoringPack } from '../../src/domain/monitoring/index.js';
import { LEVELS, PACK_HEADING_ROW, RAG_STYLE, SETTLEMENT_SHEET } from '../../src/app/spreadsheets/index.js';
import { XLSX_TYPE } from '../../src/http/route-table.js';
import { XLSX_MEDIA_TYPE } from '../../src/app/spreadsheets/index.js';
import { AUDITOR, loadPlymouth, monitoringApp, playSeed, XLSX } from './fixtures/monitoring.js';

const seed = loadPlymouth();
const m = await monitoringApp(t);
const { fy, posted } = await playSeed(m, seed, { commentary: true });

const TABLES = { line: 'lines', strategy: 'strategies', partner: 'partners', arrangement: 'arrangements', fund: 'fund' } as const;

/** A CSV cell back to the JSON's value: empty is null, the revision a number. */
function csvPack(text: string): Record<string, unknown> {
  const rows = parse(text, { columns: true }) as Record<string, string>[];
  const out: Record<string, unknown[]> = { lines: [], strategies: [], partners: [], arrangements: [], fund: [] };
  for (const { level, fundId: _f, year: _y, period: _p, asOfRevision: _r, ...cells } of rows) {
    const columns = LEVELS.find((l) => l.level === level)?.columns ?? [];
    out[TABLES[level as keyof typeof TABLES]]!.push(Object.fromEntries(columns.map((c) => [c.field, cells[c.field] === '' ? null : cells[c.field]])));
  }
  const first = rows[0]!;
  return { fundId: first['fundId'], year: first['year'], period: first['period'], asOfRevision: Number(first['asOfRevision']), ...out, fund: out['fund']![0] };
}

/** A workbook cell back to the JSON's form: an amount as pounds and pence, a per cent to one place. */
function cellValue(cell: ExcelJS.Cell, kind: string): unknown {
  const value = cell.value;
  if (value === null || value === undefined) return null;
  if (kind === 'amount') {
    if (typeof value !== 'number') throw new Error(`${cell.address}: an amount that is not a number cell`);
    if (cell.numFmt !== '#,##0.00') throw new Error(`${cell.address}: format ${cell.numFmt}`);
    return formatAmount(Dec(String(value)));
  }
  if (kind === 'percent') return (value as number).toFixed(1);
  if (kind === 'rag') {
    const fill = (cell.fill as ExcelJS.FillPattern).fgColor?.argb;
    if (fill !== RAG_STYLE[value as 'red'].fill) throw new Error(`${cell.address}: ${String(value)} filled ${String(fill)}`);
  }
  return String(value);
}

async function xlsxPack(bytes: Buffer): Promise<Record<string, unknown>> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ExcelJS.Buffer);
  const out: Record<string, unknown> = {};
  let title: unknown[] = [];
  for (const { level, sheet, columns } of LEVELS) {
    const ws = workbook.getWorksheet(sheet)!;
    title = (ws.getRow(1).values as unknown[]).slice(1);
    const labels = (ws.getRow(PACK_HEADING_ROW).values as unknown[]).slice(1);
    if (JSON.stringify(labels) !== JSON.stringify(columns.map((c) => c.label))) throw new Error(`${sheet}: headings ${JSON.stringify(labels)}`);
    const rows: Record<string, unknown>[] = [];
    for (let r = PACK_HEADING_ROW + 1; r <= ws.rowCount; r += 1) {
      rows.push(Object.fromEntries(columns.map((c, i) => [c.field, cellValue(ws.getRow(r).getCell(i + 1), c.kind)])));
    }
    out[TABLES[level]] = level === 'fund' ? rows[0] : rows;
  }
  const [, fundId, , year, , period, , asOfRevision, , amberPercent, , redPercent] = title;
  const settlement = workbook.getWorksheet(SETTLEMENT_SHEET)!;
  const partners: unknown[] = [];
  let r = PACK_HEADING_ROW + 1;
  for (; settlement.getRow(r).getCell(1).value !== null; r += 1) {
    const row = settlement.getRow(r);
    partners.push({ partnerId: row.getCell(1).value, share: cellValue(row.getCell(2), 'amount'), transfer: cellValue(row.getCell(3), 'amount') });
  }
  const after = (offset: number) => settlement.getRow(r + 1 + offset).getCell(2).value;
  const forecastSettlement = { agreementVersion: after(0), requiresDecision: after(1) === 'yes', partners, digest: after(2) };
  return { fundId, year, period, asOfRevision, rag: { amberPercent, redPercent }, ...out, forecastSettlement };
}

t.test('every period of the demo year: the CSV and the workbook give the JSON to the penny', async (t) => {
  let figures = 0;
  for (const period of PERIODS) {
    const json = await m.call('GET', `${fy}/monitoring?period=${period}`, AUDITOR);
    const pack = json.json() as MonitoringPack;
    const name = `${seed.fundId}-${seed.year}-monitoring-${period}-r${posted.revision}`;

    const csv = await m.call('GET', `${fy}/monitoring.csv?period=${period}`, AUDITOR);
    t.equal(csv.status, 200);
    t.equal(csv.headers['content-type'], 'text/csv; charset=utf-8');
    t.equal(csv.headers['content-disposition'], `attachment; filename="${name}.csv"`);
    const { rag: _rag, forecastSettlement: _settlement, ...tables } = pack;
    t.strictSame(csvPack(csv.body), tables, `${period}: the CSV`);

    const xlsx = await m.call('GET', `${fy}/monitoring.xlsx?period=${period}&asOfRevision=${posted.revision}`, AUDITOR);
    t.equal(xlsx.status, 200);
    t.equal(xlsx.headers['content-type'], XLSX);
    t.equal(xlsx.headers['content-disposition'], `attachment; filename="${name}.xlsx"`);
    t.strictSame(await xlsxPack(xlsx.bytes), JSON.parse(json.body), `${period}: the workbook`);
    figures += (pack.lines.length + pack.strategies.length + pack.partners.length + pack.arrangements.length + 1) * 11;
  }
  t.ok(figures > 12 * 200, `${figures} figures compared in each format`);
});

t.test('every role reads the files; the files follow asOfRevision like the JSON', async (t) => {
  const early = posted.returns[3]!.revision;
  for (const key of [AUDITOR, m.keyOf('ccg'), m.keyOf('council')]) {
    const csv = await m.call('GET', `${fy}/monitoring.csv?asOfRevision=${early}`, key);
    t.equal(csv.status, 200);
    const json = (await m.call('GET', `${fy}/monitoring?asOfRevision=${early}`, key)).json() as MonitoringPack;
    t.equal(json.period, 'M2');
    t.match(csv.headers['content-disposition'], new RegExp(`monitoring-M2-r${early}\\.csv"$`));
    const { rag: _rag, forecastSettlement: _settlement, ...tables } = json;
    t.strictSame(csvPack(csv.body), tables);
  }
});

t.test('one XLSX media type across the route table and the spreadsheets', async (t) => {
  t.equal(XLSX_TYPE, XLSX_MEDIA_TYPE);
  t.equal(XLSX, XLSX_MEDIA_TYPE);
});
