// The web app's pure parts, in Node: amounts are only formatted (string work, never
// a number), terms read as words, refusals land on the row and field they name,
// and page paths parse. The pages themselves run in a real browser (browser.test.ts).
import t from 'tap';
import { formatAmount, formatPounds, isNegative, nextPeriod, normaliseAmountInput, weightAsPercent } from '../../web/src/format.js';
import { lineKey, placeErrors } from '../../web/src/returns/errors.js';
import { fundYearPath, parseRoute } from '../../web/src/routes.js';
import { decisionInWords, paymentInWords, potInWords, reserveInWords, ruleInWords } from '../../web/src/terms-words.js';
import { csvRows, placeUploadErrors } from '../../web/src/returns/upload-errors.js';
import { overviewFromPack } from '../../web/src/overview/monitoring-source.js';
import type { MonitoringPack, PackFigures } from '../../web/src/api/pending.js';
import { exampleATerms } from '../../src/examples.js';

t.test('amounts: thousands separators and two decimals, by string work only', async (t) => {
  const cases: [string, string][] = [
    ['1234.5', '1,234.50'],
    ['-1234.50', '-1,234.50'],
    ['0', '0.00'],
    ['0.00', '0.00'],
    ['999.99', '999.99'],
    ['1000', '1,000.00'],
    ['2258879.71', '2,258,879.71'],
    ['-476120000.00', '-476,120,000.00'],
    // Beyond any JS number's exact range: still exact, because it never becomes one.
    ['123456789012345678901234.56', '123,456,789,012,345,678,901,234.56'],
    ['0.123', '0.123'], // never rounded: shown as given
    ['abc', 'abc'], // not a decimal: shown as it came
  ];
  for (const [given, shown] of cases) t.equal(formatAmount(given), shown, `${given} → ${shown}`);
  t.equal(formatPounds('2258879.71'), '£2,258,879.71');
  t.equal(formatPounds('-5'), '-£5.00');
  t.equal(isNegative('-0.01'), true);
  t.equal(isNegative('-0.00'), false);
  t.equal(isNegative('12.00'), false);
});

t.test('typed amounts: separators and £ dropped, anything else sent as typed', async (t) => {
  t.equal(normaliseAmountInput(' 1,234.50 '), '1234.50');
  t.equal(normaliseAmountInput('£1,234,567.5'), '1234567.5');
  t.equal(normaliseAmountInput('-£1,000'), '-1000');
  t.equal(normaliseAmountInput('640000.00'), '640000.00');
  for (const typed of ['12.3.4', '1,23.00', '1,2345', 'twelve', '', '1e3']) {
    t.equal(normaliseAmountInput(typed), typed.trim(), `${JSON.stringify(typed)} left for the API to refuse`);
  }
});

t.test('weights as percentages, periods', async (t) => {
  t.equal(weightAsPercent('0.5'), '50%');
  t.equal(weightAsPercent('1'), '100%');
  t.equal(weightAsPercent('0.3333'), '33.33%');
  t.equal(weightAsPercent('0.05'), '5%');
  t.equal(weightAsPercent('0'), '0%');
  t.equal(nextPeriod(null), 'M1');
  t.equal(nextPeriod('M3'), 'M4');
  t.equal(nextPeriod('M12'), 'M12');
  t.equal(nextPeriod('Q1'), 'M1');
});

