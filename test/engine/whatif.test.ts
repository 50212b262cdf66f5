// The what-if calculator: spawned as a user runs it, and its core called directly.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { PROJECT_ROOT, SEEDS_DIR } from '../../src/paths.js';
import { ENGINE_VERSION, settlementDigest } from '../../src/domain/settlement.js';
import { formatStatement, main, runWhatIf, runWhatIfFile } from '../../src/cli/whatif.js';

const exampleA = path.join(SEEDS_DIR, 'whatif', 'example-a.json');
const exampleR = path.join(SEEDS_DIR, 'whatif', 'example-r.json');

function whatif(...args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/whatif.ts', ...args], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function readSeed(file: string): any {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

t.test('spawned on example A: the JSON figures of SETTLEMENT.md §6', async (t) => {
  const run = whatif(exampleA);
  t.equal(run.status, 0, run.stderr);
  t.equal(run.stderr, '');
  const output = JSON.parse(run.stdout);
  t.strictSame(Object.keys(output), ['pots', 'partners', 'payments', 'requiresDecision', 'unshared', 'engineVersion', 'digest']);
  t.strictSame(output.pots[0].shares, { ccg: '55000.00', council: '30000.00' });
  t.strictSame(output.pots[0].bands.map((b: { amount: string }) => b.amount), ['30000.00', '55000.00']);
  t.strictSame(output.partners.map((p: { transfer: string }) => p.transfer), ['-15000.00', '15000.00']);
  t.strictSame(output.payments, [{ from: 'council', to: 'ccg', amount: '15000.00' }]);
  t.strictSame(output.unshared, [{ strategyId: 'community', partnerId: 'ccg', arrangement: 'aligned', variance: '60000.00' }]);
  t.equal(output.engineVersion, ENGINE_VERSION);
  const { digest, ...body } = output;
  t.equal(digest, settlementDigest(body), 'the digest is over the printed body');
});

t.test('spawned on example R: rounding and two payments', async (t) => {
  const run = whatif(exampleR, '--format', 'json');
  t.equal(run.status, 0, run.stderr);
  const output = JSON.parse(run.stdout);
  t.strictSame(output.pots[0].shares, { ccg: '-33.34', council: '-33.34', county: '-33.33' });
  t.strictSame(output.partners.map((p: { varianceBorne: string }) => p.varianceBorne), ['-100.00', '-0.01', '0.00']);
  t.strictSame(output.payments, [
    { from: 'ccg', to: 'council', amount: '33.33' },
    { from: 'ccg', to: 'county', amount: '33.33' },
  ]);
});

t.test('--format table prints a readable statement', async (t) => {
  const run = whatif(exampleA, '--format', 'table');
  t.equal(run.status, 0, run.stderr);
  t.match(run.stdout, /Pot integrated-fund: budget 3,000,000\.00, variance 85,000\.00 \(overspend\)/);
  t.match(run.stdout, /band 2\s+30,000\.00\s+no limit\s+55,000\.00/);
  t.match(run.stdout, /council\s+30,000\.00\s+capped/);
  t.match(run.stdout, /ccg\s+70,000\.00\s+55,000\.00\s+-15,000\.00/);
  t.match(run.stdout, /council\s+->\s+ccg\s+15,000\.00/);
  t.match(run.stdout, /community\s+ccg\s+aligned\s+60,000\.00/);
  t.match(run.stdout, /digest: sha256:[0-9a-f]{64}/);
});

t.test('a bad file exits 2 with one line per problem', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whatif-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const bad = readSeed(exampleA);
  bad.partners.push({ partnerId: 'ccg' });
  bad.budget[0].amount = 600000; // a number: never coerced
  bad.outturn.push({ ...bad.outturn[0] });
  bad.outturn[1].partnerId = 'county';
  bad.agreement.pots[0].overspend.caps = { county: '1.00' };
  fs.writeFileSync(path.join(dir, 'schema.json'), JSON.stringify(bad));
  const schemaRun = whatif(path.join(dir, 'schema.json'));
  t.equal(schemaRun.status, 2);
  t.equal(schemaRun.stdout, '');
  t.strictSame(schemaRun.stderr.trim().split('\n'), ['/budget/0/amount: must be string'], 'schema errors first');

  bad.budget[0].amount = '600000.00';
  fs.writeFileSync(path.join(dir, 'refs.json'), JSON.stringify(bad));
  const refsRun = whatif(path.join(dir, 'refs.json'));
  t.equal(refsRun.status, 2);
  t.strictSame(refsRun.stderr.trim().split('\n'), [
    "/partners/2/partnerId: partner 'ccg' is already declared at /partners/0",
    "/outturn/1/partnerId: partner 'county' is not declared in /partners",
    '/outturn/5: repeats the line wellbeing/ccg/pooled of /outturn/0',
    "/agreement/pots/0/overspend/caps/county: pot 'integrated-fund': cap for unknown partner 'county'",
  ]);

  fs.writeFileSync(path.join(dir, 'broken.json'), '{"partners": [');
  const broken = whatif(path.join(dir, 'broken.json'));
  t.equal(broken.status, 2);
  t.match(broken.stderr, /broken\.json: not valid JSON: /);
  t.equal(broken.stderr.trim().split('\n').length, 1);

  const missing = whatif(path.join(dir, 'missing.json'));
  t.equal(missing.status, 2);
  t.match(missing.stderr, /missing\.json: cannot read the file: ENOENT/);
});

