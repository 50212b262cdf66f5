// One settlement as a finance team reads it: payments in words, each partner's
// transfer, the pots with their bands and shares, the lines not shared, the digest
// with a badge that asks the service to recompute it, approvals, the CSV statement.
import type { JSX } from 'preact';
import { idempotencyKey, unwrap, type FundYearRef, type Settlement, type VerificationView } from '../api/client.js';
import { AmountCell, CommandStatus, Loaded, useCommand, useLoad } from '../components/common.js';
import { DownloadButton } from '../components/download.js';
import { FundYearFrame } from '../components/frame.js';
import { formatPounds, formatTime } from '../format.js';
import { can, useSession } from '../session-context.js';
import { paymentInWords } from '../terms-words.js';

type SettlementRef = FundYearRef & { settlementId: string };

function VerificationBadge({ settlement }: { settlement: SettlementRef }): JSX.Element {
  const { client } = useSession();
  const [load] = useLoad<VerificationView>(
    () => unwrap(client.GET('/v1/funds/{fundId}/years/{year}/settlements/{settlementId}/verification', { params: { path: settlement } })),
    [settlement.settlementId],
  );
  if (load.state === 'loading') return <p class="badge badge-pending" id="verification" role="status">Verifying: recomputing from the log…</p>;
  if (load.state === 'error') return <p class="badge badge-mismatch" id="verification" role="status">Not verified: {load.error.problem.detail}</p>;
  const v = load.data;
  return v.match
    ? <p class="badge badge-match" id="verification" role="status" data-match="true">✔ Verified: recomputed from the log at revision {v.asOfRevision}, the digest matches.</p>
    : <p class="badge badge-mismatch" id="verification" role="status" data-match="false">✘ Does not match: recomputed {v.recomputedDigest}.</p>;
}

function Payments({ settlement }: { settlement: Settlement }): JSX.Element {
  if (settlement.requiresDecision) {
    return <p class="warning">An amount is unallocated: the board must decide it before any payment (no payments are listed until then).</p>;
  }
  if (settlement.payments.length === 0) return <p>No payments: every partner already bears its share.</p>;
  return <ul id="payments" class="payments">{settlement.payments.map((p) => <li key={`${p.from}-${p.to}`}>{paymentInWords(p)}</li>)}</ul>;
}

