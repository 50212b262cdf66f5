// Generators and the engine-versus-oracle comparison shared by test/engine/oracle.test.ts
// (engine 1) and test/engine/oracle-engine2.test.ts (the reserve and board decisions).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { DomainError } from '../../src/domain/errors.js';
import { computeSettlement, engineVersionOf } from '../../src/domain/settlement.js';
import type { LineAmount, SettlementFigures, SettlementInput } from '../../src/domain/settlement-types.js';
import type { AdoptedDecision, Band, DirectionRule, Pot } from '../../src/domain/terms-types.js';
import { SEEDS_DIR } from '../../src/paths.js';
import { OracleRefusal, penceText, referenceSettlementTraced, type ReferenceResult } from './reference.js';

export const NUM_RUNS = Number(process.env.ORACLE_RUNS ?? 10_000);

// ---------------------------------------------------------------------------------------
// Generators

export const PARTNERS = ['ccg', 'council', 'county', 'trust', 'hospice'];
export const STRATEGIES = ['care', 'community', 'cyp', 'wellbeing'];
/** Typical size of an amount, in pence: from a pound to a billion pounds. */
export const SCALES = [20n, 100n, 100n, 10_000n, 1_000_000n, 100_000_000n, 100_000_000_000n];

/** k / denom (0 ≤ k ≤ denom, denom a power of 10) as a decimal string: "0.25", "0.050", "1". */
export function fraction(k: number, denom: number): string {
  if (k === denom) return '1';
  return `0.${String(k).padStart(String(denom).length - 1, '0')}`;
}

/** Thousandths of a percent as a decimal string: 1500 → "1.500". */
export const percentText = (thousandths: number): string =>
  `${Math.floor(thousandths / 1000)}.${String(thousandths % 1000).padStart(3, '0')}`;

const bandArb = (n: number, scale: bigint) =>
  fc.record({
    kind: fc.constantFrom('upTo' as const, 'percent' as const),
    step: fc.oneof(fc.bigInt({ min: 1n, max: scale / 10n + 1n }), fc.bigInt({ min: 1n, max: scale })),
    percentStep: fc.integer({ min: 1, max: 5000 }),
    basis: fc.constantFrom('contribution' as const, 'fixed' as const, 'lead' as const),
    parts: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 100 })), { minLength: n, maxLength: n }),
    denom: fc.constantFrom(100, 1000),
    writeZeros: fc.boolean(),
    lead: fc.nat({ max: n - 1 }),
  });

const capArb = (scale: bigint) =>
  fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 100n }), fc.bigInt({ min: 0n, max: scale / 20n + 1n }), fc.bigInt({ min: 0n, max: scale }));

const ruleArb = (n: number, scale: bigint) =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant(null) },
    {
      weight: 6,
      arbitrary: fc.record({
        bands: fc.array(bandArb(n, scale), { minLength: 1, maxLength: 4 }),
        caps: fc.array(fc.option(capArb(scale), { nil: undefined, freq: 2 }), { minLength: n, maxLength: n }),
      }),
    },
  );

export const caseArbFor = (scales: bigint[], minPartners = 1) => fc
  .record({
    n: fc.integer({ min: minPartners, max: 5 }),
    strategyCount: fc.integer({ min: 1, max: 4 }),
    potCount: fc.integer({ min: 1, max: 3 }),
    scale: fc.constantFrom(...scales),
  })
  .chain(({ n, strategyCount, potCount, scale }) =>
    fc.record({
      partners: fc.shuffledSubarray(PARTNERS, { minLength: n, maxLength: n }),
      strategies: fc.shuffledSubarray(STRATEGIES, { minLength: strategyCount, maxLength: strategyCount }),
      lines: fc.array(
        fc.record({
          strategy: fc.nat({ max: strategyCount - 1 }),
          partner: fc.nat({ max: n - 1 }),
          pooled: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
          side: fc.constantFrom('both', 'both', 'both', 'both', 'budget', 'outturn'),
          budget: fc.oneof(
            fc.bigInt({ min: 0n, max: scale }),
            fc.constant(0n),
            fc.constant(scale),
            // a few pence times 3, 7 or 9: contribution ratios that do not terminate
            fc.tuple(fc.integer({ min: 1, max: 9 }), fc.constantFrom(3n, 7n, 9n)).map(([k, m]) => BigInt(k) * m),
          ),
          delta: fc.oneof(
            fc.constant(0n),
            fc.bigInt({ min: -100n, max: 100n }),
            fc.bigInt({ min: -(scale / 10n) - 1n, max: scale / 10n + 1n }),
          ),
        }),
        { minLength: 1, maxLength: 16 },
      ),
      potOf: fc.array(fc.integer({ min: -1, max: potCount - 1 }), { minLength: strategyCount, maxLength: strategyCount }),
      rules: fc.array(ruleArb(n, scale), { minLength: 2 * potCount, maxLength: 2 * potCount }),
    }),
  );
export const caseArb = caseArbFor(SCALES);
/** Amounts of a few pence and 2–5 partners: shares are mostly remainder, ties are common. */
export const tinyCaseArb = caseArbFor([5n, 12n, 30n], 2);
export type CaseSpec = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;
type RuleSpec = CaseSpec['rules'][number];

