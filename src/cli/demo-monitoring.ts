// The demo's monitoring pack: the M6 pack of the demo year, read through the API as JSON and
// printed as the table a finance officer files (fund, partners, strategies, with RAG), and the
// same pack as an XLSX workbook, fetched through the API and written to a file the demo names.
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { MonitoringFigures, MonitoringPack } from '../domain/monitoring/index.js';
import { pounds, table, type Align } from './text-table.js';

export interface MonitoringRun {
  pack: MonitoringPack;
  /** Where the workbook was written, and its size. */
  workbookPath: string;
  workbookBytes: number;
}

export const DEMO_PACK_PERIOD = 'M6';

/** Default file of the workbook: in the temporary folder, named for the fund-year and period (overwritten each run). */
export function defaultWorkbookPath(fundId: string, year: string, period: string): string {
  return path.join(os.tmpdir(), `poolshare-demo-${fundId}-${year}-monitoring-${period}.xlsx`);
}

async function get(baseUrl: string, key: string, urlPath: string): Promise<Response> {
  const response = await fetch(`${baseUrl}${urlPath}`, { headers: { authorization: `Bearer ${key}` } });
  if (!response.ok) throw new Error(`GET ${urlPath} → ${response.status}: ${await response.text()}`);
  return response;
}

/** GET …/monitoring and …/monitoring.xlsx at `period` (the latest revision); writes the workbook to `workbookPath`. */
export async function fetchMonitoring(baseUrl: string, key: string, fundYearPath: string, period: string, workbookPath: string): Promise<MonitoringRun> {
  const pack = (await (await get(baseUrl, key, `${fundYearPath}/monitoring?period=${period}`)).json()) as MonitoringPack;
  // The same revision as the JSON, so the two hold the same figures even if the log moved on.
  const workbook = Buffer.from(await (await get(baseUrl, key, `${fundYearPath}/monitoring.xlsx?period=${period}&asOfRevision=${pack.asOfRevision}`)).arrayBuffer());
  await writeFile(workbookPath, workbook);
  return { pack, workbookPath, workbookBytes: workbook.byteLength };
}

const HEADINGS = ['', 'budget', 'budget to date', 'actual to date', 'forecast outturn', 'movement', 'variance', '%', 'RAG'];
const ALIGN: Align[] = ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left'];

function row(name: string, f: MonitoringFigures): string[] {
  return [
    name, pounds(f.budget), pounds(f.budgetToDate), pounds(f.actualToDate), pounds(f.forecastOutturn), pounds(f.movement, true),
    pounds(f.forecastVariance, true), f.forecastVariancePercent ?? '-', f.rag.toUpperCase(),
  ];
}

/** The pack as a table: the fund, then each partner, then each strategy. */
export function monitoringTable(pack: MonitoringPack): string[] {
  const rows = [
    row('fund', pack.fund),
    ...pack.partners.map((p) => row(`partner ${p.partnerId}`, p)),
    ...pack.strategies.map((s) => row(`strategy ${s.strategyId}`, s)),
  ];
  return table(HEADINGS, rows, ALIGN);
}

/** The lines the demo prints about the pack. */
export function monitoringStory(run: MonitoringRun): string[] {
  const { pack } = run;
  return [
    `Monitoring pack ${pack.period} (GET …/monitoring?period=${pack.period}, at revision ${pack.asOfRevision}; RAG amber from ${pack.rag.amberPercent} %, red above ${pack.rag.redPercent} %)`,
    '  movement: forecast outturn against last month\'s; variance = forecast outturn - budget (+ overspend)',
    ...monitoringTable(pack).map((line) => `  ${line}`),
    `Workbook      ${run.workbookPath} (${run.workbookBytes} bytes: a sheet per level, RAG coloured)`,
  ];
}
