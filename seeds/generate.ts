// Writes seeds/plymouth-2015-16.json and seeds/plymouth-wider-2015-16.json.
//
//   npx tsx seeds/generate.ts           write both files
//   npx tsx seeds/generate.ts --check   exit 1 if the committed files differ from what this makes
//
// Deterministic: no clock, no Math.random. The published figures are typed in below
// with their citations; everything else is illustrative and marked so in the output.
// The month-by-month story is authored as forecast variances per line (pounds), and
// spend to date is derived from them with a monthly profile and a seeded (LCG)
// timing wobble, all in exact decimal arithmetic.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Dec, formatAmount, parseAmount, type Decimal } from '../src/domain/money.js';
import type { AgreementTerms, Arrangement } from '../src/domain/terms-types.js';
import type {
  SeedBudgetLine,
  SeedDocument,
  SeedFundYear,
  SeedReturnLine,
  SeedSource,
  SeedStep,
} from '../src/cli/demo.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const PLYMOUTH_SEED_FILE = path.join(HERE, 'plymouth-2015-16.json');
export const WIDER_SEED_FILE = path.join(HERE, 'plymouth-wider-2015-16.json');

// --- the documents ----------------------------------------------------------

// Cited by title and publisher; a source names its document by the key used here.
export const DOCUMENTS: Record<string, SeedDocument> = {
  framework: {
    title: 'One system, one budget: integrated commissioning strategic framework (2015)',
    publisher: 'Plymouth City Council and NHS Northern, Eastern and Western Devon CCG (Western Locality)',
  },
  'case-study': {
    title: 'Integrating health and social care: Plymouth case study',
    publisher: 'Local Government Association (from an evidence review by the Institute of Public Care)',
  },
  wellbeing: {
    title: 'Wellbeing commissioning strategy, one of the four integrated commissioning strategies',
    publisher: 'Plymouth City Council and NHS Northern, Eastern and Western Devon CCG',
  },
  hwb: {
    title: 'Plymouth Health and Wellbeing Board (a case study of its integrated care systems resource)',
    publisher: 'Local Government Association',
  },
};

/**
 * A phrase only the document itself contains: with SEED_DOCUMENTS_DIR (plain-text copies of
 * the documents, any file names), it tells which file is which before the quotes are checked.
 */
export const RECOGNISED_BY: Record<string, string> = {
  framework: 'This document is a strategic framework setting the strategic context',
  'case-study': 'Plymouth Case Study',
  wellbeing: 'At the heart of the Wellbeing Strategy',
  hwb: 'This case study forms part of our integrated care systems (ICS) resource',
};

const FRAMEWORK = 'framework';
const CASE_STUDY = 'case-study';

function cite(document: string, quote: string): SeedSource {
  return { document, quote };
}

// --- partners and strategies ------------------------------------------------

const PARTNERS = [
  { partnerId: 'ccg', name: 'NHS Northern, Eastern and Western Devon CCG (NEW Devon CCG)' },
  { partnerId: 'council', name: 'Plymouth City Council' },
];

type StrategyId = 'children-young-people' | 'community' | 'enhanced-specialised-care' | 'wellbeing';

const STRATEGY_NAMES: Record<StrategyId, string> = {
  'children-young-people': 'Children and Young People',
  community: 'Community',
  'enhanced-specialised-care': 'Enhanced and Specialised Care',
  wellbeing: 'Wellbeing',
};
const STRATEGY_ORDER: StrategyId[] = ['wellbeing', 'children-young-people', 'community', 'enhanced-specialised-care'];

// The published figures (£m to two places), each with the line that states it.
interface PublishedFund {
  total: string;
  totalQuote: string;
  strategies: Record<StrategyId, { amount: string; quote: string }>;
}

