// Issue 11, items 1 and 7: the summary's checkpoint is saved only after its event is applied
// (a failing event is never recorded as applied), its file is written atomically and privately
// (0600), and an unreadable file (truncated, not JSON, wrong shape) is logged in one line and
// rebuilt from the log, by the server and by `npm run rebuild-summary` alike.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { v4 as uuidv4 } from 'uuid';
import { createFundYearService } from '../../src/app/service.js';
import { SummaryProjection, summaryFile } from '../../src/app/summary.js';
import { tempFileOf } from '../../src/app/summary-file.js';
import { fundYearStream } from '../../src/domain/fundyear/index.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { EventStore } from '../../src/store/port.js';
import { budgetLines, ctx, memoryStore, openBody, principals } from './fixtures/service.js';

const ref = { fundId: 'plymouth-integrated-fund', year: '2015-16' };

function tempDir(t: Test, label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `poolshare-${label}-`));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function storeFor(t: Test): EventStore {
  const store = memoryStore();
  t.teardown(() => store.close());
  return store;
}

async function written(store: EventStore): Promise<bigint> {
  const writer = createFundYearService({ store });
  await writer.openFundYear(ctx(principals.admin), ref, openBody);
  await writer.setBudget(ctx(principals.admin), ref, { lines: budgetLines });
  await writer.close();
  return (await store.headPosition())!;
}

async function caughtUp(projection: SummaryProjection, store: EventStore): Promise<void> {
  projection.start();
  await projection.waitFor((await store.headPosition())!);
}

t.test('an event the projection cannot apply is not recorded as applied', async (t) => {
  const dir = tempDir(t, 'summary-fail');
  const store = storeFor(t);
  const good = await written(store);
  // A fund-year stream whose first event is not FundYearOpened: evolve refuses it.
  await store.append(fundYearStream('broken-fund', '2015-16'), [{ id: uuidv4(), type: 'BudgetSet', data: { lines: [] }, metadata: {} }], { expectedRevision: 'no_stream' });
  const projection = new SummaryProjection({ store, file: summaryFile(dir) });
  projection.start();
  await t.rejects(projection.waitFor((await store.headPosition())!, 2_000), /before FundYearOpened/);
  t.match(projection.failed?.message, /BudgetSet before FundYearOpened/);
  t.equal(projection.checkpoint, good, 'the checkpoint is the last event applied, not the failing one');
  await projection.stop();
  const stored = JSON.parse(fs.readFileSync(summaryFile(dir), 'utf8')) as { checkpoint: string };
  t.equal(stored.checkpoint, good.toString(), 'and the file says so: a restart tries the failing event again');
  t.strictSame(projection.list().map((s) => s.fundId), ['plymouth-integrated-fund']);
});

t.test('a rebuild that meets a failing event leaves the checkpoint before it', async (t) => {
  const store = storeFor(t);
  const good = await written(store);
  await store.append(fundYearStream('broken-fund', '2015-16'), [{ id: uuidv4(), type: 'YearClosed', data: { closedBy: 'x' }, metadata: {} }], { expectedRevision: 'no_stream' });
  const projection = new SummaryProjection({ store });
  await t.rejects(projection.rebuild(), /YearClosed before FundYearOpened/);
  t.equal(projection.checkpoint, good);
});

t.test('the file is written atomically and privately', async (t) => {
  const dir = tempDir(t, 'summary-atomic');
  const store = storeFor(t);
  const file = summaryFile(dir);
  await written(store);
  const projection = new SummaryProjection({ store, file });
  await caughtUp(projection, store);
  await projection.stop();
  t.equal(fs.statSync(file).mode & 0o777, 0o600, 'mode 0600');
  t.strictSame(fs.readdirSync(dir), [path.basename(file)], 'no temp file left behind');
  const before = fs.readFileSync(file, 'utf8');

  // A write that fails half-way (here: its temp file cannot be created) leaves the old file whole.
  const writer = createFundYearService({ store });
  await writer.openFundYear(ctx(principals.admin), { fundId: 'devon-better-care', year: '2016-17' }, openBody);
  await writer.close();
  fs.mkdirSync(tempFileOf(file));
  const next = new SummaryProjection({ store, file });
  await caughtUp(next, store);
  await next.stop();
  t.ok(next.flushError instanceof Error, 'the failed write is kept');
  t.equal(fs.readFileSync(file, 'utf8'), before, 'the file on disk is the previous whole one');
  fs.rmdirSync(tempFileOf(file));

  // An existing file with a looser mode is replaced by a private one.
  fs.chmodSync(file, 0o644);
  const again = new SummaryProjection({ store, file });
  await caughtUp(again, store);
  await again.stop();
  t.equal(fs.statSync(file).mode & 0o777, 0o600);
  t.strictSame(again.list().map((s) => s.fundId), ['devon-better-care', 'plymouth-integrated-fund']);
});

