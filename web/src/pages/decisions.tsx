// Engine 2's board decisions: who bears an amount the caps left unallocated in a
// pot. The list shows each in words with who has accepted it; a partner accepts after
// reading it; the admin proposes one (pot, direction, split, the minute that records
// it) and brings forward the reserve balance of the year before.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, idempotencyKey, type FundYearRef, type Problem } from '../api/client.js';
import { acceptDecision, bringForward, listDecisions, proposeDecision, type DecisionProposal, type DecisionView } from '../api/pending.js';
import { CommandStatus, Loaded, ProblemBox, useCommand, useLoad } from '../components/common.js';
import { FundYearFrame } from '../components/frame.js';
import { can, useSession } from '../session-context.js';
import { decisionInWords } from '../terms-words.js';

function asList(answer: DecisionView[] | { decisions: DecisionView[] }): DecisionView[] {
  return Array.isArray(answer) ? answer : answer.decisions;
}

function DecisionItem({ fundYear, decision, onAccepted }: { fundYear: FundYearRef; decision: DecisionView; onAccepted: () => void }): JSX.Element {
  const { raw, me } = useSession();
  const [command, run] = useCommand();
  const accepted = decision.acceptedBy ?? [];
  const mine = me.partnerId;
  const mayAccept = can(me).acceptDecisions && mine !== undefined && !accepted.includes(mine) && decision.adopted !== true;
  const accept = () => run(async () => {
    await acceptDecision(raw, fundYear, decision.version, idempotencyKey());
    onAccepted();
    return `Accepted decision version ${decision.version} for ${mine ?? ''}.`;
  });
  return (
    <li class="decision" data-decision={decision.version}>
      <h3>Decision version {decision.version}{decision.adopted === true ? ' (adopted)' : ''}</h3>
      <p class="decision-words">{decisionInWords(decision)}</p>
      <p>Accepted by: {accepted.length === 0 ? 'no partner yet' : accepted.join(', ')}</p>
      {mayAccept && <button type="button" onClick={accept} disabled={command.state === 'busy'}>I have read this decision: accept version {decision.version} for {mine}</button>}
      <CommandStatus command={command} />
    </li>
  );
}

/** Weights typed as "ccg=0.6, council=0.4" (decimal strings, sent as typed). */
function parseWeights(text: string): Record<string, string> {
  const weights: Record<string, string> = {};
  for (const part of text.split(',')) {
    const [partner, weight] = part.split('=').map((s) => s.trim());
    if (partner !== undefined && partner !== '') Object.defineProperty(weights, partner, { value: weight ?? '', enumerable: true, writable: true, configurable: true });
  }
  return weights;
}

