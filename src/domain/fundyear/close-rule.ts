// The year closes only when each partner's latest M12 return covers every budget line of that
// partner in force (DOMAIN.md). A budget varied after an M12 return (a line added, or moved to
// another arrangement) needs a corrected M12 first: final outturn is read from the M12 return,
// and a line it does not carry would have no outturn at all.
import { DomainError } from '../errors.js';
import { partnerIds, returnFor, type ExistingFundYear } from './state.js';

export interface UncoveredLine {
  partnerId: string;
  strategyId: string;
  arrangement: string;
}

/** Budget lines in force that their partner's M12 return (the last appended) does not carry, in budget order. */
export function linesUncoveredAtM12(fy: ExistingFundYear): UncoveredLine[] {
  const uncovered: UncoveredLine[] = [];
  for (const partnerId of partnerIds(fy)) {
    const m12 = returnFor(fy, partnerId, 'M12');
    if (m12 === undefined) continue; // named by the missing-return rule
    const carried = new Set(m12.lines.map((l) => `${l.strategyId}/${l.arrangement}`));
    for (const b of fy.budget ?? []) {
      if (b.partnerId === partnerId && !carried.has(`${b.strategyId}/${b.arrangement}`)) {
        uncovered.push({ partnerId, strategyId: b.strategyId, arrangement: b.arrangement });
      }
    }
  }
  return uncovered;
}

/** 409 m12-returns-incomplete naming each partner and line, or nothing. */
export function requireM12Coverage(fy: ExistingFundYear): void {
  const uncovered = linesUncoveredAtM12(fy);
  if (uncovered.length === 0) return;
  const name = (u: UncoveredLine) => `${u.strategyId}/${u.partnerId}/${u.arrangement}`;
  const partners = [...new Set(uncovered.map((u) => u.partnerId))];
  const byPartner = partners.map((p) => `${p} (${uncovered.filter((u) => u.partnerId === p).map(name).join(', ')})`);
  throw new DomainError(
    'conflict',
    'm12-returns-incomplete',
    `the year closes only when each partner's M12 return covers its budget lines in force; the budget was varied after these M12 returns, which need a correction: ${byPartner.join('; ')}`,
    uncovered.map((u) => ({ path: `/partners/${u.partnerId}`, message: `${u.partnerId}'s M12 return does not cover budget line ${name(u)}: submit a corrected M12 return` })),
  );
}
