// The monthly monitoring pack's plain inputs and outputs (MONITORING.md). Amounts are
// decimal strings; the inputs are shaped so that a folded fund-year passes its own
// fields straight in (declarations, budgets, return records).
import type { Period } from '../fundyear/ids.js';
import type { Arrangement } from '../terms-types.js';

export type Rag = 'red' | 'amber' | 'green';

/** RAG thresholds as the admin gave them (decimal strings, per cent of budget). */
export interface RagThresholds {
  amberPercent: string;
  redPercent: string;
}

export interface MonitoringBudgetLine {
  strategyId: string;
  partnerId: string;
  arrangement: Arrangement;
  amount: string;
  /** Twelve amounts M1..M12 summing to `amount`; absent: straight-line. */
  profile?: readonly string[] | undefined;
}

export interface MonitoringReturnLine {
  strategyId: string;
  arrangement: Arrangement;
  actualToDate: string;
  forecastOutturn: string;
  commentary?: string | undefined;
}

export interface MonitoringReturn {
  partnerId: string;
  period: Period;
  lines: readonly MonitoringReturnLine[];
}

export interface MonitoringInput {
  /** Declared partners, in declared order. */
  partners: readonly { partnerId: string }[];
  /** Declared strategies, in declared order. */
  strategies: readonly { strategyId: string }[];
  /** The first budget set for the year (the original budget); null if none yet. */
  originalBudget: readonly Omit<MonitoringBudgetLine, 'profile'>[] | null;
  /** The budget in force at the pack's revision; null if none yet. */
  budget: readonly MonitoringBudgetLine[] | null;
  /** Every return appended at or before the pack's revision, in append order. */
  returns: readonly MonitoringReturn[];
  /** The thresholds in force at the pack's revision. */
  rag: RagThresholds;
  /** The pack's period Mk. */
  period: Period;
}

/** The amount fields every line and every total carries (MONITORING.md §3–4). */
export interface MonitoringFigures {
  originalBudget: string;
  budget: string;
  budgetToDate: string;
  actualToDate: string;
  varianceToDate: string;
  forecastOutturn: string;
  previousForecastOutturn: string;
  movement: string;
  forecastVariance: string;
  /** One decimal place, e.g. "4.2"; null when the budget is 0. */
  forecastVariancePercent: string | null;
  rag: Rag;
}

export interface MonitoringLine extends MonitoringFigures {
  strategyId: string;
  partnerId: string;
  arrangement: Arrangement;
  /** The period of the return the figures come from; null if no return covers the line. */
  returnPeriod: Period | null;
  commentary: string | null;
}

export type MonitoringStrategyTotal = { strategyId: string } & MonitoringFigures;
export type MonitoringPartnerTotal = { partnerId: string } & MonitoringFigures;
export type MonitoringArrangementTotal = { arrangement: Arrangement } & MonitoringFigures;

/** What the pure computation gives: everything in the pack but its header and settlement. */
export interface MonitoringTables {
  period: Period;
  rag: RagThresholds;
  lines: MonitoringLine[];
  strategies: MonitoringStrategyTotal[];
  partners: MonitoringPartnerTotal[];
  arrangements: MonitoringArrangementTotal[];
  fund: MonitoringFigures;
}

/** The pack's forecast settlement "if the year ended at Mk" (MONITORING.md §5). */
export interface PackForecastSettlement {
  agreementVersion: number;
  requiresDecision: boolean;
  partners: { partnerId: string; share: string; transfer: string }[];
  digest: string;
}

/** The whole pack as served (JSON, CSV, XLSX). */
export interface MonitoringPack {
  fundId: string;
  year: string;
  period: Period;
  asOfRevision: number;
  rag: RagThresholds;
  lines: MonitoringLine[];
  strategies: MonitoringStrategyTotal[];
  partners: MonitoringPartnerTotal[];
  arrangements: MonitoringArrangementTotal[];
  fund: MonitoringFigures;
  forecastSettlement: PackForecastSettlement | null;
}
