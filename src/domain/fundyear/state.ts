// The fund-year's state: a left fold of its events (Emmett's evolve). It keeps every
// submission with the revision it was appended at, so "the last-appended return for a
// partner and period" is a query, not a mutation.
//
// Folding is linear: a Folder owns the state it builds and appends to its lists in place,
// so an event costs the same at revision 10 and at revision 100,000. A state handed out is
// never changed again (the Folder copies before its next event), which is what lets callers
// share and cache states freely, and keeps `evolve` and `fold` pure for them.
//
// Reads that would scan the returns or settlements (the counting return, the adopted
// agreement, a settlement's status) use an index kept beside each state (state-index.ts).
import type { AdoptedDecision, AgreementTerms, Decision } from '../terms-types.js';
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
import { DEFAULT_RAG } from '../monitoring/rules.js';
import type { RagThresholds } from '../monitoring/types.js';
import type { LineId } from '../lines.js';
import { applyToIndex, copyIndex, emptyIndex, indexOf, registerIndex, type FundYearIndex } from './state-index.js';
import { changesFinalSettlement, type FactRef } from './staleness.js';

export type { LineId } from '../lines.js';

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

export interface DecisionRecord {
  version: number;
  decision: Decision;
  agreementVersion: number;
  proposedBy: string;
  /** Partner ids in the order they accepted. */
  acceptedBy: readonly string[];
  /** The revision of the acceptance that adopted it; null until every partner has accepted. */
  adoptedAtRevision: number | null;
}

export interface BroughtForwardRecord {
  fromYear: string;
  amounts: Record<string, string>;
  settlementId: string;
  digest: string;
  revision: number;
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
  /**
   * The first budget set for the year (the monitoring pack's original budget): the lines of the
   * first `BudgetSet`, kept even if the budget is set again before any return; null until then.
   */
  originalBudget: readonly BudgetLine[] | null;
  /** The RAG thresholds in force (the last `SettingsChanged`; MONITORING.md's 2 and 5 until then). */
  rag: RagThresholds;
  returns: readonly ReturnRecord[];
  agreements: readonly AgreementRecord[];
  adjustments: readonly AdjustmentRecord[];
  settlements: readonly SettlementEntry[];
  /** Every fact that changed a final settlement's inputs, in log order (staleness.ts). */
  finalInputs: readonly FactRef[];
  /**
   * Engine 2 (optional so that states stored before it still read): board decisions by version,
   * and the adopted ones in the order of the acceptances that adopted them.
   */
  decisions?: readonly DecisionRecord[];
  adoptedDecisions?: readonly AdoptedDecision[];
  /** The brought-forward reserve balance in force (the latest recorded). */
  broughtForward?: BroughtForwardRecord | null;
}

export type FundYearState =
  | { status: 'none'; revision: -1 }
  | (FundYearFacts & { status: 'open' })
  | (FundYearFacts & { status: 'closed'; closedAtRevision: number });

export type ExistingFundYear = Exclude<FundYearState, { status: 'none' }>;

export function initialState(): FundYearState {
  return { status: 'none', revision: -1 };
}

/** The state's lists, writable: only a Folder holds one, and only while it owns it. */
interface Owned {
  state: ExistingFundYear & {
    returns: ReturnRecord[];
    agreements: AgreementRecord[];
    adjustments: AdjustmentRecord[];
    settlements: SettlementEntry[];
    finalInputs: FactRef[];
  };
  index: FundYearIndex;
}

/** A copy of `state` whose lists (and index) are new: O(size) once, then O(1) per event. */
function own(state: ExistingFundYear, index: FundYearIndex): Owned {
  return {
    state: {
      ...state,
      returns: [...state.returns],
      agreements: [...state.agreements],
      adjustments: [...state.adjustments],
      settlements: [...state.settlements],
      finalInputs: [...state.finalInputs],
    },
    index: copyIndex(index),
  };
}

function opened(event: Extract<FundYearEvent, { type: 'FundYearOpened' }>): Owned {
  const { fundId, year, name, partners, strategies } = event.data;
  const state: Owned['state'] = {
    status: 'open', fundId, year, name, partners, strategies, revision: 0,
    budget: null, originalBudget: null, rag: { ...DEFAULT_RAG },
    returns: [], agreements: [], adjustments: [], settlements: [], finalInputs: [],
  };
  return { state, index: emptyIndex() };
}

