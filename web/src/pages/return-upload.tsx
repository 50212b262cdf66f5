// A return as a spreadsheet: download the partner's template (CSV or XLSX) for a
// period, fill it in, upload it. Each refusal (`/rows/<n>/<column>`) is shown on the
// row it names, with the row's cells as sent (for a CSV) and the named cell marked.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, idempotencyKey, type FundYearRef, type Problem } from '../api/client.js';
import { templatePath, uploadReturn } from '../api/pending.js';
import { ProblemBox } from '../components/common.js';
import { DownloadButton } from '../components/download.js';
import { leaveNotice } from '../components/frame.js';
import { PERIODS } from '../format.js';
import { csvRows, placeUploadErrors, type RowProblem } from '../returns/upload-errors.js';
import { fundYearPath, navigate } from '../router.js';
import { useSession } from '../session-context.js';

interface Refusal {
  problem: Problem;
  rows: RowProblem[];
  /** The CSV's cells by line (null for a workbook: the sheet is not read here). */
  sent: Map<number, string[]> | null;
}

function RefusedRows({ refusal }: { refusal: Refusal }): JSX.Element {
  const byRow = new Map<number | null, RowProblem[]>();
  for (const problem of refusal.rows) byRow.set(problem.row, [...(byRow.get(problem.row) ?? []), problem]);
  const headings = refusal.sent?.get(1) ?? [];
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label="Refused rows (scrolls sideways)">
      <table id="upload-errors">
        <caption>What the file was refused for, row by row (row 1 is the heading row)</caption>
        <thead><tr><th scope="col">Row</th><th scope="col">As sent</th><th scope="col">Refusal</th></tr></thead>
        <tbody>
          {[...byRow.entries()].map(([row, problems]) => {
            const cells = row === null ? undefined : refusal.sent?.get(row);
            const bad = new Set(problems.map((p) => p.column));
            return (
              <tr key={String(row)} data-upload-row={row ?? 'file'} class="row-error">
                <th scope="row">{row === null ? 'File' : `Row ${row}`}</th>
                <td>{cells === undefined ? '–' : (
                  <span class="sent-cells">{cells.map((cell, i) => {
                    const heading = headings[i] ?? '';
                    return <span key={i} class={bad.has(heading) ? 'sent-cell bad-cell' : 'sent-cell'} data-column={heading} title={heading}>{cell === '' ? '·' : cell}</span>;
                  })}</span>
                )}</td>
                <td><ul class="field-error">{problems.map((p) => (
                  <li key={p.path} data-path={p.path}>{p.column !== null && <strong>{p.column}: </strong>}{p.message}</li>
                ))}</ul></td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function ReturnUpload({ fundYear, partnerId, suggestedPeriod }: { fundYear: FundYearRef; partnerId: string; suggestedPeriod: string }): JSX.Element {
  const { raw } = useSession();
  const [period, setPeriod] = useState(suggestedPeriod);
  const [correction, setCorrection] = useState(false);
  const [file, setFile] = useState<File | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (file === null) return;
    setBusy(true);
    setRefusal(null);
    try {
      const recorded = await uploadReturn(raw, fundYear, file, { partnerId, period, correction, idempotencyKey: idempotencyKey() });
      leaveNotice(`Return ${period} for ${partnerId} recorded from ${file.name} (revision ${recorded.revision}).`);
      navigate(fundYearPath(fundYear));
    } catch (error) {
      const problem = error instanceof ApiError ? error.problem : { type: 'about:blank', title: 'Error', status: 0, detail: String(error) };
      const sent = file.name.toLowerCase().endsWith('.xlsx') ? null : csvRows(await file.text());
      setRefusal({ problem, rows: placeUploadErrors(problem.errors ?? []), sent });
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="upload-heading" class="upload">
      <h2 id="upload-heading">Or send a spreadsheet</h2>
      <form onSubmit={submit} id="upload-form" noValidate>
        <div class="form-row">
          <label for="upload-period">Period</label>
          <select id="upload-period" value={period} onChange={(e) => setPeriod((e.target as HTMLSelectElement).value)}>
            {PERIODS.map((p) => <option key={p} value={p}>{p}</option>)}
          </select>
        </div>
        <div class="button-row">
          <DownloadButton path={templatePath(fundYear, partnerId, period, 'csv')} fileName={`${partnerId}-${period}-return.csv`} label={`Download the ${period} template (CSV)`} />
          <DownloadButton path={templatePath(fundYear, partnerId, period, 'xlsx')} fileName={`${partnerId}-${period}-return.xlsx`} label={`Download the ${period} template (XLSX)`} />
        </div>
        <div class="form-row">
          <label for="upload-file">Filled template (CSV or XLSX)</label>
          <input id="upload-file" type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)} />
        </div>
        <div class="form-row checkbox-row">
          <input type="checkbox" id="upload-correction" checked={correction} onChange={(e) => setCorrection((e.target as HTMLInputElement).checked)} />
          <label for="upload-correction">Correction (this replaces a return already sent for the period)</label>
        </div>
        {refusal !== null && (
          <>
            <ProblemBox problem={{ ...refusal.problem, errors: [] }} heading="The file was refused" />
            {refusal.rows.length > 0 && <RefusedRows refusal={refusal} />}
          </>
        )}
        <button type="submit" disabled={busy || file === null}>{busy ? 'Sending…' : 'Upload the return'}</button>
      </form>
    </section>
  );
}