t.test('terms in words: example A', async (t) => {
  const [pot] = exampleATerms().pots;
  if (pot === undefined) throw new Error('example A has a pot');
  t.strictSame(potInWords(pot), {
    potId: 'integrated-fund',
    strategies: 'wellbeing and community',
    overspend: [
      "The overspend up to 1% of the pot's budget is shared in proportion to each partner's budget in the pot.",
      'Any overspend beyond that is split ccg 50% and council 50%.',
      "council's share of an overspend is capped at £30,000.00; the excess goes to the partners not capped, in proportion to their budgets (if none is left, it stays unallocated for the board to decide).",
    ],
    underspend: ["The whole underspend is shared in proportion to each partner's budget in the pot."],
  });
  t.strictSame(ruleInWords({ own: true }, 'underspend'), ['Each partner bears its own underspend.']);
  t.strictSame(ruleInWords({ bands: [{ upTo: '10000.00', basis: 'lead', partnerId: 'ccg' }, { upToPercentOfBudget: '2', basis: 'contribution' }, { basis: 'fixed', weights: { a: '0.6', b: '0.3', c: '0.1' } }] }, 'overspend'), [
    'The overspend up to £10,000.00 falls to ccg alone.',
    "The overspend beyond that, up to 2% of the pot's budget, is shared in proportion to each partner's budget in the pot.",
    'Any overspend beyond that is split a 60%, b 30% and c 10%.',
  ]);
  t.equal(paymentInWords({ from: 'ccg', to: 'council', amount: '2258879.71' }), 'ccg pays council £2,258,879.71');
});

t.test('refusals land on the row and field their path names', async (t) => {
  const placed = placeErrors([
    { path: '/lines/1/actualToDate', message: 'must match pattern' },
    { path: '/lines/2', message: 'is not a budget line of ccg' },
    { path: '/lines/7/forecastOutturn', message: 'beyond the form' },
    { path: '/period', message: 'must be M1..M12' },
    { path: '/lines', message: 'must cover every line' },
    { path: 'params/fundId', message: 'elsewhere' },
  ], 3);
  t.strictSame([...placed.lines.entries()], [[lineKey(1, 'actualToDate'), ['must match pattern']], [lineKey(2, ''), ['is not a budget line of ccg']]]);
  t.strictSame([...placed.fields.entries()], [['period', ['must be M1..M12']], ['lines', ['must cover every line']]]);
  t.strictSame(placed.other, [{ path: '/lines/7/forecastOutturn', message: 'beyond the form' }, { path: 'params/fundId', message: 'elsewhere' }]);
});

t.test('page paths', async (t) => {
  const fy = { fundId: 'plymouth-integrated-fund', year: '2015-16' };
  t.strictSame(parseRoute('/', ''), { page: 'funds' });
  t.strictSame(parseRoute(fundYearPath(fy), ''), { page: 'overview', ...fy });
  t.strictSame(parseRoute(fundYearPath(fy, '/settlements/abc-1'), ''), { page: 'settlement', ...fy, settlementId: 'abc-1' });
  t.strictSame(parseRoute(fundYearPath(fy, '/audit'), '?from=20'), { page: 'audit', ...fy, from: 20 });
  t.strictSame(parseRoute(fundYearPath(fy, '/audit'), '?from=-3'), { page: 'audit', ...fy, from: 0 });
  t.strictSame(parseRoute('/funds/Bad/years/2015-16', ''), { page: 'not-found', path: '/funds/Bad/years/2015-16' });
  t.strictSame(parseRoute('/funds/f/years/2017-18/decisions', ''), { page: 'decisions', fundId: 'f', year: '2017-18' });
  t.strictSame(parseRoute(fundYearPath(fy, '/nope'), ''), { page: 'not-found', path: fundYearPath(fy, '/nope') });
});

t.test('upload refusals land on the file row and column they name', async (t) => {
  t.strictSame(placeUploadErrors([
    { path: '/rows/3/actualToDate', message: 'not an amount' },
    { path: '/rows/1/budget', message: 'unknown column' },
    { path: '/rows/4', message: 'not a budget line' },
    { path: '/rows', message: 'a line is missing' },
    { path: 'querystring/period', message: 'must be M1..M12' },
  ]), [
    { row: 3, column: 'actualToDate', message: 'not an amount', path: '/rows/3/actualToDate' },
    { row: 1, column: 'budget', message: 'unknown column', path: '/rows/1/budget' },
    { row: 4, column: null, message: 'not a budget line', path: '/rows/4' },
    { row: null, column: null, message: 'a line is missing', path: '/rows' },
    { row: null, column: null, message: 'must be M1..M12', path: 'querystring/period' },
  ]);
  const rows = csvRows('\uFEFFstrategyId,arrangement,actualToDate\r\ns1,pooled,"1,234.50"\ns2,aligned,"say ""no"""');
  t.strictSame(rows.get(1), ['strategyId', 'arrangement', 'actualToDate']);
  t.strictSame(rows.get(2), ['s1', 'pooled', '1,234.50']);
  t.strictSame(rows.get(3), ['s2', 'aligned', 'say "no"']);
});

