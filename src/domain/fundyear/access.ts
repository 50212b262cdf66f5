// Who may do what (API.md "who" column, DOMAIN.md's last rule). Checked first in
// every decision: a refusal for role or partner says nothing about the state.
import { DomainError } from '../errors.js';
import type { Actor, ActorRole } from './commands.js';
import type { ExistingFundYear, FundYearState } from './state.js';

export function requireRole(actor: Actor, allowed: readonly ActorRole[], operation: string): void {
  if (actor.role === 'auditor') {
    throw new DomainError('forbidden', 'read-only-role', `an auditor may only read; ${operation} is refused`);
  }
  if (!allowed.includes(actor.role)) {
    const code = allowed.length === 1 && allowed[0] === 'admin' ? 'admin-only' : 'partner-only';
    throw new DomainError('forbidden', code, `${operation} is for ${allowed.join(' or ')} keys, not ${actor.role}`);
  }
}

/** A partner's principal acts only for its own partner; `path` names the body field. */
export function requireOwnPartner(actor: Actor, partnerId: unknown, path: string): void {
  if (actor.role === 'partner' && actor.partnerId !== partnerId) {
    throw new DomainError(
      'forbidden',
      'partner-mismatch',
      `a key for partner ${JSON.stringify(actor.partnerId)} may not act for ${JSON.stringify(partnerId)}`,
      [{ path, message: `must be your own partner ${JSON.stringify(actor.partnerId)}` }],
    );
  }
}

/** The acting partner (for acceptances and approvals), which must be one of the fund-year's partners. */
export function actingPartner(actor: Actor, state: ExistingFundYear): string {
  const partnerId = actor.partnerId;
  if (partnerId === undefined || !state.partners.some((p) => p.partnerId === partnerId)) {
    throw new DomainError(
      'forbidden',
      'partner-not-in-fund-year',
      `key ${JSON.stringify(actor.name)} is not for a partner of ${state.fundId} ${state.year}`,
    );
  }
  return partnerId;
}

export function requireExisting(state: FundYearState): ExistingFundYear {
  if (state.status === 'none') {
    throw new DomainError('not-found', 'fund-year-not-found', 'no such fund-year');
  }
  return state;
}

export function requireOpen(state: ExistingFundYear, what: string): void {
  if (state.status === 'closed') {
    throw new DomainError(
      'conflict',
      'year-closed',
      `${state.fundId} ${state.year} is closed: ${what} is refused (post-close changes are outturn adjustments)`,
    );
  }
}
