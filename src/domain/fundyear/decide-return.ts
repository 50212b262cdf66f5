// A monthly return: one partner, one period, exactly that partner's budget lines,
// each once. A second submission for the same partner and period is a correction
// and must say so; the last appended one counts.
import { DomainError } from '../errors.js';
import { requireExisting, requireOpen, requireOwnPartner, requireRole } from './access.js';
import type { SubmitMonthlyReturn } from './commands.js';
import type { BudgetLine, FundYearEvent, ReturnLine } from './events.js';
import { isPeriod } from './ids.js';
import { partnerIds, returnFor, type ExistingFundYear, type FundYearState } from './state.js';
import { checkAmount, checkArrangement, checkDeclared, checkList, LINES_MAX, Problems } from './validate.js';

export function decideReturn({ actor, data }: SubmitMonthlyReturn, state: FundYearState): FundYearEvent[] {
  requireRole(actor, ['partner'], 'submitting a monthly return');
  requireOwnPartner(actor, data.partnerId, '/partnerId');
  const fy = requireExisting(state);
  requireOpen(fy, 'a monthly return');
  const problems = new Problems();
  checkDeclared(problems, '/partnerId', data.partnerId, partnerIds(fy), 'partner');
  if (!isPeriod(data.period)) problems.add('invalid-period', '/period', 'must be M1 (April) to M12 (March)');
  if (data.correction !== undefined && typeof data.correction !== 'boolean') {
    problems.add('invalid-correction', '/correction', 'must be true or false');
  }
  problems.throwIfAny('bad-request', 'invalid monthly return');
  const budget = requireBudget(fy);
  checkReturnLines(problems, data.lines, budget.filter((b) => b.partnerId === data.partnerId), fy);
  problems.throwIfAny('bad-request', 'the return does not cover exactly the partner\'s budget lines');
  if (!isPeriod(data.period)) throw new Error('unreachable: period checked above');
  const earlier = returnFor(fy, data.partnerId, data.period);
  const correction = data.correction === true;
  if (earlier && !correction) {
    throw new DomainError(
      'conflict',
      'duplicate-return',
      `${data.partnerId} already submitted ${data.period}; a second return must say "correction": true`,
      [{ path: '/correction', message: 'must be true to correct an earlier return' }],
    );
  }
  if (!earlier && correction) {
    throw new DomainError('conflict', 'no-return-to-correct', `${data.partnerId} has no ${data.period} return to correct`, [
      { path: '/correction', message: 'there is no earlier return for this partner and period' },
    ]);
  }
  const lines = data.lines.map(({ strategyId, arrangement, actualToDate, forecastOutturn, commentary }) =>
    commentary === undefined
      ? { strategyId, arrangement, actualToDate, forecastOutturn }
      : { strategyId, arrangement, actualToDate, forecastOutturn, commentary });
  return [
    {
      type: 'MonthlyReturnSubmitted',
      data: { returnId: data.returnId, partnerId: data.partnerId, period: data.period, lines, correction },
    },
  ];
}

function requireBudget(fy: ExistingFundYear): readonly BudgetLine[] {
  if (fy.budget === null) {
    throw new DomainError('conflict', 'budget-not-set', 'no budget has been set: a return has no lines to cover');
  }
  return fy.budget;
}

/** Commentary (schemas/commentary.schema.json): 1 to 1,000 characters, counted as code points like JSON Schema. */
const COMMENTARY_MAX = 1000;

function checkCommentary(problems: Problems, path: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0 || [...value].length > COMMENTARY_MAX) {
    problems.add('invalid-commentary', path, `must be a string of 1 to ${COMMENTARY_MAX} characters`);
  }
}

/** Names every unknown, repeated and missing line. */
function checkReturnLines(problems: Problems, value: unknown, own: readonly BudgetLine[], fy: ExistingFundYear): void {
  const expected = new Set(own.map((b) => `${b.strategyId}/${b.arrangement}`));
  const seen = new Set<string>();
  const strategies = fy.strategies.map((s) => s.strategyId);
  // A partner with no budget lines returns an empty list; otherwise the list is bounded like any other.
  const lines = own.length === 0 && Array.isArray(value) && value.length === 0
    ? [] : checkList<Partial<ReturnLine>>(problems, '/lines', value, LINES_MAX);
  lines.forEach((line, i) => {
    const path = `/lines/${i}`;
    checkDeclared(problems, `${path}/strategyId`, line?.strategyId, strategies, 'strategy');
    const arrangementOk = checkArrangement(problems, `${path}/arrangement`, line?.arrangement);
    checkAmount(problems, `${path}/actualToDate`, line?.actualToDate);
    checkAmount(problems, `${path}/forecastOutturn`, line?.forecastOutturn);
    if (line?.commentary !== undefined) checkCommentary(problems, `${path}/commentary`, line.commentary);
    // An undeclared strategy or a bad arrangement is already named; matching it against the budget adds nothing.
    if (!arrangementOk || !strategies.includes(String(line?.strategyId))) return;
    const key = `${String(line?.strategyId)}/${String(line?.arrangement)}`;
    if (seen.has(key)) problems.add('return-lines-mismatch', path, `line ${key} is repeated`);
    else if (!expected.has(key)) problems.add('return-lines-mismatch', path, `line ${key} is not one of the partner's budget lines`);
    seen.add(key);
  });
  for (const key of expected) {
    if (!seen.has(key)) problems.add('return-lines-mismatch', '/lines', `budget line ${key} is missing`);
  }
}
