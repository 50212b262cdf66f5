// What the fund-year itself says about the caller and the request: the acting partner is one
// of its partners, the fund-year exists and is still open. Roles come first, from the one map
// of roles per operation (../roles.ts): a refusal for role or partner says nothing about the state.
import { DomainError } from '../errors.js';
import type { Actor } from '../roles.js';
import type { ExistingFundYear, FundYearState } from './state.js';

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
