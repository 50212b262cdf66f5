// The monitoring pack as CSV (API.md: GET …/monitoring.csv): one row per line and per
// total, a `level` column saying which, and the pack's fund, year, period and revision on
// every row so rows stay identified when packs are put together. Amounts are the JSON's
// decimal strings; an empty cell is a null. The forecast settlement is not a row of
// figures: it is in the JSON and in the workbook's own sheet.
import { stringify } from 'csv-stringify/sync';
import type { MonitoringPack } from '../../domain/monitoring/index.js';
import { ARRANGEMENT, FIGURE_COLUMNS, LINE_EXTRA, PARTNER, STRATEGY, type Level } from './pack-columns.js';

export const PACK_CSV_COLUMNS: readonly string[] = [
  'level', 'fundId', 'year', 'period', 'asOfRevision',
  ...[PARTNER, STRATEGY, ARRANGEMENT].map((c) => c.field),
  ...FIGURE_COLUMNS.map((c) => c.field),
  ...LINE_EXTRA.map((c) => c.field),
];

type Row = Record<string, unknown>;
const asRow = (figures: object): Row => figures as Row;

export function monitoringPackCsv(pack: MonitoringPack): string {
  const rows: [Level, Row][] = [
    ...pack.lines.map((r): [Level, Row] => ['line', asRow(r)]),
    ...pack.strategies.map((r): [Level, Row] => ['strategy', asRow(r)]),
    ...pack.partners.map((r): [Level, Row] => ['partner', asRow(r)]),
    ...pack.arrangements.map((r): [Level, Row] => ['arrangement', asRow(r)]),
    ['fund', asRow(pack.fund)],
  ];
  const header = { level: '', fundId: pack.fundId, year: pack.year, period: pack.period, asOfRevision: String(pack.asOfRevision) };
  const records = rows.map(([level, row]) => {
    const cells: Row = { ...row, ...header, level };
    // Every value is a string or null here: money never passes through a JS number.
    return PACK_CSV_COLUMNS.map((column) => (cells[column] === undefined || cells[column] === null ? '' : String(cells[column])));
  });
  return stringify([[...PACK_CSV_COLUMNS], ...records], { record_delimiter: '\r\n' });
}
