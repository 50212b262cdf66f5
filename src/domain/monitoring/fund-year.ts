// The monitoring pack and the return template read from a fund-year folded up to a revision:
// the fold's own fields are the pure computation's inputs (declarations, the first and the
// current budget, every return in append order, the thresholds in force), so the pack is a
// function of the log's prefix and a period, nothing else.
import { settlementRecord } from '../fundyear/decide-settlement.js';
import type { Period } from '../fundyear/ids.js';
import { adoptedAgreement, type ExistingFundYear } from '../fundyear/state.js';
import { monitoringTables } from './pack.js';
import { defaultPeriod } from './returns.js';
import { packForecastSettlement, packSettlementBasis } from './settlement.js';
import { returnTemplateLines } from './template.js';
import type { MonitoringInput, MonitoringPack, MonitoringReturnLine, PackForecastSettlement } from './types.js';

export function monitoringInput(fy: ExistingFundYear, period: Period): MonitoringInput {
  return {
    partners: fy.partners,
    strategies: fy.strategies,
    originalBudget: fy.originalBudget,
    budget: fy.budget,
    returns: fy.returns,
    rag: fy.rag,
    period,
  };
}

/** MONITORING.md §5: the pack of `fy` (folded to the pack's revision) at `period`, default the latest returned. */
export function monitoringPack(fy: ExistingFundYear, period: Period = defaultPeriod(fy.returns)): MonitoringPack {
  const input = monitoringInput(fy, period);
  const tables = monitoringTables(input);
  return {
    fundId: fy.fundId,
    year: fy.year,
    period: tables.period,
    asOfRevision: fy.revision,
    rag: tables.rag,
    lines: tables.lines,
    strategies: tables.strategies,
    partners: tables.partners,
    arrangements: tables.arrangements,
    fund: tables.fund,
    forecastSettlement: packSettlement(fy, input),
  };
}

/**
 * The forecast settlement "if the year ended at Mk": the engine in forecast mode under the
 * agreement adopted at the revision, with each pack line's forecast outturn. Its body is the
 * one a recorded forecast settlement at this revision would have (identifiers and timestamps
 * are outside the digest), so at the latest period the two digests agree. Null without an
 * adopted agreement, and without a budget (the engine has nothing to settle; a settlement
 * request would be refused with budget-not-set).
 */
function packSettlement(fy: ExistingFundYear, input: MonitoringInput): PackForecastSettlement | null {
  const agreement = adoptedAgreement(fy);
  if (agreement === null || fy.budget === null) return null;
  const { input: engineInput, assumedOnBudget } = packSettlementBasis(input, agreement.terms);
  // Neither the id nor the time is in the digest: the pack's settlement is computed, not recorded.
  const header = { settlementId: '', mode: 'forecast' as const, asOfRevision: fy.revision, calculatedAt: '' };
  return packForecastSettlement(settlementRecord(fy, header, { outturn: engineInput.outturn, assumedOnBudget }));
}

/** The lines of `partnerId`'s return template for `period` (its budget lines, pre-filled). */
export function returnTemplateOf(fy: ExistingFundYear, partnerId: string, period: Period): MonitoringReturnLine[] {
  return returnTemplateLines({ partnerId, period, partners: fy.partners, strategies: fy.strategies, budget: fy.budget, returns: fy.returns });
}
