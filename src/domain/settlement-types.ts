// Inputs and outputs of the pure settlement engine (SETTLEMENT.md), field names as API.md.
// Every amount is a decimal string with exactly two places, e.g. "-1234.50".
import type { AgreementTerms, Arrangement } from './terms-types.js';

export interface LineAmount {
  strategyId: string;
  partnerId: string;
  arrangement: Arrangement;
  amount: string;
}

export interface SettlementInput {
  /** Declared order: breaks every tie. */
  partners: string[];
  /** Budget in force at the settlement's revision, one entry per line. */
  budget: LineAmount[];
  /** Outturn per line (final: M12 actual + adjustments; forecast: latest forecastOutturn). */
  outturn: LineAmount[];
  agreement: AgreementTerms;
}

export type Direction = 'overspend' | 'underspend' | 'none';

export interface BandSlice {
  /** Band bounds in pounds of |V|; `to` is null for the unbounded last band. */
  from: string;
  to: string | null;
  amount: string;
}

export interface PotSettlement {
  potId: string;
  budget: string;
  variance: string;
  direction: Direction;
  bands: BandSlice[];
  /** Every partner in declared order, rounded shares (sign of V). */
  shares: Record<string, string>;
  /** Partners whose share was capped, in declared order. */
  capped: string[];
  unallocated: string;
}

export interface PartnerSettlement {
  partnerId: string;
  varianceBorne: string;
  share: string;
  transfer: string;
}

export interface Payment {
  from: string;
  to: string;
  amount: string;
}

export interface UnsharedLine {
  strategyId: string;
  partnerId: string;
  arrangement: Arrangement;
  variance: string;
}

/** What the engine computes: pure figures, no ids, no clock. */
export interface SettlementFigures {
  pots: PotSettlement[];
  partners: PartnerSettlement[];
  payments: Payment[];
  unshared: UnsharedLine[];
  requiresDecision: boolean;
}
