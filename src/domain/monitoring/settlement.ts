// The pack's forecast settlement "if the year ended at Mk" (MONITORING.md §5): the engine's
// forecast mode with each pack line's forecast outturn as its outturn, so a line that no
// current return covers is on budget. This module builds the engine's input; the caller
// runs the engine (and its digest) under the agreement adopted at the pack's revision.
import type { LineAmount, SettlementInput } from '../settlement-types.js';
import type { AgreementTerms } from '../terms-types.js';
import { periodNumber } from '../fundyear/ids.js';
import { resolveLines } from './pack.js';
import { formatAmount } from '../money.js';
import { latestReturnUpTo } from './returns.js';
import type { MonitoringInput, PackForecastSettlement } from './types.js';

export interface PackSettlementBasis {
  input: SettlementInput;
  /** Partners with no return at or before the pack's period (declared order): on budget. */
  assumedOnBudget: string[];
}

/** Each pack line's forecast outturn, in the pack's line order. */
export function packForecastOutturns(input: MonitoringInput): LineAmount[] {
  return resolveLines(input).map(({ id, base }) => ({ ...id, amount: formatAmount(base.forecastOutturn) }));
}

/** The engine's input for the pack's forecast settlement. Needs a budget (the engine does). */
export function packSettlementBasis(input: MonitoringInput, agreement: AgreementTerms): PackSettlementBasis {
  if (input.budget === null) throw new Error('a forecast settlement needs a budget');
  const partners = input.partners.map((p) => p.partnerId);
  const budget = input.budget.map(({ strategyId, partnerId, arrangement, amount }) => ({ strategyId, partnerId, arrangement, amount }));
  const k = periodNumber(input.period);
  const assumedOnBudget = partners.filter((p) => latestReturnUpTo(input.returns, p, k) === undefined);
  return { input: { partners, budget, outturn: packForecastOutturns(input), agreement }, assumedOnBudget };
}

/** The fields of a computed settlement that the pack shows (its digest lets anyone reproduce it). */
export function packForecastSettlement(settlement: {
  agreementVersion: number;
  requiresDecision: boolean;
  partners: readonly { partnerId: string; share: string; transfer: string }[];
  digest: string;
}): PackForecastSettlement {
  return {
    agreementVersion: settlement.agreementVersion,
    requiresDecision: settlement.requiresDecision,
    partners: settlement.partners.map(({ partnerId, share, transfer }) => ({ partnerId, share, transfer })),
    digest: settlement.digest,
  };
}
