// When is a final settlement stale? It was computed from the log up to its revision; a later
// fact that changes one of its inputs (SETTLEMENT.md §1: the M12 returns, the adjustments, the
// budget in force, the adopted agreement) means its figures are no longer the year's, and it
// must not be approved: a new final settlement is calculated instead.
import { assertNever } from '../errors.js';
import type { FundYearEvent, FundYearEventType } from './events.js';

/** A fact in the log, named by its event type and revision (what a refusal shows the caller). */
export interface FactRef {
  type: FundYearEventType;
  revision: number;
}

/**
 * The one place that says which facts change a final settlement's inputs. The switch is
 * exhaustive: a new event type (a board decision, a brought-forward balance) does not compile
 * until it is placed here. `adoptedBefore`/`adoptedAfter` are the adopted agreement's version
 * around the event.
 */
export function changesFinalSettlement(
  event: FundYearEvent,
  adoptedBefore: number | null,
  adoptedAfter: number | null,
  decisionAdopted = false,
): boolean {
  switch (event.type) {
    case 'OutturnAdjusted':
    case 'BudgetSet':
    case 'BudgetVaried':
      return true;
    case 'AgreementProposed':
    case 'AgreementAccepted':
      // A proposal, or an acceptance that does not complete one, leaves the adopted agreement as it was.
      return adoptedBefore !== adoptedAfter;
    case 'ReserveBroughtForward':
      return true;
    case 'DecisionProposed':
      return false;
    case 'DecisionAccepted':
      // Only the acceptance that adopts a decision changes the settlement's inputs.
      return decisionAdopted;
    case 'MonthlyReturnSubmitted':
      // A return is refused once the year is closed, and a final settlement needs a closed year:
      // a return never follows a final settlement.
      return false;
    case 'FundYearOpened':
    case 'YearClosed':
    case 'SettlementCalculated':
    case 'SettlementApproved':
    case 'SettingsChanged': // RAG thresholds colour the monitoring pack; no settlement reads them
      return false;
    default:
      return assertNever(event);
  }
}
