// The demo end to end, in process on a free port: its final settlement (and every forecast
// along the way) equals the what-if calculator on the same inputs, it verifies, and it
// prints the whole story. Then --keep leaves a working service, and close() cleans up.
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { MonitoringPack } from '../../src/domain/monitoring/index.js';
import { demoArgs, finalSettlementInput, runDemo, type SeedFundYear, type SeedStep } from '../../src/cli/demo.js';
import { runWhatIf, type WhatIfOutput } from '../../src/cli/whatif.js';
import { Dec, formatAmount, parseAmount } from '../../src/domain/money.js';
import { settlementDigest } from '../../src/domain/settlement.js';
import type { LineAmount, SettlementInput } from '../../src/domain/settlement-types.js';
import type { FundSummary, Settlement, VerificationView } from '../../src/app/service-types.js';

const printed: string[] = [];
const workbookDir = t.testdir();
const workbookPath = path.join(workbookDir, 'm6.xlsx');
const result = await runDemo({ keep: true, port: 0, out: (line) => printed.push(line), workbookPath });
t.teardown(() => result.close());

function whatIf(seed: SeedFundYear, input: SettlementInput): WhatIfOutput {
  const answer = runWhatIf({
    partners: seed.partners,
    budget: input.budget,
    outturn: input.outturn,
    agreement: input.agreement,
  });
  if (!answer.ok) throw new Error(`what-if refused the inputs: ${JSON.stringify(answer.errors)}`);
  return answer.output;
}

/** The figures of a settlement in the shape (and so with the digest) the what-if calculator prints. */
function figuresOf(settlement: Settlement): Record<string, unknown> {
  const { pots, partners, payments, requiresDecision, unshared, engineVersion } = settlement;
  return { pots, partners, payments, requiresDecision, unshared, engineVersion };
}

/**
 * SETTLEMENT.md §1, forecast mode, from the seed alone: each partner's latest return
 * (highest period; within it the last sent) before timeline step `upTo`, forecast outturn per line.
 */
function forecastInput(seed: SeedFundYear, upTo: number): SettlementInput {
  const latest = new Map<string, Extract<SeedStep, { action: 'submitReturn' }>>();
  for (const step of seed.timeline.slice(0, upTo)) {
    if (step.action !== 'submitReturn') continue;
    const current = latest.get(step.partnerId);
    if (current === undefined || Number(step.period.slice(1)) >= Number(current.period.slice(1))) latest.set(step.partnerId, step);
  }
  const outturn: LineAmount[] = [...latest.values()].flatMap((step) =>
    step.lines.map((line) => ({ strategyId: line.strategyId, partnerId: step.partnerId, arrangement: line.arrangement, amount: line.forecastOutturn })),
  );
  const final = finalSettlementInput(seed);
  return { ...final, outturn };
}

t.test('the final settlement equals the what-if calculator on the same inputs', async (t) => {
  const { final, main } = result;
  t.equal(final.mode, 'final');
  // The inputs come from the seed alone; the settlement from the service's log. They must tell the same totals.
  const sum = (lines: LineAmount[]): string => formatAmount(lines.reduce((total, line) => total.plus(parseAmount(line.amount)), Dec('0')));
  t.equal(sum(result.inputs.budget), '476120000.00', 'the final budget is the published fund');
  const settledVariance = [...final.pots.map((p) => p.variance), ...final.unshared.map((u) => u.variance)];
  t.equal(
    formatAmount(parseAmount(sum(result.inputs.outturn)).minus(parseAmount(sum(result.inputs.budget)))),
    formatAmount(settledVariance.reduce((total, v) => total.plus(parseAmount(v)), Dec('0'))),
    'outturn - budget of the inputs is the variance the service settled',
  );
  const expected = whatIf(main.seed, result.inputs);
  t.strictSame(final.pots, expected.pots, 'pots');
  t.strictSame(final.partners, expected.partners, 'partners');
  t.strictSame(final.payments, expected.payments, 'payments');
  t.strictSame(final.unshared, expected.unshared, 'unshared');
  t.equal(final.requiresDecision, expected.requiresDecision);
  t.equal(final.engineVersion, expected.engineVersion);
  t.equal(settlementDigest(figuresOf(final)), expected.digest, 'the same figures, byte for byte (digest of the figures)');
  // The chain hash is recorded beside the body, outside the digest (docs/integrity.md).
  const { chainHash: _chainHash, ...body } = final;
  t.equal(settlementDigest(body as unknown as Record<string, unknown>), final.digest, 'the settlement digest is its body’s');
});

