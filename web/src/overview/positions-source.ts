// The overview from GET …/positions: budget, actual to date, forecast outturn and
// forecast variance per fund, partner, strategy and line, with the variance month
// by month. (The monitoring pack replaces this source: see model.ts.)
import { unwrap, type Client, type FigureSet, type FundYearRef, type PositionsView } from '../api/client.js';
import { PERIODS } from '../format.js';
import type { Column, FigureTable, OverviewModel, Row, VarianceSeries } from './model.js';

const FIGURE_COLUMNS: readonly Column[] = [
  { key: 'budget', label: 'Budget', kind: 'amount' },
  { key: 'actualToDate', label: 'Actual to date', kind: 'amount' },
  { key: 'forecastOutturn', label: 'Forecast outturn', kind: 'amount' },
  { key: 'forecastVariance', label: 'Forecast variance', kind: 'amount' },
];

function figures(set: FigureSet): Record<string, string> {
  return { budget: set.budget, actualToDate: set.actualToDate, forecastOutturn: set.forecastOutturn, forecastVariance: set.forecastVariance };
}

function byPeriod(set: FigureSet): (string | null)[] {
  const months = set.forecastVarianceByPeriod as Record<string, string | null | undefined>;
  return PERIODS.map((period) => months[period] ?? null);
}

export function overviewFromPositions(view: PositionsView): OverviewModel {
  const tables: FigureTable[] = [
    { id: 'fund', title: 'Fund', columns: FIGURE_COLUMNS, rows: [{ key: 'fund', cells: figures(view.fund) }] },
    {
      id: 'partners', title: 'Partners',
      columns: [{ key: 'partnerId', label: 'Partner', kind: 'text' }, { key: 'lastPeriod', label: 'Latest return', kind: 'text' }, ...FIGURE_COLUMNS],
      rows: view.partners.map((p): Row => ({ key: p.partnerId, cells: { partnerId: p.partnerId, lastPeriod: p.lastPeriod ?? 'none', ...figures(p) } })),
    },
    {
      id: 'strategies', title: 'Strategies',
      columns: [{ key: 'strategyId', label: 'Strategy', kind: 'text' }, ...FIGURE_COLUMNS],
      rows: view.strategies.map((s): Row => ({ key: s.strategyId, cells: { strategyId: s.strategyId, ...figures(s) } })),
    },
    {
      id: 'lines', title: 'Budget lines',
      columns: [
        { key: 'strategyId', label: 'Strategy', kind: 'text' },
        { key: 'partnerId', label: 'Partner', kind: 'text' },
        { key: 'arrangement', label: 'Arrangement', kind: 'text' },
        ...FIGURE_COLUMNS,
      ],
      rows: view.lines.map((l): Row => ({
        key: `${l.strategyId}/${l.partnerId}/${l.arrangement}`,
        cells: { strategyId: l.strategyId, partnerId: l.partnerId, arrangement: l.arrangement, ...figures(l) },
      })),
    },
  ];
  const series: VarianceSeries[] = [
    ...view.partners.map((p) => ({ label: p.partnerId, values: byPeriod(p), total: false })),
    { label: 'Fund', values: byPeriod(view.fund), total: true },
  ];
  return {
    asOf: `revision ${view.asOfRevision}`,
    status: view.status,
    tables,
    series,
    lastPeriods: new Map(view.partners.map((p) => [p.partnerId, p.lastPeriod ?? null])),
    downloads: [],
  };
}

export async function loadPositions(client: Client, ref: FundYearRef): Promise<PositionsView> {
  return unwrap(client.GET('/v1/funds/{fundId}/years/{year}/positions', { params: { path: ref } }));
}

/** The overview source in use today. */
export async function loadOverview(client: Client, ref: FundYearRef): Promise<OverviewModel> {
  return overviewFromPositions(await loadPositions(client, ref));
}
