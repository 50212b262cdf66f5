// Settlements as the API shows them: the stored record, its status (approved, superseded) and
// approvals as the fold says, and a null chain hash on a settlement recorded before the chain.
import { DomainError } from '../errors.js';
import { findSettlement, settlementStatus, type ExistingFundYear, type SettlementEntry } from '../fundyear/state.js';
import type { Settlement } from './types.js';

export function settlementView(fy: ExistingFundYear, entry: SettlementEntry): Settlement {
  return { ...entry.record, status: settlementStatus(fy, entry), approvedBy: [...entry.approvedBy], chainHash: entry.record.chainHash ?? null };
}

/** The settlement's entry, or 404 settlement-not-found. */
export function requireSettlement(fy: ExistingFundYear, settlementId: string): SettlementEntry {
  const entry = findSettlement(fy, settlementId);
  if (!entry) throw new DomainError('not-found', 'settlement-not-found', `no settlement ${settlementId}`);
  return entry;
}

/** Newest first. */
export function settlementList(fy: ExistingFundYear): Settlement[] {
  return fy.settlements.map((entry) => settlementView(fy, entry)).reverse();
}
