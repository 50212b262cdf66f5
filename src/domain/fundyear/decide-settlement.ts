// Settlements: calculated from the log at one revision, approved by every partner.
// The settlement body is computed here (pure) from the fund-year folded up to
// `asOfRevision`, so a re-run from the same events gives the same digest.
import { DomainError } from '../errors.js';
import { computeSettlement, engineVersionOf, settlementDigest } from '../settlement.js';
import { settlementBasis, type SettlementMode } from '../settlement-input.js';
import type { LineAmount } from '../settlement-types.js';
import { actingPartner, requireExisting, requireRole } from './access.js';
import type { ApproveSettlement, CalculateSettlement } from './commands.js';
import type { FundYearEvent, SettlementRecord } from './events.js';
import { finalInputsAfter, findSettlement, settlementStatus, type ExistingFundYear, type FundYearState } from './state.js';
import type { FactRef } from './staleness.js';

export interface SettlementHeader {
  settlementId: string;
  mode: SettlementMode;
  asOfRevision: number;
  calculatedAt: string;
}

/**
 * Outturn chosen by the caller instead of SETTLEMENT.md §1's: the monitoring pack's forecast
 * "if the year ended at Mk" reads each partner's returns up to Mk only (MONITORING.md §5).
 */
export interface OutturnOverride {
  outturn: LineAmount[];
  assumedOnBudget: string[];
}

/** The settlement of `basis` (the fund-year at `asOfRevision`), digest included. */
export function settlementRecord(basis: ExistingFundYear, header: SettlementHeader, override?: OutturnOverride): SettlementRecord {
  const found = settlementBasis(basis, header.mode);
  const { agreementVersion } = found;
  const input = override === undefined ? found.input : { ...found.input, outturn: override.outturn };
  const assumedOnBudget = override === undefined ? found.assumedOnBudget : override.assumedOnBudget;
  const figures = computeSettlement(input);
  const body = {
    settlementId: header.settlementId,
    fundId: basis.fundId,
    year: basis.year,
    mode: header.mode,
    asOfRevision: header.asOfRevision,
    agreementVersion,
    engineVersion: engineVersionOf(figures),
    assumedOnBudget,
    calculatedAt: header.calculatedAt,
    ...figures,
  };
  return { ...body, digest: settlementDigest(body) };
}

/**
 * The digest of a settlement's body as stored: everything but the digest itself and the chain
 * hash (recorded beside the body). Equal to the stored digest unless the body was changed.
 */
export function storedBodyDigest(record: SettlementRecord): string {
  const { digest: _digest, chainHash: _chainHash, ...body } = record;
  return settlementDigest(body);
}

export function requireRevision(state: { revision: number }, asOfRevision: unknown, path = '/asOfRevision'): number {
  if (typeof asOfRevision !== 'number' || !Number.isSafeInteger(asOfRevision) || asOfRevision < 0 || asOfRevision > state.revision) {
    throw new DomainError('bad-request', 'invalid-revision', `asOfRevision must be a revision of this stream (0 to ${state.revision})`, [
      { path, message: `must be an integer from 0 to ${state.revision}` },
    ]);
  }
  return asOfRevision;
}

export function decideSettlement({ actor, data }: CalculateSettlement, state: FundYearState): FundYearEvent[] {
  requireRole(actor, ['admin'], 'calculating a settlement');
  const fy = requireExisting(state);
  if (data.mode !== 'final' && data.mode !== 'forecast') {
    throw new DomainError('bad-request', 'invalid-mode', 'mode must be "final" or "forecast"', [
      { path: '/mode', message: 'must be "final" or "forecast"' },
    ]);
  }
  const asOfRevision = requireRevision(fy, data.asOfRevision);
  // The basis is the caller's fold of this stream's prefix; a mismatch is a programmer error.
  if (data.basis.revision !== asOfRevision || data.basis.status === 'none') {
    throw new Error(`settlement basis is at revision ${data.basis.revision}, not ${asOfRevision}`);
  }
  const { settlementId, mode, calculatedAt, chainHash } = data;
  const record = settlementRecord(data.basis, { settlementId, mode, asOfRevision, calculatedAt });
  return [{ type: 'SettlementCalculated', data: chainHash === undefined ? record : { ...record, chainHash } }];
}

/** Facts named in a refusal's detail; all of them are in its `errors` (which problem+json clips). */
const STALE_FACTS_IN_DETAIL = 5;

/** 409 settlement-stale: names each newer fact by type and revision. */
function staleRefusal(asOfRevision: number, newer: readonly FactRef[]): DomainError {
  const named = newer.map((f) => `${f.type} at revision ${f.revision}`);
  const shown = named.slice(0, STALE_FACTS_IN_DETAIL).join(', ');
  const more = named.length > STALE_FACTS_IN_DETAIL ? ` and ${named.length - STALE_FACTS_IN_DETAIL} more` : '';
  return new DomainError(
    'conflict',
    'settlement-stale',
    `the log changed this settlement's inputs after its revision ${asOfRevision} (${shown}${more}): calculate a new final settlement and approve that`,
    named.map((fact) => ({ path: '/settlementId', message: `${fact} changes this settlement's inputs (it was calculated at revision ${asOfRevision})` })),
  );
}

/**
 * Approval: by each partner, of a final settlement that is still current (not
 * superseded, and not stale: no later fact changed its inputs) and needs no board
 * decision. A forecast is information, not a settlement to pay, so it cannot be approved.
 */
export function decideApproval({ actor, data }: ApproveSettlement, state: FundYearState): FundYearEvent[] {
  requireRole(actor, ['partner'], 'approving a settlement');
  const fy = requireExisting(state);
  const partnerId = actingPartner(actor, fy);
  const entry = findSettlement(fy, data.settlementId);
  if (!entry) throw new DomainError('not-found', 'settlement-not-found', `no settlement ${data.settlementId}`);
  const refuse = (code: string, detail: string): never => {
    throw new DomainError('conflict', code, detail, [{ path: '/settlementId', message: detail }]);
  };
  if (entry.record.mode !== 'final') refuse('settlement-not-final', 'only a final settlement can be approved');
  if (settlementStatus(fy, entry) === 'superseded') refuse('settlement-superseded', 'a newer final settlement supersedes this one');
  const newer = finalInputsAfter(fy, entry.record.asOfRevision);
  if (newer.length > 0) throw staleRefusal(entry.record.asOfRevision, newer);
  if (entry.record.requiresDecision) {
    refuse('settlement-requires-decision', 'an amount is unallocated: the board must decide before approval');
  }
  if (entry.approvedBy.includes(partnerId)) refuse('settlement-already-approved', `${partnerId} already approved this settlement`);
  return [{ type: 'SettlementApproved', data: { settlementId: data.settlementId, partnerId } }];
}
