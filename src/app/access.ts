// Fund scope (API.md "Who is calling"): a key touches only the funds it lists.
// Role and partner rules for commands live in the decider; this is what the
// decider cannot see: the key's fund list, and who may read the audit trail.
import { DomainError } from '../domain/errors.js';
import type { Actor } from '../domain/fundyear/index.js';
import type { Principal } from './service-types.js';

export function canSeeFund(principal: Principal, fundId: string): boolean {
  return principal.funds.includes('*') || principal.funds.includes(fundId);
}

export function requireFundScope(principal: Principal, fundId: string): void {
  if (!canSeeFund(principal, fundId)) {
    throw new DomainError('forbidden', 'fund-out-of-scope', `key ${JSON.stringify(principal.name)} is not for fund ${JSON.stringify(fundId)}`);
  }
}

/** The audit trail with its metadata is for admins and auditors (API.md). */
export function requireAuditReader(principal: Principal): void {
  if (principal.role !== 'admin' && principal.role !== 'auditor') {
    throw new DomainError('forbidden', 'audit-trail-role', 'the audit trail is for admin and auditor keys');
  }
}

export function actorOf(principal: Principal): Actor {
  return principal.partnerId === undefined
    ? { name: principal.name, role: principal.role }
    : { name: principal.name, role: principal.role, partnerId: principal.partnerId };
}
