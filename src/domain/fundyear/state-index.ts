// An index beside each fund-year state, so that the reads every request makes (the return
// that counts for a partner and period, the adopted agreement, a settlement by id and its
// status) cost the same whatever the length of the log, instead of a scan of every event.
//
// The index is derived data, kept in a WeakMap keyed by the state: a Folder registers the
// index it maintained while folding, and a state made any other way (read from the summary
// file, compacted, built by hand in a test) gets one built from its lists on first use.
// States are never changed once handed out, so an index, once made, is right for ever.
import type { FundYearEvent } from './events.js';
import { periodNumber, PERIODS } from './ids.js';
import type { AgreementRecord, FundYearFacts, ReturnRecord, SettlementEntry } from './state.js';
import { lineIdOf, lineKey, type LineId } from '../lines.js';

export interface FundYearIndex {
  /** Partner → the return that counts for each period (M1 at 0): the last appended. */
  counting: Map<string, (ReturnRecord | undefined)[]>;
  /** Every line any return has carried, by lineKey, in first-appearance order. */
  reportedLines: Map<string, LineId>;
  /** Highest period number reported by anyone; 0 before any return. */
  periodLast: number;
  /** Agreement version → its position in `agreements`. */
  agreementAt: Map<number, number>;
  /** The latest version every partner has accepted; null if none. */
  adoptedVersion: number | null;
  /** Settlement id → its position in `settlements` (the first, as a scan would find). */
  settlementAt: Map<string, number>;
  /** Position of the latest final settlement; -1 if none. */
  lastFinal: number;
}

const INDEXES = new WeakMap<FundYearFacts, FundYearIndex>();

export function emptyIndex(): FundYearIndex {
  return {
    counting: new Map(), reportedLines: new Map(), periodLast: 0,
    agreementAt: new Map(), adoptedVersion: null, settlementAt: new Map(), lastFinal: -1,
  };
}

/** A copy that shares nothing mutable with `index` (its records are never edited, only replaced). */
export function copyIndex(index: FundYearIndex): FundYearIndex {
  return {
    ...index,
    counting: new Map([...index.counting].map(([partnerId, byPeriod]) => [partnerId, [...byPeriod]])),
    reportedLines: new Map(index.reportedLines),
    agreementAt: new Map(index.agreementAt),
    settlementAt: new Map(index.settlementAt),
  };
}

/** Records the index a Folder maintained for the state it hands out. */
export function registerIndex(state: FundYearFacts, index: FundYearIndex): void {
  INDEXES.set(state, index);
}

/** The state's index: the one registered with it, or one built from its lists (once). */
export function indexOf(state: FundYearFacts): FundYearIndex {
  let index = INDEXES.get(state);
  if (index === undefined) {
    index = buildIndex(state);
    INDEXES.set(state, index);
  }
  return index;
}

function buildIndex(state: FundYearFacts): FundYearIndex {
  const index = emptyIndex();
  for (const r of state.returns) noteReturn(index, r);
  state.agreements.forEach((a, at) => {
    if (!index.agreementAt.has(a.version)) index.agreementAt.set(a.version, at);
    noteAdoption(index, state, a);
  });
  state.settlements.forEach((s, at) => noteSettlement(index, s, at));
  return index;
}

/** Brings `index` up to date with `event`, already applied to `state` (which it describes). */
export function applyToIndex(index: FundYearIndex, state: FundYearFacts, event: Exclude<FundYearEvent, { type: 'FundYearOpened' }>): void {
  switch (event.type) {
    case 'MonthlyReturnSubmitted':
      noteReturn(index, state.returns[state.returns.length - 1]!);
      break;
    case 'AgreementProposed': {
      const at = state.agreements.length - 1;
      const agreement = state.agreements[at]!;
      if (!index.agreementAt.has(agreement.version)) index.agreementAt.set(agreement.version, at);
      noteAdoption(index, state, agreement);
      break;
    }
    case 'AgreementAccepted': {
      const at = index.agreementAt.get(event.data.version);
      const agreement = at === undefined ? undefined : state.agreements[at];
      if (agreement) noteAdoption(index, state, agreement);
      break;
    }
    case 'SettlementCalculated':
      noteSettlement(index, state.settlements[state.settlements.length - 1]!, state.settlements.length - 1);
      break;
    default:
      break;
  }
}

function noteReturn(index: FundYearIndex, r: ReturnRecord): void {
  let byPeriod = index.counting.get(r.partnerId);
  if (byPeriod === undefined) {
    byPeriod = PERIODS.map(() => undefined);
    index.counting.set(r.partnerId, byPeriod);
  }
  byPeriod[periodNumber(r.period) - 1] = r;
  index.periodLast = Math.max(index.periodLast, periodNumber(r.period));
  for (const l of r.lines) {
    const key = lineKey({ ...l, partnerId: r.partnerId });
    if (!index.reportedLines.has(key)) index.reportedLines.set(key, lineIdOf({ ...l, partnerId: r.partnerId }));
  }
}

/** Acceptances only ever grow, so a version once adopted stays adopted: keep the highest. */
function noteAdoption(index: FundYearIndex, state: FundYearFacts, agreement: AgreementRecord): void {
  const adopted = state.partners.every((p) => agreement.acceptedBy.includes(p.partnerId));
  if (adopted && (index.adoptedVersion === null || agreement.version > index.adoptedVersion)) index.adoptedVersion = agreement.version;
}

function noteSettlement(index: FundYearIndex, entry: SettlementEntry, at: number): void {
  if (!index.settlementAt.has(entry.record.settlementId)) index.settlementAt.set(entry.record.settlementId, at);
  if (entry.record.mode === 'final') index.lastFinal = at;
}