const PLYMOUTH_PUBLISHED: PublishedFund = {
  total: '476.12',
  totalQuote: 'Plymouth Integrated Fund for Health and Wellbeing - £476.12 million',
  strategies: {
    'children-young-people': { amount: '55.27', quote: 'Children and Young People £55.27 million' },
    community: { amount: '226.09', quote: 'Community £226.09 million' },
    'enhanced-specialised-care': { amount: '28.54', quote: 'Enhanced and Specialised Care £28.54 million' },
    wellbeing: { amount: '166.22', quote: 'Wellbeing £166.22 million' },
  },
};

const WIDER_PUBLISHED: PublishedFund = {
  total: '564.06',
  totalQuote:
    'Plymouth (Health and Wellbeing) and South Hams and West Devon (Health) Fund - £564.06 million',
  strategies: {
    'children-young-people': { amount: '56.91', quote: 'Children and Young People £56.91 million' },
    community: { amount: '272.37', quote: 'Community £272.37 million' },
    'enhanced-specialised-care': { amount: '29.30', quote: 'Enhanced and Specialised Care £29.30 million' },
    wellbeing: { amount: '205.48', quote: 'Wellbeing £205.48 million' },
  },
};

function millions(text: string): string {
  return formatAmount(Dec(text).times(Dec('1000000')));
}

// --- the budget (illustrative split of the published strategy totals) -------

// Plymouth City Council's lines. The council is in both funds (the wider fund adds
// only South Hams and West Devon *health* budgets), so its lines are the same in both.
// Together they are 23.0% of £476.12m, the shape the project issue gives for the
// Section 75 agreement (about 77:23 CCG:council).
const COUNCIL_POOLED: Record<StrategyId, string> = {
  wellbeing: '15917300.00',
  'children-young-people': '31482650.00',
  community: '58606240.00',
  'enhanced-specialised-care': '3503810.00',
};

// NHS functions the partnership regulations keep out of pooled funds (e.g. surgery)
// are aligned: reported beside the pool, never shared.
const CCG_ALIGNED: Record<'plymouth' | 'wider', Partial<Record<StrategyId, string>>> = {
  plymouth: { wellbeing: '38415900.00', 'enhanced-specialised-care': '6196500.00' },
  wider: { wellbeing: '47382600.00', 'enhanced-specialised-care': '6388200.00' },
};

function budgetLines(published: PublishedFund, aligned: Partial<Record<StrategyId, string>>): SeedBudgetLine[] {
  const lines: SeedBudgetLine[] = [];
  for (const strategyId of STRATEGY_ORDER) {
    const total = parseAmount(millions(published.strategies[strategyId].amount));
    const council = parseAmount(COUNCIL_POOLED[strategyId]);
    const alignedText = aligned[strategyId];
    const ccgAligned = alignedText === undefined ? Dec('0') : parseAmount(alignedText);
    const ccgPooled = total.minus(council).minus(ccgAligned);
    lines.push({
      strategyId,
      partnerId: 'ccg',
      arrangement: 'pooled',
      amount: formatAmount(ccgPooled),
      illustrative: true,
      note: 'balancing figure: the published strategy total minus the other (illustrative) lines of the strategy',
    });
    if (alignedText !== undefined) {
      lines.push({
        strategyId,
        partnerId: 'ccg',
        arrangement: 'aligned',
        amount: alignedText,
        illustrative: true,
        note: 'amount illustrative; the arrangement follows the case study: budgets that could not legally be pooled were aligned',
        source: cite(CASE_STUDY, 'Where budgets couldn’t legally be pooled they were aligned.'),
      });
    }
    lines.push({
      strategyId,
      partnerId: 'council',
      arrangement: 'pooled',
      amount: COUNCIL_POOLED[strategyId],
      illustrative: true,
      note: "council's part of the strategy: illustrative, shaped to a fund split of about 77:23 CCG:council (project issue 5; not stated in the seed documents)",
    });
  }
  return lines;
}

// --- the agreement (illustrative) -------------------------------------------

