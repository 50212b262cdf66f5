// The fund-year decider (Emmett style): events, commands, initialState/evolve/decide.
export * from './ids.js';
export * from './events.js';
export * from './commands.js';
export * from './state.js';
export * from './staleness.js';
export { decide } from './decide.js';
export { settlementRecord, storedBodyDigest, requireRevision, requireCalculable, type SettlementHeader } from './decide-settlement.js';
export type { Actor, Role } from '../roles.js';
