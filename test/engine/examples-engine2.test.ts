// Engine 2's worked examples C, D (without and with the board decision), E and F, figure by
// figure, from the what-if seeds in seeds/whatif/; then each file through `npm run whatif`.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { PROJECT_ROOT, SEEDS_DIR } from '../../src/paths.js';
import { computeSettlement, engineVersionOf } from '../../src/domain/settlement.js';
import type { SettlementInput } from '../../src/domain/settlement-types.js';
import type { AdoptedDecision, Decision } from '../../src/domain/terms-types.js';
import { runWhatIf } from '../../src/cli/whatif.js';

type SeedFile = Omit<SettlementInput, 'partners' | 'decisions'> & { partners: { partnerId: string }[]; decisions?: Decision[] };

function readSeed(name: string): SeedFile {
  return JSON.parse(fs.readFileSync(path.join(SEEDS_DIR, 'whatif', name), 'utf8')) as SeedFile;
}

/** The engine's input from a what-if file: decisions taken as adopted, versions 1, 2, … */
function seed(name: string): SettlementInput {
  const { partners, decisions, ...rest } = readSeed(name);
  const adopted: AdoptedDecision[] = (decisions ?? []).map((decision, index) => ({ version: index + 1, ...decision }));
  return { ...rest, partners: partners.map((partner) => partner.partnerId), decisions: adopted };
}

const contributionBand = (amount: string) => [{ from: '0.00', to: null, amount }];

t.test('example C: a reserve covers an overspend, the rest is carried forward', async (t) => {
  const figures = computeSettlement(seed('example-c.json'));
  t.strictSame(figures.pots, [
    {
      potId: 'community', budget: '8000000.00', variance: '120000.00', direction: 'overspend',
      bands: [], shares: { ccg: '0.00', council: '0.00' }, capped: [], unallocated: '0.00', reserveDrawn: '120000.00',
    },
    {
      potId: 'wellbeing', budget: '2000000.00', variance: '30000.00', direction: 'overspend',
      bands: [], shares: { ccg: '30000.00', council: '0.00' }, capped: [], unallocated: '0.00', reserveDrawn: '0.00',
    },
  ], 'community draws 120,000.00 and has nothing left to share; wellbeing is own and not covered');
  t.strictSame(figures.reserve, {
    opening: { ccg: '300000.00', council: '200000.00' },
    drawn: { ccg: '72000.00', council: '48000.00' },
    closing: { ccg: '228000.00', council: '152000.00' },
    unused: 'carry-forward',
    returned: { ccg: '0.00', council: '0.00' },
    carriedForward: { ccg: '228000.00', council: '152000.00' },
    transfer: '120000.00',
  }, 'drawn 3:2 by opening balance, all carried forward');
  t.strictSame(figures.partners, [
    { partnerId: 'ccg', varianceBorne: '130000.00', share: '30000.00', transfer: '-100000.00', reserveReturned: '0.00' },
    { partnerId: 'council', varianceBorne: '20000.00', share: '0.00', transfer: '-20000.00', reserveReturned: '0.00' },
  ]);
  t.strictSame(figures.payments, [
    { from: 'reserve', to: 'ccg', amount: '100000.00' },
    { from: 'reserve', to: 'council', amount: '20000.00' },
  ]);
  t.strictSame(figures.unshared, []);
  t.equal(figures.requiresDecision, false);
  t.equal(engineVersionOf(figures), 'poolshare-settlement/2');
});

const exampleDPots = (community: { shares: Record<string, string>; unallocated: string }) => [
  {
    potId: 'community', budget: '8000000.00', variance: '760000.00', direction: 'overspend',
    bands: contributionBand('260000.00'), ...community, capped: ['ccg', 'council'], reserveDrawn: '500000.00',
  },
  {
    potId: 'wellbeing', budget: '2000000.00', variance: '-15000.00', direction: 'underspend',
    bands: contributionBand('15000.00'), shares: { ccg: '-7500.00', council: '-7500.00' }, capped: [], unallocated: '0.00', reserveDrawn: '0.00',
  },
];

