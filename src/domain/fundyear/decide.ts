// decide(command, state) → events: every DOMAIN.md rule that needs the fund-year, pure. A
// refusal is a DomainError naming the field; a decision is the list of events to append.
// Commands arrive in the shape the JSON Schemas of schemas/ describe (checked at the edge, with
// their limits): what is checked here is what only the state can say (declared partners and
// strategies, budget lines, periods, status, roles).
import { assertNever, DomainError } from '../errors.js';
import { lineKey } from '../lines.js';
import { requireOwnPartner, requireRole } from '../roles.js';
import { validateTerms } from '../terms.js';
import { RESERVE_ID } from '../terms-types.js';
import { actingPartner, requireExisting, requireOpen } from './access.js';
import type {
  AcceptAgreement,
  AdjustOutturn,
  CloseYear,
  FundYearCommand,
  OpenFundYear,
  ProposeAgreement,
  SetBudget,
} from './commands.js';
import type { FundYearEvent } from './events.js';
import { decideReturn } from './decide-return.js';
import { decideBroughtForward, decideDecisionAcceptance, decideDecisionProposal } from './decide-decision.js';
import { decideApproval, decideSettlement } from './decide-settlement.js';
import { decideSettings } from './decide-settings.js';
import { requireM12Coverage } from './close-rule.js';
import { checkProfiles } from '../monitoring/rules.js';
import { partnerIds, returnFor, type FundYearState } from './state.js';
import { checkDeclared, Problems } from './validate.js';

export function decide(command: FundYearCommand, state: FundYearState): FundYearEvent[] {
  switch (command.type) {
    case 'OpenFundYear':
      return decideOpen(command, state);
    case 'SetBudget':
      return decideBudget(command, state);
    case 'ProposeAgreement':
      return decideProposal(command, state);
    case 'AcceptAgreement':
      return decideAcceptance(command, state);
    case 'SubmitMonthlyReturn':
      return decideReturn(command, state);
    case 'CloseYear':
      return decideClose(command, state);
    case 'AdjustOutturn':
      return decideAdjustment(command, state);
    case 'CalculateSettlement':
      return decideSettlement(command, state);
    case 'ApproveSettlement':
      return decideApproval(command, state);
    case 'ProposeDecision':
      return decideDecisionProposal(command, state);
    case 'AcceptDecision':
      return decideDecisionAcceptance(command, state);
    case 'BringReserveForward':
      return decideBroughtForward(command, state);
    case 'ChangeSettings':
      return decideSettings(command, state);
    default:
      return assertNever(command);
  }
}

function decideOpen({ actor, data }: OpenFundYear, state: FundYearState): FundYearEvent[] {
  requireRole(actor, 'openFundYear');
  if (state.status !== 'none') {
    throw new DomainError('conflict', 'fund-year-exists', `${data.fundId} ${data.year} is already open`);
  }
  const problems = new Problems();
  checkUnique(problems, '/partners', data.partners.map((p) => p.partnerId), 'partnerId');
  checkUnique(problems, '/strategies', data.strategies.map((s) => s.strategyId), 'strategyId');
  data.partners.forEach((p, i) => {
    if (p.partnerId === RESERVE_ID) problems.add('reserved-id', `/partners/${i}/partnerId`, `'${RESERVE_ID}' is reserved: it names the risk reserve in payments`);
  });
  problems.throwIfAny('bad-request', 'invalid fund-year declaration');
  return [
    {
      type: 'FundYearOpened',
      data: {
        fundId: data.fundId,
        year: data.year,
        name: data.name,
        partners: data.partners.map(({ partnerId, name }) => ({ partnerId, name })),
        strategies: data.strategies.map(({ strategyId, name }) => ({ strategyId, name })),
      },
    },
  ];
}

/** Each id declared once (a schema's uniqueItems compares whole items, not their ids). */
function checkUnique(problems: Problems, path: string, ids: readonly string[], key: 'partnerId' | 'strategyId'): void {
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    if (seen.has(id)) problems.add('duplicate-id', `${path}/${i}/${key}`, `${id} is declared twice`);
    seen.add(id);
  });
}

