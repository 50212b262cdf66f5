// Money: made from strings only, printed to the penny, rounded by largest remainder.
import t from 'tap';
import {
  Dec,
  formatAmount,
  isAmount,
  parseAmount,
  parseDecimal,
  roundLargestRemainder,
  sumAmounts,
  truncatePence,
} from '../../src/domain/money.js';

const texts = (values: { toFixed(dp: number): string }[]) => values.map((value) => value.toFixed(2));

t.test('amounts are strings with at most two places; numbers are refused', async (t) => {
  t.ok(isAmount('-1234.5'));
  t.notOk(isAmount('1.234'));
  t.notOk(isAmount(12));
  t.equal(parseAmount('0.1').plus(parseAmount('0.2')).toString(), '0.3', 'no binary floating point');
  t.throws(() => parseAmount('1e3'), TypeError);
  t.throws(() => Dec(1 as unknown as string), /Invalid value/, 'strict: a JS number throws');
  t.equal(parseDecimal('0.333333333333').toString(), '0.333333333333');
  t.throws(() => parseDecimal('.5'), /not a decimal/);
  t.throws(() => parseDecimal(0.5 as unknown as string), /not a decimal/);
});

t.test('formatAmount prints pence exactly and never "-0.00"', async (t) => {
  t.equal(formatAmount(Dec('-1234.5')), '-1234.50');
  t.equal(formatAmount(Dec('-0')), '0.00');
  t.throws(() => formatAmount(Dec('0.001')), RangeError);
  t.equal(sumAmounts(['0.10', '0.20', '-0.30']), '0.00');
  t.equal(truncatePence(Dec('-1.239')).toString(), '-1.23', 'towards zero');
});

t.test('largest remainder: sums exactly, largest remainders first, ties by index', async (t) => {
  const third = Dec('100.01').div(Dec('3'));
  t.strictSame(texts(roundLargestRemainder([third, third, third], Dec('100.01'))), ['33.34', '33.34', '33.33']);
  t.strictSame(texts(roundLargestRemainder([Dec('0.014'), Dec('0.056')], Dec('0.07'))), ['0.01', '0.06']);
  t.strictSame(texts(roundLargestRemainder([Dec('0.005'), Dec('0'), Dec('0.005')], Dec('0.01'))), ['0.01', '0.00', '0.00']);
  t.strictSame(texts(roundLargestRemainder([Dec('5.00'), Dec('0')], Dec('5'))), ['5.00', '0.00'], 'nothing to hand out');
  t.strictSame(roundLargestRemainder([], Dec('0')), []);
});

t.test('largest remainder refuses what it cannot do (caller bugs)', async (t) => {
  t.throws(() => roundLargestRemainder([Dec('-1')], Dec('1')), /non-negative/);
  t.throws(() => roundLargestRemainder([Dec('1')], Dec('-1')), /total must be/);
  t.throws(() => roundLargestRemainder([Dec('1')], Dec('1.005')), /total must be/);
  t.throws(() => roundLargestRemainder([Dec('1.001')], Dec('1.02')), /cannot round 1 values to 1.02/);
  t.throws(() => roundLargestRemainder([Dec('1.001')], Dec('0.99')), /cannot round/);
});
