// One line of the cross-fund list: a fund-year's status, budget and forecast, adopted
// agreement and latest settlement (computed by the summary projection, src/app/summary.ts).
import { adoptedAgreement, partnerIds, settlementStatus, type ExistingFundYear } from '../fundyear/state.js';
import { fundTotals } from './positions.js';
import type { FundSummary } from './types.js';

export function fundSummary(fy: ExistingFundYear): FundSummary {
  const fund = fundTotals(fy);
  const latest = fy.settlements[fy.settlements.length - 1];
  return {
    fundId: fy.fundId,
    year: fy.year,
    name: fy.name,
    status: fy.status,
    revision: fy.revision,
    partners: partnerIds(fy),
    budget: fund.budget,
    forecastOutturn: fund.forecastOutturn,
    forecastVariance: fund.forecastVariance,
    adoptedAgreementVersion: adoptedAgreement(fy)?.version ?? null,
    latestSettlement: latest
      ? {
          settlementId: latest.record.settlementId,
          mode: latest.record.mode,
          status: settlementStatus(fy, latest),
          digest: latest.record.digest,
        }
      : null,
  };
}
