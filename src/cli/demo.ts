// ---------------------------------------------------------------------------
// The demo: `npm run demo [-- --keep | --serve]`.
// Starts the service on a fresh temporary store with temporary keys, loads the seeds
// through the public HTTP API only (fetch, exactly as API.md), runs a forecast
// settlement after each month and the final settlement, and prints the story.
// ---------------------------------------------------------------------------
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { AgreementTerms, Arrangement } from '../domain/terms-types.js';
import { SEEDS_DIR } from '../paths.js';
import { Dec, formatAmount, parseAmount, parseExact } from '../domain/money.js';
import type { BandSlice, LineAmount, SettlementInput } from '../domain/settlement-types.js';
import type {
  AgreementVersionView,
  FundSummary,
  Settlement,
  VerificationView,
} from '../app/service-types.js';
import type { Role } from '../domain/roles.js';
import { openStore } from '../store/index.js';
import { createFundYearService } from '../app/service.js';
import { buildApp } from '../http/app.js';
import { WEB_DIR_DEFAULT } from '../http/web.js';
import { hashKey } from '../http/auth.js';
import { newKey } from './keys-command.js';
import { pounds, table, type Align } from './text-table.js';
import { DEMO_PACK_PERIOD, defaultWorkbookPath, fetchMonitoring, monitoringStory, type MonitoringRun } from './demo-monitoring.js';

// ---------------------------------------------------------------------------
// The seed file format (seeds/*.json, written by seeds/generate.ts).
// Every figure carries its provenance: a `source` (document + quote) when it is
// published, or `illustrative: true` (with a note) when it was chosen for the demo.
// A provenance on an object covers every figure inside it.
// ---------------------------------------------------------------------------

export interface SeedSource {
  /** Key of the seed's `documents` (which gives the published document's title and publisher). */
  document: string;
  quote: string;
}

export type SeedProvenance =
  | { source: SeedSource; note?: string }
  | { illustrative: true; note: string; source?: SeedSource };

/** A published document the seed cites, as a reader would look it up. */
export interface SeedDocument {
  title: string;
  publisher: string;
}

export type SeedBudgetLine = {
  strategyId: string;
  partnerId: string;
  arrangement: Arrangement;
  amount: string;
} & SeedProvenance;

export interface SeedReturnLine {
  strategyId: string;
  arrangement: Arrangement;
  actualToDate: string;
  forecastOutturn: string;
}

export type SeedStep =
  | {
      action: 'submitReturn';
      partnerId: string;
      period: string;
      correction?: true;
      /** Submitted after the month's forecast settlement (informational). */
      late?: true;
      note?: string;
      illustrative: true;
      lines: SeedReturnLine[];
    }
  | { action: 'forecastSettlement'; label: string; note?: string }
  | { action: 'closeYear' }
  | {
      action: 'adjustOutturn';
      partnerId: string;
      strategyId: string;
      arrangement: Arrangement;
      amount: string;
      reason: string;
      illustrative: true;
    }
  | { action: 'finalSettlement' };

export interface SeedFundYear {
  $comment: string;
  fundId: string;
  year: string;
  name: string;
  documents: Record<string, SeedDocument>;
  total: { amount: string } & SeedProvenance;
  partners: { partnerId: string; name: string }[];
  strategies: ({ strategyId: string; name: string; total: string } & SeedProvenance)[];
  budget: { lines: SeedBudgetLine[] };
  agreement: { terms: AgreementTerms } & SeedProvenance;
  timeline: SeedStep[];
}

export const SEED_FILES = [
  path.join(SEEDS_DIR, 'plymouth-2015-16.json'),
  path.join(SEEDS_DIR, 'plymouth-wider-2015-16.json'),
];

export async function loadSeed(file: string): Promise<SeedFundYear> {
  return JSON.parse(await readFile(file, 'utf8')) as SeedFundYear;
}

// --- keys ---------------------------------------------------------------------

export interface DemoKey {
  name: string;
  role: Role;
  partnerId?: string;
  funds: string[];
  /** The raw key: printed once, never stored. */
  key: string;
  keySha256: string;
}

