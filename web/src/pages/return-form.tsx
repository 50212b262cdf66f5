// A partner's monthly return as a form: one row per budget line of the partner,
// pre-filled with its latest figures; "correction" for a resubmission. Every refusal
// the API names (`errors[].path`) is shown next to its row and field.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, idempotencyKey, unwrap, type FundYearRef, type Problem } from '../api/client.js';
import { AmountCell, Loaded, ProblemBox, useLoad } from '../components/common.js';
import { FundYearFrame, leaveNotice } from '../components/frame.js';
import { normaliseAmountInput, PERIODS } from '../format.js';
import { lineKey, placeErrors, type PlacedErrors } from '../returns/errors.js';
import { loadReturnTemplate, type ReturnTemplate } from '../returns/template.js';
import { fundYearPath, navigate } from '../router.js';
import { useSession } from '../session-context.js';
import { ReturnUpload } from './return-upload.js';

type Field = 'actualToDate' | 'forecastOutturn';
const FIELD_LABELS: Record<Field, string> = { actualToDate: 'Actual to date', forecastOutturn: 'Forecast outturn' };
const NO_ERRORS: PlacedErrors = { lines: new Map(), fields: new Map(), other: [] };

function Messages({ id, messages, amount = false }: { id: string; messages: readonly string[] | undefined; amount?: boolean }): JSX.Element | null {
  if (messages === undefined || messages.length === 0) return null;
  // The schema's refusal names a pattern; say what it means for an amount, then quote the API.
  const plain = amount && messages.some((m) => m.startsWith('must match pattern')) ? 'Not an amount: write it like 1234.50 or 1,234.50. ' : '';
  return <p class="field-error" id={id}>{plain}{messages.join('; ')}</p>;
}

function AmountInput(props: { row: number; field: Field; lineName: string; value: string; errors: PlacedErrors; onInput: (value: string) => void }): JSX.Element {
  const { row, field, lineName, value, errors, onInput } = props;
  const id = `line-${row}-${field}`;
  const messages = errors.lines.get(lineKey(row, field));
  const invalid = messages !== undefined && messages.length > 0;
  return (
    <td class="input-cell">
      <label class="visually-hidden" for={id}>{FIELD_LABELS[field]}, {lineName}</label>
      <input
        id={id} name={id} type="text" inputMode="decimal" autoComplete="off" value={value} class="amount-input"
        aria-invalid={invalid ? 'true' : undefined} aria-describedby={invalid ? `${id}-error` : undefined}
        onInput={(e) => onInput((e.target as HTMLInputElement).value)}
      />
      <Messages id={`${id}-error`} messages={messages} amount />
    </td>
  );
}

function CommentaryInput(props: { row: number; lineName: string; value: string; errors: PlacedErrors; onInput: (value: string) => void }): JSX.Element {
  const { row, lineName, value, errors, onInput } = props;
  const id = `line-${row}-commentary`;
  const messages = errors.lines.get(lineKey(row, 'commentary'));
  const invalid = messages !== undefined && messages.length > 0;
  return (
    <td class="input-cell">
      <label class="visually-hidden" for={id}>Commentary, {lineName}</label>
      <textarea id={id} name={id} rows={1} maxLength={1000} value={value} class="commentary-input"
        aria-invalid={invalid ? 'true' : undefined} aria-describedby={invalid ? `${id}-error` : undefined}
        onInput={(e) => onInput((e.target as HTMLTextAreaElement).value)} />
      <Messages id={`${id}-error`} messages={messages} />
    </td>
  );
}