t.test('reserve and decisions in words', async (t) => {
  t.strictSame(reserveInWords({ contributions: { ccg: '500000', council: '250000.5' }, covers: ['p1', 'p2'], unused: 'carry-forward' }), [
    'The partners pay into a risk reserve: ccg £500,000.00 and council £250,000.50.',
    'The reserve pays the overspend of pot p1 and pot p2 before the partners share anything.',
    'What is left at the end of the year is carried forward into the next fund-year.',
  ]);
  t.strictSame(reserveInWords({ contributions: {}, covers: [], unused: 'return' }), [
    'No partner pays into the reserve this year.',
    'No pot draws on the reserve.',
    'What is left at the end of the year is returned to the partners.',
  ]);
  t.equal(decisionInWords({ potId: 'p1', direction: 'overspend', allocate: { basis: 'fixed', weights: { ccg: '0.6', council: '0.4' } }, reference: 'JCB 15 June 2017, minute 7' }),
    'The overspend of pot p1 left unallocated by the caps is split ccg 60% and council 40% (JCB 15 June 2017, minute 7).');
  t.equal(decisionInWords({ potId: 'p1', direction: 'underspend', allocate: { basis: 'lead', partnerId: 'council' }, reference: 'm8' }),
    'The underspend of pot p1 left unallocated by the caps falls to council alone (m8).');
  t.equal(paymentInWords({ from: 'reserve', to: 'ccg', amount: '1200.5' }), 'reserve pays ccg £1,200.50');
});

t.test('the overview from a monitoring pack: RAG column, commentary notes, downloads', async (t) => {
  const figures = (rag: 'red' | 'amber' | 'green', variance: string): PackFigures => ({
    originalBudget: '100.00', budget: '100.00', budgetToDate: '50.00', actualToDate: '60.00', varianceToDate: '10.00',
    forecastOutturn: '120.00', previousForecastOutturn: '110.00', movement: '10.00', forecastVariance: variance, forecastVariancePercent: '20.0', rag,
  });
  const pack: MonitoringPack = {
    fundId: 'f', year: '2017-18', period: 'M3', asOfRevision: 9,
    lines: [
      { strategyId: 's1', partnerId: 'ccg', arrangement: 'pooled', returnPeriod: 'M3', commentary: 'Winter pressures', ...figures('red', '20.00') },
      { strategyId: 's1', partnerId: 'council', arrangement: 'pooled', returnPeriod: null, commentary: null, ...figures('green', '0.00') },
    ],
    strategies: [{ strategyId: 's1', ...figures('red', '20.00') }],
    partners: [{ partnerId: 'ccg', ...figures('red', '20.00') }, { partnerId: 'council', ...figures('green', '0.00') }],
    arrangements: [{ arrangement: 'pooled', ...figures('red', '20.00') }],
    fund: figures('amber', '20.00'),
    forecastSettlement: null,
  };
  const model = overviewFromPack(pack, [], { fundId: 'f', year: '2017-18' });
  t.equal(model.asOf, 'M3 at revision 9');
  const fund = model.tables.find((x) => x.id === 'fund');
  t.equal(fund?.columns.some((c) => c.kind === 'rag'), true);
  t.equal(fund?.rows[0]?.cells['rag'], 'amber');
  const lines = model.tables.find((x) => x.id === 'lines');
  t.strictSame(lines?.rows.map((r) => r.note), ['Commentary: Winter pressures', undefined]);
  t.strictSame(lines?.rows.map((r) => r.cells['returnPeriod']), ['M3', 'none']);
  t.strictSame([...model.lastPeriods.entries()], [['ccg', 'M3'], ['council', null]]);
  t.strictSame(model.downloads.map((d) => d.path), ['/v1/funds/f/years/2017-18/monitoring.csv?period=M3', '/v1/funds/f/years/2017-18/monitoring.xlsx?period=M3']);
});
