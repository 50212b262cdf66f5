// The fund-year's settlements, newest first (GET …/settlements).
import type { JSX } from 'preact';
import { unwrap, type FundYearRef, type Settlement } from '../api/client.js';
import { Link, Loaded, useLoad } from '../components/common.js';
import { FundYearFrame } from '../components/frame.js';
import { formatTime } from '../format.js';
import { fundYearPath } from '../router.js';
import { useSession } from '../session-context.js';
import { paymentInWords } from '../terms-words.js';

function SettlementTable({ fundYear, settlements }: { fundYear: FundYearRef; settlements: Settlement[] }): JSX.Element {
  if (settlements.length === 0) return <p>No settlement has been calculated yet.</p>;
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label="Settlements (scrolls sideways)">
      <table id="settlement-list">
        <caption>Settlements, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Settlement</th>
            <th scope="col">Status</th>
            <th scope="col">At revision</th>
            <th scope="col">Calculated</th>
            <th scope="col">Payments</th>
            <th scope="col">Approved by</th>
          </tr>
        </thead>
        <tbody>
          {settlements.map((s) => (
            <tr key={s.settlementId} data-settlement={s.settlementId}>
              <th scope="row"><Link href={fundYearPath(fundYear, `/settlements/${s.settlementId}`)}>{s.mode === 'final' ? 'Final' : 'Forecast'} settlement</Link></th>
              <td>{s.status}{s.requiresDecision ? ' (needs a decision)' : ''}</td>
              <td>{s.asOfRevision}</td>
              <td>{formatTime(s.calculatedAt)}</td>
              <td>{s.payments.length === 0 ? 'none' : s.payments.map(paymentInWords).join('; ')}</td>
              <td>{s.approvedBy.length === 0 ? '–' : s.approvedBy.join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Settlements({ fundYear }: { fundYear: FundYearRef }): JSX.Element {
  const { client } = useSession();
  const [load] = useLoad(
    () => unwrap(client.GET('/v1/funds/{fundId}/years/{year}/settlements', { params: { path: fundYear } })),
    [fundYear.fundId, fundYear.year],
  );
  return (
    <FundYearFrame fundYear={fundYear} current="settlements" title="Settlements">
      <Loaded load={load} what="the settlements">{(settlements) => <SettlementTable fundYear={fundYear} settlements={settlements} />}</Loaded>
    </FundYearFrame>
  );
}
