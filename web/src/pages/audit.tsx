// The audit trail (admin, auditor): every event of the fund-year with who sent it,
// on whose behalf and when, a page at a time (GET …/events?fromRevision=&limit=).
import type { JSX } from 'preact';
import { unwrap, type AuditEvent, type FundYearRef } from '../api/client.js';
import { Link, Loaded, useLoad } from '../components/common.js';
import { FundYearFrame } from '../components/frame.js';
import { formatTime } from '../format.js';
import { fundYearPath } from '../router.js';
import { useSession } from '../session-context.js';

export const AUDIT_PAGE_SIZE = 10;

interface Who {
  principal: string;
  role: string;
  onBehalfOf: string;
  when: string;
  requestId: string;
}

function who(event: AuditEvent): Who {
  const m = (typeof event.metadata === 'object' && event.metadata !== null ? event.metadata : {}) as Record<string, unknown>;
  const text = (value: unknown, otherwise: string): string => (typeof value === 'string' && value !== '' ? value : otherwise);
  return {
    principal: text(m['principal'], 'unknown'),
    role: text(m['role'], ''),
    onBehalfOf: text(m['partnerId'], 'the fund'),
    when: typeof m['recordedAt'] === 'string' ? formatTime(m['recordedAt']) : '–',
    requestId: text(m['requestId'], '–'),
  };
}

function Pager({ fundYear, from, more }: { fundYear: FundYearRef; from: number; more: boolean }): JSX.Element {
  const href = (at: number): string => fundYearPath(fundYear, `/audit?from=${at}`);
  return (
    <nav aria-label="Audit trail pages" class="pager">
      {from > 0 ? <Link href={href(Math.max(0, from - AUDIT_PAGE_SIZE))} rel="prev">Earlier events</Link> : <span aria-disabled="true">Earlier events</span>}
      <span>Revisions from {from}</span>
      {more ? <Link href={href(from + AUDIT_PAGE_SIZE)} rel="next">Later events</Link> : <span aria-disabled="true">Later events</span>}
    </nav>
  );
}

function Trail({ fundYear, from, events }: { fundYear: FundYearRef; from: number; events: AuditEvent[] }): JSX.Element {
  const shown = events.slice(0, AUDIT_PAGE_SIZE);
  const more = events.length > AUDIT_PAGE_SIZE;
  return (
    <>
      <Pager fundYear={fundYear} from={from} more={more} />
      {shown.length === 0 ? <p>No events from revision {from}.</p> : (
        <div class="table-scroll" tabIndex={0} role="region" aria-label="Audit trail (scrolls sideways)">
          <table id="audit-trail">
            <caption>Events {shown[0]?.revision ?? from} to {shown[shown.length - 1]?.revision ?? from}</caption>
            <thead>
              <tr><th scope="col">Revision</th><th scope="col">Event</th><th scope="col">Who</th><th scope="col">On behalf of</th><th scope="col">When</th><th scope="col">Details</th></tr>
            </thead>
            <tbody>
              {shown.map((event) => {
                const w = who(event);
                return (
                  <tr key={event.eventId} data-revision={event.revision}>
                    <th scope="row">{event.revision}</th>
                    <td>{event.type}</td>
                    <td>{w.principal}{w.role === '' ? '' : ` (${w.role})`}</td>
                    <td>{w.onBehalfOf}</td>
                    <td>{w.when}</td>
                    <td>
                      <details>
                        <summary>Event {event.revision}</summary>
                        <p>Request {w.requestId}</p>
                        <pre>{JSON.stringify(event.data, null, 2)}</pre>
                      </details>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

export function Audit({ fundYear, from }: { fundYear: FundYearRef; from: number }): JSX.Element {
  const { client } = useSession();
  const [load] = useLoad(
    () => unwrap(client.GET('/v1/funds/{fundId}/years/{year}/events', {
      // One more than a page, to know whether a later page exists.
      params: { path: fundYear, query: { fromRevision: String(from), limit: String(AUDIT_PAGE_SIZE + 1) } },
    })),
    [fundYear.fundId, fundYear.year, from],
  );
  return (
    <FundYearFrame fundYear={fundYear} current="audit" title="Audit trail">
      <Loaded load={load} what="the audit trail">{(events) => <Trail fundYear={fundYear} from={from} events={events} />}</Loaded>
    </FundYearFrame>
  );
}
