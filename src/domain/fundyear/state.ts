// The fund-year's state: a pure left fold of its events (Emmett's evolve). It keeps
// every submission with the revision it was appended at, so "the last-appended
// return for a partner and period" is a query, not a mutation.
import { assertNever } from '../errors.js';
import type { AgreementTerms } from '../terms-types.js';
import type {
  BudgetLine,
  FundYearEvent,
  MonthlyReturnSubmitted,
  OutturnAdjusted,
  PartnerDecl,
  SettlementRecord,
  StrategyDecl,
} from './events.js';
import { periodNumber, type Period } from './ids.js';

export interface ReturnRecord extends Readonly<MonthlyReturnSubmitted['data']> {
  revision: number;
}

export interface AdjustmentRecord extends Readonly<OutturnAdjusted['data']> {
  revision: number;
}

export interface AgreementRecord {
  version: number;
  terms: AgreementTerms;
  proposedBy: string;
  /** Partner ids in the order they accepted. */
  acceptedBy: readonly string[];
}

export interface SettlementEntry {
  record: SettlementRecord;
  /** Partner ids in the order they approved. */
  approvedBy: readonly string[];
  revision: number;
}

export interface FundYearFacts {
  fundId: string;
  year: string;
  name: string;
  partners: readonly PartnerDecl[];
  strategies: readonly StrategyDecl[];
  /** Revision of the last event folded in. */
  revision: number;
  /** The budget in force; null until the first `BudgetSet`. */
  budget: readonly BudgetLine[] | null;
  returns: readonly ReturnRecord[];
  agreements: readonly AgreementRecord[];
  adjustments: readonly AdjustmentRecord[];
  settlements: readonly SettlementEntry[];
}

export type FundYearState =
  | { status: 'none'; revision: -1 }
  | (FundYearFacts & { status: 'open' })
  | (FundYearFacts & { status: 'closed'; closedAtRevision: number });

export type ExistingFundYear = Exclude<FundYearState, { status: 'none' }>;

export function initialState(): FundYearState {
  return { status: 'none', revision: -1 };
}

export function evolve(state: FundYearState, event: FundYearEvent): FundYearState {
  const revision = state.revision + 1;
  if (event.type === 'FundYearOpened') {
    if (state.status !== 'none') throw new Error('FundYearOpened on an existing fund-year');
    const { fundId, year, name, partners, strategies } = event.data;
    return {
      status: 'open', fundId, year, name, partners, strategies, revision,
      budget: null, returns: [], agreements: [], adjustments: [], settlements: [],
    };
  }
  if (state.status === 'none') throw new Error(`${event.type} before FundYearOpened`);
  const next = { ...state, revision };
  switch (event.type) {
    case 'BudgetSet':
    case 'BudgetVaried':
      return { ...next, budget: event.data.lines };
    case 'AgreementProposed':
      return { ...next, agreements: [...state.agreements, { ...event.data, acceptedBy: [] }] };
    case 'AgreementAccepted': {
      const { version, partnerId } = event.data;
      const agreements = state.agreements.map((a) =>
        a.version === version ? { ...a, acceptedBy: [...a.acceptedBy, partnerId] } : a,
      );
      return { ...next, agreements };
    }
    case 'MonthlyReturnSubmitted':
      return { ...next, returns: [...state.returns, { ...event.data, revision }] };
    case 'YearClosed':
      return { ...next, status: 'closed', closedAtRevision: revision };
    case 'OutturnAdjusted':
      return { ...next, adjustments: [...state.adjustments, { ...event.data, revision }] };
    case 'SettlementCalculated':
      return { ...next, settlements: [...state.settlements, { record: event.data, approvedBy: [], revision }] };
    case 'SettlementApproved': {
      const { settlementId, partnerId } = event.data;
      const settlements = state.settlements.map((s) =>
        s.record.settlementId === settlementId ? { ...s, approvedBy: [...s.approvedBy, partnerId] } : s,
      );
      return { ...next, settlements };
    }
    default:
      return assertNever(event);
  }
}

export function fold(events: Iterable<FundYearEvent>, from: FundYearState = initialState()): FundYearState {
  let state = from;
  for (const event of events) state = evolve(state, event);
  return state;
}

export function partnerIds(state: FundYearFacts): string[] {
  return state.partners.map((p) => p.partnerId);
}

/** The submission that counts for a partner and period: the last appended. */
export function returnFor(state: FundYearFacts, partnerId: string, period: Period): ReturnRecord | undefined {
  let found: ReturnRecord | undefined;
  for (const r of state.returns) if (r.partnerId === partnerId && r.period === period) found = r;
  return found;
}

/**
 * A partner's latest return at or before `periodMax`: highest period, and within it
 * the last appended (SETTLEMENT.md §1, forecast mode).
 */
export function latestReturn(state: FundYearFacts, partnerId: string, periodMax: Period = 'M12'): ReturnRecord | undefined {
  let best: ReturnRecord | undefined;
  for (const r of state.returns) {
    if (r.partnerId !== partnerId || periodNumber(r.period) > periodNumber(periodMax)) continue;
    if (!best || periodNumber(r.period) >= periodNumber(best.period)) best = r;
  }
  return best;
}

/** The adopted agreement: the latest version that every partner has accepted. */
export function adoptedAgreement(state: FundYearFacts): AgreementRecord | null {
  const all = partnerIds(state);
  const adopted = state.agreements.filter((a) => all.every((p) => a.acceptedBy.includes(p)));
  return adopted.reduce<AgreementRecord | null>((best, a) => (!best || a.version > best.version ? a : best), null);
}

export type SettlementStatus = 'calculated' | 'approved' | 'superseded';

/** A final settlement is superseded by any later final one; forecasts never are. */
export function settlementStatus(state: FundYearFacts, entry: SettlementEntry): SettlementStatus {
  const { mode, settlementId } = entry.record;
  const index = state.settlements.findIndex((s) => s.record.settlementId === settlementId);
  const newerFinal = state.settlements.slice(index + 1).some((s) => s.record.mode === 'final');
  if (mode === 'final' && newerFinal) return 'superseded';
  const all = partnerIds(state);
  if (all.every((p) => entry.approvedBy.includes(p))) return 'approved';
  return 'calculated';
}

export interface SettlementView extends SettlementRecord {
  status: SettlementStatus;
  approvedBy: string[];
}

export function settlementView(state: FundYearFacts, entry: SettlementEntry): SettlementView {
  return { ...entry.record, status: settlementStatus(state, entry), approvedBy: [...entry.approvedBy] };
}

export function findSettlement(state: FundYearFacts, settlementId: string): SettlementEntry | undefined {
  return state.settlements.find((s) => s.record.settlementId === settlementId);
}
