// SETTLEMENT.md §6, figure by figure, from the same what-if seeds the docs and the demo use.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { SEEDS_DIR } from '../../src/paths.js';
import { ENGINE_VERSION, computeSettlement, settlementDigest } from '../../src/domain/settlement.js';
import type { SettlementInput } from '../../src/domain/settlement-types.js';

function seed(name: string): SettlementInput {
  const raw = JSON.parse(fs.readFileSync(path.join(SEEDS_DIR, 'whatif', name), 'utf8')) as Omit<SettlementInput, 'partners'> & {
    partners: { partnerId: string }[];
  };
  return { ...raw, partners: raw.partners.map((partner) => partner.partnerId) };
}

t.test('example A: bands, a cap, an aligned line', async (t) => {
  const figures = computeSettlement(seed('example-a.json'));
  t.equal(figures.pots.length, 1);
  const pot = figures.pots[0]!;
  t.equal(pot.potId, 'integrated-fund');
  t.equal(pot.budget, '3000000.00', 'B');
  t.equal(pot.variance, '85000.00', 'V');
  t.equal(pot.direction, 'overspend');
  t.strictSame(pot.bands, [
    { from: '0.00', to: '30000.00', amount: '30000.00' },
    { from: '30000.00', to: null, amount: '55000.00' },
  ], 'band 1 takes 1% of B, band 2 the rest');
  t.strictSame(pot.shares, { ccg: '55000.00', council: '30000.00' }, 'the cap moves 6,500.00 to ccg');
  t.strictSame(pot.capped, ['council']);
  t.equal(pot.unallocated, '0.00');
  t.strictSame(figures.partners, [
    { partnerId: 'ccg', varianceBorne: '70000.00', share: '55000.00', transfer: '-15000.00' },
    { partnerId: 'council', varianceBorne: '15000.00', share: '30000.00', transfer: '15000.00' },
  ]);
  t.strictSame(figures.payments, [{ from: 'council', to: 'ccg', amount: '15000.00' }]);
  t.strictSame(figures.unshared, [
    { strategyId: 'community', partnerId: 'ccg', arrangement: 'aligned', variance: '60000.00' },
  ]);
  t.equal(figures.requiresDecision, false);
});

t.test('example A without the cap: raw shares 48,500.00 and 36,500.00', async (t) => {
  const input = seed('example-a.json');
  const pot = input.agreement.pots[0]!;
  if (!('bands' in pot.overspend)) throw new Error('example A has bands');
  delete pot.overspend.caps;
  const figures = computeSettlement(input);
  t.strictSame(figures.pots[0]!.shares, { ccg: '48500.00', council: '36500.00' });
  t.strictSame(figures.pots[0]!.capped, []);
});

t.test('example R: three partners, rounding', async (t) => {
  const figures = computeSettlement(seed('example-r.json'));
  const pot = figures.pots[0]!;
  t.equal(pot.budget, '3000.00');
  t.equal(pot.variance, '-100.01');
  t.equal(pot.direction, 'underspend');
  t.strictSame(pot.bands, [{ from: '0.00', to: null, amount: '100.01' }]);
  t.strictSame(pot.shares, { ccg: '-33.34', council: '-33.34', county: '-33.33' }, 'equal remainders go in partner order');
  t.equal(pot.unallocated, '0.00');
  t.strictSame(figures.partners, [
    { partnerId: 'ccg', varianceBorne: '-100.00', share: '-33.34', transfer: '66.66' },
    { partnerId: 'council', varianceBorne: '-0.01', share: '-33.34', transfer: '-33.33' },
    { partnerId: 'county', varianceBorne: '0.00', share: '-33.33', transfer: '-33.33' },
  ]);
  t.strictSame(figures.payments, [
    { from: 'ccg', to: 'council', amount: '33.33' },
    { from: 'ccg', to: 'county', amount: '33.33' },
  ]);
  t.strictSame(figures.unshared, []);
  t.equal(figures.requiresDecision, false);
});

t.test('the digest of example A is stable and ignores record-only fields', async (t) => {
  const body = { ...computeSettlement(seed('example-a.json')), engineVersion: ENGINE_VERSION };
  const digest = settlementDigest(body);
  t.match(digest, /^sha256:[0-9a-f]{64}$/);
  t.equal(settlementDigest({ ...body }), digest, 'same body, same digest');
  t.equal(
    settlementDigest({ ...body, settlementId: 'x', digest: 'y', calculatedAt: 'z', status: 'approved', approvedBy: ['ccg'] }),
    digest,
    'settlementId, digest, calculatedAt, status, approvedBy are left out',
  );
  t.not(settlementDigest({ ...body, mode: 'final' }), digest, 'any other field counts');
});
