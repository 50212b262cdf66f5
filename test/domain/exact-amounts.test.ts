// Input limits belong to input (issue 11, item 1): parseAmount takes what a caller may send
// (12 integer digits), parseExact what the service holds or computes (any length, to the
// penny). The response schemas' bound on computed amounts follows from the input limits.
import t from 'tap';
import { EVENTS_PER_FUND_YEAR_MAX } from '../../src/app/command-runner.js';
import { Dec, formatAmount, parseAmount, parseExact, sumAmounts } from '../../src/domain/money.js';
import { loadSchemas } from '../../src/http/schemas.js';

/** The most budget lines a fund-year can hold: the one definition is the schema's. */
const LINES_MAX = (loadSchemas().byName.get('set-budget-request')!['properties'] as { lines: { maxItems: number } }).lines.maxItems;

t.test('parseExact reads any length to the penny; parseAmount only input', async (t) => {
  t.equal(parseExact('1999999999999.98').plus(parseExact('0.02')).toFixed(2), '2000000000000.00');
  t.equal(parseExact('-123456789012345678901234.5').toFixed(2), '-123456789012345678901234.50');
  t.throws(() => parseAmount('1999999999999.98'), /not an amount/, 'input stays bounded');
  for (const bad of ['1.234', '1e3', '', '.5', '- 1', ' 1', '0x10']) t.throws(() => parseExact(bad), /not an exact amount/, JSON.stringify(bad));
  t.throws(() => parseExact(5 as unknown as string), /not an exact amount/);
  t.equal(sumAmounts(['999999999999.99', '999999999999.99']), '1999999999999.98', 'sums are exact');
  t.equal(formatAmount(Dec('1999999999999.98')), '1999999999999.98');
});

t.test('every computed amount fits the response schemas\' bound, given the input limits', async (t) => {
  const computed = loadSchemas().byName.get('computed-amount')!;
  const re = new RegExp(computed['pattern'] as string);
  t.equal(loadSchemas().byName.get('amount')!['pattern'], '^-?[0-9]{1,12}(\\.[0-9]{1,2})?$', 'request amounts stay at 12 digits');
  // The largest magnitude any figure can reach: every budget line, every line of a counting
  // return and every adjustment at the input maximum, on both sides of a variance; and a band
  // bound of the largest percentage of the largest budget.
  const maxAmount = Dec('999999999999.99');
  const sums = Dec(String(2 * LINES_MAX + EVENTS_PER_FUND_YEAR_MAX)).times(maxAmount).times(Dec('2'));
  const band = Dec('999999.999999999999').div(Dec('100')).times(Dec(String(LINES_MAX))).times(maxAmount).round(2, Dec.roundUp);
  for (const worst of [sums, band]) {
    t.ok(re.test(formatAmount(worst)), `${formatAmount(worst)} matches`);
    t.ok(re.test(formatAmount(worst.neg())), 'and its negative');
  }
  t.notOk(re.test('1'.padEnd(25, '0')), 'the bound is a bound');
});
