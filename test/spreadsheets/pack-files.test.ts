// The pack as CSV and XLSX, read back and compared with the JSON figure by figure; and
// the return template round trip (template → filled in → read back).
import t, { type Test } from 'tap';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { Dec, formatAmount } from '../../src/domain/money.js';
import { monitoringTables, returnTemplateLines, type MonitoringPack } from '../../src/domain/monitoring/index.js';
import {
  AMOUNT_AS_TEXT_NOTE, AMOUNT_FORMAT, LEVELS, monitoringPackCsv, monitoringPackXlsx, PACK_CSV_COLUMNS, PACK_HEADING_ROW, RAG_STYLE,
  readReturnCsv, readReturnXlsx, RETURN_COLUMNS, returnTemplateCsv, returnTemplateXlsx, SETTLEMENT_SHEET,
} from '../../src/app/spreadsheets/index.js';
import { worked } from '../monitoring/worked.js';
import { packInput, timelineArb } from '../monitoring/timeline.js';

const settlement = {
  agreementVersion: 1, requiresDecision: false, digest: `sha256:${'ab'.repeat(32)}`,
  partners: [{ partnerId: 'ccg', share: '-1234.56', transfer: '0.00' }, { partnerId: 'council', share: '1234.56', transfer: '-1234.56' }],
};
const workedPack: MonitoringPack = { fundId: 'plymouth-integrated-fund', year: '2015-16', asOfRevision: 41, ...monitoringTables(worked('M2')), forecastSettlement: settlement };

/** Packs from random timelines, some with sums beyond what a spreadsheet number keeps. */
const randomPacks: MonitoringPack[] = fc.sample(timelineArb, { numRuns: 25, seed: 3 }).map(({ tl, r, k }, i) => ({
  fundId: 'f-1', year: '2016-17', asOfRevision: r, ...monitoringTables(packInput(tl, r, k)), forecastSettlement: i % 2 === 0 ? settlement : null,
}));

// ------------------------------------------------------------------ XLSX read back

/** A cell back to the JSON's form: amounts as decimal strings, empty as null. */
function cellText(cell: ExcelJS.Cell, kind: string): unknown {
  const value = cell.value;
  if (value === null || value === undefined) return null;
  if (kind === 'amount') return typeof value === 'number' ? formatAmount(Dec(String(value))) : String(value);
  if (kind === 'percent') return (value as number).toFixed(1);
  return String(value);
}

async function readPackXlsx(bytes: Buffer, t: Test): Promise<unknown> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ExcelJS.Buffer);
  t.strictSame(workbook.worksheets.map((w) => w.name), [...LEVELS.map((l) => l.sheet), SETTLEMENT_SHEET], 'a sheet per level, then the settlement');
  const tables: Record<string, Record<string, unknown>[]> = {};
  let title: unknown[] = [];
  for (const { level, sheet, columns } of LEVELS) {
    const ws = workbook.getWorksheet(sheet) as ExcelJS.Worksheet;
    title = (ws.getRow(1).values as unknown[]).slice(1);
    t.strictSame((ws.getRow(PACK_HEADING_ROW).values as unknown[]).slice(1), columns.map((c) => c.label), `${sheet}: headed columns`);
    const rows: Record<string, unknown>[] = [];
    for (let r = PACK_HEADING_ROW + 1; r <= ws.rowCount; r += 1) {
      const row = ws.getRow(r);
      rows.push(Object.fromEntries(columns.map((c, i) => {
        const cell = row.getCell(i + 1);
        if (c.kind === 'amount' && typeof cell.value === 'number' && cell.numFmt !== AMOUNT_FORMAT) t.fail(`${sheet}!${cell.address}: ${cell.numFmt}`);
        if (c.kind === 'amount' && typeof cell.value === 'string' && cell.note !== AMOUNT_AS_TEXT_NOTE) t.fail(`${sheet}!${cell.address}: text without its note`);
        if (c.kind === 'rag') {
          const fill = cell.fill as ExcelJS.FillPattern;
          if (fill.fgColor?.argb !== RAG_STYLE[cell.value as 'red'].fill) t.fail(`${sheet}!${cell.address}: not coloured`);
        }
        return [c.field, cellText(cell, c.kind)];
      })));
    }
    tables[level] = rows;
  }
  const [, fundId, , year, , period, , asOfRevision, , amberPercent, , redPercent] = title;
  return {
    fundId, year, period, asOfRevision, rag: { amberPercent, redPercent },
    lines: tables['line'], strategies: tables['strategy'], partners: tables['partner'], arrangements: tables['arrangement'], fund: tables['fund']?.[0],
    forecastSettlement: readSettlement(workbook.getWorksheet(SETTLEMENT_SHEET) as ExcelJS.Worksheet),
  };
}

