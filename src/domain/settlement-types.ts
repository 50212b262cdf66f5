// Inputs and outputs of the pure settlement engine (docs/engine.md), field names as the API's.
// Every amount is a decimal string with exactly two places, e.g. "-1234.50".
import type { AdoptedDecision, AgreementTerms, Arrangement, UnusedReserve } from './terms-types.js';

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
  /**
   * Engine 2: the reserve balance carried forward from the year before (the amounts in force
   * at the settlement's revision), by partner id; non-negative, declared partners only.
   * Absent, empty or all zero: no balance.
   */
  broughtForward?: Record<string, string>;
  /**
   * Engine 2: the board decisions adopted before the settlement's revision, in the order of
   * their adopting acceptances in the log. For a pot and direction the last one listed
   * applies (when the pot has an unallocated amount); the engine filters them itself.
   */
  decisions?: readonly AdoptedDecision[];
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
  /** Engine 2, when a reserve is in play: what this pot drew on it. */
  reserveDrawn?: string;
  /** Engine 2: the adopted decision this pot applied to its unallocated amount. */
  decision?: AppliedDecision;
}

export interface AppliedDecision {
  version: number;
  reference: string;
}

export interface PartnerSettlement {
  partnerId: string;
  varianceBorne: string;
  share: string;
  /** share − varianceBorne − reserveReturned; positive pays. */
  transfer: string;
  /** Engine 2, when a reserve is in play: the unused reserve paid back to this partner. */
  reserveReturned?: string;
}

export interface Payment {
  /** A partner id, or `reserve` (RESERVE_ID) for a payment out of the reserve. */
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
  /** Engine 2, when a reserve is in play (in the terms, or a non-zero brought-forward balance). */
  reserve?: ReserveSettlement;
}

/** Per-partner amounts of the reserve, every partner in declared order. */
export interface ReserveSettlement {
  /** contributions + broughtForward. */
  opening: Record<string, string>;
  /** The total drawn by the pots, attributed by opening balance (largest remainder). */
  drawn: Record<string, string>;
  /** opening − drawn, never negative. */
  closing: Record<string, string>;
  unused: UnusedReserve;
  /** closing when `return`, else 0. */
  returned: Record<string, string>;
  /** closing when `carry-forward`, else 0: the next year's brought-forward balance. */
  carriedForward: Record<string, string>;
  /** What the reserve pays out: total drawn + total returned (positive pays, as a partner's). */
  transfer: string;
}

export type EngineVersion = 'poolshare-settlement/1' | 'poolshare-settlement/2';
