// Fund scope (API.md "Who is calling"): a key touches only the funds it lists. The one check,
// used by the HTTP auth hook (before anything else is read) and by the service (for every other
// caller). Roles per operation are the domain's (src/domain/roles.ts).
import { DomainError } from '../domain/errors.js';
import type { Principal } from './service-types.js';

export function canSeeFund(principal: Principal, fundId: string): boolean {
  return principal.funds.includes('*') || principal.funds.includes(fundId);
}

export function requireFundScope(principal: Principal, fundId: string): void {
  if (!canSeeFund(principal, fundId)) {
    throw new DomainError('forbidden', 'forbidden-fund', `The key ${principal.name} may not touch the fund ${fundId}.`);
  }
}