const exampleDReserve = {
  opening: { ccg: '328000.00', council: '172000.00' },
  drawn: { ccg: '328000.00', council: '172000.00' },
  closing: { ccg: '0.00', council: '0.00' },
  unused: 'return',
  returned: { ccg: '0.00', council: '0.00' },
  carriedForward: { ccg: '0.00', council: '0.00' },
  transfer: '500000.00',
};

t.test('example D, undecided: brought forward, exhausted, capped, 10,000.00 unallocated', async (t) => {
  const figures = computeSettlement(seed('example-d.json'));
  t.strictSame(figures.pots, exampleDPots({ shares: { ccg: '200000.00', council: '50000.00' }, unallocated: '10000.00' }),
    'A = 260,000.00 by contribution 3:1; council capped at 50,000.00, its excess takes ccg past 200,000.00');
  t.strictSame(figures.reserve, exampleDReserve, 'opening = contributions + brought forward; the whole 500,000.00 drawn');
  t.strictSame(figures.partners, [
    { partnerId: 'ccg', varianceBorne: '690000.00', share: '192500.00', transfer: '-497500.00', reserveReturned: '0.00' },
    { partnerId: 'council', varianceBorne: '55000.00', share: '42500.00', transfer: '-12500.00', reserveReturned: '0.00' },
  ], 'with the reserve +500,000.00 the transfers sum to −10,000.00 = −U');
  t.strictSame(figures.payments, [], 'no payments until the board decides');
  t.equal(figures.requiresDecision, true);
  t.equal(engineVersionOf(figures), 'poolshare-settlement/2');
});

t.test('example D, with the decision adopted: 6,000.00 / 4,000.00 and payments from the reserve', async (t) => {
  const figures = computeSettlement(seed('example-d-decided.json'));
  t.strictSame(figures.pots, [
    { ...exampleDPots({ shares: { ccg: '206000.00', council: '54000.00' }, unallocated: '0.00' })[0], decision: { version: 1, reference: 'Joint Commissioning Board 15 June 2017, minute 7' } },
    exampleDPots({ shares: {}, unallocated: '0.00' })[1],
  ], 'caps do not apply to the decided amount');
  t.strictSame(figures.reserve, exampleDReserve);
  t.strictSame(figures.partners, [
    { partnerId: 'ccg', varianceBorne: '690000.00', share: '198500.00', transfer: '-491500.00', reserveReturned: '0.00' },
    { partnerId: 'council', varianceBorne: '55000.00', share: '46500.00', transfer: '-8500.00', reserveReturned: '0.00' },
  ]);
  t.strictSame(figures.payments, [
    { from: 'reserve', to: 'ccg', amount: '491500.00' },
    { from: 'reserve', to: 'council', amount: '8500.00' },
  ]);
  t.equal(figures.requiresDecision, false);
});

t.test('example E: an unused reserve returned, to the penny', async (t) => {
  const figures = computeSettlement(seed('example-e.json'));
  t.strictSame(figures.pots, [{
    potId: 'community', budget: '3000.00', variance: '100.00', direction: 'overspend',
    bands: [], shares: { ccg: '0.00', council: '0.00', county: '0.00' }, capped: [], unallocated: '0.00', reserveDrawn: '100.00',
  }]);
  t.strictSame(figures.reserve, {
    opening: { ccg: '100.00', council: '100.00', county: '100.01' },
    drawn: { ccg: '33.33', council: '33.33', county: '33.34' },
    closing: { ccg: '66.67', council: '66.67', county: '66.67' },
    unused: 'return',
    returned: { ccg: '66.67', council: '66.67', county: '66.67' },
    carriedForward: { ccg: '0.00', council: '0.00', county: '0.00' },
    transfer: '300.01',
  }, '33.332…, 33.332…, 33.335…: the last penny to county, the largest remainder');
  t.strictSame(figures.partners, [
    { partnerId: 'ccg', varianceBorne: '100.00', share: '0.00', transfer: '-166.67', reserveReturned: '66.67' },
    { partnerId: 'council', varianceBorne: '0.00', share: '0.00', transfer: '-66.67', reserveReturned: '66.67' },
    { partnerId: 'county', varianceBorne: '0.00', share: '0.00', transfer: '-66.67', reserveReturned: '66.67' },
  ]);
  t.strictSame(figures.payments, [
    { from: 'reserve', to: 'ccg', amount: '166.67' },
    { from: 'reserve', to: 'council', amount: '66.67' },
    { from: 'reserve', to: 'county', amount: '66.67' },
  ], 'n payments with the reserve, not n − 1');
});