function readSettlement(ws: ExcelJS.Worksheet): unknown {
  if (ws.getRow(PACK_HEADING_ROW).getCell(1).value !== 'Partner') return null;
  const partners: unknown[] = [];
  let r = PACK_HEADING_ROW + 1;
  for (; ws.getRow(r).getCell(1).value !== null; r += 1) {
    const row = ws.getRow(r);
    partners.push({ partnerId: row.getCell(1).value, share: cellText(row.getCell(2), 'amount'), transfer: cellText(row.getCell(3), 'amount') });
  }
  const value = (offset: number) => ws.getRow(r + 1 + offset).getCell(2).value;
  return { agreementVersion: value(0), requiresDecision: value(1) === 'yes', partners, digest: value(2) };
}

/** The JSON with lines' nulls as the sheet shows them (a line's commentary and returnPeriod stay). */
const asJson = (pack: MonitoringPack) => JSON.parse(JSON.stringify(pack)) as unknown;

t.test('the workbook read back equals the JSON, figure by figure', async (t) => {
  for (const pack of [workedPack, ...randomPacks]) {
    const back = await readPackXlsx(await monitoringPackXlsx(pack), t);
    t.strictSame(back, asJson(pack), `${pack.fundId} ${pack.period} r${pack.asOfRevision}`);
  }
});

t.test('the workbook: title row, number cells to two places, coloured RAG, exact text beyond 15 digits', async (t) => {
  const huge = '12345678901234.56';
  const pack: MonitoringPack = { ...workedPack, fund: { ...workedPack.fund, budget: huge } };
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load((await monitoringPackXlsx(pack)) as unknown as ExcelJS.Buffer);
  const fund = workbook.getWorksheet('Fund') as ExcelJS.Worksheet;
  t.strictSame((fund.getRow(1).values as unknown[]).slice(1, 9), ['fund', 'plymouth-integrated-fund', 'year', '2015-16', 'period', 'M2', 'revision', 41]);
  const budget = fund.getRow(PACK_HEADING_ROW + 1).getCell(2);
  t.equal(budget.value, huge, 'beyond a spreadsheet number: exact text');
  t.equal(budget.note, AMOUNT_AS_TEXT_NOTE);
  const original = fund.getRow(PACK_HEADING_ROW + 1).getCell(1);
  t.equal(original.value, 2100, 'a number cell');
  t.equal(original.numFmt, '#,##0.00');
  const rag = fund.getRow(PACK_HEADING_ROW + 1).getCell(11);
  t.equal(rag.value, 'red');
  t.strictSame((rag.fill as ExcelJS.FillPattern).fgColor, { argb: 'FFFFC7CE' });
  const none = new ExcelJS.Workbook();
  await none.xlsx.load((await monitoringPackXlsx({ ...workedPack, forecastSettlement: null })) as unknown as ExcelJS.Buffer);
  t.match(String(none.getWorksheet(SETTLEMENT_SHEET)?.getCell(`A${PACK_HEADING_ROW}`).value), /No agreement is adopted/);
});

// ------------------------------------------------------------------ CSV read back

function readPackCsv(text: string): Record<string, unknown>[] {
  const records = parse(text, { columns: true }) as Record<string, string>[];
  return records.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === '' ? null : v])));
}

function expectedCsvRows(pack: MonitoringPack): Record<string, unknown>[] {
  const head = { fundId: pack.fundId, year: pack.year, period: pack.period, asOfRevision: String(pack.asOfRevision) };
  const rows: [string, object][] = [
    ...pack.lines.map((l): [string, object] => ['line', l]),
    ...pack.strategies.map((s): [string, object] => ['strategy', s]),
    ...pack.partners.map((p): [string, object] => ['partner', p]),
    ...pack.arrangements.map((a): [string, object] => ['arrangement', a]),
    ['fund', pack.fund],
  ];
  return rows.map(([level, row]) => {
    const all: Record<string, unknown> = { ...row, ...head, level };
    return Object.fromEntries(PACK_CSV_COLUMNS.map((c) => [c, all[c] ?? null]));
  });
}

