// A fund-year at a glance: fund, partners, strategies and lines, the forecast
// variance month by month, and (for an admin) the year's commands.
import type { JSX } from 'preact';
import { idempotencyKey, unwrap, type FundYearRef } from '../api/client.js';
import { CommandStatus, Loaded, useCommand, useLoad } from '../components/common.js';
import { FigureTableView } from '../components/figures.js';
import { FundYearFrame, leaveNotice } from '../components/frame.js';
import { VarianceChart } from '../components/variance-chart.js';
import { DownloadButton } from '../components/download.js';
import type { OverviewModel } from '../overview/model.js';
import { loadOverview } from '../overview/positions-source.js';
import { fundYearPath, navigate } from '../router.js';
import { can, useSession } from '../session-context.js';

/** Run a settlement, close the year: admin only (the API refuses anyone else). */
function AdminActions({ fundYear, status, onChange }: { fundYear: FundYearRef; status: 'open' | 'closed'; onChange: () => void }): JSX.Element {
  const { client } = useSession();
  const [command, run] = useCommand();
  const settle = (mode: 'forecast' | 'final') => run(async () => {
    const settlement = await unwrap(client.POST('/v1/funds/{fundId}/years/{year}/settlements', {
      params: { path: fundYear, header: { 'Idempotency-Key': idempotencyKey() } },
      body: { mode },
    }));
    leaveNotice(`${mode === 'final' ? 'Final' : 'Forecast'} settlement calculated at revision ${settlement.asOfRevision}.`);
    navigate(fundYearPath(fundYear, `/settlements/${settlement.settlementId}`));
    return 'Calculated.';
  });
  const close = () => run(async () => {
    const closed = await unwrap(client.POST('/v1/funds/{fundId}/years/{year}/close', {
      params: { path: fundYear, header: { 'Idempotency-Key': idempotencyKey() } },
    }));
    onChange();
    return `The year is closed (revision ${closed.revision}). The final settlement can now be run.`;
  });
  const busy = command.state === 'busy';
  return (
    <section class="actions" aria-labelledby="admin-actions">
      <h2 id="admin-actions">Manage the year</h2>
      <div class="button-row">
        <button type="button" disabled={busy} onClick={() => settle('forecast')}>Run a forecast settlement</button>
        {status === 'open' && <button type="button" disabled={busy} onClick={close}>Close the year</button>}
        {status === 'closed' && <button type="button" disabled={busy} onClick={() => settle('final')}>Run the final settlement</button>}
      </div>
      <CommandStatus command={command} />
    </section>
  );
}

function OverviewBody({ fundYear, model, reload }: { fundYear: FundYearRef; model: OverviewModel; reload: () => void }): JSX.Element {
  const { me } = useSession();
  return (
    <>
      <p class="as-of">Positions as at {model.asOf}. Variance = forecast outturn − budget (positive is an overspend).</p>
      {can(me).runSettlements && <AdminActions fundYear={fundYear} status={model.status} onChange={reload} />}
      {model.downloads.length > 0 && (
        <div class="button-row">{model.downloads.map((d) => <DownloadButton key={d.path} path={d.path} fileName={d.fileName} label={d.label} />)}</div>
      )}
      <VarianceChart series={model.series} title="Forecast variance by month" />
      {model.tables.map((table) => <FigureTableView key={table.id} table={table} />)}
    </>
  );
}

export function Overview({ fundYear }: { fundYear: FundYearRef }): JSX.Element {
  const { client } = useSession();
  const [load, reload] = useLoad(() => loadOverview(client, fundYear), [fundYear.fundId, fundYear.year]);
  return (
    <FundYearFrame fundYear={fundYear} current="overview" title="Overview">
      <Loaded load={load} what="the positions">{(model) => <OverviewBody fundYear={fundYear} model={model} reload={reload} />}</Loaded>
    </FundYearFrame>
  );
}