export function fixedWeights(parts: number[], denom: number, writeZeros: boolean, partners: string[]): Record<string, string> {
  const total = parts.reduce((a, b) => a + b, 0);
  const units = total === 0 ? parts.map((_, i) => (i === 0 ? denom : 0)) : parts.map((part) => Math.floor((part * denom) / total));
  const firstNonZero = Math.max(0, units.findIndex((u) => u > 0));
  units[firstNonZero] = units[firstNonZero]! + denom - units.reduce((a, b) => a + b, 0);
  const weights: Record<string, string> = {};
  units.forEach((u, i) => {
    if (u > 0 || writeZeros) weights[partners[i]!] = fraction(u, denom);
  });
  return weights;
}

function ruleOf(spec: RuleSpec, partners: string[]): DirectionRule {
  if (spec === null) return { own: true };
  let upTo = 0n;
  let percent = 0;
  const bands: Band[] = spec.bands.map((band, index) => {
    const split: Band =
      band.basis === 'contribution'
        ? { basis: 'contribution' }
        : band.basis === 'fixed'
          ? { basis: 'fixed', weights: fixedWeights(band.parts, band.denom, band.writeZeros, partners) }
          : { basis: 'lead', partnerId: partners[band.lead]! };
    if (index === spec.bands.length - 1) return split;
    if (band.kind === 'percent') {
      percent += band.percentStep;
      return { ...split, upToPercentOfBudget: percentText(percent) };
    }
    upTo += band.step;
    return { ...split, upTo: penceText(upTo) };
  });
  const caps: Record<string, string> = {};
  spec.caps.forEach((cap, i) => {
    if (cap !== undefined) caps[partners[i]!] = penceText(cap);
  });
  return Object.keys(caps).length > 0 ? { bands, caps } : { bands };
}

export function inputOf(spec: CaseSpec): SettlementInput {
  const { partners, strategies } = spec;
  const budget: LineAmount[] = [];
  const outturn: LineAmount[] = [];
  const seen = new Set<string>();
  for (const line of spec.lines) {
    const key = { strategyId: strategies[line.strategy]!, partnerId: partners[line.partner]!, arrangement: line.pooled ? ('pooled' as const) : ('aligned' as const) };
    const id = JSON.stringify(key);
    if (seen.has(id)) continue;
    seen.add(id);
    if (line.side !== 'outturn') budget.push({ ...key, amount: penceText(line.budget) });
    if (line.side !== 'budget') outturn.push({ ...key, amount: penceText((line.side === 'both' ? line.budget : 0n) + line.delta) });
  }
  const potOf = [...spec.potOf];
  if (!potOf.some((k) => k >= 0)) potOf[0] = 0;
  const pots: Pot[] = [];
  spec.rules.forEach((_, r) => {
    if (r % 2 === 1) return;
    const k = r / 2;
    const members = strategies.filter((_, s) => potOf[s] === k);
    if (members.length === 0) return;
    pots.push({ potId: `pot-${k}`, strategies: members, overspend: ruleOf(spec.rules[r]!, partners), underspend: ruleOf(spec.rules[r + 1]!, partners) });
  });
  return { partners, budget, outturn, agreement: { pots } };
}

// ---------------------------------------------------------------------------------------
// Comparison

export type Outcome = { ok: true; figures: SettlementFigures } | { ok: false; code: string; error: unknown };

export function runEngine(input: SettlementInput): Outcome {
  try {
    return { ok: true, figures: computeSettlement(structuredClone(input)) };
  } catch (error) {
    if (error instanceof DomainError) return { ok: false, code: error.code, error };
    throw error; // an invariant broken inside the engine, or a generator bug
  }
}

export type OracleOutcome = { ok: true; result: ReferenceResult } | { ok: false; codes: string[] };

export function runOracle(input: SettlementInput): OracleOutcome {
  try {
    return { ok: true, result: referenceSettlementTraced(input) };
  } catch (error) {
    if (error instanceof OracleRefusal) return { ok: false, codes: error.codes };
    throw error;
  }
}

/** The spec-defined figures: everything but the displayed band slices (SETTLEMENT.md is silent on those). */
export function specFigures(figures: SettlementFigures): unknown {
  return { ...figures, pots: figures.pots.map(({ bands: _bands, ...pot }) => pot) };
}

/** Asserts engine = oracle (or both refuse); returns the oracle's outcome for statistics. */
export function compare(input: SettlementInput): OracleOutcome {
  const expected = runOracle(input);
  const actual = runEngine(input);
  if (!expected.ok) {
    assert.ok(!actual.ok, `the oracle refuses (${expected.codes.join(', ')}) but the engine settles`);
    assert.ok(expected.codes.includes(actual.code), `engine refuses with ${actual.code}, oracle with ${expected.codes.join(', ')}`);
    return expected;
  }
  if (!actual.ok) assert.fail(`the engine refuses (${actual.code}: ${String(actual.error)}) but the oracle settles`);
  assert.deepStrictEqual(specFigures(actual.figures), specFigures(expected.result.figures));
  assert.equal(engineVersionOf(actual.figures), expected.result.engineVersion);
  return expected;
}

/** A what-if seed as the engine's input; its decisions taken as adopted, versions 1, 2, … */
export function seed(name: string): SettlementInput {
  const raw = JSON.parse(fs.readFileSync(path.join(SEEDS_DIR, 'whatif', name), 'utf8')) as Omit<SettlementInput, 'partners' | 'decisions'> & {
    partners: { partnerId: string }[];
    decisions?: Omit<AdoptedDecision, 'version'>[];
  };
  const { decisions, ...rest } = raw;
  const input: SettlementInput = { ...rest, partners: raw.partners.map((partner) => partner.partnerId) };
  if (decisions !== undefined) input.decisions = decisions.map((decision, index) => ({ version: index + 1, ...decision }));
  return input;
}