const AGREEMENT_TERMS: AgreementTerms = {
  pots: [
    {
      potId: 'integrated-fund',
      strategies: ['wellbeing', 'children-young-people', 'community'],
      overspend: {
        bands: [
          { upToPercentOfBudget: '1', basis: 'contribution' },
          { upToPercentOfBudget: '2', basis: 'fixed', weights: { ccg: '0.5', council: '0.5' } },
          { basis: 'contribution' },
        ],
        caps: { council: '1750000.00' },
      },
      underspend: { bands: [{ basis: 'contribution' }] },
    },
    {
      potId: 'enhanced-specialised-care',
      strategies: ['enhanced-specialised-care'],
      overspend: { bands: [{ basis: 'lead', partnerId: 'ccg' }] },
      underspend: { own: true },
    },
  ],
};

const AGREEMENT_NOTE =
  'Illustrative terms, not the signed agreement. Integrated fund pot (Wellbeing, Children and Young People, ' +
  'Community): an overspend up to 1% of the pot budget falls by contribution, 1–2% half each, beyond 2% by ' +
  "contribution, with the council's overspend share capped at £1.75m a year; an underspend falls by contribution. " +
  "Enhanced and Specialised Care pot: the council's acute exposure is ring-fenced, so the CCG carries any net " +
  'overspend and each partner keeps its own underspend.';

// --- the story: forecast variance per line, month by month (pounds) ---------

type LineKey = `${StrategyId}/${'ccg' | 'council'}/${Arrangement}`;

/** Forecast variance (outturn − budget) reported at M1..M12; M12 is the actual variance. */
const STORY: Partial<Record<LineKey, string[]>> = {
  // Prescribing: Category M price cuts and switching deliver a steady underspend.
  'wellbeing/ccg/pooled': ['0', '-150000', '-310000', '-420600', '-515200', '-640800', '-702500', '-780300', '-866900', '-951400', '-1012700', '-1046251.18'],
  // Planned care procedures that cannot be pooled: elective activity above plan.
  'wellbeing/ccg/aligned': ['0', '0', '60000', '95000', '140000', '182500', '230000', '265400', '310800', '362000', '401500', '418305.40'],
  // Public health contracts re-let below their budget.
  'wellbeing/council/pooled': ['0', '0', '-35000', '-60000', '-88400', '-112500', '-140000', '-171300', '-198650', '-220400', '-241100', '-252730.55'],
  'children-young-people/ccg/pooled': ['0', '0', '-20000', '-45600', '-61200', '-80300', '-96800', '-110400', '-125000', '-140750', '-152300', '-148962.44'],
  // Looked-after children: independent placements climb through the year.
  'children-young-people/council/pooled': ['0', '65000', '140300', '212800', '388100', '520400', '690750', '845200', '960900', '1102350', '1180600', '1214836.09'],
  // Continuing healthcare packages.
  'community/ccg/pooled': ['0', '0', '250000', '410500', '690200', '1050000', '1322700', '1689300', '2210400', '2604800', '2873200', '2941275.62'],
  // Home care and residential placements: the winter pressure.
  'community/council/pooled': ['0', '118400', '476250', '905900', '1238700', '1604300', '1977850', '2346100', '2718450', '3047600', '3238950', '3126418.37'],
  // Acute: below plan in spring, then winter pressure turns it into an overspend.
  'enhanced-specialised-care/ccg/pooled': ['0', '-80000', '-140500', '-95200', '-30000', '120400', '305800', '512300', '790600', '1080400', '1262900', '1348127.91'],
  'enhanced-specialised-care/ccg/aligned': ['0', '0', '25000', '48000', '80000', '112600', '150200', '190000', '228700', '270100', '298400', '309882.75'],
  'enhanced-specialised-care/council/pooled': ['0', '0', '-10000', '-18500', '-25000', '-36200', '-44800', '-52300', '-61000', '-70400', '-76900', '-79644.20'],
};

/** Share of the year's spend falling in each month (percent, April..March). */
const PROFILE_FLAT = Array.from({ length: 12 }, () => '8.333333333333333333333333333333');
const PROFILE_WINTER = ['8.0', '8.0', '8.0', '8.0', '8.0', '8.0', '8.3', '8.5', '8.8', '9.0', '8.7', '8.7'];