function makeKey(name: string, role: Role, funds: string[], partnerId?: string): DemoKey {
  const key = newKey();
  return { name, role, funds, key, keySha256: hashKey(key), ...(partnerId === undefined ? {} : { partnerId }) };
}

function makeKeys(seeds: SeedFundYear[]): DemoKey[] {
  const fundIds = [...new Set(seeds.map((seed) => seed.fundId))];
  const partnerIds = [...new Set(seeds.flatMap((seed) => seed.partners.map((p) => p.partnerId)))];
  return [
    makeKey('demo-admin', 'admin', ['*']),
    ...partnerIds.map((partnerId) => makeKey(`${partnerId}-finance`, 'partner', fundIds, partnerId)),
    makeKey('demo-auditor', 'auditor', ['*']),
  ];
}

function keyFor(keys: DemoKey[], role: Role, partnerId?: string): DemoKey {
  const found = keys.find((k) => k.role === role && (partnerId === undefined || k.partnerId === partnerId));
  if (found === undefined) throw new Error(`no demo key for ${role} ${partnerId ?? ''}`);
  return found;
}

// --- a small HTTP client: fetch, bearer key, problem+json surfaced ---------------

export class DemoApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: unknown,
    message: string,
  ) {
    super(message);
    this.name = 'DemoApiError';
  }
}

class Api {
  /** Requests sent so far. */
  requests = 0;

  constructor(readonly baseUrl: string) {}

  async json<T>(
    key: DemoKey,
    method: 'GET' | 'POST' | 'PUT',
    urlPath: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const response = await this.send(key, method, urlPath, body, headers);
    return (await response.json()) as T;
  }

  async text(key: DemoKey, urlPath: string): Promise<string> {
    const response = await this.send(key, 'GET', urlPath);
    return response.text();
  }

