// decide(command, state) → events: every DOMAIN.md rule, pure. A refusal is a
// DomainError naming the field; a decision is the list of events to append.
import { assertNever, DomainError } from '../errors.js';
import { validateTerms } from '../terms.js';
import { actingPartner, requireExisting, requireOpen, requireOwnPartner, requireRole } from './access.js';
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
import { isFundId, isYear } from './ids.js';
import { decideReturn } from './decide-return.js';
import { decideApproval, decideSettlement } from './decide-settlement.js';
import { decideSettings } from './decide-settings.js';
import { requireM12Coverage } from './close-rule.js';
import { checkProfiles } from '../monitoring/rules.js';
import { partnerIds, returnFor, type FundYearState } from './state.js';
import {
  checkAmount,
  checkArrangement,
  checkDeclared,
  checkList,
  checkSlug,
  checkText,
  DECLARATIONS_MAX,
  LINES_MAX,
  Problems,
} from './validate.js';

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
    case 'ChangeSettings':
      return decideSettings(command, state);
    default:
      return assertNever(command);
  }
}

function decideOpen({ actor, data }: OpenFundYear, state: FundYearState): FundYearEvent[] {
  requireRole(actor, ['admin'], 'opening a fund-year');
  const ids = new Problems();
  if (!isFundId(data.fundId)) ids.add('invalid-id', '/fundId', 'must be a lower-case slug of 2 to 63 characters');
  if (!isYear(data.year)) ids.add('invalid-id', '/year', 'must be a financial year like "2015-16" (consecutive years)');
  ids.throwIfAny('bad-request', 'invalid fund-year id');
  if (state.status !== 'none') {
    throw new DomainError('conflict', 'fund-year-exists', `${data.fundId} ${data.year} is already open`);
  }
  const problems = new Problems();
  checkText(problems, '/name', data.name, 'name');
  const declare = (list: unknown, key: 'partnerId' | 'strategyId', path: string) => {
    const seen = new Set<string>();
    checkList<Record<string, unknown>>(problems, path, list, DECLARATIONS_MAX).forEach((item, i) => {
      const id = item?.[key];
      checkSlug(problems, `${path}/${i}/${key}`, id, key);
      checkText(problems, `${path}/${i}/name`, item?.name, 'name');
      if (typeof id === 'string' && seen.has(id)) problems.add('duplicate-id', `${path}/${i}/${key}`, `${id} is declared twice`);
      if (typeof id === 'string') seen.add(id);
    });
  };
  declare(data.partners, 'partnerId', '/partners');
  declare(data.strategies, 'strategyId', '/strategies');
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

function decideBudget({ actor, data }: SetBudget, state: FundYearState): FundYearEvent[] {
  requireRole(actor, ['admin'], 'setting the budget');
  const fy = requireExisting(state);
  requireOpen(fy, 'a budget change');
  const problems = new Problems();
  const strategies = fy.strategies.map((s) => s.strategyId);
  const partners = partnerIds(fy);
  const seen = new Set<string>();
  checkList<Record<string, unknown>>(problems, '/lines', data.lines, LINES_MAX).forEach((line, i) => {
    const path = `/lines/${i}`;
    checkDeclared(problems, `${path}/strategyId`, line?.strategyId, strategies, 'strategy');
    checkDeclared(problems, `${path}/partnerId`, line?.partnerId, partners, 'partner');
    checkArrangement(problems, `${path}/arrangement`, line?.arrangement);
    checkAmount(problems, `${path}/amount`, line?.amount, true);
    const key = `${String(line?.strategyId)}/${String(line?.partnerId)}/${String(line?.arrangement)}`;
    if (seen.has(key)) problems.add('duplicate-budget-line', path, `budget line ${key} appears more than once`);
    seen.add(key);
  });
  if (data.reason !== undefined) checkText(problems, '/reason', data.reason, 'reason');
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
  requireRole(actor, ['admin'], 'proposing an agreement');
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
  requireRole(actor, ['partner'], 'accepting an agreement');
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
  requireRole(actor, ['admin'], 'closing the year');
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
  requireRole(actor, ['admin', 'partner'], 'adjusting outturn');
  requireOwnPartner(actor, data.partnerId, '/partnerId');
  const fy = requireExisting(state);
  if (fy.status !== 'closed') {
    throw new DomainError('conflict', 'year-not-closed', 'outturn adjustments are made only after the year is closed');
  }
  const problems = new Problems();
  checkDeclared(problems, '/partnerId', data.partnerId, partnerIds(fy), 'partner');
  checkDeclared(problems, '/strategyId', data.strategyId, fy.strategies.map((s) => s.strategyId), 'strategy');
  checkArrangement(problems, '/arrangement', data.arrangement);
  checkAmount(problems, '/amount', data.amount);
  checkText(problems, '/reason', data.reason, 'reason');
  problems.throwIfAny('bad-request', 'invalid adjustment');
  const { adjustmentId, partnerId, strategyId, arrangement, amount, reason } = data;
  return [{ type: 'OutturnAdjusted', data: { adjustmentId, partnerId, strategyId, arrangement, amount, reason } }];
}