function profileOf(strategyId: string): string[] {
  return strategyId === 'community' || strategyId === 'enhanced-specialised-care' ? PROFILE_WINTER : PROFILE_FLAT;
}

/** A 64-bit LCG (Knuth's MMIX constants): the same seed gives the same wobble, forever. */
function lcg(seed: bigint): () => bigint {
  let state = seed;
  return () => {
    state = (state * 6364136223846793005n + 1442695040888963407n) % 18446744073709551616n;
    return state >> 33n;
  };
}

/** Whole basis points in [-40, 40]: ±0.4% of a month's spend, the timing of accruals. */
function wobbleBasisPoints(next: () => bigint): Decimal {
  return Dec(((next() % 81n) - 40n).toString());
}

interface LineFigures {
  actualToDate: string[];
  forecastOutturn: string[];
}

function lineFigures(line: SeedBudgetLine, next: () => bigint): LineFigures {
  const key = `${line.strategyId}/${line.partnerId}/${line.arrangement}` as LineKey;
  const story = STORY[key];
  if (story === undefined) throw new Error(`no story for ${key}`);
  const budget = parseAmount(line.amount);
  const profile = profileOf(line.strategyId);
  const actualToDate: string[] = [];
  const forecastOutturn: string[] = [];
  let cumulativePercent = Dec('0');
  for (let month = 0; month < 12; month += 1) {
    const outturn = budget.plus(Dec(story[month]!));
    cumulativePercent = cumulativePercent.plus(Dec(profile[month]!));
    forecastOutturn.push(formatAmount(outturn.round(2)));
    if (month === 11) {
      actualToDate.push(formatAmount(outturn.round(2)));
      continue;
    }
    const monthSpend = budget.times(Dec(profile[month]!)).div(Dec('100'));
    const wobble = monthSpend.times(wobbleBasisPoints(next)).div(Dec('10000'));
    const spent = outturn.times(cumulativePercent).div(Dec('100')).plus(wobble);
    actualToDate.push(formatAmount(spent.round(2, Dec.roundHalfEven)));
  }
  return { actualToDate, forecastOutturn };
}

function returnLines(
  lines: SeedBudgetLine[],
  figures: Map<SeedBudgetLine, LineFigures>,
  partnerId: string,
  month: number,
): SeedReturnLine[] {
  return lines
    .filter((line) => line.partnerId === partnerId)
    .map((line) => {
      const f = figures.get(line)!;
      return {
        strategyId: line.strategyId,
        arrangement: line.arrangement,
        actualToDate: f.actualToDate[month - 1]!,
        forecastOutturn: f.forecastOutturn[month - 1]!,
      };
    });
}

function submit(
  lines: SeedBudgetLine[],
  figures: Map<SeedBudgetLine, LineFigures>,
  partnerId: string,
  month: number,
  extra: { correction?: true; late?: true; note?: string } = {},
): SeedStep {
  return {
    action: 'submitReturn',
    partnerId,
    period: `M${month}`,
    ...extra,
    illustrative: true,
    lines: returnLines(lines, figures, partnerId, month),
  };
}

const MONTHS = ['April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December', 'January', 'February', 'March'];

function allFigures(lines: SeedBudgetLine[], seed: bigint): Map<SeedBudgetLine, LineFigures> {
  const next = lcg(seed);
  const figures = new Map<SeedBudgetLine, LineFigures>();
  for (const line of lines) figures.set(line, lineFigures(line, next));
  return figures;
}

