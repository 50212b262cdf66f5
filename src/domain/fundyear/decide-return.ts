// A monthly return: one partner, one period, exactly that partner's budget lines,
// each once. A second submission for the same partner and period is a correction
// and must say so; the last appended one counts.
import { DomainError } from '../errors.js';
import { lineKey, type LineId } from '../lines.js';
import { requireOwnPartner, requireRole } from '../roles.js';
import type { LineAmount } from '../settlement-types.js';
import { requireExisting, requireOpen } from './access.js';
import type { SubmitMonthlyReturn } from './commands.js';
import type { FundYearEvent, ReturnLine } from './events.js';
import { isPeriod } from './ids.js';
import { partnerIds, returnFor, type ExistingFundYear, type FundYearState } from './state.js';
import { checkDeclared, Problems } from './validate.js';

export function decideReturn({ actor, data }: SubmitMonthlyReturn, state: FundYearState): FundYearEvent[] {
  requireRole(actor, 'submitReturn');
  requireOwnPartner(actor, data.partnerId);
  const fy = requireExisting(state);
  requireOpen(fy, 'a monthly return');
  const problems = new Problems();
  checkDeclared(problems, '/partnerId', data.partnerId, partnerIds(fy), 'partner');
  if (!isPeriod(data.period)) problems.add('invalid-period', '/period', 'must be M1 (April) to M12 (March)');
  problems.throwIfAny('bad-request', 'invalid monthly return');
  checkReturnLines(problems, data.lines, data.partnerId, fy);
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

function requireBudget(fy: ExistingFundYear): readonly LineAmount[] {
  if (fy.budget === null) {
    throw new DomainError('conflict', 'budget-not-set', 'no budget has been set: a return has no lines to cover');
  }
  return fy.budget;
}

/** Within one partner's return a line is named without the partner: `strategy/arrangement`. */
const label = (line: Pick<LineId, 'strategyId' | 'arrangement'>): string => `${line.strategyId}/${line.arrangement}`;

/** Names every unknown, repeated and missing line. */
function checkReturnLines(problems: Problems, lines: readonly ReturnLine[], partnerId: string, fy: ExistingFundYear): void {
  const own = requireBudget(fy).filter((b) => b.partnerId === partnerId);
  const expected = new Map(own.map((b) => [lineKey(b), b]));
  const seen = new Set<string>();
  const strategies = fy.strategies.map((s) => s.strategyId);
  lines.forEach((line, i) => {
    const path = `/lines/${i}`;
    checkDeclared(problems, `${path}/strategyId`, line.strategyId, strategies, 'strategy');
    // An undeclared strategy is already named; matching it against the budget adds nothing.
    if (!strategies.includes(line.strategyId)) return;
    const key = lineKey({ ...line, partnerId });
    if (seen.has(key)) problems.add('return-lines-mismatch', path, `line ${label(line)} is repeated`);
    else if (!expected.has(key)) problems.add('return-lines-mismatch', path, `line ${label(line)} is not one of the partner's budget lines`);
    seen.add(key);
  });
  for (const [key, line] of expected) {
    if (!seen.has(key)) problems.add('return-lines-mismatch', '/lines', `budget line ${label(line)} is missing`);
  }
}
