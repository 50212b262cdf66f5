// A settlement as a CSV statement a finance team can file: a header block that
// identifies exactly what was computed (fund, year, mode, revision, agreement,
// digest, and the chain hash of the log at that revision: `npm run verify` checks both
// against a running service), then one titled section per table, separated by blank rows.
import { stringify } from 'csv-stringify/sync';
import type { Settlement } from './service-types.js';

type Row = (string | number)[];

/** A partner's share of a pot; an id is data, never a property of Object (a partner may be called `constructor`). */
function shareOf(shares: Readonly<Record<string, string>>, partnerId: string): string {
  return Object.hasOwn(shares, partnerId) ? (shares[partnerId] as string) : '0.00';
}

export function settlementStatementCsv(s: Settlement, partners: readonly string[]): string {
  const rows: Row[] = [
    ['Settlement statement'],
    ['fund', s.fundId],
    ['year', s.year],
    ['mode', s.mode],
    ['settlement', s.settlementId],
    ['status', s.status],
    ['as of revision', s.asOfRevision],
    ['agreement version', s.agreementVersion],
    ['engine version', s.engineVersion],
    ['digest', s.digest],
    ['chain hash', s.chainHash ?? ''],
    ['calculated at', s.calculatedAt],
    ['requires decision', s.requiresDecision ? 'yes' : 'no'],
    ['assumed on budget', s.assumedOnBudget.join(' ')],
    ['approved by', s.approvedBy.join(' ')],
    [],
    ['Pots'],
    ['pot', 'budget', 'variance', 'direction', ...partners.map((p) => `share ${p}`), 'unallocated', 'capped'],
    ...s.pots.map((pot) => [
      pot.potId, pot.budget, pot.variance, pot.direction, ...partners.map((p) => shareOf(pot.shares, p)), pot.unallocated, pot.capped.join(' '),
    ]),
    [],
    ['Bands'],
    ['pot', 'from', 'to', 'amount'],
    ...s.pots.flatMap((pot) => pot.bands.map((b) => [pot.potId, b.from, b.to ?? '', b.amount])),
    [],
    ['Partners'],
    ['partner', 'variance borne', 'share', 'transfer (positive pays)'],
    ...s.partners.map((p) => [p.partnerId, p.varianceBorne, p.share, p.transfer]),
    [],
    ['Payments'],
    ['from', 'to', 'amount'],
    ...s.payments.map((p) => [p.from, p.to, p.amount]),
    [],
    ['Unshared'],
    ['strategy', 'partner', 'arrangement', 'variance'],
    ...s.unshared.map((u) => [u.strategyId, u.partnerId, u.arrangement, u.variance]),
  ];
  // Every value is a string or an integer revision: no money passes through a JS number here.
  return stringify(rows, { record_delimiter: '\r\n' });
}
