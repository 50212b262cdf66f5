// Positions (DOMAIN.md, read side): a pure fold of the fund-year at one revision into
// budget, actual to date, forecast outturn and forecast variance per line, strategy,
// partner and fund, with the forecast variance month by month.
import { lineIdOf, lineKey, type LineId } from '../lines.js';
import { formatAmount, parseExact, ZERO, type Decimal } from '../money.js';
import { latestReturn, partnerIds, periodReached, PERIODS, reportedLines, type ExistingFundYear, type Period } from '../fundyear/index.js';
import { outturnByLine } from '../fundyear/settlement-input.js';
import type { FigureSet, PositionsView } from './types.js';

interface Figures {
  budget: Decimal;
  actualToDate: Decimal;
  forecastOutturn: Decimal;
  /** Forecast variance at the end of M1..M12; null where nothing was reported yet. */
  byPeriod: (Decimal | null)[];
}

/**
 * Open year: forecast outturn is each partner's latest forecast (on budget where not
 * reported). Closed year: it is the final outturn (M12 actual plus adjustments), the
 * figure the final settlement uses. Actual to date always includes adjustments.
 */
export function positions(fy: ExistingFundYear): PositionsView {
  const lines = lineFigures(fy);
  const view = (figures: Figures[]): FigureSet => toFigureSet(sumFigures(figures));
  const pick = (test: (id: LineId) => boolean) => [...lines.values()].filter((l) => test(l.id)).map((l) => l.figures);
  return {
    fundId: fy.fundId,
    year: fy.year,
    asOfRevision: fy.revision,
    status: fy.status,
    lines: [...lines.values()].map(({ id, figures }) => ({ ...id, ...toFigureSet(figures) })),
    strategies: fy.strategies.map(({ strategyId }) => ({ strategyId, ...view(pick((l) => l.strategyId === strategyId)) })),
    partners: partnerIds(fy).map((partnerId) => ({
      partnerId,
      lastPeriod: latestReturn(fy, partnerId)?.period ?? null,
      ...view(pick((l) => l.partnerId === partnerId)),
    })),
    fund: view(pick(() => true)),
  };
}

/**
 * The fund's budget and forecast outturn alone, without the month-by-month work of
 * `positions`: equal to `positions(fy).fund` (tested), at a fraction of the cost, for the
 * cross-fund summary.
 */
export function fundTotals(fy: ExistingFundYear): { budget: string; forecastOutturn: string; forecastVariance: string } {
  let budget = ZERO;
  for (const b of fy.budget ?? []) budget = budget.plus(parseExact(b.amount));
  let outturn = ZERO;
  for (const o of outturnByLine(fy, fy.status === 'closed' ? 'final' : 'forecast').outturn) outturn = outturn.plus(parseExact(o.amount));
  return { budget: formatAmount(budget), forecastOutturn: formatAmount(outturn), forecastVariance: formatAmount(outturn.minus(budget)) };
}

/** Every line that has a budget, a reported figure or an adjustment; budget lines first. */
function lineFigures(fy: ExistingFundYear): Map<string, { id: LineId; figures: Figures }> {
  const lines = new Map<string, { id: LineId; figures: Figures }>();
  const touch = (id: LineId) => {
    const key = lineKey(id);
    let entry = lines.get(key);
    if (!entry) {
      entry = { id: lineIdOf(id), figures: { budget: ZERO, actualToDate: ZERO, forecastOutturn: ZERO, byPeriod: PERIODS.map(() => null) } };
      lines.set(key, entry);
    }
    return entry.figures;
  };
  for (const b of fy.budget ?? []) touch(b).budget = parseExact(b.amount);
  for (const line of reportedLines(fy)) touch(line);
  for (const partnerId of partnerIds(fy)) {
    for (const l of latestReturn(fy, partnerId)?.lines ?? []) touch({ ...l, partnerId }).actualToDate = parseExact(l.actualToDate);
  }
  for (const a of fy.adjustments) {
    const figures = touch(a);
    figures.actualToDate = figures.actualToDate.plus(parseExact(a.amount));
  }
  const mode = fy.status === 'closed' ? 'final' : 'forecast';
  for (const o of outturnByLine(fy, mode).outturn) touch(o).forecastOutturn = parseExact(o.amount);
  // Months after the latest period anyone has reported have not happened yet: they stay null.
  PERIODS.slice(0, periodReached(fy)).forEach((period, index) => varianceAt(fy, period, index, lines));
  return lines;
}

/**
 * The forecast variance as it stood at the end of `period`: each partner's latest
 * return up to that period (the last-appended submission, so corrections count),
 * against the budget in force; a line that return does not carry is on budget. A
 * partner late with this month counts with its previous month, as it stood.
 */
function varianceAt(fy: ExistingFundYear, period: Period, index: number, lines: Map<string, { id: LineId; figures: Figures }>): void {
  for (const partnerId of partnerIds(fy)) {
    const counting = latestReturn(fy, partnerId, period);
    if (!counting) continue;
    const forecast = new Map(counting.lines.map((l) => [lineKey({ ...l, partnerId }), parseExact(l.forecastOutturn)]));
    for (const [key, { id, figures }] of lines) {
      if (id.partnerId !== partnerId) continue;
      figures.byPeriod[index] = (forecast.get(key) ?? figures.budget).minus(figures.budget);
    }
  }
}

function sumFigures(list: Figures[]): Figures {
  const total: Figures = { budget: ZERO, actualToDate: ZERO, forecastOutturn: ZERO, byPeriod: PERIODS.map(() => null) };
  for (const f of list) {
    total.budget = total.budget.plus(f.budget);
    total.actualToDate = total.actualToDate.plus(f.actualToDate);
    total.forecastOutturn = total.forecastOutturn.plus(f.forecastOutturn);
    f.byPeriod.forEach((v, i) => {
      if (v !== null) total.byPeriod[i] = (total.byPeriod[i] ?? ZERO).plus(v);
    });
  }
  return total;
}

function toFigureSet(f: Figures): FigureSet {
  return {
    budget: formatAmount(f.budget),
    actualToDate: formatAmount(f.actualToDate),
    forecastOutturn: formatAmount(f.forecastOutturn),
    forecastVariance: formatAmount(f.forecastOutturn.minus(f.budget)),
    // Every month M1..M12 is named (null where it has not happened yet).
    forecastVarianceByPeriod: Object.fromEntries(PERIODS.map((p, i) => [p, f.byPeriod[i] ? formatAmount(f.byPeriod[i]) : null])) as Record<Period, string | null>,
  };
}