function PartnersTable({ settlement }: { settlement: Settlement }): JSX.Element {
  const withReserve = settlement.partners.some((p) => p.reserveReturned !== undefined);
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label="Partners (scrolls sideways)">
      <table id="settlement-partners">
        <caption>Partners: transfer = share − variance borne (positive pays, negative receives)</caption>
        <thead><tr><th scope="col">Partner</th><th scope="col" class="num">Variance borne</th><th scope="col" class="num">Share</th>{withReserve && <th scope="col" class="num">Reserve returned</th>}<th scope="col" class="num">Transfer</th></tr></thead>
        <tbody>
          {settlement.partners.map((p) => (
            <tr key={p.partnerId}><th scope="row">{p.partnerId}</th><AmountCell value={p.varianceBorne} /><AmountCell value={p.share} />{withReserve && <AmountCell value={p.reserveReturned ?? null} />}<AmountCell value={p.transfer} /></tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PotsTable({ settlement }: { settlement: Settlement }): JSX.Element {
  const partners = settlement.partners.map((p) => p.partnerId);
  const withReserve = settlement.pots.some((pot) => pot.reserveDrawn !== undefined);
  const withDecision = settlement.pots.some((pot) => pot.decision !== undefined);
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label="Pots (scrolls sideways)">
      <table id="settlement-pots">
        <caption>Pots: variance = outturn − budget of the pot's pooled lines</caption>
        <thead>
          <tr>
            <th scope="col">Pot</th><th scope="col" class="num">Budget</th><th scope="col" class="num">Variance</th><th scope="col">Direction</th>
            {withReserve && <th scope="col" class="num">Reserve drawn</th>}
            {partners.map((p) => <th key={p} scope="col" class="num">Share {p}</th>)}
            <th scope="col" class="num">Unallocated</th><th scope="col">Capped</th>{withDecision && <th scope="col">Decision</th>}
          </tr>
        </thead>
        <tbody>
          {settlement.pots.map((pot) => (
            <tr key={pot.potId}>
              <th scope="row">{pot.potId}</th><AmountCell value={pot.budget} /><AmountCell value={pot.variance} /><td>{pot.direction}</td>
              {withReserve && <AmountCell value={pot.reserveDrawn ?? null} />}
              {partners.map((p) => <AmountCell key={p} value={new Map(Object.entries(pot.shares)).get(p) ?? null} />)}
              <AmountCell value={pot.unallocated} /><td>{pot.capped.length === 0 ? '–' : pot.capped.join(', ')}</td>
              {withDecision && <td>{pot.decision === undefined ? '–' : `v${pot.decision.version}: ${pot.decision.reference}`}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function BandsTables({ settlement }: { settlement: Settlement }): JSX.Element {
  return (
    <details>
      <summary>How each pot's variance fell into its bands</summary>
      {settlement.pots.filter((pot) => pot.bands.length > 0).map((pot) => (
        <div key={pot.potId} class="table-scroll" tabIndex={0} role="region" aria-label={`Bands of ${pot.potId} (scrolls sideways)`}>
          <table>
            <caption>Bands of {pot.potId}</caption>
            <thead><tr><th scope="col" class="num">From</th><th scope="col" class="num">To</th><th scope="col" class="num">Amount in the band</th></tr></thead>
            <tbody>
              {pot.bands.map((band) => (
                <tr key={band.from}><AmountCell value={band.from} />{band.to === null ? <td class="num">no limit</td> : <AmountCell value={band.to} />}<AmountCell value={band.amount} /></tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </details>
  );
}

function UnsharedTable({ settlement }: { settlement: Settlement }): JSX.Element {
  if (settlement.unshared.length === 0) return <p>Every line with a variance is in a pot.</p>;
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label="Lines not shared (scrolls sideways)">
      <table id="settlement-unshared">
        <caption>Lines not shared: each partner bears its own variance (aligned lines, strategies in no pot)</caption>
        <thead><tr><th scope="col">Strategy</th><th scope="col">Partner</th><th scope="col">Arrangement</th><th scope="col" class="num">Variance</th></tr></thead>
        <tbody>
          {settlement.unshared.map((u) => (
            <tr key={`${u.strategyId}/${u.partnerId}/${u.arrangement}`}><td>{u.strategyId}</td><td>{u.partnerId}</td><td>{u.arrangement}</td><AmountCell value={u.variance} /></tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Engine 2's reserve: each partner's opening, drawn, closing, returned and carried-forward balance, as the API gave them. */
function ReserveTable({ settlement }: { settlement: Settlement }): JSX.Element | null {
  const reserve = settlement.reserve;
  if (reserve === undefined) return null;
  const columns = [
    ['opening', 'Opening'], ['drawn', 'Drawn'], ['closing', 'Closing'], ['returned', 'Returned'], ['carriedForward', 'Carried forward'],
  ] as const;
  const partners = settlement.partners.map((p) => p.partnerId);
  return (
    <section aria-labelledby="reserve-heading">
      <h2 id="reserve-heading">Reserve</h2>
      <p>What is left at the end of the year is {reserve.unused === 'return' ? 'returned to the partners' : 'carried forward into the next fund-year'}.
        The reserve pays out <span class="amount">{formatPounds(reserve.transfer)}</span> in all (drawn plus returned).</p>
      <div class="table-scroll" tabIndex={0} role="region" aria-label="Reserve (scrolls sideways)">
        <table id="settlement-reserve">
          <caption>Reserve by partner: opening = contributions plus any balance brought forward</caption>
          <thead><tr><th scope="col">Partner</th>{columns.map(([key, label]) => <th key={key} scope="col" class="num">{label}</th>)}</tr></thead>
          <tbody>
            {partners.map((p) => (
              <tr key={p}><th scope="row">{p}</th>{columns.map(([key]) => <AmountCell key={key} value={new Map(Object.entries(reserve[key])).get(p) ?? null} />)}</tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The board decisions the pots applied, with their minute or resolution. */
function DecisionsApplied({ settlement }: { settlement: Settlement }): JSX.Element | null {
  const applied = settlement.pots.flatMap((pot) => (pot.decision === undefined ? [] : [{ potId: pot.potId, ...pot.decision }]));
  if (applied.length === 0) return null;
  return (
    <ul id="decisions-applied">
      {applied.map((d) => <li key={d.potId}>Pot {d.potId}: its unallocated amount is shared by decision version {d.version} ({d.reference}).</li>)}
    </ul>
  );
}

function Approvals({ at, settlement, onApproved }: { at: SettlementRef; settlement: Settlement; onApproved: () => void }): JSX.Element {
  const { client, me } = useSession();
  const [command, run] = useCommand();
  const partners = settlement.partners.map((p) => p.partnerId);
  const mine = me.partnerId;
  const mayApprove = can(me).approveSettlements && settlement.mode === 'final' && settlement.status === 'calculated'
    && !settlement.requiresDecision && mine !== undefined && !settlement.approvedBy.includes(mine);
  const approve = () => run(async () => {
    const approved = await unwrap(client.POST('/v1/funds/{fundId}/years/{year}/settlements/{settlementId}/approvals', {
      params: { path: at, header: { 'Idempotency-Key': idempotencyKey() } },
    }));
    onApproved();
    return `Approved for ${mine ?? ''} (revision ${approved.revision}).`;
  });
  return (
    <section aria-labelledby="approvals">
      <h2 id="approvals">Approvals</h2>
      {settlement.mode === 'forecast' && <p>A forecast is information, not a settlement to pay: it is not approved.</p>}
      {settlement.mode === 'final' && (
        <ul id="approval-list">
          {partners.map((p) => <li key={p}>{p}: {settlement.approvedBy.includes(p) ? 'approved' : 'not yet approved'}</li>)}
        </ul>
      )}
      {mayApprove && <button type="button" onClick={approve} disabled={command.state === 'busy'}>Approve this settlement for {mine}</button>}
      <CommandStatus command={command} />
    </section>
  );
}

function SettlementBody({ at, settlement, reload }: { at: SettlementRef; settlement: Settlement; reload: () => void }): JSX.Element {
  return (
    <>
      <dl class="facts">
        <dt>Status</dt><dd id="settlement-status">{settlement.status}</dd>
        <dt>At revision</dt><dd>{settlement.asOfRevision}</dd>
        <dt>Agreement</dt><dd>version {settlement.agreementVersion}</dd>
        <dt>Engine</dt><dd>{settlement.engineVersion}</dd>
        <dt>Calculated</dt><dd>{formatTime(settlement.calculatedAt)}</dd>
        <dt>Digest</dt><dd><code class="digest">{settlement.digest}</code></dd>
      </dl>
      <VerificationBadge settlement={at} />
      {settlement.assumedOnBudget.length > 0 && <p>No return yet from {settlement.assumedOnBudget.join(', ')}: taken as on budget.</p>}
      <section aria-labelledby="payments-heading">
        <h2 id="payments-heading">Payments</h2>
        <Payments settlement={settlement} />
      </section>
      <section aria-labelledby="partners-heading">
        <h2 id="partners-heading">Partners</h2>
        <PartnersTable settlement={settlement} />
      </section>
      <section aria-labelledby="pots-heading">
        <h2 id="pots-heading">Pots</h2>
        <PotsTable settlement={settlement} />
        <DecisionsApplied settlement={settlement} />
        <BandsTables settlement={settlement} />
      </section>
      <ReserveTable settlement={settlement} />
      <section aria-labelledby="unshared-heading">
        <h2 id="unshared-heading">Lines not shared</h2>
        <UnsharedTable settlement={settlement} />
      </section>
      <Approvals at={at} settlement={settlement} onApproved={reload} />
      <section aria-labelledby="statement-heading">
        <h2 id="statement-heading">Statement</h2>
        <DownloadButton
          path={`/v1/funds/${encodeURIComponent(at.fundId)}/years/${encodeURIComponent(at.year)}/settlements/${encodeURIComponent(at.settlementId)}/statement.csv`}
          fileName={`${at.fundId}-${at.year}-${settlement.mode}-settlement-${at.settlementId}.csv`}
          label="Download the statement (CSV)"
        />
      </section>
    </>
  );
}

export function SettlementPage(props: SettlementRef): JSX.Element {
  const { client } = useSession();
  const ref: SettlementRef = { fundId: props.fundId, year: props.year, settlementId: props.settlementId };
  const [load, reload] = useLoad(
    () => unwrap(client.GET('/v1/funds/{fundId}/years/{year}/settlements/{settlementId}', { params: { path: ref } })),
    [ref.fundId, ref.year, ref.settlementId],
  );
  const title = load.state === 'ok' ? `${load.data.mode === 'final' ? 'Final' : 'Forecast'} settlement` : 'Settlement';
  return (
    <FundYearFrame fundYear={ref} current="settlements" title={title}>
      <Loaded load={load} what="the settlement">{(settlement) => <SettlementBody at={ref} settlement={settlement} reload={reload} />}</Loaded>
    </FundYearFrame>
  );
}

