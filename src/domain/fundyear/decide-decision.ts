// Engine 2's facts (SETTLEMENT.md §8–9): board decisions, proposed and accepted like agreements,
// and the reserve brought forward from the previous fund-year's approved final settlement.
// Pure: the service reads the previous fund-year and hands its folded state in the command.
import { DomainError } from '../errors.js';
import { validateDecision } from '../terms.js';
import { parseExact } from '../money.js';
import { requireRole } from '../roles.js';
import { actingPartner, requireExisting, requireOpen } from './access.js';
import type { AcceptDecision, BringReserveForward, ProposeDecision } from './commands.js';
import type { FundYearEvent } from './events.js';
import { isYear } from './ids.js';
import { adoptedAgreement, partnerIds, settlementStatus, type FundYearState, type SettlementEntry } from './state.js';

const REFERENCE_MAX = 500;

export function decideDecisionProposal({ actor, data }: ProposeDecision, state: FundYearState): FundYearEvent[] {
  requireRole(actor, 'proposeDecision');
  const fy = requireExisting(state);
  const agreement = adoptedAgreement(fy);
  if (!agreement) {
    throw new DomainError('conflict', 'no-adopted-agreement', 'a decision needs an adopted agreement', [
      { path: '/potId', message: 'no agreement is adopted: there is no pot to decide on' },
    ]);
  }
  const { decision } = data;
  const errors = validateDecision(decision, agreement.terms, partnerIds(fy));
  const reference: unknown = decision.reference;
  if (typeof reference !== 'string' || reference.length < 1 || [...reference].length > REFERENCE_MAX) {
    errors.push({ path: '/reference', message: `must be 1 to ${REFERENCE_MAX} characters` });
  }
  if (errors.length > 0) throw new DomainError('unprocessable', 'invalid-decision', 'the decision is not valid', errors);
  const version = (fy.decisions?.length ?? 0) + 1;
  const { potId, direction, allocate } = decision;
  return [
    {
      type: 'DecisionProposed',
      data: { version, decision: { potId, direction, allocate, reference: decision.reference }, agreementVersion: agreement.version, proposedBy: actor.name },
    },
  ];
}

export function decideDecisionAcceptance({ actor, data }: AcceptDecision, state: FundYearState): FundYearEvent[] {
  requireRole(actor, 'acceptDecision');
  const fy = requireExisting(state);
  const partnerId = actingPartner(actor, fy);
  const record = (fy.decisions ?? []).find((d) => d.version === data.version);
  if (!record) {
    throw new DomainError('not-found', 'decision-not-found', `no decision version ${String(data.version)}`, [
      { path: '/version', message: 'no such version' },
    ]);
  }
  if (record.acceptedBy.includes(partnerId)) {
    throw new DomainError('conflict', 'decision-already-accepted', `${partnerId} already accepted decision ${data.version}`, [
      { path: '/version', message: `${partnerId} has already accepted it` },
    ]);
  }
  return [{ type: 'DecisionAccepted', data: { version: data.version, partnerId } }];
}

/** The year before `year` ("2016-17" → "2015-16"). */
export function precedingYear(year: string): string {
  const first = Number(year.slice(0, 4)) - 1;
  return `${String(first).padStart(4, '0')}-${String((first + 1) % 100).padStart(2, '0')}`;
}

export function decideBroughtForward({ actor, data }: BringReserveForward, state: FundYearState): FundYearEvent[] {
  requireRole(actor, 'bringReserveForward');
  const fy = requireExisting(state);
  requireOpen(fy, 'bringing a reserve forward');
  const fromPath = [{ path: '/fromYear', message: `must be ${precedingYear(fy.year)}, the year before ${fy.year}` }];
  if (!isYear(data.fromYear) || data.fromYear !== precedingYear(fy.year)) {
    throw new DomainError('unprocessable', 'not-preceding-year', `${String(data.fromYear)} is not the year before ${fy.year}`, fromPath);
  }
  if (fy.broughtForward && data.correction !== true) {
    throw new DomainError('conflict', 'brought-forward-exists', 'a balance is already brought forward: a second needs correction: true', [
      { path: '/correction', message: 'must be true to replace the balance in force' },
    ]);
  }
  const source = sourceSettlement(data.previous, data.fromYear);
  const reserve = source.record.reserve;
  if (!reserve || reserve.unused !== 'carry-forward') {
    throw new DomainError('conflict', 'nothing-to-bring-forward', `the approved final settlement of ${data.fromYear} returns its reserve (or has none): nothing is carried forward`, [
      { path: '/fromYear', message: 'its reserve is not carried forward' },
    ]);
  }
  const declared = new Set(partnerIds(fy));
  const undeclared = Object.keys(reserve.carriedForward).filter((p) => !declared.has(p) && !parseExact(reserve.carriedForward[p]!).eq(0));
  if (undeclared.length > 0) {
    throw new DomainError('conflict', 'partner-not-declared', `partners with an amount carried forward are not partners of ${fy.year}: ${undeclared.join(', ')}`,
      undeclared.map((p) => ({ path: `/amounts/${p}`, message: `${p} carries forward ${reserve.carriedForward[p]!} but is not declared here` })));
  }
  const amounts: Record<string, string> = {};
  for (const p of partnerIds(fy)) {
    if (Object.prototype.hasOwnProperty.call(reserve.carriedForward, p)) amounts[p] = reserve.carriedForward[p]!;
  }
  const { settlementId, digest } = source.record;
  return [{ type: 'ReserveBroughtForward', data: { fromYear: data.fromYear, amounts, settlementId, digest, correction: data.correction === true } }];
}

/** The previous year's approved, not superseded final settlement, or the 409 saying why there is none. */
function sourceSettlement(previous: FundYearState, fromYear: string): SettlementEntry {
  const none = (code: string, why: string): DomainError =>
    new DomainError('conflict', code, why, [{ path: '/fromYear', message: why }]);
  if (previous.status === 'none') throw none('no-approved-final-settlement', `there is no fund-year ${fromYear}`);
  const finals = previous.settlements.filter((s) => s.record.mode === 'final');
  const statuses = finals.map((s) => settlementStatus(previous, s));
  const at = statuses.indexOf('approved');
  if (at >= 0) return finals[at]!;
  const superseded = finals.some((s, i) => statuses[i] === 'superseded' && previous.partners.every((p) => s.approvedBy.includes(p.partnerId)));
  if (superseded) throw none('final-settlement-superseded', `the approved final settlement of ${fromYear} has been superseded by a later one not yet approved`);
  throw none('no-approved-final-settlement', `${fromYear} has no approved final settlement`);
}