t.test('the final figures tell the story: the council cap bites and the CCG pays', async (t) => {
  const { final } = result;
  const pot = final.pots.find((p) => p.potId === 'integrated-fund')!;
  t.equal(pot.direction, 'overspend');
  t.strictSame(pot.capped, ['council'], 'the council’s overspend share is capped');
  t.equal(pot.shares.council, '1750000.00');
  const acute = final.pots.find((p) => p.potId === 'enhanced-specialised-care')!;
  t.equal(acute.shares.council, '0.00', 'the council’s acute exposure is ring-fenced');
  t.strictSame(final.payments, [{ from: 'ccg', to: 'council', amount: '2258879.71' }]);
  t.strictSame(final.unshared.map((u) => u.arrangement), ['aligned', 'aligned'], 'only the aligned lines are unshared');
  // The post-close adjustment is in: without it the CCG's community variance would be £238,500 lower.
  const adjustment = result.main.seed.timeline.find((s) => s.action === 'adjustOutturn');
  t.ok(adjustment, 'the seed has an adjustment');
  const borne = final.partners.find((p) => p.partnerId === 'ccg')!.varianceBorne;
  const withoutAdjustment = whatIf(result.main.seed, {
    ...result.inputs,
    outturn: result.inputs.outturn.map((line) =>
      line.partnerId === 'ccg' && line.strategyId === 'community' && line.arrangement === 'pooled'
        ? { ...line, amount: formatAmount(parseAmount(line.amount).minus(Dec('238500.00'))) }
        : line,
    ),
  });
  t.equal(
    formatAmount(parseAmount(borne).minus(parseAmount(withoutAdjustment.partners.find((p) => p.partnerId === 'ccg')!.varianceBorne))),
    '238500.00',
  );
});

t.test('every forecast run equals the what-if calculator on the returns in at that point', async (t) => {
  const seed = result.main.seed;
  const runs = seed.timeline.flatMap((step, index) => (step.action === 'forecastSettlement' ? [{ step, index }] : []));
  t.equal(result.main.forecasts.length, runs.length, 'one forecast per forecast step');
  runs.forEach(({ step, index }, i) => {
    const row = result.main.forecasts[i]!;
    t.equal(row.label, step.action === 'forecastSettlement' ? step.label : '');
    const expected = whatIf(seed, forecastInput(seed, index));
    const { digest, ...figures } = expected;
    t.strictSame(figuresOf(row.settlement), figures, `${row.label}: same figures`);
    t.equal(settlementDigest(figuresOf(row.settlement)), digest, `${row.label}: byte for byte`);
    t.strictSame(row.settlement.assumedOnBudget, [], `${row.label}: every partner had a return`);
  });
  const byLabel = new Map(result.main.forecasts.map((row) => [row.label, row]));
  t.strictSame(byLabel.get('M9')!.periods, { ccg: 'M8', council: 'M9' }, 'the late CCG return: M9 ran on its M8');
  const variance = (label: string): string =>
    byLabel.get(label)!.settlement.pots.find((p) => p.potId === 'integrated-fund')!.variance;
  t.equal(formatAmount(parseAmount(variance('M7')).minus(parseAmount(variance('M7 corrected')))), '270000.00', 'the correction takes out the mistyped £270,000');
});

t.test('the demo prints the whole story', async (t) => {
  const text = printed.join('\n');
  for (const label of ['M1', 'M6', 'M7 corrected', 'M9', 'M12']) {
    t.ok(printed.some((line) => line.trimStart().startsWith(`${label} `)), `the table has a row for ${label}`);
  }
  t.match(text, /integrated-fund\s+409,164,100\.00\s+\+6,073,085\.91\s+overspend/);
  t.match(text, 'ccg pays council £2,258,879.71');
  t.match(text, `Digest        ${result.final.digest}`);
  t.match(text, /match: true/);
  t.match(text, `${result.baseUrl}/docs`);
  t.match(text, `Web app       ${result.baseUrl}/funds/plymouth-integrated-fund/years/2015-16`, 'the web app on the demo year');
  for (const key of result.keys) t.match(text, key.key, `prints the ${key.name} key`);
  t.ok(result.elapsedMs < 60_000, `the demo ran in ${Math.round(result.elapsedMs)} ms`);
});