/** The Plymouth year: M1..M12, a corrected M7, a late M9, close, one adjustment, final. */
function plymouthTimeline(lines: SeedBudgetLine[]): SeedStep[] {
  const figures = allFigures(lines, 20150401n);
  const steps: SeedStep[] = [];
  for (let month = 1; month <= 12; month += 1) {
    const label = `M${month}`;
    if (month === 7) {
      steps.push(submit(lines, figures, 'ccg', 7));
      steps.push(mistypedCouncilM7(lines, figures));
      steps.push({ action: 'forecastSettlement', label, note: "council's M7 Community forecast mistyped (+£270,000)" });
      steps.push(
        submit(lines, figures, 'council', 7, {
          correction: true,
          note: 'corrects the Community forecast keyed as 60,854,090.00 instead of 60,584,090.00',
        }),
      );
      steps.push({ action: 'forecastSettlement', label: 'M7 corrected', note: 'council resubmits M7 with "correction": true' });
      continue;
    }
    if (month === 9) {
      steps.push(submit(lines, figures, 'council', 9));
      steps.push({ action: 'forecastSettlement', label, note: "CCG's M9 return is late: the run uses its M8" });
      continue;
    }
    if (month === 10) {
      steps.push(submit(lines, figures, 'ccg', 9, { late: true, note: `${MONTHS[8]} return, sent in ${MONTHS[9]} after the M9 run` }));
    }
    steps.push(submit(lines, figures, 'ccg', month));
    steps.push(submit(lines, figures, 'council', month));
    const lateNote = month === 10 ? "CCG's late M9 arrived first" : undefined;
    steps.push({ action: 'forecastSettlement', label, ...(lateNote === undefined ? {} : { note: lateNote }) });
  }
  steps.push({ action: 'closeYear' });
  steps.push({
    action: 'adjustOutturn',
    partnerId: 'ccg',
    strategyId: 'community',
    arrangement: 'pooled',
    amount: '238500.00',
    reason: 'Retrospective continuing healthcare claims agreed after the year-end close (illustrative)',
    illustrative: true,
  });
  steps.push({ action: 'finalSettlement' });
  return steps;
}

/** The council's first M7 return, with two digits of the Community forecast transposed. */
function mistypedCouncilM7(lines: SeedBudgetLine[], figures: Map<SeedBudgetLine, LineFigures>): SeedStep {
  const step = submit(lines, figures, 'council', 7, {
    note: 'Community forecast mistyped (60,854,090.00 for 60,584,090.00); corrected after the M7 run',
  });
  if (step.action !== 'submitReturn') throw new Error('unreachable');
  const community = step.lines.find((line) => line.strategyId === 'community')!;
  if (community.forecastOutturn !== '60584090.00') {
    throw new Error(`story changed: council M7 community forecast is ${community.forecastOutturn}`);
  }
  community.forecastOutturn = '60854090.00';
  return step;
}

/** The wider fund is shown part-way through its year: M1..M6 and one forecast. */
function widerTimeline(lines: SeedBudgetLine[]): SeedStep[] {
  const figures = allFigures(lines, 20150402n);
  const steps: SeedStep[] = [];
  for (let month = 1; month <= 6; month += 1) {
    steps.push(submit(lines, figures, 'ccg', month));
    steps.push(submit(lines, figures, 'council', month));
  }
  steps.push({ action: 'forecastSettlement', label: 'M6', note: 'half-year forecast; the year is left open' });
  return steps;
}

function strategies(published: PublishedFund): SeedFundYear['strategies'] {
  return STRATEGY_ORDER.map((strategyId) => ({
    strategyId,
    name: STRATEGY_NAMES[strategyId],
    total: millions(published.strategies[strategyId].amount),
    source: cite(FRAMEWORK, published.strategies[strategyId].quote),
  }));
}

const COMMENT =
  'Generated by seeds/generate.ts; edit that script, not this file. Published figures carry a "source" ' +
  '(a key of "documents", which gives title and publisher, and the quote); everything marked "illustrative": true was chosen for the demo.';

interface SeedSpec {
  fundId: string;
  name: string;
  published: typeof PLYMOUTH_PUBLISHED;
  aligned: (typeof CCG_ALIGNED)[keyof typeof CCG_ALIGNED];
  timeline: (lines: ReturnType<typeof budgetLines>) => SeedFundYear['timeline'];
}

