// The read models API.md shows (positions, the fund summary, agreements, settlements): plain
// JSON, amounts as decimal strings, computed by the pure functions beside this file from a
// fund-year's folded state. The response schemas of schemas/ describe the same shapes.
import type { Period } from '../fundyear/ids.js';
import type { SettlementMode, SettlementRecord } from '../fundyear/events.js';
import type { SettlementStatus } from '../fundyear/state.js';
import type { LineId } from '../lines.js';
import type { AgreementTerms } from '../terms-types.js';

export interface AgreementVersionView {
  version: number;
  terms: AgreementTerms;
  proposedBy: string;
  acceptedBy: string[];
  adopted: boolean;
}

export interface AgreementsView {
  adoptedVersion: number | null;
  versions: AgreementVersionView[];
}

/**
 * A settlement as the API shows it: the record as stored, with what later events say of it
 * (its status and approvals). One type: the stored record's fields are not written again.
 */
export interface Settlement extends Omit<SettlementRecord, 'chainHash'> {
  status: SettlementStatus;
  approvedBy: string[];
  /** The chain hash of the event at asOfRevision (docs/integrity.md); null on a settlement recorded before the chain. */
  chainHash: string | null;
}

export interface FigureSet {
  budget: string;
  actualToDate: string;
  forecastOutturn: string;
  forecastVariance: string;
  /** Forecast variance as it stood at the end of each month M1..M12 (null where no month yet). */
  forecastVarianceByPeriod: Record<Period, string | null>;
}

export interface PositionsView {
  fundId: string;
  year: string;
  asOfRevision: number;
  status: 'open' | 'closed';
  lines: (FigureSet & LineId)[];
  strategies: (FigureSet & { strategyId: string })[];
  partners: (FigureSet & { partnerId: string; lastPeriod: string | null })[];
  fund: FigureSet;
}

export interface FundSummary {
  fundId: string;
  year: string;
  name: string;
  status: 'open' | 'closed';
  revision: number;
  partners: string[];
  budget: string;
  forecastOutturn: string;
  forecastVariance: string;
  adoptedAgreementVersion: number | null;
  latestSettlement: { settlementId: string; mode: SettlementMode; status: SettlementStatus; digest: string } | null;
}