t.test('the CSV read back equals the JSON: one row per line and per total', async (t) => {
  for (const pack of [workedPack, ...randomPacks]) {
    const text = monitoringPackCsv(pack);
    t.strictSame(readPackCsv(text), expectedCsvRows(pack), `${pack.fundId} ${pack.period} r${pack.asOfRevision}`);
  }
  const rows = readPackCsv(monitoringPackCsv(workedPack));
  t.equal(rows.length, workedPack.lines.length + 3 + 2 + 2 + 1, 'count guard: 4 lines, 3 strategies, 2 partners, 2 arrangements, the fund');
  t.strictSame(rows[0], {
    level: 'line', fundId: 'plymouth-integrated-fund', year: '2015-16', period: 'M2', asOfRevision: '41',
    partnerId: 'ccg', strategyId: 'wellbeing', arrangement: 'pooled',
    originalBudget: '1200.00', budget: '1200.00', budgetToDate: '200.00', actualToDate: '195.00', varianceToDate: '-5.00',
    forecastOutturn: '1236.00', previousForecastOutturn: '1210.00', movement: '26.00', forecastVariance: '36.00',
    forecastVariancePercent: '3.0', rag: 'amber', returnPeriod: 'M2', commentary: 'agency staff',
  });
});

// ------------------------------------------------------------------ the template round trip

const template = (partnerId: string) => ({
  fundId: 'plymouth-integrated-fund', year: '2015-16', partnerId, period: 'M3' as const,
  lines: returnTemplateLines({ ...worked('M2'), partnerId, period: 'M2' }),
});

t.test('template → read back gives the same lines, as CSV and as XLSX', async (t) => {
  for (const partnerId of ['ccg', 'council']) {
    const tpl = template(partnerId);
    t.ok(tpl.lines.length > 0);
    const rows = tpl.lines.map((_, i) => i + 2);
    t.strictSame(readReturnCsv(new TextEncoder().encode(returnTemplateCsv(tpl))), { ok: true, value: { lines: tpl.lines, rows } }, `${partnerId} CSV`);
    t.strictSame(await readReturnXlsx(await returnTemplateXlsx(tpl)), { ok: true, value: { lines: tpl.lines, rows } }, `${partnerId} XLSX`);
  }
  t.equal(returnTemplateCsv(template('ccg')).split('\r\n')[0], RETURN_COLUMNS.join(','), 'the upload columns, in order');
});

t.test('template → filled in (in Excel\'s way) → read back gives the figures typed', async (t) => {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load((await returnTemplateXlsx(template('council'))) as unknown as ExcelJS.Buffer);
  const ws = workbook.worksheets[0] as ExcelJS.Worksheet;
  t.equal(ws.getRow(2).getCell(3).numFmt, AMOUNT_FORMAT, 'amounts are number cells to two places');
  ws.getRow(2).getCell(3).value = 20.1; // wellbeing actual to date, typed as a number
  ws.getRow(2).getCell(4).value = '£1,250.00'; // typed as text
  ws.getRow(3).getCell(5).value = 'Care packages up';
  const filled = new Uint8Array(await workbook.xlsx.writeBuffer());
  t.strictSame(await readReturnXlsx(filled), { ok: true, value: { lines: [
    { strategyId: 'wellbeing', arrangement: 'pooled', actualToDate: '20.10', forecastOutturn: '1250.00' },
    { strategyId: 'community', arrangement: 'pooled', actualToDate: '90.00', forecastOutturn: '612.00', commentary: 'Care packages up' },
  ], rows: [2, 3] } });
  const csvText = returnTemplateCsv(template('council')).replace('wellbeing,pooled,0.00,240.00,', 'wellbeing,pooled,"1,020.10",£250,Late invoices');
  t.strictSame(readReturnCsv(new TextEncoder().encode(csvText)), { ok: true, value: { lines: [
    { strategyId: 'wellbeing', arrangement: 'pooled', actualToDate: '1020.10', forecastOutturn: '250.00', commentary: 'Late invoices' },
    { strategyId: 'community', arrangement: 'pooled', actualToDate: '90.00', forecastOutturn: '612.00' },
  ], rows: [2, 3] } });
  const about = workbook.getWorksheet('About') as ExcelJS.Worksheet;
  t.strictSame((about.getRow(4).values as unknown[]).slice(1), ['partner', 'council']);
});
