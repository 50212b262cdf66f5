// The columns of the pack in CSV and XLSX: one list, so the two files and the JSON agree.
import type { MonitoringFigures } from '../../domain/monitoring/index.js';

export type FigureField = keyof MonitoringFigures;
export type Kind = 'amount' | 'percent' | 'rag' | 'text';

export interface Column {
  field: string;
  label: string;
  kind: Kind;
}

export const FIGURE_COLUMNS: readonly (Column & { field: FigureField })[] = [
  { field: 'originalBudget', label: 'Original budget', kind: 'amount' },
  { field: 'budget', label: 'Budget', kind: 'amount' },
  { field: 'budgetToDate', label: 'Budget to date', kind: 'amount' },
  { field: 'actualToDate', label: 'Actual to date', kind: 'amount' },
  { field: 'varianceToDate', label: 'Variance to date', kind: 'amount' },
  { field: 'forecastOutturn', label: 'Forecast outturn', kind: 'amount' },
  { field: 'previousForecastOutturn', label: 'Previous forecast outturn', kind: 'amount' },
  { field: 'movement', label: 'Movement', kind: 'amount' },
  { field: 'forecastVariance', label: 'Forecast variance', kind: 'amount' },
  { field: 'forecastVariancePercent', label: 'Forecast variance %', kind: 'percent' },
  { field: 'rag', label: 'RAG', kind: 'rag' },
];

const id = (field: string, label: string): Column => ({ field, label, kind: 'text' });
export const PARTNER = id('partnerId', 'Partner');
export const STRATEGY = id('strategyId', 'Strategy');
export const ARRANGEMENT = id('arrangement', 'Arrangement');
export const LINE_EXTRA: readonly Column[] = [id('returnPeriod', 'Return period'), id('commentary', 'Commentary')];

export type Level = 'line' | 'strategy' | 'partner' | 'arrangement' | 'fund';

/** Each level's columns, in sheet order; `sheet` names its XLSX worksheet. */
export const LEVELS: readonly { level: Level; sheet: string; columns: readonly Column[] }[] = [
  { level: 'line', sheet: 'Lines', columns: [PARTNER, STRATEGY, ARRANGEMENT, ...FIGURE_COLUMNS, ...LINE_EXTRA] },
  { level: 'strategy', sheet: 'Strategies', columns: [STRATEGY, ...FIGURE_COLUMNS] },
  { level: 'partner', sheet: 'Partners', columns: [PARTNER, ...FIGURE_COLUMNS] },
  { level: 'arrangement', sheet: 'Arrangements', columns: [ARRANGEMENT, ...FIGURE_COLUMNS] },
  { level: 'fund', sheet: 'Fund', columns: [...FIGURE_COLUMNS] },
];

export const SETTLEMENT_SHEET = 'Forecast settlement';
