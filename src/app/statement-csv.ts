// A settlement as a CSV statement a finance team can file: a header block that
// identifies exactly what was computed (fund, year, mode, revision, agreement,
// digest, and the chain hash of the log at that revision: `npm run verify` checks both
// against a running service), then the figures' sections (settlement-csv.ts).
import { stringify } from 'csv-stringify/sync';
import type { Settlement } from './service-types.js';
import { figureSections } from './settlement-csv.js';

type Row = (string | number)[];

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
    ...figureSections(s, partners),
  ];
  // Every value is a string or an integer revision: no money passes through a JS number here.
  return stringify(rows, { record_delimiter: '\r\n' });
}
