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
import { loadOverview, loadPositions } from '../overview/positions-source.js';
import { loadPackOverview } from '../overview/monitoring-source.js';
import { MONITORING_PATH, servicePublishes, type PackForecastSettlement } from '../api/pending.js';
import { AmountCell } from '../components/common.js';
import { PERIODS, formatPounds, isNegative } from '../format.js';
import { useState } from 'preact/hooks';
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

/** Who would pay whom if the year ended at the pack's period (the pack's figures, only formatted). */
function ForecastSettlement({ forecast }: { forecast: PackForecastSettlement | null }): JSX.Element {
  return (
    <section aria-labelledby="forecast-settlement" id="forecast-settlement-section">
      <h2 id="forecast-settlement">If the year ended now</h2>
      {forecast === null ? <p>No agreement is adopted yet, so there is no forecast settlement.</p> : (
        <>
          <p>Under agreement version {forecast.agreementVersion}, with each line's forecast outturn:</p>
          {forecast.requiresDecision && <p class="warning">Part of the variance is beyond the caps: the board would have to decide who bears it.</p>}
          <ul id="forecast-transfers" class="payments">
            {forecast.partners.map((p) => (
              <li key={p.partnerId}>{transferInWords(p.partnerId, p.transfer)}</li>
            ))}
          </ul>
          <div class="table-scroll" tabIndex={0} role="region" aria-label="Forecast settlement (scrolls sideways)">
            <table id="forecast-settlement-table">
              <caption>Forecast settlement: share of the variance and transfer (positive pays into the fund, negative receives)</caption>
              <thead><tr><th scope="col">Partner</th><th scope="col" class="num">Share</th><th scope="col" class="num">Transfer</th></tr></thead>
              <tbody>{forecast.partners.map((p) => <tr key={p.partnerId}><th scope="row">{p.partnerId}</th><AmountCell value={p.share} /><AmountCell value={p.transfer} /></tr>)}</tbody>
            </table>
          </div>
          <p class="digest">Digest <code>{forecast.digest}</code></p>
        </>
      )}
    </section>
  );
}

function transferInWords(partnerId: string, transfer: string): string {
  if (/^-?0(\.0+)?$/.test(transfer)) return `${partnerId} neither pays nor receives`;
  return isNegative(transfer) ? `${partnerId} would receive ${formatPounds(transfer.slice(1))}` : `${partnerId} would pay ${formatPounds(transfer)}`;
}

function PeriodSelector({ period, onChange }: { period: string; onChange: (period: string) => void }): JSX.Element {
  return (
    <p class="period-select">
      <label for="pack-period">Period</label>{' '}
      <select id="pack-period" value={period} onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value)}>
        {PERIODS.map((p) => <option key={p} value={p}>{p}</option>)}
      </select>
    </p>
  );
}

function OverviewBody({ fundYear, model, reload }: { fundYear: FundYearRef; model: OverviewModel; reload: () => void }): JSX.Element {
  const { me } = useSession();
  return (
    <>
      <p class="as-of">Figures as at {model.asOf}. Variance = forecast outturn − budget (positive is an overspend).</p>
      {can(me).runSettlements && <AdminActions fundYear={fundYear} status={model.status} onChange={reload} />}
      {model.downloads.length > 0 && (
        <div class="button-row">{model.downloads.map((d) => <DownloadButton key={d.path} path={d.path} fileName={d.fileName} label={d.label} />)}</div>
      )}
      <VarianceChart series={model.series} title="Forecast variance by month" />
      {model.tables.map((table) => <FigureTableView key={table.id} table={table} />)}
    </>
  );
}

interface OverviewData {
  model: OverviewModel;
  /** null when the service has no monitoring pack (an older service): the positions are shown instead. */
  pack: { period: string; forecast: PackForecastSettlement | null } | null;
}

/** The pack at a period; the positions if the service does not publish the pack. */
async function loadBest(session: ReturnType<typeof useSession>, fundYear: FundYearRef, period: string | undefined): Promise<OverviewData> {
  if (!(await servicePublishes(session.raw, MONITORING_PATH))) return { model: await loadOverview(session.client, fundYear), pack: null };
  // The pack does not say whether the year is closed (the admin's commands depend on it): the positions do.
  const [{ model, pack }, positions] = await Promise.all([loadPackOverview(session.raw, fundYear, period), loadPositions(session.client, fundYear)]);
  return { model: { ...model, status: positions.status }, pack: { period: pack.period, forecast: pack.forecastSettlement } };
}

export function Overview({ fundYear }: { fundYear: FundYearRef }): JSX.Element {
  const session = useSession();
  const [period, setPeriod] = useState<string | undefined>(undefined);
  const [load, reload] = useLoad(() => loadBest(session, fundYear, period), [fundYear.fundId, fundYear.year, period]);
  return (
    <FundYearFrame fundYear={fundYear} current="overview" title="Overview">
      <Loaded load={load} what="the monitoring pack">{(data) => (
        <>
          {data.pack !== null && <PeriodSelector period={data.pack.period} onChange={setPeriod} />}
          <OverviewBody fundYear={fundYear} model={data.model} reload={reload} />
          {data.pack !== null && <ForecastSettlement forecast={data.pack.forecast} />}
        </>
      )}</Loaded>
    </FundYearFrame>
  );
}