function decideBudget({ actor, data }: SetBudget, state: FundYearState): FundYearEvent[] {
  requireRole(actor, 'setBudget');
  const fy = requireExisting(state);
  requireOpen(fy, 'a budget change');
  const problems = new Problems();
  const strategies = fy.strategies.map((s) => s.strategyId);
  const partners = partnerIds(fy);
  const seen = new Set<string>();
  data.lines.forEach((line, i) => {
    const path = `/lines/${i}`;
    checkDeclared(problems, `${path}/strategyId`, line.strategyId, strategies, 'strategy');
    checkDeclared(problems, `${path}/partnerId`, line.partnerId, partners, 'partner');
    const key = lineKey(line);
    if (seen.has(key)) problems.add('duplicate-budget-line', path, `budget line ${key} appears more than once`);
    seen.add(key);
  });
  problems.throwIfAny('bad-request', 'invalid budget');
  checkProfiles(data.lines); // 422 profile-mismatch naming the line
  const lines = data.lines.map(({ strategyId, partnerId, arrangement, amount, profile }) =>
    profile === undefined ? { strategyId, partnerId, arrangement, amount } : { strategyId, partnerId, arrangement, amount, profile: [...profile] });
  if (fy.returns.length === 0) {
    return [{ type: 'BudgetSet', data: data.reason === undefined ? { lines } : { lines, reason: data.reason } }];
  }
  if (data.reason === undefined) {
    throw new DomainError('bad-request', 'reason-required', 'returns exist: a budget change is a variation and needs a reason', [
      { path: '/reason', message: 'required once a monthly return has been submitted' },
    ]);
  }
  return [{ type: 'BudgetVaried', data: { lines, reason: data.reason } }];
}

function decideProposal({ actor, data }: ProposeAgreement, state: FundYearState): FundYearEvent[] {
  requireRole(actor, 'proposeAgreement');
  const fy = requireExisting(state);
  const errors = validateTerms(data.terms, { partners: partnerIds(fy), strategies: fy.strategies.map((s) => s.strategyId) });
  if (errors.length > 0) {
    const withPrefix = errors.map((e) => ({ path: `/terms${e.path === '/' ? '' : e.path}`, message: e.message }));
    throw new DomainError('unprocessable', 'invalid-terms', 'the agreement terms are not valid', withPrefix);
  }
  const version = fy.agreements.length + 1;
  return [{ type: 'AgreementProposed', data: { version, terms: data.terms, proposedBy: actor.name } }];
}

function decideAcceptance({ actor, data }: AcceptAgreement, state: FundYearState): FundYearEvent[] {
  requireRole(actor, 'acceptAgreement');
  const fy = requireExisting(state);
  const partnerId = actingPartner(actor, fy);
  const agreement = fy.agreements.find((a) => a.version === data.version);
  if (!agreement) {
    throw new DomainError('not-found', 'agreement-not-found', `no agreement version ${String(data.version)}`, [
      { path: '/version', message: 'no such version' },
    ]);
  }
  if (agreement.acceptedBy.includes(partnerId)) {
    throw new DomainError('conflict', 'agreement-already-accepted', `${partnerId} already accepted version ${data.version}`);
  }
  return [{ type: 'AgreementAccepted', data: { version: data.version, partnerId } }];
}

function decideClose({ actor }: CloseYear, state: FundYearState): FundYearEvent[] {
  requireRole(actor, 'closeYear');
  const fy = requireExisting(state);
  requireOpen(fy, 'closing again');
  const missing = partnerIds(fy).filter((p) => returnFor(fy, p, 'M12') === undefined);
  if (missing.length > 0) {
    throw new DomainError(
      'conflict',
      'm12-returns-missing',
      `the year closes only when every partner has an M12 return; missing: ${missing.join(', ')}`,
      missing.map((p) => ({ path: `/partners/${p}`, message: `${p} has no M12 return` })),
    );
  }
  requireM12Coverage(fy);
  return [{ type: 'YearClosed', data: { closedBy: actor.name } }];
}

function decideAdjustment({ actor, data }: AdjustOutturn, state: FundYearState): FundYearEvent[] {
  requireRole(actor, 'adjustOutturn');
  requireOwnPartner(actor, data.partnerId);
  const fy = requireExisting(state);
  if (fy.status !== 'closed') {
    throw new DomainError('conflict', 'year-not-closed', 'outturn adjustments are made only after the year is closed');
  }
  const problems = new Problems();
  checkDeclared(problems, '/partnerId', data.partnerId, partnerIds(fy), 'partner');
  checkDeclared(problems, '/strategyId', data.strategyId, fy.strategies.map((s) => s.strategyId), 'strategy');
  problems.throwIfAny('bad-request', 'invalid adjustment');
  const { adjustmentId, partnerId, strategyId, arrangement, amount, reason } = data;
  return [{ type: 'OutturnAdjusted', data: { adjustmentId, partnerId, strategyId, arrangement, amount, reason } }];
}
