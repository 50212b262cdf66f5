// The facts of a fund-year (DOMAIN.md, "One stream per fund-year"). Event data is
// plain JSON: amounts are decimal strings, never numbers. Nothing is ever edited:
// a correction, a variation or a newer settlement is a new event.
import type { AgreementTerms, Arrangement, Decision } from '../terms-types.js';
import type { LineAmount, SettlementFigures } from '../settlement-types.js';
import type { Period } from './ids.js';
import type { RagThresholds } from '../monitoring/types.js';

export interface PartnerDecl {
  partnerId: string;
  name: string;
}

export interface StrategyDecl {
  strategyId: string;
  name: string;
}

/** A budget line: one amount for a (strategy, partner, arrangement), optionally profiled. */
export interface BudgetLine extends LineAmount {
  /** Twelve amounts, M1 … M12, summing to `amount` (MONITORING.md §1); absent: straight-line. */
  profile?: string[];
}

export interface ReturnLine {
  strategyId: string;
  arrangement: Arrangement;
  actualToDate: string;
  forecastOutturn: string;
  /** The finance team's note against the line (1–1,000 characters); never carried forward. */
  commentary?: string;
}

/** Final: the year's settlement, from the closed year's outturn; forecast: information, from the latest forecasts. */
export type SettlementMode = 'final' | 'forecast';

/**
 * The stored settlement: everything API.md shows except `status` and `approvedBy`,
 * which change later and so are derived by the fold (approvals, supersession).
 */
export interface SettlementRecord extends SettlementFigures {
  settlementId: string;
  fundId: string;
  year: string;
  mode: SettlementMode;
  asOfRevision: number;
  agreementVersion: number;
  engineVersion: string;
  assumedOnBudget: string[];
  calculatedAt: string;
  digest: string;
  /**
   * The chain hash of the event at `asOfRevision`: which log the figures came from. Outside the
   * digested body (engine digests do not depend on the log's metadata); absent on settlements
   * recorded before the chain.
   */
  chainHash?: string;
}

export type FundYearOpened = {
  type: 'FundYearOpened';
  data: { fundId: string; year: string; name: string; partners: PartnerDecl[]; strategies: StrategyDecl[] };
};
/** The whole budget, one amount per line, and why it changed (required once returns exist). */
export interface SetBudgetData {
  lines: BudgetLine[];
  reason?: string;
}
/** The whole budget, set before any return (replacing any earlier one). */
export type BudgetSet = { type: 'BudgetSet'; data: SetBudgetData };
/** The whole budget, replaced after returns exist: a variation always has a reason. */
export type BudgetVaried = { type: 'BudgetVaried'; data: { lines: BudgetLine[]; reason: string } };
export type AgreementProposed = {
  type: 'AgreementProposed';
  data: { version: number; terms: AgreementTerms; proposedBy: string };
};
export type AgreementAccepted = { type: 'AgreementAccepted'; data: { version: number; partnerId: string } };
export type MonthlyReturnSubmitted = {
  type: 'MonthlyReturnSubmitted';
  data: { returnId: string; partnerId: string; period: Period; lines: ReturnLine[]; correction: boolean };
};
export type YearClosed = { type: 'YearClosed'; data: { closedBy: string } };
/** A post-close change to one line's outturn; `amount` is signed. */
export type OutturnAdjusted = {
  type: 'OutturnAdjusted';
  data: {
    adjustmentId: string;
    partnerId: string;
    strategyId: string;
    arrangement: Arrangement;
    amount: string;
    reason: string;
  };
};
export type SettlementCalculated = { type: 'SettlementCalculated'; data: SettlementRecord };
export type SettlementApproved = { type: 'SettlementApproved'; data: { settlementId: string; partnerId: string } };
/** The fund-year's settings from this revision on: the RAG thresholds of the monitoring pack. */
export type SettingsChanged = { type: 'SettingsChanged'; data: { rag: RagThresholds } };

/** A board decision proposed (SETTLEMENT.md §8); checked against the agreement adopted then. */
export type DecisionProposed = {
  type: 'DecisionProposed';
  data: { version: number; decision: Decision; agreementVersion: number; proposedBy: string };
};
/** A partner's acceptance of a decision; it is adopted by the acceptance that completes the set. */
export type DecisionAccepted = { type: 'DecisionAccepted'; data: { version: number; partnerId: string } };
/** The previous year's carried-forward reserve, recorded in this year (§9); the latest is in force. */
export type ReserveBroughtForward = {
  type: 'ReserveBroughtForward';
  data: { fromYear: string; amounts: Record<string, string>; settlementId: string; digest: string; correction: boolean };
};

export type FundYearEvent =
  | FundYearOpened
  | DecisionProposed
  | DecisionAccepted
  | ReserveBroughtForward
  | BudgetSet
  | BudgetVaried
  | AgreementProposed
  | AgreementAccepted
  | MonthlyReturnSubmitted
  | YearClosed
  | OutturnAdjusted
  | SettlementCalculated
  | SettlementApproved
  | SettingsChanged;

export type FundYearEventType = FundYearEvent['type'];

export const FUND_YEAR_EVENT_TYPES: readonly FundYearEventType[] = [
  'FundYearOpened',
  'BudgetSet',
  'BudgetVaried',
  'AgreementProposed',
  'AgreementAccepted',
  'MonthlyReturnSubmitted',
  'YearClosed',
  'OutturnAdjusted',
  'SettlementCalculated',
  'SettlementApproved',
  'DecisionProposed',
  'DecisionAccepted',
  'ReserveBroughtForward',
  'SettingsChanged',
];

/** Events read back from a store are `unknown`-typed; this is the one place they become ours. */
export function asFundYearEvent(type: string, data: unknown): FundYearEvent {
  if (!(FUND_YEAR_EVENT_TYPES as readonly string[]).includes(type)) {
    throw new Error(`not a fund-year event type: ${type}`);
  }
  return { type, data } as FundYearEvent;
}
