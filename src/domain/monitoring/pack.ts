// The monthly monitoring pack (MONITORING.md §2–4) as a pure function of plain inputs:
// the same inputs always give the same figures. Sums are exact big.js values, printed
// once at the end, with no bound on their digits.
import { formatAmount, parseAmount, ZERO, type Decimal } from '../money.js';
import { periodNumber, type Period } from '../fundyear/ids.js';
import type { Arrangement } from '../terms-types.js';
import { compareLines, declaredOrder, latestReturnUpTo, lineKey, linesByKey, cellKey } from './returns.js';
import { budgetToDate, ragOf, variancePercent } from './rules.js';
import type {
  MonitoringBudgetLine,
  MonitoringFigures,
  MonitoringInput,
  MonitoringLine,
  MonitoringReturn,
  MonitoringReturnLine,
  MonitoringTables,
  RagThresholds,
} from './types.js';

/** The six figures every other one derives from; sums of these give every total exactly. */
interface Base {
  originalBudget: Decimal;
  budget: Decimal;
  budgetToDate: Decimal;
  actualToDate: Decimal;
  forecastOutturn: Decimal;
  previousForecastOutturn: Decimal;
}

interface LineId {
  strategyId: string;
  partnerId: string;
  arrangement: Arrangement;
}

interface ResolvedLine {
  id: LineId;
  base: Base;
  returnPeriod: Period | null;
  commentary: string | null;
}

export const ARRANGEMENTS: readonly Arrangement[] = ['pooled', 'aligned'];

/** MONITORING.md §3–4: every line and every total of the pack at `input.period`. */
export function monitoringTables(input: MonitoringInput): MonitoringTables {
  const lines = resolveLines(input);
  const figures = (pick: (id: LineId) => boolean): MonitoringFigures =>
    toFigures(sumBase(lines.filter((l) => pick(l.id)).map((l) => l.base)), input.rag);
  return {
    period: input.period,
    rag: { amberPercent: input.rag.amberPercent, redPercent: input.rag.redPercent },
    lines: lines.map(toLine(input.rag)),
    strategies: input.strategies.map(({ strategyId }) => ({ strategyId, ...figures((id) => id.strategyId === strategyId) })),
    partners: input.partners.map(({ partnerId }) => ({ partnerId, ...figures((id) => id.partnerId === partnerId) })),
    arrangements: ARRANGEMENTS.map((arrangement) => ({ arrangement, ...figures((id) => id.arrangement === arrangement) })),
    fund: figures(() => true),
  };
}

/**
 * §3: the budget lines in force, then any line a current return carries without a budget
 * line (budget 0), each resolved against its partner's current and previous return, in
 * §4's order.
 */
export function resolveLines(input: MonitoringInput): ResolvedLine[] {
  const k = periodNumber(input.period);
  const original = new Map((input.originalBudget ?? []).map((b) => [lineKey(b), parseAmount(b.amount)]));
  const budget = new Map((input.budget ?? []).map((b) => [lineKey(b), b]));
  const resolved: ResolvedLine[] = [];
  for (const { partnerId } of input.partners) {
    const current = latestReturnUpTo(input.returns, partnerId, k);
    const previous = k > 1 ? latestReturnUpTo(input.returns, partnerId, k - 1) : undefined;
    const ids: LineId[] = (input.budget ?? []).filter((b) => b.partnerId === partnerId).map(({ strategyId, arrangement }) => ({ strategyId, partnerId, arrangement }));
    for (const l of current?.lines ?? []) {
      const id = { strategyId: l.strategyId, partnerId, arrangement: l.arrangement };
      if (!budget.has(lineKey(id))) ids.push(id);
    }
    const sources = { current, currentLines: linesByKey(current), previousLines: linesByKey(previous) };
    for (const id of ids) resolved.push(resolveLine(id, budget.get(lineKey(id)), original.get(lineKey(id)) ?? ZERO, sources, input.period));
  }
  checkDeclared(resolved, input);
  const order = compareLines(input.partners.map((p) => p.partnerId), input.strategies.map((s) => s.strategyId));
  return resolved.sort((a, b) => order(a.id, b.id));
}

interface Sources {
  current: MonitoringReturn | undefined;
  currentLines: Map<string, MonitoringReturnLine>;
  previousLines: Map<string, MonitoringReturnLine>;
}

/** One line: a return that does not carry it counts as no return for it. */
function resolveLine(id: LineId, budgetLine: MonitoringBudgetLine | undefined, originalBudget: Decimal, sources: Sources, period: Period): ResolvedLine {
  const budget = budgetLine ? parseAmount(budgetLine.amount) : ZERO;
  const key = cellKey(id.strategyId, id.arrangement);
  const now = sources.currentLines.get(key);
  const before = sources.previousLines.get(key);
  return {
    id,
    base: {
      originalBudget,
      budget,
      budgetToDate: budgetToDate(budget, budgetLine?.profile, period),
      actualToDate: now ? parseAmount(now.actualToDate) : ZERO,
      forecastOutturn: now ? parseAmount(now.forecastOutturn) : budget,
      // The plan is the first forecast: the budget in force, not the original one.
      previousForecastOutturn: before ? parseAmount(before.forecastOutturn) : budget,
    },
    returnPeriod: now && sources.current ? sources.current.period : null,
    commentary: now?.commentary ?? null,
  };
}

/** Every line names a declared partner and strategy (the decider's rule; checked, not assumed). */
function checkDeclared(lines: readonly ResolvedLine[], input: MonitoringInput): void {
  const strategy = declaredOrder(input.strategies.map((s) => s.strategyId));
  const partner = declaredOrder(input.partners.map((p) => p.partnerId));
  for (const { id } of lines) strategy(id.strategyId, 'strategy');
  for (const b of input.budget ?? []) partner(b.partnerId, 'partner');
}

function sumBase(list: readonly Base[]): Base {
  const total: Base = { originalBudget: ZERO, budget: ZERO, budgetToDate: ZERO, actualToDate: ZERO, forecastOutturn: ZERO, previousForecastOutturn: ZERO };
  for (const b of list) {
    for (const key of Object.keys(total) as (keyof Base)[]) total[key] = total[key].plus(b[key]);
  }
  return total;
}

/** §3's derived fields, from the base figures of a line or of a group's sums. */
function toFigures(b: Base, rag: RagThresholds): MonitoringFigures {
  const forecastVariance = b.forecastOutturn.minus(b.budget);
  return {
    originalBudget: formatAmount(b.originalBudget),
    budget: formatAmount(b.budget),
    budgetToDate: formatAmount(b.budgetToDate),
    actualToDate: formatAmount(b.actualToDate),
    varianceToDate: formatAmount(b.actualToDate.minus(b.budgetToDate)),
    forecastOutturn: formatAmount(b.forecastOutturn),
    previousForecastOutturn: formatAmount(b.previousForecastOutturn),
    movement: formatAmount(b.forecastOutturn.minus(b.previousForecastOutturn)),
    forecastVariance: formatAmount(forecastVariance),
    forecastVariancePercent: variancePercent(forecastVariance, b.budget),
    rag: ragOf(forecastVariance, b.budget, rag),
  };
}

function toLine(rag: RagThresholds): (l: ResolvedLine) => MonitoringLine {
  return (l) => ({ ...l.id, ...toFigures(l.base, rag), returnPeriod: l.returnPeriod, commentary: l.commentary });
}
