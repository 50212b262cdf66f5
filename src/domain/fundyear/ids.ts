// Identifiers of a fund-year (DOMAIN.md, "Rules": ids) and the one function that
// names its stream. Pure: used by the decider, the projections and the service.

/** DOMAIN.md: a fund id is a lower-case slug. */
export const FUND_ID_PATTERN = '^[a-z0-9][a-z0-9-]{1,62}$';
/** Partner, strategy and other declared ids: lower-case slugs too (e.g. `ccg`, `children-young-people`). */
export const SLUG_PATTERN = '^[a-z0-9][a-z0-9-]{0,62}$';
/**
 * A financial year, `2015-16`: the second part is the year after the first (`1999-00`
 * included). JSON Schema has no arithmetic, so each of the hundred pairs is spelled out; the
 * year schema holds this very pattern (tested).
 */
export const YEAR_PATTERN = `^[0-9]{2}(${Array.from({ length: 100 }, (_, i) => `${twoDigits(i)}-${twoDigits((i + 1) % 100)}`).join('|')})$`;

function twoDigits(n: number): string {
  return String(n).padStart(2, '0');
}
export const PERIOD_PATTERN = '^M([1-9]|1[0-2])$';

const FUND_ID_RE = new RegExp(FUND_ID_PATTERN);
const SLUG_RE = new RegExp(SLUG_PATTERN);
const YEAR_RE = new RegExp(YEAR_PATTERN);
const PERIOD_RE = new RegExp(PERIOD_PATTERN);

/** M1 (April) … M12 (March). */
export const PERIODS = ['M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7', 'M8', 'M9', 'M10', 'M11', 'M12'] as const;
export type Period = (typeof PERIODS)[number];
export const PERIOD_LAST: Period = 'M12';

export function isFundId(value: unknown): value is string {
  return typeof value === 'string' && FUND_ID_RE.test(value);
}

export function isSlug(value: unknown): value is string {
  return typeof value === 'string' && SLUG_RE.test(value);
}

export function isYear(value: unknown): value is string {
  return typeof value === 'string' && YEAR_RE.test(value);
}

export function isPeriod(value: unknown): value is Period {
  return typeof value === 'string' && PERIOD_RE.test(value);
}

/** 1 for M1 … 12 for M12: periods compare by number, never as strings ("M10" < "M2"). */
export function periodNumber(period: Period): number {
  return Number(period.slice(1));
}

/** Every fund-year stream's name starts with this: what the summary's server-side filter selects. */
export const FUND_YEAR_STREAM_PREFIX = 'fundyear-';

/** The single place a fund-year stream name is built (STYLE.md). */
export function fundYearStream(fundId: string, year: string): string {
  return `${FUND_YEAR_STREAM_PREFIX}${fundId}-${year}`;
}

/** The inverse, for events read from the whole log; null for streams that are not fund-years. */
export function parseFundYearStream(stream: string): { fundId: string; year: string } | null {
  const match = /^fundyear-(.+)-([0-9]{4}-[0-9]{2})$/.exec(stream);
  if (!match || !match[1] || !match[2]) return null;
  return { fundId: match[1], year: match[2] };
}
