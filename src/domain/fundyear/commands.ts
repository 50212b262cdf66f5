// What callers ask of a fund-year (imperative names). Ids and time arrive in the
// command so that `decide` stays pure (STYLE.md); so does anything read from the log
// besides the current state (a settlement, computed from the log at its revision).
import type { Actor } from '../roles.js';
import type { AgreementTerms, Decision } from '../terms-types.js';
import type { FundYearState } from './state.js';
import type { FundYearOpened, OutturnAdjusted, ReturnLine, SetBudgetData, SettlementRecord } from './events.js';
import type { RagThresholds } from '../monitoring/types.js';

interface Base {
  actor: Actor;
}

export interface OpenFundYear extends Base {
  type: 'OpenFundYear';
  data: FundYearOpened['data'];
}
export interface SetBudget extends Base {
  type: 'SetBudget';
  data: SetBudgetData;
}
export interface ProposeAgreement extends Base {
  type: 'ProposeAgreement';
  data: { terms: AgreementTerms };
}
export interface AcceptAgreement extends Base {
  type: 'AcceptAgreement';
  data: { version: number };
}
export interface SubmitMonthlyReturn extends Base {
  type: 'SubmitMonthlyReturn';
  /** `period` as sent: the decider says whether it names a month (M1 to M12). */
  data: { returnId: string; partnerId: string; period: string; lines: ReturnLine[]; correction?: boolean };
}
export interface CloseYear extends Base {
  type: 'CloseYear';
}
export interface AdjustOutturn extends Base {
  type: 'AdjustOutturn';
  data: OutturnAdjusted['data'];
}
export interface CalculateSettlement extends Base {
  type: 'CalculateSettlement';
  data: {
    /**
     * The settlement computed from the log at its `asOfRevision` (settlementRecord, on the
     * fund-year folded to that revision), with the chain hash of the event there: the caller
     * reads the log, the decider records it.
     */
    record: SettlementRecord;
  };
}
export interface ApproveSettlement extends Base {
  type: 'ApproveSettlement';
  data: { settlementId: string };
}

export interface ProposeDecision extends Base {
  type: 'ProposeDecision';
  data: { decision: Decision };
}
export interface AcceptDecision extends Base {
  type: 'AcceptDecision';
  data: { version: number };
}
export interface BringReserveForward extends Base {
  type: 'BringReserveForward';
  data: {
    fromYear: string;
    correction?: boolean;
    /** The previous fund-year (same fund, `fromYear`) as the service read it: decide stays pure. */
    previous: FundYearState;
  };
}
export interface ChangeSettings extends Base {
  type: 'ChangeSettings';
  data: { rag: RagThresholds };
}

export type FundYearCommand =
  | ProposeDecision
  | AcceptDecision
  | BringReserveForward
  | OpenFundYear
  | SetBudget
  | ProposeAgreement
  | AcceptAgreement
  | SubmitMonthlyReturn
  | CloseYear
  | AdjustOutturn
  | CalculateSettlement
  | ApproveSettlement
  | ChangeSettings;