function ProposeForm({ fundYear, onProposed }: { fundYear: FundYearRef; onProposed: () => void }): JSX.Element {
  const { raw } = useSession();
  const [potId, setPotId] = useState('');
  const [direction, setDirection] = useState<'overspend' | 'underspend'>('overspend');
  const [basis, setBasis] = useState<'contribution' | 'fixed' | 'lead'>('contribution');
  const [weights, setWeights] = useState('');
  const [lead, setLead] = useState('');
  const [reference, setReference] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setProblem(null);
    const allocate: DecisionProposal['allocate'] = basis === 'fixed' ? { basis, weights: parseWeights(weights) } : basis === 'lead' ? { basis, partnerId: lead } : { basis };
    try {
      const proposed = await proposeDecision(raw, fundYear, { potId, direction, allocate, reference }, idempotencyKey());
      setDone(`Decision version ${proposed.version} proposed: it applies once every partner has accepted it.`);
      onProposed();
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : { type: 'about:blank', title: 'Error', status: 0, detail: String(error) });
    }
  };
  return (
    <form onSubmit={submit} id="propose-decision" noValidate>
      <h2>Propose a decision</h2>
      {problem !== null && <ProblemBox problem={problem} heading="The decision was refused" />}
      {done !== null && <p class="status" role="status">{done}</p>}
      <div class="form-row"><label for="decision-pot">Pot</label><input id="decision-pot" value={potId} onInput={(e) => setPotId((e.target as HTMLInputElement).value)} /></div>
      <div class="form-row">
        <label for="decision-direction">Direction</label>
        <select id="decision-direction" value={direction} onChange={(e) => setDirection((e.target as HTMLSelectElement).value as 'overspend' | 'underspend')}>
          <option value="overspend">Overspend</option><option value="underspend">Underspend</option>
        </select>
      </div>
      <div class="form-row">
        <label for="decision-basis">Split</label>
        <select id="decision-basis" value={basis} onChange={(e) => setBasis((e.target as HTMLSelectElement).value as 'contribution' | 'fixed' | 'lead')}>
          <option value="contribution">By contribution (each partner's budget in the pot)</option>
          <option value="fixed">By fixed weights</option>
          <option value="lead">All to one partner</option>
        </select>
      </div>
      {basis === 'fixed' && (
        <div class="form-row">
          <label for="decision-weights">Weights</label>
          <input id="decision-weights" value={weights} aria-describedby="decision-weights-hint" onInput={(e) => setWeights((e.target as HTMLInputElement).value)} />
          <p class="hint" id="decision-weights-hint">Partner and weight, comma-separated, summing to exactly 1: ccg=0.6, council=0.4</p>
        </div>
      )}
      {basis === 'lead' && (
        <div class="form-row"><label for="decision-lead">Partner</label><input id="decision-lead" value={lead} onInput={(e) => setLead((e.target as HTMLInputElement).value)} /></div>
      )}
      <div class="form-row">
        <label for="decision-reference">Reference</label>
        <input id="decision-reference" value={reference} maxLength={500} aria-describedby="decision-reference-hint" onInput={(e) => setReference((e.target as HTMLInputElement).value)} />
        <p class="hint" id="decision-reference-hint">The minute or resolution that records it, e.g. "Joint Commissioning Board 15 June 2017, minute 7".</p>
      </div>
      <button type="submit">Propose the decision</button>
    </form>
  );
}

function BringForward({ fundYear }: { fundYear: FundYearRef }): JSX.Element {
  const { raw } = useSession();
  const [command, run] = useCommand();
  const click = () => run(async () => {
    await bringForward(raw, fundYear, idempotencyKey());
    return 'The reserve balance carried forward from the year before is brought into this year.';
  });
  return (
    <section aria-labelledby="bring-forward">
      <h2 id="bring-forward">Reserve brought forward</h2>
      <p>Brings into this year's reserve what the previous fund-year's final settlement carried forward.</p>
      <button type="button" onClick={click} disabled={command.state === 'busy'}>Bring forward the reserve</button>
      <CommandStatus command={command} />
    </section>
  );
}

export function Decisions({ fundYear }: { fundYear: FundYearRef }): JSX.Element {
  const { raw, me } = useSession();
  const [load, reload] = useLoad(async () => asList(await listDecisions(raw, fundYear)), [fundYear.fundId, fundYear.year]);
  const may = can(me);
  return (
    <FundYearFrame fundYear={fundYear} current="decisions" title="Decisions">
      <p>A decision says who bears an amount the caps left unallocated in a pot. It applies once every partner has accepted it.</p>
      <Loaded load={load} what="the decisions">{(decisions) => (
        decisions.length === 0 ? <p id="no-decisions">No decision has been proposed.</p>
          : <ul id="decision-list" class="decisions">{decisions.map((d) => <DecisionItem key={d.version} fundYear={fundYear} decision={d} onAccepted={reload} />)}</ul>
      )}</Loaded>
      {may.proposeDecisions && <ProposeForm fundYear={fundYear} onProposed={reload} />}
      {may.bringForward && <BringForward fundYear={fundYear} />}
    </FundYearFrame>
  );
}