const unreadable: [string, (good: string) => string][] = [
  ['truncated', (good) => good.slice(0, Math.floor(good.length / 2))],
  ['empty', () => ''],
  ['not JSON', () => 'fund summary'],
  ['JSON of the wrong shape', () => JSON.stringify({ format: 4, checkpoint: 'twelve', fundYears: [] })],
  ['a fund-year of the wrong shape', (good) => {
    const parsed = JSON.parse(good) as { fundYears: Record<string, unknown> };
    for (const key of Object.keys(parsed.fundYears)) parsed.fundYears[key] = { status: 'open', returns: 'none' };
    return JSON.stringify(parsed);
  }],
  ['a JSON null', () => 'null'],
];

for (const [what, damage] of unreadable) {
  t.test(`an unreadable summary file (${what}) is logged in one line and rebuilt from the log`, async (t) => {
    const dir = tempDir(t, 'summary-bad');
    const store = storeFor(t);
    const file = summaryFile(dir);
    await written(store);
    const first = new SummaryProjection({ store, file });
    await caughtUp(first, store);
    await first.stop();
    const expected = first.list();
    fs.writeFileSync(file, damage(fs.readFileSync(file, 'utf8')));

    const lines: string[] = [];
    const projection = new SummaryProjection({ store, file, log: (line) => lines.push(line) });
    t.equal(lines.length, 1, 'one line');
    t.match(lines[0], new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*unreadable.*rebuild`));
    t.equal(projection.checkpoint, null, 'starts from the beginning of the log');
    await caughtUp(projection, store);
    t.strictSame(projection.list(), expected);
    await projection.stop();
    t.strictSame(new SummaryProjection({ store, file, log: () => t.fail('rewritten whole') }).list(), expected);
  });
}

t.test('a service starts on a truncated summary file and is ready once rebuilt', async (t) => {
  const dir = tempDir(t, 'summary-start');
  const store = storeFor(t);
  await written(store);
  fs.writeFileSync(summaryFile(dir), '{"format":4,"checkpoint":"1","fundY');
  const lines: string[] = [];
  const service = createFundYearService({ store, dataDir: dir, log: (line) => lines.push(line) });
  t.teardown(() => service.close());
  t.equal(lines.length, 1);
  t.match(await service.listFunds(ctx(principals.admin)), [{ fundId: ref.fundId, budget: '3250000.00' }]);
  await service.ready();
});

t.test('npm run rebuild-summary replaces a truncated file', async (t) => {
  const dataDir = tempDir(t, 'rebuild-bad');
  const store = openSqliteStore({ dataDir });
  await written(store);
  await store.close();
  fs.writeFileSync(summaryFile(dataDir), '{"format":4,"checkp');
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/rebuild-summary.ts'], {
    env: { ...process.env, DATA_DIR: dataDir, EVENTSTORE_URL: '' },
    encoding: 'utf8',
  });
  t.equal(run.status, 0, run.stderr);
  t.match(run.stdout, /1 fund-year\(s\), checkpoint \d+/);
  t.equal(fs.statSync(summaryFile(dataDir)).mode & 0o777, 0o600);
  const reopened = openSqliteStore({ dataDir });
  t.teardown(() => reopened.close());
  t.match(new SummaryProjection({ store: reopened, file: summaryFile(dataDir) }).list(), [{ fundId: ref.fundId, budget: '3250000.00' }]);
});