t.test('the demo prints the M6 monitoring pack (fund, partners, strategies with RAG) and writes its workbook', async (t) => {
  const { pack } = result.monitoring;
  t.equal(pack.period, 'M6');
  t.equal(result.monitoring.workbookPath, workbookPath);
  const text = printed.join('\n');
  t.match(text, `Monitoring pack M6 (GET …/monitoring?period=M6, at revision ${pack.asOfRevision}`);
  t.match(text, `Workbook      ${workbookPath}`);
  const section = printed.slice(printed.findIndex((line) => line.startsWith('Monitoring pack M6')));
  const row = (name: string) => section.find((line) => line.trimStart().startsWith(`${name} `));
  t.match(row('fund'), /476,120,000\.00\s+238,060,000\.00\s+234,343,632\.55\s+478,840,400\.00\s+\+903,200\.00\s+\+2,720,400\.00\s+0\.6\s+GREEN$/);
  for (const p of pack.partners) t.match(row(`partner ${p.partnerId}`), new RegExp(`${p.forecastVariancePercent ?? '-'}\\s+${p.rag.toUpperCase()}$`));
  for (const s of pack.strategies) t.ok(row(`strategy ${s.strategyId}`), `a row for ${s.strategyId}`);
  // The workbook on disk is the pack at the same revision.
  const auditor = result.keys.find((k) => k.role === 'auditor')!;
  const base = `${result.baseUrl}/v1/funds/${result.main.seed.fundId}/years/${result.main.seed.year}`;
  const again = (await (await fetch(`${base}/monitoring?period=M6&asOfRevision=${pack.asOfRevision}`, { headers: { authorization: `Bearer ${auditor.key}` } })).json()) as MonitoringPack;
  t.strictSame(again, pack);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(readFileSync(workbookPath) as unknown as ExcelJS.Buffer);
  const fund = workbook.getWorksheet('Fund')!;
  t.strictSame((fund.getRow(1).values as unknown[]).slice(1, 9), ['fund', 'plymouth-integrated-fund', 'year', '2015-16', 'period', 'M6', 'revision', pack.asOfRevision]);
  t.equal(fund.getRow(4).getCell(2).value, Number(pack.fund.budget), 'the fund\'s budget, a number cell');
  t.equal(fund.getRow(4).getCell(11).value, pack.fund.rag);
});

t.test('with keep the service stays up: docs, verification, approvals and the fund list', async (t) => {
  const auditor = result.keys.find((k) => k.role === 'auditor')!;
  const get = async (path: string): Promise<Response> =>
    fetch(`${result.baseUrl}${path}`, { headers: { authorization: `Bearer ${auditor.key}` } });
  t.equal((await get('/docs')).status, 200, '/docs is served');
  const base = `/v1/funds/${result.main.seed.fundId}/years/${result.main.seed.year}/settlements/${result.final.settlementId}`;
  const verification = (await (await get(`${base}/verification`)).json()) as VerificationView;
  t.equal(verification.match, true);
  t.equal(verification.recomputedDigest, result.final.digest);
  const settlement = (await (await get(base)).json()) as Settlement;
  t.equal(settlement.status, 'approved');
  t.strictSame([...settlement.approvedBy].sort(), ['ccg', 'council']);
  const csv = await (await get(`${base}/statement.csv`)).text();
  t.match(csv, '2258879.71', 'the CSV statement carries the payment');
  const funds = (await (await get('/v1/funds')).json()) as FundSummary[];
  t.strictSame(funds.map((f) => [f.fundId, f.status, f.budget]).sort(), [
    ['plymouth-integrated-fund', 'closed', '476120000.00'],
    ['plymouth-south-hams-west-devon', 'open', '564060000.00'],
  ]);
});

t.test('--serve keeps the service up on PORT, else 3000; --keep and no flag on a free port', async (t) => {
  t.strictSame(demoArgs(['--serve'], {}), { keep: true, serve: true, port: 3000 });
  t.strictSame(demoArgs(['--serve'], { PORT: '8080' }), { keep: true, serve: true, port: 8080 });
  t.strictSame(demoArgs(['--keep'], {}), { keep: true, serve: false, port: 0 });
  t.strictSame(demoArgs([], {}), { keep: false, serve: false, port: 0 });
  t.throws(() => demoArgs(['--serve'], { PORT: 'abc' }), /PORT must be a port number/);
});

t.test('close() stops the service and deletes the temporary store', async (t) => {
  t.ok(existsSync(result.dataDir));
  await result.close();
  t.notOk(existsSync(result.dataDir), 'the temporary directory is gone');
  await t.rejects(fetch(`${result.baseUrl}/healthz`), 'nothing listens any more');
});

t.test('without keep the demo cleans up after itself', async (t) => {
  const again = await runDemo({ port: 0, out: () => {} });
  t.notOk(existsSync(again.dataDir), 'the temporary directory is gone');
  await t.rejects(fetch(`${again.baseUrl}/healthz`), 'nothing listens');
  t.equal(again.final.digest, result.final.digest, 'the same seeds give the same digest on a fresh store');
});
