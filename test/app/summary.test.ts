// The cross-fund summary: kept live by a catch-up subscription; after any sequence
// of commands it equals a rebuild from scratch, and it resumes from its stored checkpoint.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import { createFundYearService } from '../../src/app/service.js';
import { SummaryProjection, summaryFile } from '../../src/app/summary.js';
import { DomainError } from '../../src/domain/errors.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { FundYearService } from '../../src/app/service-types.js';
import { budgetLines, ccgLines, councilLines, ctx, memoryStore, openBody, principals, terms } from './fixtures/service.js';
import { like } from '../fixtures/like.js';

const refs = [
  { fundId: 'plymouth-integrated-fund', year: '2015-16' },
  { fundId: 'devon-better-care', year: '2016-17' },
];
const partners = ['ccg', 'council'] as const;
const scoped = { ...principals, ccg: { ...principals.ccg, funds: ['*'] }, council: { ...principals.council, funds: ['*'] } };

/** Whole pence to an amount string, without a float in sight. */
const pence = (n: number) => `${n < 0 ? '-' : ''}${Math.floor(Math.abs(n) / 100)}.${String(Math.abs(n) % 100).padStart(2, '0')}`;

const step = fc.record({
  fund: fc.integer({ min: 0, max: 1 }),
  // Returns are most of a real log; the rest, including the refused ones, mixed in.
  kind: fc.oneof(
    { arbitrary: fc.constant('return' as const), weight: 4 },
    { arbitrary: fc.constantFrom('open', 'budget', 'propose', 'accept', 'close', 'adjust', 'settle', 'approve'), weight: 5 },
  ),
  partner: fc.constantFrom(...partners),
  period: fc.integer({ min: 1, max: 12 }),
  correction: fc.boolean(),
  delta: fc.integer({ min: -5_000_000, max: 5_000_000 }),
  mode: fc.constantFrom('final' as const, 'forecast' as const),
});
type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;

async function apply(service: FundYearService, s: Step): Promise<void> {
  const ref = refs[s.fund]!;
  const as = { ...scoped[s.partner], funds: ['*'] };
  const lines = (s.partner === 'ccg' ? ccgLines : councilLines)().map((l) => ({ ...l, forecastOutturn: pence(100 * 400_000 + s.delta) }));
  const actions: Record<Step['kind'], () => Promise<unknown>> = {
    open: () => service.openFundYear(ctx(principals.admin), ref, openBody),
    budget: () => service.setBudget(ctx(principals.admin), ref, { lines: budgetLines, reason: 'varied' }),
    propose: () => service.proposeAgreement(ctx(principals.admin), ref, { terms }),
    accept: () => service.acceptAgreement(ctx(as), ref, 1),
    return: () => service.submitReturn(ctx(as), ref, { partnerId: s.partner, period: `M${s.period}`, lines, correction: s.correction }),
    close: () => service.closeYear(ctx(principals.admin), ref),
    adjust: () => service.adjustOutturn(ctx(as), ref, { partnerId: s.partner, strategyId: 'wellbeing', arrangement: 'pooled', amount: pence(s.delta), reason: 'late' }),
    settle: () => service.calculateSettlement(ctx(principals.admin), ref, { mode: s.mode }),
    approve: async () => {
      const [latest] = await service.listSettlements(ctx(principals.admin), ref);
      if (latest) await service.approveSettlement(ctx(as), ref, latest.settlementId);
    },
  };
  try {
    await actions[s.kind]();
  } catch (error) {
    if (!(error instanceof DomainError)) throw error; // refusals are part of any random sequence
  }
}

t.test('after any sequence of commands the live summary equals a rebuild', async (t) => {
  const RUNS = 40;
  // Count guard: every case ran, and enough of them compared fund-years that got far.
  let runs = 0;
  let withSettlement = 0;
  await fc.assert(
    fc.asyncProperty(fc.boolean(), fc.array(step, { minLength: 1, maxLength: 60 }), async (setUp, steps) => {
      const store = memoryStore();
      const service = createFundYearService({ store });
      try {
        // Often start from a fund-year with an adopted agreement and a forecast settlement, so
        // that sequences reach approvals and later settlements (the count guard below checks it).
        const ready: Step[] = (['open', 'budget', 'propose', 'accept', 'accept', 'settle'] as const).map((kind, i) => ({
          ...steps[0]!, fund: 0, kind, partner: i === 4 ? 'council' as const : 'ccg' as const, mode: 'forecast' as const,
        }));
        for (const s of setUp ? [...ready, ...steps] : steps) await apply(service, s);
        const live = await service.listFunds(ctx(principals.admin));
        runs += 1;
        if (live.some((f) => f.latestSettlement !== null)) withSettlement += 1;
        const fresh = new SummaryProjection({ store });
        await fresh.rebuild();
        t.strictSame(live, fresh.list());
        // The summary keeps compacted state: it must still agree with the full fold behind
        // positions and the settlement list of every fund-year.
        let agrees = true;
        for (const summary of live) {
          const at = { fundId: summary.fundId, year: summary.year };
          const { fund } = await service.positions(ctx(principals.admin), at);
          const [latest] = await service.listSettlements(ctx(principals.admin), at);
          const expected = {
            budget: fund.budget, forecastOutturn: fund.forecastOutturn, forecastVariance: fund.forecastVariance,
            latestSettlement: latest ? { settlementId: latest.settlementId, mode: latest.mode, status: latest.status, digest: latest.digest } : null,
          };
          const actual = {
            budget: summary.budget, forecastOutturn: summary.forecastOutturn, forecastVariance: summary.forecastVariance,
            latestSettlement: summary.latestSettlement,
          };
          t.strictSame(actual, expected, `${summary.fundId} ${summary.year} agrees with positions and settlements`);
          agrees &&= JSON.stringify(actual) === JSON.stringify(expected);
        }
        return agrees && JSON.stringify(live) === JSON.stringify(fresh.list());
      } finally {
        await service.close();
        await store.close();
      }
    }),
    { numRuns: RUNS },
  );
  t.equal(runs, RUNS, 'every case compared a live summary with a rebuild');
  t.ok(withSettlement > 0, `some cases reached a settlement (${withSettlement} of ${runs})`);
});