  private async send(
    key: DemoKey,
    method: string,
    urlPath: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    this.requests += 1;
    const response = await fetch(`${this.baseUrl}${urlPath}`, {
      method,
      headers: {
        authorization: `Bearer ${key.key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) {
      const text = await response.text();
      let problem: unknown = text;
      try {
        problem = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      throw new DemoApiError(response.status, problem, `${method} ${urlPath} (as ${key.name}) → ${response.status}: ${text}`);
    }
    return response;
  }
}

// --- driving one fund-year through the API ------------------------------------

export interface ForecastRow {
  label: string;
  note?: string;
  /** Each partner's latest period submitted when the forecast ran (null: none yet). */
  periods: Record<string, string | null>;
  settlement: Settlement;
}

export interface FundRun {
  seed: SeedFundYear;
  forecasts: ForecastRow[];
  final: Settlement | null;
  verification: VerificationView | null;
  /** The final settlement after every partner approved it. */
  approved: Settlement | null;
  statementCsv: string | null;
}

function fundYearPath(seed: SeedFundYear): string {
  return `/v1/funds/${seed.fundId}/years/${seed.year}`;
}

async function setUpFundYear(api: Api, keys: DemoKey[], seed: SeedFundYear): Promise<void> {
  const base = fundYearPath(seed);
  const admin = keyFor(keys, 'admin');
  await api.json(admin, 'POST', base, {
    name: seed.name,
    partners: seed.partners,
    strategies: seed.strategies.map(({ strategyId, name }) => ({ strategyId, name })),
  });
  await api.json(admin, 'PUT', `${base}/budget`, {
    lines: seed.budget.lines.map(({ strategyId, partnerId, arrangement, amount }) => ({ strategyId, partnerId, arrangement, amount })),
  });
  const { version } = await api.json<{ version: number }>(admin, 'POST', `${base}/agreements`, { terms: seed.agreement.terms });
  for (const partner of seed.partners) {
    await api.json<AgreementVersionView>(keyFor(keys, 'partner', partner.partnerId), 'POST', `${base}/agreements/${version}/acceptances`);
  }
}

async function playTimeline(api: Api, keys: DemoKey[], seed: SeedFundYear): Promise<FundRun> {
  const base = fundYearPath(seed);
  const admin = keyFor(keys, 'admin');
  await setUpFundYear(api, keys, seed);
  const periods: Record<string, string | null> = Object.fromEntries(seed.partners.map((p) => [p.partnerId, null]));
  const forecasts: ForecastRow[] = [];
  let final: Settlement | null = null;
  for (const step of seed.timeline) {
    switch (step.action) {
      case 'submitReturn': {
        const { partnerId, period, lines } = step;
        const idempotencyKey = `${seed.fundId}-${seed.year}-${partnerId}-${period}${step.correction === true ? '-correction' : ''}`;
        await api.json(
          keyFor(keys, 'partner', partnerId),
          'POST',
          `${base}/returns`,
          { partnerId, period, lines, ...(step.correction === true ? { correction: true } : {}) },
          { 'idempotency-key': idempotencyKey },
        );
        const last = Object.hasOwn(periods, partnerId) ? periods[partnerId]! : null;
        if (last === null || Number(period.slice(1)) > Number(last.slice(1))) periods[partnerId] = period;
        break;
      }
      case 'forecastSettlement': {
        const settlement = await api.json<Settlement>(admin, 'POST', `${base}/settlements`, { mode: 'forecast' });
        forecasts.push({ label: step.label, ...(step.note === undefined ? {} : { note: step.note }), periods: { ...periods }, settlement });
        break;
      }
      case 'closeYear':
        await api.json(admin, 'POST', `${base}/close`);
        break;
      case 'adjustOutturn': {
        const { partnerId, strategyId, arrangement, amount, reason } = step;
        await api.json(keyFor(keys, 'partner', partnerId), 'POST', `${base}/adjustments`, { partnerId, strategyId, arrangement, amount, reason });
        break;
      }
      case 'finalSettlement':
        final = await api.json<Settlement>(admin, 'POST', `${base}/settlements`, { mode: 'final' });
        break;
      default:
        throw new Error(`unknown step ${JSON.stringify(step satisfies never)}`);
    }
  }
  const run: FundRun = { seed, forecasts, final, verification: null, approved: null, statementCsv: null };
  if (final !== null) await finishFinal(api, keys, run, final);
  return run;
}

/** Verify the final settlement, have every partner approve it, and fetch its CSV statement. */
async function finishFinal(api: Api, keys: DemoKey[], run: FundRun, final: Settlement): Promise<void> {
  const base = `${fundYearPath(run.seed)}/settlements/${final.settlementId}`;
  const auditor = keyFor(keys, 'auditor');
  run.verification = await api.json<VerificationView>(auditor, 'GET', `${base}/verification`);
  if (!final.requiresDecision) {
    for (const partner of run.seed.partners) {
      await api.json(keyFor(keys, 'partner', partner.partnerId), 'POST', `${base}/approvals`);
    }
  }
  run.approved = await api.json<Settlement>(auditor, 'GET', base);
  run.statementCsv = await api.text(auditor, `${base}/statement.csv`);
}

// --- the inputs a settlement should have used, straight from the seed -----------

/**
 * SETTLEMENT.md §1 for the seed's final settlement, computed from the seed alone:
 * the budget as set, each partner's last-submitted M12 actual to date, plus every
 * post-close adjustment, and the agreement terms.
 */
export function finalSettlementInput(seed: SeedFundYear): SettlementInput {
  const outturn = new Map<string, { line: Omit<LineAmount, 'amount'>; amount: ReturnType<typeof parseAmount> }>();
  for (const step of seed.timeline) {
    if (step.action === 'submitReturn' && step.period === 'M12') {
      for (const line of step.lines) {
        const key = `${line.strategyId}/${step.partnerId}/${line.arrangement}`;
        outturn.set(key, {
          line: { strategyId: line.strategyId, partnerId: step.partnerId, arrangement: line.arrangement },
          amount: parseAmount(line.actualToDate),
        });
      }
    }
    if (step.action === 'adjustOutturn') {
      const key = `${step.strategyId}/${step.partnerId}/${step.arrangement}`;
      const entry = outturn.get(key);
      const line = { strategyId: step.strategyId, partnerId: step.partnerId, arrangement: step.arrangement };
      outturn.set(key, { line, amount: (entry?.amount ?? Dec('0')).plus(parseAmount(step.amount)) });
    }
  }
  return {
    partners: seed.partners.map((p) => p.partnerId),
    budget: seed.budget.lines.map(({ strategyId, partnerId, arrangement, amount }) => ({ strategyId, partnerId, arrangement, amount })),
    outturn: [...outturn.values()].map(({ line, amount }) => ({ ...line, amount: formatAmount(amount) })),
    agreement: seed.agreement.terms,
  };
}

// --- printing -----------------------------------------------------------------

// pounds() and table() live in text-table.ts (shared with the monitoring pack's printout).
export { pounds, table, type Align } from './text-table.js';

function fundVariance(settlement: Settlement): string {
  let total = Dec('0');
  for (const pot of settlement.pots) total = total.plus(parseExact(pot.variance));
  for (const line of settlement.unshared) total = total.plus(parseExact(line.variance));
  return formatAmount(total);
}

function transferOf(settlement: Settlement, partnerId: string): string {
  return settlement.partners.find((p) => p.partnerId === partnerId)?.transfer ?? '0.00';
}

function forecastTable(run: FundRun): string[] {
  const partners = run.seed.partners.map((p) => p.partnerId);
  const pots = run.seed.agreement.terms.pots.map((pot) => pot.potId);
  const headers = ['run', `returns ${partners.join('/')}`, 'fund variance', ...pots, ...partners.map((p) => `transfer ${p}`), 'note'];
  const rows = run.forecasts.map((row) => {
    const capped = row.settlement.pots.flatMap((pot) => pot.capped);
    const notes = [row.note ?? '', capped.length > 0 ? `cap: ${capped.join(', ')}` : ''].filter((s) => s !== '');
    return [
      row.label,
      partners.map((p) => (Object.hasOwn(row.periods, p) ? row.periods[p] : null) ?? '-').join('/'),
      pounds(fundVariance(row.settlement), true),
      ...pots.map((potId) => pounds(row.settlement.pots.find((pot) => pot.potId === potId)?.variance ?? '0.00', true)),
      ...partners.map((p) => pounds(transferOf(row.settlement, p), true)),
      notes.join('; '),
    ];
  });
  const align: Align[] = headers.map((_, i) => (i <= 1 || i === headers.length - 1 ? 'left' : 'right'));
  return table(headers, rows, align);
}

function bandText(band: BandSlice): string {
  const range =
    band.to === null
      ? band.from === '0.00' ? 'all' : `above ${pounds(band.from)}`
      : band.from === '0.00' ? `up to ${pounds(band.to)}` : `${pounds(band.from)} to ${pounds(band.to)}`;
  return `${range}: ${pounds(band.amount)}`;
}

function finalStatement(run: FundRun, settlement: Settlement): string[] {
  const partners = run.seed.partners.map((p) => p.partnerId);
  const out: string[] = [];
  out.push(
    `Final settlement ${settlement.settlementId}`,
    `  at revision ${settlement.asOfRevision}, agreement v${settlement.agreementVersion}, engine ${settlement.engineVersion}`,
    '',
    'Pots (variance = outturn - budget; + overspend, - underspend)',
  );
  out.push(
    ...table(
      ['pot', 'budget', 'variance', 'direction', ...partners.map((p) => `share ${p}`), 'unallocated', 'capped'],
      settlement.pots.map((pot) => [
        pot.potId,
        pounds(pot.budget),
        pounds(pot.variance, true),
        pot.direction,
        ...partners.map((p) => pounds(Object.hasOwn(pot.shares, p) ? pot.shares[p]! : '0.00', true)),
        pounds(pot.unallocated, true),
        pot.capped.join(', ') || '-',
      ]),
      ['left', 'right', 'right', 'left', ...partners.map((): Align => 'right'), 'right', 'left'],
    ).map((line) => `  ${line}`),
  );
  for (const pot of settlement.pots) {
    if (pot.bands.length === 0) continue;
    out.push(`  ${pot.potId} bands: ${pot.bands.map(bandText).join('; ')}`);
  }
  out.push('', 'Partners (transfer = share - variance borne; + pays, - receives)');
  out.push(
    ...table(
      ['partner', 'variance borne', 'share', 'transfer'],
      settlement.partners.map((p) => [p.partnerId, pounds(p.varianceBorne, true), pounds(p.share, true), pounds(p.transfer, true)]),
      ['left', 'right', 'right', 'right'],
    ).map((line) => `  ${line}`),
  );
  out.push('', 'Payments');
  if (settlement.payments.length === 0) out.push(settlement.requiresDecision ? '  none: the board must decide the unallocated amount' : '  none');
  for (const payment of settlement.payments) out.push(`  ${payment.from} pays ${payment.to} £${pounds(payment.amount)}`);
  if (settlement.unshared.length > 0) {
    out.push('', 'Not shared (aligned lines and strategies in no pot: each partner bears its own)');
    out.push(
      ...table(
        ['strategy', 'partner', 'arrangement', 'variance'],
        settlement.unshared.map((u) => [u.strategyId, u.partnerId, u.arrangement, pounds(u.variance, true)]),
        ['left', 'left', 'left', 'right'],
      ).map((line) => `  ${line}`),
    );
  }
  return out;
}

function fundSummaryTable(funds: FundSummary[]): string[] {
  return table(
    ['fund', 'year', 'status', 'budget', 'forecast outturn', 'variance', 'latest settlement'],
    funds.map((f) => [
      f.fundId,
      f.year,
      f.status,
      pounds(f.budget),
      pounds(f.forecastOutturn),
      pounds(f.forecastVariance, true),
      f.latestSettlement === null ? '-' : `${f.latestSettlement.mode} (${f.latestSettlement.status})`,
    ]),
    ['left', 'left', 'left', 'right', 'right', 'right', 'left'],
  );
}

// --- the whole demo -----------------------------------------------------------

export interface DemoOptions {
  /** Leave the service running (the caller, or Ctrl-C in the CLI, closes it). */
  keep?: boolean;
  /** Listen port; 0 (the default) picks a free one. */
  port?: number;
  host?: string;
  /** Where the story is printed, a line at a time; default console.log. */
  out?: (line: string) => void;
  seedFiles?: string[];
  /** Where the M6 monitoring pack's workbook is written; default: the temporary folder (demo-monitoring.ts). */
  workbookPath?: string;
}

export interface DemoResult {
  baseUrl: string;
  dataDir: string;
  keys: DemoKey[];
  runs: FundRun[];
  /** The first seed's run (Plymouth), its final settlement and the inputs it should have used. */
  main: FundRun;
  final: Settlement;
  inputs: SettlementInput;
  funds: FundSummary[];
  /** The first seed's M6 monitoring pack, and where its workbook was written. */
  monitoring: MonitoringRun;
  /** HTTP requests the demo sent. */
  requests: number;
  elapsedMs: number;
  /** Stops the service, closes the store and deletes the temporary directory (idempotent). */
  close(): Promise<void>;
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const started = performance.now();
  const out = options.out ?? ((line: string) => console.log(line));
  const seeds = await Promise.all((options.seedFiles ?? SEED_FILES).map(loadSeed));
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'poolshare-demo-'));
  const keys = makeKeys(seeds);
  const store = openStore({ dataDir });
  const service = createFundYearService({ store, dataDir });
  const app = await buildApp({ service, keys: keys.map(({ key: _raw, ...entry }) => entry), logger: false });
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await app.close();
    await service.close();
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('the service is not listening on a TCP port');
    const baseUrl = `http://${options.host ?? '127.0.0.1'}:${address.port}`;
    const api = new Api(baseUrl);
    const runs: FundRun[] = [];
    for (const seed of seeds) runs.push(await playTimeline(api, keys, seed));
    const funds = await api.json<FundSummary[]>(keyFor(keys, 'auditor'), 'GET', '/v1/funds');
    const main = runs[0]!;
    if (main.final === null || main.approved === null) throw new Error(`${main.seed.fundId}: the seed has no final settlement`);
    const workbookPath = options.workbookPath ?? defaultWorkbookPath(main.seed.fundId, main.seed.year, DEMO_PACK_PERIOD);
    const monitoring = await fetchMonitoring(baseUrl, keyFor(keys, 'auditor').key, fundYearPath(main.seed), DEMO_PACK_PERIOD, workbookPath);
    const elapsedMs = performance.now() - started;
    const result: DemoResult = {
      baseUrl, dataDir, keys, runs, main, final: main.final, inputs: finalSettlementInput(main.seed), funds, monitoring, requests: api.requests + 2, elapsedMs, close,
    };
    printStory(out, result, options.keep === true);
    if (options.keep !== true) await close();
    return result;
  } catch (error) {
    await close();
    throw error;
  }
}

function printStory(out: (line: string) => void, result: DemoResult, keep: boolean): void {
  const { main } = result;
  const final = main.approved ?? result.final;
  const seed = main.seed;
  out(`poolshare demo: ${seed.name} ${seed.year}`);
  out(`  fund £${pounds(seed.total.amount)}; partners ${seed.partners.map((p) => `${p.partnerId} (${p.name})`).join(', ')}`);
  out(`  ${result.requests} API requests against ${result.baseUrl}, store ${result.dataDir}`);
  out('');
  out('Month by month: a forecast settlement after each month (M1 = April 2015 ... M12 = March 2016)');
  out('  variance = forecast outturn - budget (+ overspend); transfer: + pays, - receives');
  for (const line of forecastTable(main)) out(`  ${line}`);
  out('');
  for (const line of monitoringStory(result.monitoring)) out(line);
  out('');
  for (const line of finalStatement(main, result.final)) out(line);
  out('');
  out(`Digest        ${result.final.digest}`);
  if (main.verification !== null) {
    out(`Verification  recomputed ${main.verification.recomputedDigest} match: ${String(main.verification.match)}`);
  }
  out(`Approval      ${final.status}${final.approvedBy.length > 0 ? ` by ${final.approvedBy.join(', ')}` : ''}`);
  if (main.statementCsv !== null) {
    out(`Statement     ${fundYearPath(seed)}/settlements/${final.settlementId}/statement.csv (${main.statementCsv.trimEnd().split('\n').length} CSV lines)`);
  }
  out('');
  out('All fund-years (GET /v1/funds)');
  for (const line of fundSummaryTable(result.funds)) out(`  ${line}`);
  out('');
  out(`Web app       ${result.baseUrl}${fundYearPath(seed).replace('/v1', '')}  (sign in with a key below)${keep ? '' : '  (npm run demo -- --serve leaves the service running)'}`);
  out(`API docs      ${result.baseUrl}/docs`);
  out('Keys (temporary, valid only for this run):');
  for (const key of result.keys) out(`  ${key.name.padEnd(16)} ${key.role.padEnd(8)} ${key.key}`);
  out(`  e.g. curl -H 'Authorization: Bearer ${keyFor(result.keys, 'auditor').key}' ${result.baseUrl}${fundYearPath(seed)}/settlements`);
  out('');
  out(`Done in ${(result.elapsedMs / 1000).toFixed(1)} s.`);
}

/** --serve is --keep on a port a newcomer can type (PORT, else 3000), for the web app. */
export function demoArgs(argv: string[], env: NodeJS.ProcessEnv): { keep: boolean; serve: boolean; port: number } {
  const serve = argv.includes('--serve');
  const keep = serve || argv.includes('--keep');
  const portText = env.PORT ?? '';
  if (portText !== '' && !/^[0-9]{1,5}$/.test(portText)) throw new Error(`PORT must be a port number, not ${JSON.stringify(portText)}`);
  const port = portText === '' ? (serve ? 3000 : 0) : Number.parseInt(portText, 10);
  return { keep, serve, port };
}

async function main(argv: string[]): Promise<void> {
  const { keep, serve, port } = demoArgs(argv, process.env);
  if (serve && !existsSync(path.join(WEB_DIR_DEFAULT, 'index.html'))) {
    console.error(`The web app is not built (${WEB_DIR_DEFAULT}): run \`npm run build\` first (npm ci does it).`);
  }
  const result = await runDemo({ keep, port });
  if (!keep) return;
  console.log(`The service is still running at ${result.baseUrl} (${serve ? '--serve' : '--keep'}). Ctrl-C stops it and deletes ${result.dataDir}.`);
  const stop = (): void => {
    result.close().then(
      () => {
        console.log('Stopped; the temporary store is deleted.');
        process.exit(0);
      },
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
