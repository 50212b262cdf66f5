// The fund-years this key can see (GET /v1/funds), with each one's forecast variance.
import type { JSX } from 'preact';
import { unwrap, type FundSummary } from '../api/client.js';
import { AmountCell, Link, Loaded, PageHeading, useLoad } from '../components/common.js';
import { RagBadge } from '../components/figures.js';
import { fundYearPath } from '../router.js';
import { useSession } from '../session-context.js';

/** The fund's RAG flag once the summary carries one (the monitoring pack adds it). */
function ragOf(summary: FundSummary): string | undefined {
  const rag = (summary as FundSummary & { rag?: unknown }).rag;
  return typeof rag === 'string' ? rag : undefined;
}

function FundTable({ funds }: { funds: FundSummary[] }): JSX.Element {
  if (funds.length === 0) return <p>This key can see no fund-year.</p>;
  const withRag = funds.some((f) => ragOf(f) !== undefined);
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label="Fund-years (scrolls sideways)">
      <table id="fund-list">
        <caption>Fund-years this key can see</caption>
        <thead>
          <tr>
            <th scope="col">Fund-year</th>
            <th scope="col">Year</th>
            <th scope="col">Status</th>
            <th scope="col" class="num">Budget</th>
            <th scope="col" class="num">Forecast outturn</th>
            <th scope="col" class="num">Forecast variance</th>
            {withRag && <th scope="col">RAG</th>}
            <th scope="col">Latest settlement</th>
          </tr>
        </thead>
        <tbody>
          {funds.map((f) => {
            const rag = ragOf(f);
            return (
              <tr key={`${f.fundId}/${f.year}`} data-fund={f.fundId}>
                <th scope="row"><Link href={fundYearPath(f)}>{f.name}</Link></th>
                <td>{f.year}</td>
                <td><span class={`status-badge status-${f.status}`}>{f.status === 'open' ? 'Open' : 'Closed'}</span></td>
                <AmountCell value={f.budget} />
                <AmountCell value={f.forecastOutturn} />
                <AmountCell value={f.forecastVariance} />
                {withRag && <td>{rag === undefined ? '–' : <RagBadge rag={rag} />}</td>}
                <td>
                  {f.latestSettlement === null
                    ? 'none'
                    : <Link href={fundYearPath(f, `/settlements/${f.latestSettlement.settlementId}`)}>{f.latestSettlement.mode} ({f.latestSettlement.status})</Link>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function FundList(): JSX.Element {
  const { client } = useSession();
  const [load] = useLoad(() => unwrap(client.GET('/v1/funds')), []);
  return (
    <section>
      <PageHeading>Fund-years</PageHeading>
      <Loaded load={load} what="the fund-years">{(funds) => <FundTable funds={funds} />}</Loaded>
    </section>
  );
}
