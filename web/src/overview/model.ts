// What the fund-year overview shows, independent of where it comes from. Today
// the source is GET …/positions (positions-source.ts); the monthly monitoring pack
// (GET …/monitoring) will be a second source filling the same model, with more
// columns (profiled budget, variance to date, RAG, commentary), a forecast
// settlement and downloads. The page renders whatever the model holds.

/** How a cell is shown: an amount is only formatted; a RAG flag is a badge. */
export type ColumnKind = 'text' | 'amount' | 'percent' | 'rag';

export interface Column {
  key: string;
  label: string;
  kind: ColumnKind;
}

export interface Row {
  key: string;
  cells: Readonly<Record<string, string | null>>;
  /** Shown under the row (e.g. a line's commentary in the pack). */
  note?: string;
}

export interface FigureTable {
  id: string;
  title: string;
  columns: readonly Column[];
  rows: readonly Row[];
}

/** One line of the chart: forecast variance as it stood at the end of each month M1..M12. */
export interface VarianceSeries {
  label: string;
  /** Twelve decimal strings or null (no figure that month), as the API gave them. */
  values: readonly (string | null)[];
  /** The fund's line is drawn heavier. */
  total: boolean;
}

export interface Download {
  label: string;
  /** API path (with the key sent as a header, so fetched, not linked). */
  path: string;
  fileName: string;
}

export interface OverviewModel {
  /** "revision 23", or "M6 at revision 23" for the pack. */
  asOf: string;
  status: 'open' | 'closed';
  tables: readonly FigureTable[];
  series: readonly VarianceSeries[];
  /** Partners by id with their latest period returned (for the return form and the fund summary). */
  lastPeriods: ReadonlyMap<string, string | null>;
  downloads: readonly Download[];
}