t.test('usage errors exit 2 and say why; --help exits 0', async (t) => {
  const lines: string[] = [];
  const sink = (text: string) => lines.push(text);
  t.equal(main([], sink, sink), 2);
  t.equal(main([exampleA, exampleR], sink, sink), 2);
  t.equal(main(['--help'], sink, sink), 0);
  t.match(lines.join(''), /usage: poolshare-whatif <file.json> \[--format json\|table\|csv\]/);
  const errors: string[] = [];
  t.equal(main([exampleA, '--format', 'xml'], () => t.fail('nothing on stdout'), (text) => errors.push(text)), 2);
  t.strictSame(errors.join('').split('\n')[0], 'unknown format "xml": choose one of json, table, csv');
  errors.length = 0;
  t.equal(main([exampleA, '--format'], () => t.fail('nothing on stdout'), (text) => errors.push(text)), 2);
  t.strictSame(errors.join('').split('\n')[0], 'unknown format "": choose one of json, table, csv');
});

t.test('--format csv prints the figures as CSV sections, not the usage', async (t) => {
  const printed: string[] = [];
  t.equal(main([exampleA, '--format', 'csv'], (text) => printed.push(text), (text) => t.fail(text)), 0);
  const rows = printed.join('').split('\r\n');
  t.strictSame(rows.slice(0, 4), [
    'What-if settlement',
    'engine version,poolshare-settlement/1',
    'digest,sha256:b10f47bbe363c7f76cc3913c1424657658221c991403ff6646644fdf9b291526',
    'requires decision,no',
  ]);
  t.ok(rows.includes('integrated-fund,3000000.00,85000.00,overspend,55000.00,30000.00,0.00,council'), 'the pot row');
  t.ok(rows.includes('council,ccg,15000.00'), 'the payment');
  t.ok(rows.includes('community,ccg,aligned,60000.00'), 'the unshared line');
  t.notOk(rows.includes('Reserve'), 'no reserve section under engine 1');
});

t.test('runWhatIf: settlement-time refusals become input errors under /agreement', async (t) => {
  const input = readSeed(exampleA);
  input.agreement.pots[0].overspend.bands = [
    { upTo: '50000.00', basis: 'contribution' },
    { upToPercentOfBudget: '1', basis: 'contribution' },
    { basis: 'contribution' },
  ];
  const result = runWhatIf(input);
  t.equal(result.ok, false);
  if (!result.ok) {
    t.equal(result.errors.length, 1);
    t.equal(result.errors[0]?.path, '/agreement/pots/0/overspend/bands/1');
    t.match(result.errors[0]?.message, /pot 'integrated-fund'/);
  }
  t.strictSame(runWhatIf(null), { ok: false, errors: [{ path: '/', message: 'must be object' }] });
});

