// Read models: pure functions from a fund-year's folded state to what API.md shows.
export * from './types.js';
export { positions, fundTotals } from './positions.js';
export { agreementsView } from './agreements.js';
export { settlementView, settlementList, requireSettlement } from './settlements.js';
export { fundSummary } from './fund-summary.js';