t.test('example F: a reserve under banded terms pays the first pounds; the bands share the rest', async (t) => {
  const figures = computeSettlement(seed('example-f.json'));
  t.strictSame(figures.pots, [{
    potId: 'integrated-fund', budget: '3000000.00', variance: '85000.00', direction: 'overspend',
    bands: [
      { from: '0.00', to: '30000.00', amount: '30000.00' },
      { from: '30000.00', to: null, amount: '25000.00' },
    ],
    shares: { ccg: '33500.00', council: '21500.00' }, capped: [], unallocated: '0.00', reserveDrawn: '30000.00',
  }], 'A = 55,000.00: band 1 by contribution 21,000.00 / 9,000.00, band 2 50/50; council stays under its cap');
  t.strictSame(figures.reserve?.drawn, { ccg: '15000.00', council: '15000.00' });
  t.strictSame(figures.reserve?.closing, { ccg: '0.00', council: '0.00' });
  t.strictSame(figures.partners.map((row) => row.transfer), ['-36500.00', '6500.00']);
  t.equal(figures.reserve?.transfer, '30000.00');
  t.strictSame(figures.payments, [
    { from: 'reserve', to: 'ccg', amount: '30000.00' },
    { from: 'council', to: 'ccg', amount: '6500.00' },
  ]);
  t.strictSame(figures.unshared, [{ strategyId: 'community', partnerId: 'ccg', arrangement: 'aligned', variance: '60000.00' }]);
});

t.test('example C carried forward is example D brought forward', async (t) => {
  const c = computeSettlement(seed('example-c.json'));
  t.strictSame(c.reserve?.carriedForward, seed('example-d.json').broughtForward);
});

// ---------------------------------------------------------------------------------------
// Through `npm run whatif`, as a finance team runs it

const WHATIF_FILES = ['example-c.json', 'example-d.json', 'example-d-decided.json', 'example-e.json', 'example-f.json'];
// Started together: each run is mostly start-up time, so they need not wait for each other.
const runs = new Map(
  WHATIF_FILES.map((name) => {
    const run = promisify(execFile)('npm', ['run', '--silent', 'whatif', '--', path.join('seeds', 'whatif', name)], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    run.catch(() => {}); // its own test awaits it and fails on a rejection; nothing is lost meanwhile
    return [name, run] as const;
  }),
);

for (const name of WHATIF_FILES) {
  t.test(`npm run whatif -- seeds/whatif/${name} prints the engine's figures as the API's body`, async (t) => {
    const run = await runs.get(name)!; // a non-zero exit rejects, failing the test with its stderr
    t.equal(run.stderr, '');
    const printed = JSON.parse(run.stdout) as Record<string, unknown>;
    const result = runWhatIf(readSeed(name));
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    t.strictSame(printed, JSON.parse(JSON.stringify(result.output)));
    t.strictSame(Object.keys(printed), ['pots', 'partners', 'payments', 'requiresDecision', 'unshared', 'reserve', 'engineVersion', 'digest']);
    const figures = computeSettlement(seed(name));
    t.strictSame(
      { pots: printed.pots, partners: printed.partners, payments: printed.payments, reserve: printed.reserve },
      JSON.parse(JSON.stringify({ pots: figures.pots, partners: figures.partners, payments: figures.payments, reserve: figures.reserve })),
    );
    t.equal(printed.engineVersion, 'poolshare-settlement/2');
  });
}
