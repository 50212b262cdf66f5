// Who may call what (docs/api.md, "Who may call"): one map from operation to the roles that
// may call it, read by the HTTP route table (which refuses before a body is read) and by the
// decider and the service (which refuse the same way for any other caller: the demo, tests).
// One refusal per rule, so a caller sees the same code and words whichever layer stops it.
import { DomainError } from './errors.js';

export type Role = 'admin' | 'partner' | 'auditor';

export const ROLES: readonly Role[] = ['admin', 'partner', 'auditor'];

/** Who is acting: a key's name, its role and (for a partner key) its partner. */
export interface Actor {
  name: string;
  role: Role;
  partnerId?: string;
}

const ANY_KEY = ROLES;
const ADMIN: readonly Role[] = ['admin'];
const PARTNER: readonly Role[] = ['partner'];
const AUDIT: readonly Role[] = ['auditor', 'admin'];

/** Every keyed operation (API.md operation ids) and the roles that may call it. */
export const OPERATION_ROLES = {
  openFundYear: ADMIN,
  listFunds: ANY_KEY,
  setBudget: ADMIN,
  proposeAgreement: ADMIN,
  acceptAgreement: PARTNER,
  listAgreements: ANY_KEY,
  submitReturn: PARTNER,
  getPositions: ANY_KEY,
  closeYear: ADMIN,
  adjustOutturn: ['admin', 'partner'],
  calculateSettlement: ADMIN,
  listSettlements: ANY_KEY,
  getSettlement: ANY_KEY,
  verifySettlement: ANY_KEY,
  approveSettlement: PARTNER,
  getSettlementStatement: ANY_KEY,
  listEvents: AUDIT,
  getIntegrity: AUDIT,
  getMe: ANY_KEY,
  proposeDecision: ADMIN,
  acceptDecision: PARTNER,
  listDecisions: ANY_KEY,
  bringReserveForward: ADMIN,
  changeSettings: ADMIN,
  getMonitoring: ANY_KEY,
  getMonitoringCsv: ANY_KEY,
  getMonitoringXlsx: ANY_KEY,
  getReturnTemplate: ['admin', 'partner'],
} as const satisfies Record<string, readonly Role[]>;

export type KeyedOperation = keyof typeof OPERATION_ROLES;

/** Operations whose body names a partner: a partner key may name only its own. */
export const OWN_PARTNER_OPERATIONS: ReadonlySet<KeyedOperation> = new Set<KeyedOperation>(['submitReturn', 'adjustOutturn']);

/** 403 forbidden-role unless `actor`'s role may call `operation`. */
export function requireRole(actor: Pick<Actor, 'role'>, operation: KeyedOperation): void {
  requireRoleIn(actor, OPERATION_ROLES[operation], operation);
}

/** The same refusal for a caller that holds the allowed roles already (the HTTP auth hook). */
export function requireRoleIn(actor: Pick<Actor, 'role'>, allowed: readonly Role[], operation: string): void {
  if (!allowed.includes(actor.role)) {
    throw new DomainError('forbidden', 'forbidden-role', `A ${actor.role} key may not call ${operation}; it needs: ${allowed.join(' or ')}.`);
  }
}

/** 403 forbidden-partner: a partner key acts only for its own partner; `path` names the body field. */
export function requireOwnPartner(actor: Actor, partnerId: unknown, path = '/partnerId'): void {
  if (actor.role === 'partner' && partnerId !== actor.partnerId) {
    throw new DomainError('forbidden', 'forbidden-partner', `The key ${actor.name} acts for partner ${actor.partnerId ?? '(none)'} only.`, [
      { path, message: "must be the key's own partner" },
    ]);
  }
}