function buildSeed(spec: SeedSpec): SeedFundYear {
  const lines = budgetLines(spec.published, spec.aligned);
  return {
    $comment: COMMENT,
    fundId: spec.fundId,
    year: '2015-16',
    name: spec.name,
    documents: DOCUMENTS,
    total: { amount: millions(spec.published.total), source: cite(FRAMEWORK, spec.published.totalQuote) },
    partners: PARTNERS,
    strategies: strategies(spec.published),
    budget: { lines },
    agreement: { terms: AGREEMENT_TERMS, illustrative: true, note: AGREEMENT_NOTE },
    timeline: spec.timeline(lines),
  };
}

export function buildPlymouthSeed(): SeedFundYear {
  return buildSeed({
    fundId: 'plymouth-integrated-fund',
    name: 'Plymouth Integrated Fund for Health and Wellbeing',
    published: PLYMOUTH_PUBLISHED,
    aligned: CCG_ALIGNED.plymouth,
    timeline: plymouthTimeline,
  });
}

export function buildWiderSeed(): SeedFundYear {
  return buildSeed({
    fundId: 'plymouth-south-hams-west-devon',
    name: 'Plymouth (Health and Wellbeing) and South Hams and West Devon (Health) Fund',
    published: WIDER_PUBLISHED,
    aligned: CCG_ALIGNED.wider,
    timeline: widerTimeline,
  });
}

export function seedText(seed: SeedFundYear): string {
  return `${JSON.stringify(seed, null, 2)}\n`;
}

// --- checking the citations against the documents ---------------------------

function normalise(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function* sourcesOf(value: unknown): Generator<SeedSource> {
  if (Array.isArray(value)) {
    for (const item of value) yield* sourcesOf(item);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'source') yield item as SeedSource;
      else yield* sourcesOf(item);
    }
  }
}

/** The text of each cited document found in `documentsDir` (plain-text copies, any file names). */
function documentTexts(documentsDir: string): Map<string, string[]> {
  const files = readdirSync(documentsDir).map((name) => normalise(readFileSync(path.join(documentsDir, name), 'utf8')));
  return new Map(Object.entries(RECOGNISED_BY).map(([key, phrase]) => [key, files.filter((text) => text.includes(normalise(phrase)))]));
}

/** Every source names a listed document, and its quote appears (whitespace-normalised) in that document. */
export function checkQuotes(seed: SeedFundYear, documentsDir: string): string[] {
  const texts = documentTexts(documentsDir);
  const problems = new Set<string>(); // a quote cited on several lines is one problem
  for (const source of sourcesOf(seed)) {
    const copies = Object.hasOwn(seed.documents, source.document) ? texts.get(source.document) ?? [] : undefined;
    if (copies === undefined) problems.add(`${source.document}: not a document of "documents"`);
    else if (copies.length === 0) problems.add(`${source.document}: no copy of "${seed.documents[source.document]!.title}" in ${documentsDir}`);
    else if (!copies.some((text) => text.includes(normalise(source.quote)))) problems.add(`${source.document}: quote not found: ${source.quote}`);
  }
  return [...problems];
}

function main(): void {
  const check = process.argv.includes('--check');
  // Optional: where plain-text copies of the cited documents are, to check every quote.
  const documentsDir = process.env['SEED_DOCUMENTS_DIR'];
  let failed = false;
  for (const [file, seed] of [
    [PLYMOUTH_SEED_FILE, buildPlymouthSeed()],
    [WIDER_SEED_FILE, buildWiderSeed()],
  ] as const) {
    if (documentsDir !== undefined) {
      const problems = checkQuotes(seed, documentsDir);
      for (const problem of problems) console.error(problem);
      failed ||= problems.length > 0;
    }
    const text = seedText(seed);
    if (check) {
      const same = existsSync(file) && readFileSync(file, 'utf8') === text;
      if (!same) console.error(`${path.basename(file)} differs from what seeds/generate.ts makes`);
      failed ||= !same;
    } else {
      writeFileSync(file, text);
      console.log(`wrote ${path.relative(process.cwd(), file)}`);
    }
  }
  console.log(documentsDir === undefined ? '(SEED_DOCUMENTS_DIR not set: quotes not checked)' : `quotes checked against ${documentsDir}`);
  process.exitCode = failed ? 1 : 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
