// The overview from the monthly monitoring pack (GET …/monitoring?period=): the
// pack's columns with RAG, lines' commentary as notes, the forecast variance month
// by month from the pack of each period, the forecast settlement and downloads.
import type { FundYearRef } from '../api/problem.js';
import { getMonitoring, monitoringPath, type MonitoringPack, type PackFigures, type RawFetch } from '../api/pending.js';
import { PERIODS } from '../format.js';
import type { Column, FigureTable, OverviewModel, Row, VarianceSeries } from './model.js';

const PACK_COLUMNS: readonly Column[] = [
  { key: 'originalBudget', label: 'Original budget', kind: 'amount' },
  { key: 'budget', label: 'Latest budget', kind: 'amount' },
  { key: 'budgetToDate', label: 'Budget to date', kind: 'amount' },
  { key: 'actualToDate', label: 'Actual to date', kind: 'amount' },
  { key: 'varianceToDate', label: 'Variance to date', kind: 'amount' },
  { key: 'previousForecastOutturn', label: 'Previous forecast', kind: 'amount' },
  { key: 'forecastOutturn', label: 'Forecast outturn', kind: 'amount' },
  { key: 'movement', label: 'Movement', kind: 'amount' },
  { key: 'forecastVariance', label: 'Forecast variance', kind: 'amount' },
  { key: 'forecastVariancePercent', label: 'Variance %', kind: 'percent' },
  { key: 'rag', label: 'RAG', kind: 'rag' },
];

function cells(f: Partial<PackFigures>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const column of PACK_COLUMNS) out[column.key] = (f as Record<string, string | null | undefined>)[column.key] ?? null;
  return out;
}

export function overviewFromPack(pack: MonitoringPack, series: readonly VarianceSeries[], ref: FundYearRef): OverviewModel {
  const tables: FigureTable[] = [
    { id: 'fund', title: 'Fund', columns: PACK_COLUMNS, rows: [{ key: 'fund', cells: cells(pack.fund) }] },
    {
      id: 'partners', title: 'Partners', columns: [{ key: 'partnerId', label: 'Partner', kind: 'text' }, ...PACK_COLUMNS],
      rows: pack.partners.map((p): Row => ({ key: p.partnerId, cells: { partnerId: p.partnerId, ...cells(p) } })),
    },
    {
      id: 'strategies', title: 'Strategies', columns: [{ key: 'strategyId', label: 'Strategy', kind: 'text' }, ...PACK_COLUMNS],
      rows: pack.strategies.map((s): Row => ({ key: s.strategyId, cells: { strategyId: s.strategyId, ...cells(s) } })),
    },
    {
      id: 'lines', title: 'Budget lines',
      columns: [
        { key: 'strategyId', label: 'Strategy', kind: 'text' },
        { key: 'partnerId', label: 'Partner', kind: 'text' },
        { key: 'arrangement', label: 'Arrangement', kind: 'text' },
        { key: 'returnPeriod', label: 'Return', kind: 'text' },
        ...PACK_COLUMNS,
      ],
      rows: pack.lines.map((l): Row => ({
        key: `${l.strategyId}/${l.partnerId}/${l.arrangement}`,
        cells: { strategyId: l.strategyId, partnerId: l.partnerId, arrangement: l.arrangement, returnPeriod: l.returnPeriod ?? 'none', ...cells(l) },
        ...(l.commentary !== null && l.commentary !== '' ? { note: `Commentary: ${l.commentary}` } : {}),
      })),
    },
  ];
  const lastPeriods = new Map<string, string | null>();
  for (const line of pack.lines) {
    const seen = lastPeriods.get(line.partnerId) ?? null;
    if (line.returnPeriod !== null && (seen === null || PERIODS.indexOf(line.returnPeriod as never) > PERIODS.indexOf(seen as never))) lastPeriods.set(line.partnerId, line.returnPeriod);
    else if (!lastPeriods.has(line.partnerId)) lastPeriods.set(line.partnerId, null);
  }
  return {
    asOf: `${pack.period} at revision ${pack.asOfRevision}`,
    status: 'open',
    tables,
    series,
    lastPeriods,
    downloads: [
      { label: 'Download the pack (CSV)', path: monitoringPath(ref, '.csv', pack.period), fileName: `${pack.fundId}-${pack.year}-${pack.period}-monitoring.csv` },
      { label: 'Download the pack (XLSX)', path: monitoringPath(ref, '.xlsx', pack.period), fileName: `${pack.fundId}-${pack.year}-${pack.period}-monitoring.xlsx` },
    ],
  };
}

/**
 * The forecast variance at the end of each month, per partner and for the fund,
 * read from the pack of each period up to the chosen one (later months are blank).
 */
export async function varianceSeries(raw: RawFetch, ref: FundYearRef, pack: MonitoringPack): Promise<VarianceSeries[]> {
  const upTo = PERIODS.indexOf(pack.period as never);
  const packs = await Promise.all(PERIODS.map((period, i) => (i > upTo ? null : i === upTo ? pack : getMonitoring(raw, ref, period))));
  const partnerIds = pack.partners.map((p) => p.partnerId);
  const partnerSeries = partnerIds.map((id) => ({
    label: id,
    values: packs.map((p) => p?.partners.find((q) => q.partnerId === id)?.forecastVariance ?? null),
    total: false,
  }));
  return [...partnerSeries, { label: 'Fund', values: packs.map((p) => p?.fund.forecastVariance ?? null), total: true }];
}

export interface PackOverview {
  model: OverviewModel;
  pack: MonitoringPack;
}

export async function loadPackOverview(raw: RawFetch, ref: FundYearRef, period?: string): Promise<PackOverview> {
  const pack = await getMonitoring(raw, ref, period);
  return { model: overviewFromPack(pack, await varianceSeries(raw, ref, pack), ref), pack };
}