/**
 * Folds events into a state it owns. `state()` hands out the state folded so far; from then
 * on that value never changes: the next `apply` first takes a copy (copy on write).
 */
export class Folder {
  private current: FundYearState;
  private owned: Owned | null = null;

  constructor(from: FundYearState = initialState()) {
    this.current = from;
  }

  apply(event: FundYearEvent): void {
    if (event.type === 'FundYearOpened') {
      if (this.current.status !== 'none') throw new Error('FundYearOpened on an existing fund-year');
      this.take(opened(event));
      return;
    }
    if (this.current.status === 'none') throw new Error(`${event.type} before FundYearOpened`);
    const owned = this.owned ?? this.take(own(this.current, indexOf(this.current)));
    const adoptedBefore = owned.index.adoptedVersion;
    const decisionsBefore = owned.state.adoptedDecisions?.length ?? 0;
    applyToState(owned, event);
    applyToIndex(owned.index, owned.state, event);
    const decisionAdopted = (owned.state.adoptedDecisions?.length ?? 0) > decisionsBefore;
    if (changesFinalSettlement(event, adoptedBefore, owned.index.adoptedVersion, decisionAdopted)) {
      owned.state.finalInputs.push({ type: event.type, revision: owned.state.revision });
    }
  }

  /** The state folded so far; never changed afterwards. */
  state(): FundYearState {
    if (this.owned !== null) {
      registerIndex(this.owned.state, this.owned.index);
      this.owned = null;
    }
    return this.current;
  }

  private take(owned: Owned): Owned {
    this.owned = owned;
    this.current = owned.state;
    return owned;
  }
}

/** One event into an owned state: appends in place (O(1)), replacing only the record it changes. */
function applyToState({ state, index }: Owned, event: Exclude<FundYearEvent, { type: 'FundYearOpened' }>): void {
  const revision = state.revision + 1;
  state.revision = revision;
  switch (event.type) {
    case 'BudgetSet':
    case 'BudgetVaried':
      state.budget = event.data.lines;
      if (event.type === 'BudgetSet' && state.originalBudget === null) state.originalBudget = event.data.lines;
      break;
    case 'SettingsChanged':
      state.rag = event.data.rag;
      break;
    case 'AgreementProposed':
      state.agreements.push({ ...event.data, acceptedBy: [] });
      break;
    case 'AgreementAccepted': {
      const at = index.agreementAt.get(event.data.version);
      const agreement = at === undefined ? undefined : state.agreements[at];
      // Records may be shared with earlier states: replaced, never edited.
      if (at !== undefined && agreement) state.agreements[at] = { ...agreement, acceptedBy: [...agreement.acceptedBy, event.data.partnerId] };
      break;
    }
    case 'MonthlyReturnSubmitted':
      state.returns.push({ ...event.data, revision });
      break;
    case 'YearClosed':
      Object.assign(state, { status: 'closed', closedAtRevision: revision });
      break;
    case 'OutturnAdjusted':
      state.adjustments.push({ ...event.data, revision });
      break;
    case 'SettlementCalculated':
      state.settlements.push({ record: event.data, approvedBy: [], revision });
      break;
    case 'DecisionProposed':
    case 'DecisionAccepted':
      applyDecision(state, event, revision);
      break;
    case 'ReserveBroughtForward': {
      const { fromYear, amounts, settlementId, digest } = event.data;
      state.broughtForward = { fromYear, amounts, settlementId, digest, revision };
      break;
    }
    case 'SettlementApproved': {
      const at = index.settlementAt.get(event.data.settlementId);
      const entry = at === undefined ? undefined : state.settlements[at];
      if (at !== undefined && entry) state.settlements[at] = { ...entry, approvedBy: [...entry.approvedBy, event.data.partnerId] };
      break;
    }
  }
}

/**
 * Decisions are few: their lists are replaced (never edited in place, as they may be shared
 * with earlier states), which keeps the Folder's copy-on-write simple.
 */
