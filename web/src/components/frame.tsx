// The frame of every fund-year page: where you are, the fund's name and status,
// and the pages this key may open. A notice left by the previous page (e.g.
// "Return M4 recorded") is shown once.
import type { ComponentChildren, JSX } from 'preact';
import { useState } from 'preact/hooks';
import { unwrap, type FundSummary, type FundYearRef } from '../api/client.js';
import { fundYearPath } from '../router.js';
import { can, useSession } from '../session-context.js';
import { Link, PageHeading, useLoad } from './common.js';

let pendingNotice: string | null = null;

/** A message for the next page to show (after a command that navigates). */
export function leaveNotice(message: string): void {
  pendingNotice = message;
}

function useNotice(): string | null {
  const [notice] = useState(() => {
    const message = pendingNotice;
    pendingNotice = null;
    return message;
  });
  return notice;
}

export type FundYearPage = 'overview' | 'settlements' | 'return' | 'agreements' | 'decisions' | 'audit';

/** The fund-year's name and status from GET /v1/funds (undefined while loading or when not listed). */
function useFundSummary(ref: FundYearRef): FundSummary | undefined {
  const { client } = useSession();
  const [load] = useLoad(async () => {
    const funds = await unwrap(client.GET('/v1/funds'));
    return funds.find((f) => f.fundId === ref.fundId && f.year === ref.year);
  }, [ref.fundId, ref.year]);
  return load.state === 'ok' ? load.data : undefined;
}

export function FundYearFrame(props: { fundYear: FundYearRef; current: FundYearPage; title: string; children: ComponentChildren }): JSX.Element {
  const { fundYear, current, title, children } = props;
  const { me } = useSession();
  const may = can(me);
  const summary = useFundSummary(fundYear);
  const notice = useNotice();
  const links: { page: FundYearPage; label: string; href: string; shown: boolean }[] = [
    { page: 'overview', label: 'Overview', href: fundYearPath(fundYear), shown: true },
    { page: 'settlements', label: 'Settlements', href: fundYearPath(fundYear, '/settlements'), shown: true },
    { page: 'agreements', label: 'Agreements', href: fundYearPath(fundYear, '/agreements'), shown: true },
    { page: 'decisions', label: 'Decisions', href: fundYearPath(fundYear, '/decisions'), shown: true },
    { page: 'return', label: 'Submit a return', href: fundYearPath(fundYear, '/return'), shown: may.submitReturns },
    { page: 'audit', label: 'Audit trail', href: fundYearPath(fundYear, '/audit'), shown: may.readAuditTrail },
  ];
  return (
    <>
      <nav aria-label="Breadcrumb" class="breadcrumb">
        <ol>
          <li><Link href="/">Fund-years</Link></li>
          <li><Link href={fundYearPath(fundYear)}>{summary?.name ?? `${fundYear.fundId} ${fundYear.year}`}</Link></li>
          {current !== 'overview' && <li aria-current="page">{title}</li>}
        </ol>
      </nav>
      <PageHeading>{title}</PageHeading>
      <p class="fund-line">
        Fund {fundYear.fundId}, year {fundYear.year}
        {summary !== undefined && <> · <span class={`status-badge status-${summary.status}`}>{summary.status === 'open' ? 'Open' : 'Closed'}</span></>}
      </p>
      <nav aria-label="Fund-year" class="tabs">
        <ul>
          {links.filter((l) => l.shown).map((l) => (
            <li key={l.page}><Link href={l.href} aria-current={l.page === current ? 'page' : undefined}>{l.label}</Link></li>
          ))}
        </ul>
      </nav>
      {notice !== null && <p class="notice" role="status">{notice}</p>}
      {children}
    </>
  );
}