t.test('runWhatIfFile and the table agree with runWhatIf; a decision case prints no payments', async (t) => {
  const fromFile = runWhatIfFile(exampleR);
  t.strictSame(fromFile, runWhatIf(readSeed(exampleR)));
  const input = readSeed(exampleA);
  input.agreement.pots[0].overspend.caps = { ccg: '50000.00', council: '30000.00' };
  input.budget = input.budget.filter((line: { arrangement: string }) => line.arrangement === 'pooled');
  input.outturn = input.outturn.filter((line: { arrangement: string }) => line.arrangement === 'pooled');
  const result = runWhatIf(input);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  t.equal(result.output.pots[0]?.unallocated, '5000.00');
  const text = formatStatement(result.output);
  t.match(text, /none: an amount is unallocated and the board must decide it first/);
  t.match(text, /Unshared lines \(each partner bears its own variance\)\n  none/);
  t.match(text, /requiresDecision: yes/);
  const balanced = runWhatIf({ ...input, outturn: input.budget });
  if (!balanced.ok) throw new Error('balanced input is valid');
  t.match(formatStatement(balanced.output), /Payments\n  none\n/);
  t.match(formatStatement(balanced.output), /variance 0\.00 \(none\)\n  partner/);
});

// ---------------------------------------------------------------------------------------
// Engine 2 in the what-if file: broughtForward and decisions

const exampleD = path.join(SEEDS_DIR, 'whatif', 'example-d.json');
const exampleDDecided = path.join(SEEDS_DIR, 'whatif', 'example-d-decided.json');

function refused(input: unknown): { path: string; message: string }[] {
  const result = runWhatIf(input);
  if (result.ok) throw new Error('expected a refusal');
  return result.errors;
}

t.test('decisions are taken as adopted in the order listed: versions 1, 2, …; the last for a pot and direction applies', async (t) => {
  const input = readSeed(exampleDDecided);
  const first = input.decisions[0];
  input.decisions = [
    { ...first, allocate: { basis: 'lead', partnerId: 'council' }, reference: 'minute 3' },
    { ...first, direction: 'underspend', reference: 'minute 4' },
    first,
  ];
  const result = runWhatIf(input);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  t.strictSame(result.output.pots[0]?.decision, { version: 3, reference: 'Joint Commissioning Board 15 June 2017, minute 7' });
  t.strictSame(result.output.pots[0]?.shares, { ccg: '206000.00', council: '54000.00' });
  t.equal(result.output.pots[1]?.decision, undefined, 'wellbeing has nothing unallocated');
});

