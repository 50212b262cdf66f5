// The agreement versions with their terms in words (pots, bands, caps), who
// accepted each and which is adopted; a partner accepts a version after reading it.
import type { JSX } from 'preact';
import { idempotencyKey, unwrap, type AgreementVersionView, type FundYearRef } from '../api/client.js';
import { CommandStatus, Loaded, useCommand, useLoad } from '../components/common.js';
import { FundYearFrame } from '../components/frame.js';
import { can, useSession } from '../session-context.js';
import { potInWords, reserveInWords, type PotLike } from '../terms-words.js';

function TermsInWords({ version }: { version: AgreementVersionView }): JSX.Element {
  const pots = version.terms.pots.map((pot) => potInWords(pot as PotLike));
  return (
    <div class="terms">
      {pots.map((pot) => (
        <section key={pot.potId} class="pot-terms" aria-label={`Pot ${pot.potId}`}>
          <h4>Pot {pot.potId}: {pot.strategies}</h4>
          <p class="rule-heading">If the pot overspends:</p>
          <ul>{pot.overspend.map((line) => <li key={line}>{line}</li>)}</ul>
          <p class="rule-heading">If the pot underspends:</p>
          <ul>{pot.underspend.map((line) => <li key={line}>{line}</li>)}</ul>
        </section>
      ))}
      {version.terms.reserve !== undefined && (
        <section class="pot-terms" aria-label="Reserve" id={`reserve-terms-${version.version}`}>
          <h4>Risk reserve</h4>
          <ul>{reserveInWords(version.terms.reserve).map((line) => <li key={line}>{line}</li>)}</ul>
        </section>
      )}
      <p class="hint">Only pooled lines of the strategies named take part; aligned lines and strategies in no pot are borne by their own partner.</p>
    </div>
  );
}

/** The accept button, for a partner that has not accepted a version not yet adopted. */
function AcceptButton({ fundYear, version, onAccepted }: { fundYear: FundYearRef; version: AgreementVersionView; onAccepted: () => void }): JSX.Element {
  const { client, me } = useSession();
  // The status outlives the button (gone once accepted), so the confirmation stays on screen.
  const [command, run] = useCommand();
  const mine = me.partnerId;
  const offered = can(me).acceptAgreements && mine !== undefined && !version.adopted && !version.acceptedBy.includes(mine);
  const accept = () => run(async () => {
    const accepted = await unwrap(client.POST('/v1/funds/{fundId}/years/{year}/agreements/{version}/acceptances', {
      params: { path: { ...fundYear, version: String(version.version) }, header: { 'Idempotency-Key': idempotencyKey() } },
    }));
    onAccepted();
    return accepted.adopted ? `Accepted for ${mine ?? ''}: version ${version.version} is now adopted.` : `Accepted for ${mine ?? ''}.`;
  });
  return (
    <div>
      {offered && <button type="button" onClick={accept} disabled={command.state === 'busy'}>I have read these terms: accept version {version.version} for {mine}</button>}
      <CommandStatus command={command} />
    </div>
  );
}

function VersionView({ fundYear, version, onChange }: { fundYear: FundYearRef; version: AgreementVersionView; onChange: () => void }): JSX.Element {
  return (
    <article class="agreement" id={`agreement-${version.version}`} aria-labelledby={`agreement-${version.version}-title`}>
      <h3 id={`agreement-${version.version}-title`}>
        Version {version.version} {version.adopted ? <span class="status-badge status-adopted">adopted</span> : <span class="status-badge">proposed</span>}
      </h3>
      <p>Proposed by {version.proposedBy}. Accepted by {version.acceptedBy.length === 0 ? 'no partner yet' : version.acceptedBy.join(', ')}.</p>
      <TermsInWords version={version} />
      <AcceptButton fundYear={fundYear} version={version} onAccepted={onChange} />
    </article>
  );
}

export function Agreements({ fundYear }: { fundYear: FundYearRef }): JSX.Element {
  const { client } = useSession();
  const [load, reload] = useLoad(
    () => unwrap(client.GET('/v1/funds/{fundId}/years/{year}/agreements', { params: { path: fundYear } })),
    [fundYear.fundId, fundYear.year],
  );
  return (
    <FundYearFrame fundYear={fundYear} current="agreements" title="Agreements">
      <Loaded load={load} what="the agreements">
        {(view) => view.versions.length === 0
          ? <p>No agreement has been proposed yet.</p>
          : (
            <>
              <h2>{view.adoptedVersion === null ? 'No version is adopted yet' : `Version ${view.adoptedVersion} is adopted`}</h2>
              {[...view.versions].reverse().map((v) => <VersionView key={v.version} fundYear={fundYear} version={v} onChange={reload} />)}
            </>
          )}
      </Loaded>
    </FundYearFrame>
  );
}
