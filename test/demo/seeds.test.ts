// The seed data is internally consistent, reproducible, and every figure says where it came from.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SEEDS_DIR } from '../../src/paths.js';
import { Dec, isAmount, parseAmount, sumAmounts } from '../../src/domain/money.js';
import { checkTerms } from '../../src/schema-check.js';
import type { SeedFundYear, SeedStep } from '../../src/cli/demo.js';
import { like } from '../fixtures/like.js';
import { buildPlymouthSeed, buildWiderSeed, checkQuotes, RECOGNISED_BY, seedText } from '../../seeds/generate.js';

const FILES = {
  plymouth: path.join(SEEDS_DIR, 'plymouth-2015-16.json'),
  wider: path.join(SEEDS_DIR, 'plymouth-wider-2015-16.json'),
};

function load(file: string): SeedFundYear {
  return JSON.parse(readFileSync(file, 'utf8')) as SeedFundYear;
}

/** "£476.12 million" in a quote, as pounds: "476120000.00". */
function quotedMillions(quote: string): string {
  const match = /£([0-9]+\.[0-9]{2}) million/.exec(quote);
  if (match === null) throw new Error(`no £ figure in ${quote}`);
  return Dec(match[1]!).times(Dec('1000000')).toFixed(2);
}

type ReturnStep = Extract<SeedStep, { action: 'submitReturn' }>;
const returnsOf = (seed: SeedFundYear): ReturnStep[] =>
  seed.timeline.filter((step): step is ReturnStep => step.action === 'submitReturn');

t.test('the committed seed files are exactly what seeds/generate.ts makes', async (t) => {
  t.equal(readFileSync(FILES.plymouth, 'utf8'), seedText(buildPlymouthSeed()));
  t.equal(readFileSync(FILES.wider, 'utf8'), seedText(buildWiderSeed()));
});

for (const [name, file, published] of [
  ['plymouth', FILES.plymouth, { total: '476120000.00', strategies: ['55270000.00', '226090000.00', '28540000.00', '166220000.00'] }],
  ['wider', FILES.wider, { total: '564060000.00', strategies: ['56910000.00', '272370000.00', '29300000.00', '205480000.00'] }],
] as const) {
  const seed = load(file);

  t.test(`${name}: strategy totals are the published figures, and the budget sums to them exactly`, async (t) => {
    t.equal(seed.total.amount, published.total);
    t.ok('source' in seed.total, 'the fund total is cited');
    if ('source' in seed.total && seed.total.source !== undefined) {
      t.equal(quotedMillions(seed.total.source.quote), seed.total.amount, 'the quote states the total');
    }
    const byId = new Map(seed.strategies.map((s) => [s.strategyId, s]));
    t.strictSame(
      [...['children-young-people', 'community', 'enhanced-specialised-care', 'wellbeing'].map((id) => byId.get(id)?.total)],
      published.strategies,
    );
    t.equal(sumAmounts(seed.strategies.map((s) => s.total)), seed.total.amount, 'strategies sum to the fund');
    for (const strategy of seed.strategies) {
      t.ok(strategy.source, `${strategy.strategyId} is cited`);
      t.equal(quotedMillions(strategy.source!.quote), strategy.total, `${strategy.strategyId}: quote states the total`);
      const lines = seed.budget.lines.filter((line) => line.strategyId === strategy.strategyId);
      t.equal(sumAmounts(lines.map((line) => line.amount)), strategy.total, `${strategy.strategyId}: lines sum exactly`);
    }
    t.equal(sumAmounts(seed.budget.lines.map((line) => line.amount)), published.total);
  });

  t.test(`${name}: budget lines are valid, unique, and each carries its provenance`, async (t) => {
    const keys = new Set<string>();
    for (const line of seed.budget.lines) {
      const key = `${line.strategyId}/${line.partnerId}/${line.arrangement}`;
      t.notOk(keys.has(key), `${key} once`);
      keys.add(key);
      t.ok(isAmount(line.amount) && !parseAmount(line.amount).lt(Dec('0')), `${key}: a non-negative amount`);
      t.ok('illustrative' in line ? line.illustrative === true && line.note.length > 0 : line.source !== undefined, `${key}: provenance`);
      t.ok(seed.partners.some((p) => p.partnerId === line.partnerId), `${key}: declared partner`);
      t.ok(seed.strategies.some((s) => s.strategyId === line.strategyId), `${key}: declared strategy`);
    }
    t.ok(seed.budget.lines.some((line) => line.arrangement === 'aligned'), 'some budget is aligned');
    t.ok('illustrative' in seed.agreement && seed.agreement.illustrative, 'the agreement terms are marked illustrative');
    const declared = { partners: seed.partners.map((p) => p.partnerId), strategies: seed.strategies.map((s) => s.strategyId) };
    t.strictSame(checkTerms(seed.agreement.terms, declared), [], 'the agreement terms are valid (schema and rules)');
  });

  t.test(`${name}: the CCG:council split is about 77:23`, async (t) => {
    const council = sumAmounts(seed.budget.lines.filter((l) => l.partnerId === 'council').map((l) => l.amount));
    const share = parseAmount(council).div(parseAmount(seed.total.amount)).times(Dec('100'));
    if (name === 'plymouth') t.equal(share.toFixed(2), '23.00', 'council 23.00% of £476.12m');
    else t.ok(share.gt(Dec('18')) && share.lt(Dec('23')), `council ${share.toFixed(2)}% of the wider fund (same council lines)`);
  });

  t.test(`${name}: each return covers exactly that partner's lines, once, with valid amounts`, async (t) => {
    for (const step of returnsOf(seed)) {
      const expected = seed.budget.lines
        .filter((line) => line.partnerId === step.partnerId)
        .map((line) => `${line.strategyId}/${line.arrangement}`)
        .sort();
      const got = step.lines.map((line) => `${line.strategyId}/${line.arrangement}`).sort();
      t.strictSame(got, expected, `${step.partnerId} ${step.period}${step.correction === true ? ' (correction)' : ''}`);
      t.equal(step.illustrative, true);
      t.ok(/^M([1-9]|1[0-2])$/.test(step.period));
      for (const line of step.lines) {
        t.ok(isAmount(line.actualToDate) && isAmount(line.forecastOutturn), `${step.partnerId} ${step.period} amounts`);
        if (step.period === 'M12') t.equal(line.actualToDate, line.forecastOutturn, 'at M12 the forecast is the actual');
      }
    }
  });
}