t.test('the projection resumes from its stored checkpoint', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'poolshare-summary-'));
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const store = memoryStore();
  t.teardown(() => store.close());
  const first = createFundYearService({ store, dataDir });
  await first.openFundYear(ctx(principals.admin), refs[0]!, openBody);
  await first.setBudget(ctx(principals.admin), refs[0]!, { lines: budgetLines });
  const seen = await first.listFunds(ctx(principals.admin));
  await first.close();
  const stored = JSON.parse(fs.readFileSync(summaryFile(dataDir), 'utf8')) as { checkpoint: string };
  t.equal(stored.checkpoint, first.summary.checkpoint?.toString(), 'checkpoint saved with the projection');

  // Written while no projection was running: the next one catches up from the checkpoint.
  const writer = createFundYearService({ store });
  await writer.openFundYear(ctx(principals.admin), refs[1]!, openBody);
  await writer.close();
  const resumed = new SummaryProjection({ store, file: summaryFile(dataDir) });
  t.strictSame(resumed.list(), seen, 'loaded from the file before catching up');
  resumed.start();
  const all = await store.readAll();
  await resumed.waitFor(all[all.length - 1]!.position);
  t.strictSame(resumed.list().map((s) => s.fundId), ['devon-better-care', 'plymouth-integrated-fund']);
  await resumed.rebuild();
  t.strictSame(resumed.list().length, 2, 'a rebuild while running carries on');
  await resumed.stop();
  await t.rejects(new SummaryProjection({ store }).waitFor(1_000_000n, 20), /did not reach/);
});

t.test('read-your-writes: listFunds after a command reflects it', async (t) => {
  const store = memoryStore();
  const service = createFundYearService({ store });
  t.teardown(async () => {
    await service.close();
    await store.close();
  });
  await service.openFundYear(ctx(principals.admin), refs[0]!, openBody);
  like(t, await service.listFunds(ctx(principals.admin)), [{ fundId: refs[0]!.fundId, revision: 0, budget: '0.00' }]);
  await service.setBudget(ctx(principals.admin), refs[0]!, { lines: budgetLines });
  like(t, await service.listFunds(ctx(principals.admin)), [{ revision: 1, budget: '3250000.00', latestSettlement: null }]);
});

t.test('the rebuild command writes the projection from the log', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'poolshare-rebuild-'));
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const store = openSqliteStore({ dataDir });
  const service = createFundYearService({ store });
  await service.openFundYear(ctx(principals.admin), refs[0]!, openBody);
  await service.setBudget(ctx(principals.admin), refs[0]!, { lines: budgetLines });
  const live = await service.listFunds(ctx(principals.admin));
  await service.close();
  await store.close();
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/rebuild-summary.ts'], {
    env: { ...process.env, DATA_DIR: dataDir, EVENTSTORE_URL: '' },
    encoding: 'utf8',
  });
  t.equal(run.status, 0, run.stderr);
  t.match(run.stdout, /1 fund-year\(s\), checkpoint \d+/);
  const reopened = openSqliteStore({ dataDir });
  t.teardown(() => reopened.close());
  t.strictSame(new SummaryProjection({ store: reopened, file: summaryFile(dataDir) }).list(), live);
});

t.test('a summary file of an older format is not trusted: the projection starts again from the log', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'poolshare-summary-old-'));
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const store = memoryStore();
  t.teardown(() => store.close());
  const writer = createFundYearService({ store });
  await writer.openFundYear(ctx(principals.admin), refs[0]!, openBody);
  await writer.close();
  fs.writeFileSync(summaryFile(dataDir), JSON.stringify({ format: 1, checkpoint: '999', fundYears: {} }));
  const projection = new SummaryProjection({ store, file: summaryFile(dataDir) });
  t.equal(projection.checkpoint, null, 'the old checkpoint is ignored');
  projection.start();
  const all = await store.readAll();
  await projection.waitFor(all[all.length - 1]!.position);
  t.strictSame(projection.list().map((s) => s.fundId), ['plymouth-integrated-fund']);
  await projection.stop();
  const stored = JSON.parse(fs.readFileSync(summaryFile(dataDir), 'utf8')) as { format: number; checkpoint: string };
  t.equal(stored.format, 4, 'rewritten in the current format');
  t.equal(stored.checkpoint, all[all.length - 1]!.position.toString());
});

t.test('a summary file that cannot be written does not stop the projection', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'poolshare-summary-ro-'));
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const store = memoryStore();
  t.teardown(() => store.close());
  // A plain file where the folder should be: every write fails.
  const blocker = path.join(dataDir, 'not-a-folder');
  fs.writeFileSync(blocker, '');
  const projection = new SummaryProjection({ store, file: summaryFile(blocker) });
  const service = createFundYearService({ store });
  await service.openFundYear(ctx(principals.admin), refs[0]!, openBody);
  await service.close();
  projection.start();
  const all = await store.readAll();
  await projection.waitFor(all[all.length - 1]!.position);
  await projection.stop();
  t.ok(projection.flushError instanceof Error, 'the failure is kept');
  t.strictSame(projection.list().map((s) => s.fundId), ['plymouth-integrated-fund'], 'and the projection still answers');
});