function applyDecision(
  state: Owned['state'],
  event: Extract<FundYearEvent, { type: 'DecisionProposed' | 'DecisionAccepted' }>,
  revision: number,
): void {
  const decisions = state.decisions ?? [];
  if (event.type === 'DecisionProposed') {
    const { version, decision, agreementVersion, proposedBy } = event.data;
    state.decisions = [...decisions, { version, decision, agreementVersion, proposedBy, acceptedBy: [], adoptedAtRevision: null }];
    return;
  }
  const at = decisions.findIndex((d) => d.version === event.data.version);
  const record = decisions[at];
  if (record === undefined) return;
  const acceptedBy = [...record.acceptedBy, event.data.partnerId];
  const adopted = record.adoptedAtRevision === null && state.partners.every((p) => acceptedBy.includes(p.partnerId));
  const next = { ...record, acceptedBy, adoptedAtRevision: adopted ? revision : record.adoptedAtRevision };
  state.decisions = decisions.map((d, i) => (i === at ? next : d));
  if (adopted) state.adoptedDecisions = [...(state.adoptedDecisions ?? []), { version: record.version, ...record.decision }];
}

/** The state after one more event; `state` is unchanged (a copy is made: for folds of many events, use `fold`). */
export function evolve(state: FundYearState, event: FundYearEvent): FundYearState {
  return fold([event], state);
}

/** `from` with `events` folded in, in linear time; `from` is unchanged. */
export function fold(events: Iterable<FundYearEvent>, from: FundYearState = initialState()): FundYearState {
  const folder = new Folder(from);
  for (const event of events) folder.apply(event);
  return folder.state();
}

export function partnerIds(state: FundYearFacts): string[] {
  return state.partners.map((p) => p.partnerId);
}

/** The submission that counts for a partner and period: the last appended. */
export function returnFor(state: FundYearFacts, partnerId: string, period: Period): ReturnRecord | undefined {
  return indexOf(state).counting.get(partnerId)?.[periodNumber(period) - 1];
}

/**
 * A partner's latest return at or before `periodMax`: highest period, and within it
 * the last appended (SETTLEMENT.md §1, forecast mode).
 */
export function latestReturn(state: FundYearFacts, partnerId: string, periodMax: Period = 'M12'): ReturnRecord | undefined {
  const byPeriod = indexOf(state).counting.get(partnerId);
  if (byPeriod === undefined) return undefined;
  for (let i = periodNumber(periodMax) - 1; i >= 0; i--) {
    const found = byPeriod[i];
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Every line any return has carried, in the order lines first appeared. */
export function reportedLines(state: FundYearFacts): Iterable<LineId> {
  return indexOf(state).reportedLines.values();
}

/** The highest period any partner has reported (1 for M1 … 12 for M12); 0 before any return. */
export function periodReached(state: FundYearFacts): number {
  return indexOf(state).periodLast;
}

/** The adopted agreement: the latest version that every partner has accepted. */
export function adoptedAgreement(state: FundYearFacts): AgreementRecord | null {
  const index = indexOf(state);
  const at = index.adoptedVersion === null ? undefined : index.agreementAt.get(index.adoptedVersion);
  return at === undefined ? null : (state.agreements[at] ?? null);
}

export type SettlementStatus = 'calculated' | 'approved' | 'superseded';

/** A final settlement is superseded by any later final one; forecasts never are. */
export function settlementStatus(state: FundYearFacts, entry: SettlementEntry): SettlementStatus {
  const index = indexOf(state);
  const position = index.settlementAt.get(entry.record.settlementId) ?? -1;
  if (entry.record.mode === 'final' && index.lastFinal > position) return 'superseded';
  const all = partnerIds(state);
  if (all.every((p) => entry.approvedBy.includes(p))) return 'approved';
  return 'calculated';
}

export function findSettlement(state: FundYearFacts, settlementId: string): SettlementEntry | undefined {
  const at = indexOf(state).settlementAt.get(settlementId);
  return at === undefined ? undefined : state.settlements[at];
}

/** The facts after `revision` that change a final settlement's inputs (staleness.ts), oldest first. */
export function finalInputsAfter(state: FundYearFacts, revision: number): FactRef[] {
  // Revisions ascend: search back from the end, so the cost is the number found.
  let first = state.finalInputs.length;
  while (first > 0 && state.finalInputs[first - 1]!.revision > revision) first--;
  return state.finalInputs.slice(first);
}
