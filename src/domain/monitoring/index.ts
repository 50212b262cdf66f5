// The monthly monitoring pack (MONITORING.md): pure computation, no I/O.
export * from './types.js';
export { monitoringTables, ARRANGEMENTS } from './pack.js';
export { defaultPeriod, latestReturnUpTo } from './returns.js';
export {
  budgetToDate,
  variancePercent,
  ragOf,
  profileErrors,
  checkProfiles,
  ragThresholdErrors,
  checkRagThresholds,
  DEFAULT_RAG,
  PROFILE_LENGTH,
  RAG_PERCENT_PATTERN,
} from './rules.js';
export { packForecastOutturns, packSettlementBasis, packForecastSettlement, type PackSettlementBasis } from './settlement.js';
export { returnTemplateLines, type ReturnTemplateInput } from './template.js';
export { divideHalfAwayFromZero } from './rounding.js';
export { monitoringInput, monitoringPack, returnTemplateOf } from './fund-year.js';