t.test('what-if refusals of engine 2 input name their paths', async (t) => {
  const base = () => readSeed(exampleDDecided);
  const edit = (change: (input: any) => void) => {
    const input = base();
    change(input);
    return input;
  };
  t.strictSame(refused(edit((x) => (x.decisions[0].reference = ''))), [{ path: '/decisions/0/reference', message: 'must NOT have fewer than 1 characters' }]);
  t.strictSame(refused(edit((x) => (x.broughtForward.ccg = '-1.00'))), [
    { path: '/broughtForward/ccg', message: 'must be a non-negative amount string with at most two decimal places, like "1234.50"' },
  ]);
  t.strictSame(refused(edit((x) => (x.broughtForward.county = '1.00'))), [{ path: '/broughtForward/county', message: "partner 'county' is not declared in /partners" }]);
  t.strictSame(refused(edit((x) => (x.decisions[0].potId = 'dental'))), [
    { path: '/decisions/0/potId', message: "decision for pot 'dental': no pot 'dental' in the adopted agreement" },
  ]);
  t.strictSame(refused(edit((x) => (x.decisions[0].allocate.weights.ccg = '0.5'))), [
    { path: '/decisions/0/allocate/weights', message: "decision for pot 'community': weights sum to 0.9; they must sum to exactly 1" },
  ]);
  t.strictSame(refused(edit((x) => x.agreement.reserve.covers.push('wellbeing'))), [
    { path: '/agreement/reserve/covers/1', message: "reserve: covered pot 'wellbeing' shares its overspend as each partner's own; a covered pot needs a bands overspend rule" },
  ]);
  t.strictSame(refused(edit((x) => (x.partners[1].partnerId = 'reserve'))).map((e) => e.path).slice(0, 1), ['/partners/1/partnerId'], "the id 'reserve' is refused");
  // A contribution decision in a pot with B = 0 fails when the settlement runs.
  const noBudget = edit((x) => {
    x.budget = x.budget.filter((line: { strategyId: string }) => line.strategyId !== 'community');
    x.agreement.pots[0].overspend = { bands: [{ basis: 'lead', partnerId: 'ccg' }], caps: { ccg: '1.00' } };
    x.decisions[0].allocate = { basis: 'contribution' };
  });
  const [error] = refused(noBudget);
  t.equal(error?.path, '/decisions/0/allocate/basis');
  t.match(error?.message, /^pot 'community': decision version 1 splits the unallocated overspend by contribution but the pot's pooled budget is 0/);
});

t.test('the table and the CSV show the reserve, the draws and the decision', async (t) => {
  // In process (the spawned CLI is tested above): the same main(), without a process start.
  const run = (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const status = main(args, (text) => out.push(text), (text) => err.push(text));
    return { status, stdout: out.join(''), stderr: err.join('') };
  };
  const table = run(exampleDDecided, '--format', 'table');
  t.equal(table.status, 0, table.stderr);
  t.match(table.stdout, /What-if settlement \(poolshare-settlement\/2\)/);
  t.match(table.stdout, /Pot community: budget 8,000,000\.00, variance 760,000\.00 \(overspend\), drew 500,000\.00 on the reserve/);
  t.match(table.stdout, /board decision version 1 applied: Joint Commissioning Board 15 June 2017, minute 7/);
  t.match(table.stdout, /Reserve \(unused balance: return; the reserve pays 500,000\.00\)/);
  t.match(table.stdout, /ccg\s+328,000\.00\s+328,000\.00\s+0\.00\s+0\.00\s+0\.00/);
  t.match(table.stdout, /reserve\s+->\s+ccg\s+491,500\.00/);
  const csv = run(exampleD, '--format', 'csv');
  t.equal(csv.status, 0, csv.stderr);
  const rows = csv.stdout.split('\r\n');
  t.ok(rows.includes('community,8000000.00,760000.00,overspend,200000.00,50000.00,10000.00,ccg council,500000.00,,'), 'the pot row, undecided');
  t.ok(rows.includes('ccg,690000.00,192500.00,-497500.00,0.00'), 'the partner row with what the reserve returned');
  t.ok(rows.includes('Reserve') && rows.includes('unused,return') && rows.includes('ccg,328000.00,328000.00,0.00,0.00,0.00'), 'the reserve section');
  t.ok(rows.includes('requires decision,yes'));
});

t.test('a partner called constructor settles in the what-if like any other', async (t) => {
  // __proto__ and toString are not valid ids (the schema refuses them); constructor is.
  const text = fs.readFileSync(exampleDDecided, 'utf8').replaceAll('"ccg"', '"constructor"');
  const result = runWhatIf(JSON.parse(text));
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  const reference = runWhatIf(readSeed(exampleDDecided));
  if (!reference.ok) throw new Error('example D decided settles');
  t.strictSame(JSON.stringify(result.output.pots[0]?.shares), '{"constructor":"206000.00","council":"54000.00"}', 'its cap is found, not Object.prototype.constructor');
  t.strictSame(JSON.parse(JSON.stringify(result.output).replaceAll('"constructor"', '"ccg"')).payments, reference.output.payments);
  t.strictSame(result.output.reserve?.opening, JSON.parse('{"constructor": "328000.00", "council": "172000.00"}'));
  const before = readSeed(exampleA);
  const caps = JSON.parse(JSON.stringify(before).replaceAll('"ccg"', '"constructor"'));
  const settled = runWhatIf(caps);
  t.ok(settled.ok);
  if (settled.ok) t.strictSame(settled.output.pots[0]?.shares, { constructor: '55000.00', council: '30000.00' });
});
