// The return a partner is asked to fill in for a period: each of its budget lines in
// force, in the pack's order, pre-filled with its latest figures at or before the period
// (a line that return does not carry: nothing spent, on budget). Commentary is pre-filled
// only from a return for the same period (a correction starts from what it corrects),
// because commentary does not carry forward (MONITORING.md §3).
import { formatAmount, parseAmount } from '../money.js';
import { periodNumber, type Period } from '../fundyear/ids.js';
import { cellKey, compareLines, latestReturnUpTo, linesByKey } from './returns.js';
import type { MonitoringBudgetLine, MonitoringReturn, MonitoringReturnLine } from './types.js';

export interface ReturnTemplateInput {
  partnerId: string;
  period: Period;
  partners: readonly { partnerId: string }[];
  strategies: readonly { strategyId: string }[];
  budget: readonly MonitoringBudgetLine[] | null;
  returns: readonly MonitoringReturn[];
}

export function returnTemplateLines(input: ReturnTemplateInput): MonitoringReturnLine[] {
  const latest = latestReturnUpTo(input.returns, input.partnerId, periodNumber(input.period));
  const reported = linesByKey(latest);
  const samePeriod = latest?.period === input.period;
  const order = compareLines(input.partners.map((p) => p.partnerId), input.strategies.map((s) => s.strategyId));
  const own = (input.budget ?? []).filter((b) => b.partnerId === input.partnerId).slice().sort(order);
  return own.map((b) => {
    const line = reported.get(cellKey(b.strategyId, b.arrangement));
    const amount = (text: string) => formatAmount(parseAmount(text));
    const filled: MonitoringReturnLine = {
      strategyId: b.strategyId,
      arrangement: b.arrangement,
      actualToDate: line ? amount(line.actualToDate) : '0.00',
      forecastOutturn: amount(line ? line.forecastOutturn : b.amount),
    };
    if (samePeriod && line?.commentary !== undefined) filled.commentary = line.commentary;
    return filled;
  });
}