t.test('plymouth: the story — every month from each partner, one correction, one late return, one adjustment', async (t) => {
  const seed = load(FILES.plymouth);
  const returns = returnsOf(seed);
  for (const partnerId of ['ccg', 'council']) {
    const firsts = returns.filter((r) => r.partnerId === partnerId && r.correction !== true).map((r) => r.period);
    t.strictSame(firsts, Array.from({ length: 12 }, (_, i) => `M${i + 1}`), `${partnerId}: M1..M12 in order, once each`);
  }
  const corrections = returns.filter((r) => r.correction === true);
  t.equal(corrections.length, 1, 'one correction');
  const correction = corrections[0]!;
  const original = returns.find((r) => r.partnerId === correction.partnerId && r.period === correction.period && r.correction !== true)!;
  t.ok(returns.indexOf(original) < returns.indexOf(correction), 'the correction follows the return it corrects');
  t.notSame(original.lines, correction.lines, 'and changes a figure');

  const late = returns.filter((r) => r.late === true);
  t.equal(late.length, 1, 'one late return');
  const lateIndex = seed.timeline.indexOf(late[0]!);
  const runForItsMonth = seed.timeline.findIndex((s) => s.action === 'forecastSettlement' && s.label === late[0]!.period);
  t.ok(runForItsMonth >= 0 && runForItsMonth < lateIndex, "the late return arrives after its month's forecast run");

  const actions = seed.timeline.map((s) => s.action);
  t.equal(actions.filter((a) => a === 'adjustOutturn').length, 1, 'one post-close adjustment');
  t.ok(actions.indexOf('closeYear') < actions.indexOf('adjustOutturn'), 'the adjustment is after the close');
  t.equal(actions.at(-1), 'finalSettlement');
  t.equal(actions.filter((a) => a === 'forecastSettlement').length, 13, 'a forecast after each month (and after the correction)');

  // The story drifts: the fund's forecast variance moves from nil at M1 to an overspend.
  const fundVariance = (period: string): string => {
    const lines = returns.filter((r) => r.period === period && r.correction !== true).flatMap((r) => r.lines);
    const outturn = sumAmounts(lines.map((l) => l.forecastOutturn));
    return parseAmount(outturn).minus(parseAmount(seed.total.amount)).toFixed(2);
  };
  t.equal(fundVariance('M1'), '0.00', 'on budget at M1');
  t.ok(parseAmount(fundVariance('M12')).gt(Dec('5000000')), 'an overspend of more than £5m by M12');
});

t.test('sources cite documents by title and publisher, never by a path of some machine', async (t) => {
  for (const file of Object.values(FILES)) {
    const seed = load(file);
    const cited = new Set<string>();
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value !== null && typeof value === 'object') {
        for (const [key, item] of Object.entries(value)) (key === 'source' ? cited.add((item as { document: string }).document) : walk(item));
      }
    };
    walk(seed);
    t.strictSame([...cited].sort(), ['case-study', 'framework'], `${path.basename(file)}: the documents cited`);
    for (const [key, document] of Object.entries(seed.documents)) {
      t.strictSame(Object.keys(document), ['title', 'publisher'], `${key}: title and publisher`);
      t.ok(document.title.length > 0 && document.publisher.length > 0, `${key}: both given`);
    }
    t.notMatch(readFileSync(file, 'utf8'), /\/work\/|\/home\/|\/tmp\/|\.txt\b/, 'no file path in the data');
  }
});

t.test('with SEED_DOCUMENTS_DIR, every quote is checked in the copy of the document it cites', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'poolshare-seed-docs-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const seed = buildPlymouthSeed();
  const quotesOf = (key: string): string[] => {
    const quotes: string[] = [];
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value !== null && typeof value === 'object') {
        const source = (value as { source?: { document: string; quote: string } }).source;
        if (source?.document === key) quotes.push(source.quote);
        Object.values(value).forEach(walk);
      }
    };
    walk(seed);
    return quotes;
  };
  // Copies under any file names: each is known by a phrase of its own.
  const copy = (key: string, quotes: string[]) => writeFileSync(path.join(dir, `${key}-copy.txt`), [RECOGNISED_BY[key], ...quotes].join('\n'));
  copy('framework', quotesOf('framework'));
  copy('case-study', quotesOf('case-study'));
  t.strictSame(checkQuotes(seed, dir), [], 'every quote found');
  const [first, ...others] = quotesOf('framework');
  copy('framework', others);
  t.strictSame(checkQuotes(seed, dir), [`framework: quote not found: ${first}`], 'a quote missing from its document');
  rmSync(path.join(dir, 'case-study-copy.txt'));
  like(t, checkQuotes(seed, dir), [`framework: quote not found: ${first}`, /^case-study: no copy of "Integrating health and social care: Plymouth case study"/]);
});
