// Settlements: calculated from the log at one revision, approved by every partner.
// The settlement body is computed (pure) from the fund-year folded up to `asOfRevision`, so a
// re-run from the same events gives the same digest. Reading that prefix of the log is the
// caller's part: it checks the request (`requireCalculable`), computes `settlementRecord` on
// the prefix, and hands the record to `decide`, which checks again and records it.
import { DomainError } from '../errors.js';
import { requireRole, type Actor } from '../roles.js';
import { computeSettlement, engineVersionOf, settlementDigest } from '../settlement.js';
import { actingPartner, requireExisting } from './access.js';
import type { LineAmount } from '../settlement-types.js';
import type { ApproveSettlement, CalculateSettlement } from './commands.js';
import type { FundYearEvent, SettlementMode, SettlementRecord } from './events.js';
import { settlementBasis } from './settlement-input.js';
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

/**
 * Who may calculate, on which fund-year, at which revision: checked before the log's prefix is
 * read (a refusal for role says nothing about the log) and again when the record is decided.
 */
export function requireCalculable(actor: Actor, state: FundYearState, asOfRevision: unknown): ExistingFundYear {
  requireRole(actor, 'calculateSettlement');
  const fy = requireExisting(state);
  requireRevision(fy, asOfRevision);
  return fy;
}

export function decideSettlement({ actor, data }: CalculateSettlement, state: FundYearState): FundYearEvent[] {
  const fy = requireCalculable(actor, state, data.record.asOfRevision);
  if (data.record.fundId !== fy.fundId || data.record.year !== fy.year) {
    throw new Error(`a settlement of ${data.record.fundId} ${data.record.year} handed to ${fy.fundId} ${fy.year}`);
  }
  return [{ type: 'SettlementCalculated', data: data.record }];
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
  requireRole(actor, 'approveSettlement');
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
