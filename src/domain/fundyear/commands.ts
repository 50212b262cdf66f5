// What callers ask of a fund-year (imperative names). Ids and time arrive in the
// command so that `decide` stays pure (STYLE.md).
import type { AgreementTerms, Arrangement } from '../terms-types.js';
import type { BudgetLine, PartnerDecl, ReturnLine, StrategyDecl } from './events.js';
import type { FundYearState } from './state.js';
import type { RagThresholds } from '../monitoring/types.js';

export type ActorRole = 'admin' | 'partner' | 'auditor';

/** Who is acting: the principal's name, role and (for a partner) its partner. */
export interface Actor {
  name: string;
  role: ActorRole;
  partnerId?: string;
}

interface Base {
  actor: Actor;
}

export interface OpenFundYear extends Base {
  type: 'OpenFundYear';
  data: { fundId: string; year: string; name: string; partners: PartnerDecl[]; strategies: StrategyDecl[] };
}
export interface SetBudget extends Base {
  type: 'SetBudget';
  data: { lines: BudgetLine[]; reason?: string };
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
  data: { returnId: string; partnerId: string; period: string; lines: ReturnLine[]; correction?: boolean };
}
export interface CloseYear extends Base {
  type: 'CloseYear';
}
export interface AdjustOutturn extends Base {
  type: 'AdjustOutturn';
  data: {
    adjustmentId: string;
    partnerId: string;
    strategyId: string;
    arrangement: Arrangement;
    amount: string;
    reason: string;
  };
}
export interface CalculateSettlement extends Base {
  type: 'CalculateSettlement';
  data: {
    settlementId: string;
    mode: 'final' | 'forecast';
    asOfRevision: number;
    calculatedAt: string;
    /**
     * The fund-year folded up to `asOfRevision` (inclusive): the settlement's inputs.
     * The caller folds the log's prefix; decide checks it matches `asOfRevision`.
     */
    basis: FundYearState;
    /**
     * The chain hash of the event at `asOfRevision` (src/domain/chain.ts), recorded beside the
     * settlement body and outside its digest; absent only where no chain was read.
     */
    chainHash?: string;
  };
}
export interface ApproveSettlement extends Base {
  type: 'ApproveSettlement';
  data: { settlementId: string };
}

export interface ChangeSettings extends Base {
  type: 'ChangeSettings';
  data: { rag: RagThresholds };
}

export type FundYearCommand =
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