function ReturnFormBody({ fundYear, template }: { fundYear: FundYearRef; template: ReturnTemplate }): JSX.Element {
  const { client } = useSession();
  const [period, setPeriod] = useState(template.suggestedPeriod);
  const [correction, setCorrection] = useState(false);
  const [values, setValues] = useState(() => template.lines.map((l) => ({ actualToDate: l.actualToDate, forecastOutturn: l.forecastOutturn, commentary: '' })));
  const [errors, setErrors] = useState<PlacedErrors>(NO_ERRORS);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const setValue = (row: number, field: Field | 'commentary', value: string): void => {
    setValues((current) => current.map((v, i) => (i === row ? { ...v, [field]: value } : v)));
  };
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    const lines = template.lines.map((line, i) => ({
      strategyId: line.strategyId,
      arrangement: line.arrangement,
      actualToDate: normaliseAmountInput(values[i]?.actualToDate ?? ''),
      forecastOutturn: normaliseAmountInput(values[i]?.forecastOutturn ?? ''),
      ...((values[i]?.commentary ?? '').trim() === '' ? {} : { commentary: values[i]?.commentary ?? '' }),
    }));
    try {
      const recorded = await unwrap(client.POST('/v1/funds/{fundId}/years/{year}/returns', {
        params: { path: fundYear, header: { 'Idempotency-Key': idempotencyKey() } },
        body: { partnerId: template.partnerId, period, lines, ...(correction ? { correction: true } : {}) },
      }));
      leaveNotice(`Return ${period} for ${template.partnerId} recorded (revision ${recorded.revision}).`);
      navigate(fundYearPath(fundYear));
    } catch (error) {
      const refused = error instanceof ApiError ? error.problem : { type: 'about:blank', title: 'Error', status: 0, detail: String(error) };
      setProblem(refused);
      setErrors(placeErrors(refused.errors ?? [], template.lines.length));
      setBusy(false);
    }
  };
  if (template.lines.length === 0) return <p>Partner {template.partnerId} has no budget lines in this fund-year yet: there is nothing to return.</p>;
  const already = template.lastPeriod !== null && PERIODS.indexOf(period as (typeof PERIODS)[number]) <= PERIODS.indexOf(template.lastPeriod as (typeof PERIODS)[number]);
  return (
    <form onSubmit={submit} noValidate id="return-form">
      {problem !== null && <ProblemBox problem={problem} heading="The return was refused" />}
      <div class="form-row">
        <label for="period">Period</label>
        <select id="period" name="period" value={period} onChange={(e) => setPeriod((e.target as HTMLSelectElement).value)}
          aria-describedby={errors.fields.has('period') ? 'period-error' : 'period-hint'}>
          {PERIODS.map((p) => <option key={p} value={p}>{p}</option>)}
        </select>
        <p class="hint" id="period-hint">M1 is April, M12 is March. Latest return from {template.partnerId}: {template.lastPeriod ?? 'none yet'}.</p>
        <Messages id="period-error" messages={errors.fields.get('period')} />
      </div>
      <div class="form-row checkbox-row">
        <input type="checkbox" id="correction" name="correction" checked={correction} onChange={(e) => setCorrection((e.target as HTMLInputElement).checked)}
          aria-describedby="correction-hint" />
        <label for="correction">Correction (this replaces a return already sent for the period)</label>
        <p class="hint" id="correction-hint">{already ? `${template.partnerId} has already returned ${period} or a later month: tick this to send a correction.` : 'Leave unticked for a first return for the period.'}</p>
        <Messages id="correction-error" messages={errors.fields.get('correction')} />
      </div>
      <Messages id="lines-error" messages={errors.fields.get('lines')} />
      <div class="table-scroll" tabIndex={0} role="region" aria-label="Return lines (scrolls sideways)">
        <table id="return-lines">
          <caption>Return of {template.partnerId} for {period}: amounts in pounds, e.g. 1234.50 or 1,234.50</caption>
          <thead>
            <tr><th scope="col">Strategy</th><th scope="col">Arrangement</th><th scope="col" class="num">Budget</th><th scope="col">Actual to date</th><th scope="col">Forecast outturn</th><th scope="col">Commentary</th></tr>
          </thead>
          <tbody>
            {template.lines.map((line, row) => {
              const lineName = `${line.strategyId} (${line.arrangement})`;
              const rowMessages = errors.lines.get(lineKey(row, ''));
              const hasError = [...errors.lines.keys()].some((k) => k.startsWith(`${row}/`));
              return (
                <tr key={`${line.strategyId}/${line.arrangement}`} data-row={row} class={hasError ? 'row-error' : undefined}>
                  <th scope="row">{line.strategyId}<Messages id={`line-${row}-error`} messages={rowMessages} /></th>
                  <td>{line.arrangement}</td>
                  <AmountCell value={line.budget} />
                  <AmountInput row={row} field="actualToDate" lineName={lineName} value={values[row]?.actualToDate ?? ''} errors={errors} onInput={(v) => setValue(row, 'actualToDate', v)} />
                  <AmountInput row={row} field="forecastOutturn" lineName={lineName} value={values[row]?.forecastOutturn ?? ''} errors={errors} onInput={(v) => setValue(row, 'forecastOutturn', v)} />
                  <CommentaryInput row={row} lineName={lineName} value={values[row]?.commentary ?? ''} errors={errors} onInput={(v) => setValue(row, 'commentary', v)} />
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {errors.other.length > 0 && <ul class="field-error">{errors.other.map((e) => <li key={e.path}><code>{e.path}</code> {e.message}</li>)}</ul>}
      <button type="submit" disabled={busy}>{busy ? 'Sending…' : `Submit the ${period} return`}</button>
    </form>
  );
}

export function ReturnForm({ fundYear }: { fundYear: FundYearRef }): JSX.Element {
  const { client, me } = useSession();
  const partnerId = me.partnerId;
  const [load] = useLoad(
    () => (partnerId === undefined ? Promise.reject(new Error('Only a partner key submits returns.')) : loadReturnTemplate(client, fundYear, partnerId)),
    [fundYear.fundId, fundYear.year, partnerId],
  );
  return (
    <FundYearFrame fundYear={fundYear} current="return" title="Submit a return">
      <Loaded load={load} what="the return form">{(template) => (
        <>
          <ReturnFormBody fundYear={fundYear} template={template} />
          <ReturnUpload fundYear={fundYear} partnerId={template.partnerId} suggestedPeriod={template.suggestedPeriod} />
        </>
      )}</Loaded>
    </FundYearFrame>
  );
}
