// Money is made in one place, from strings, never from floats (beancount's rule).
// A private big.js constructor keeps our settings away from any other user of big.js.
import BigJs from 'big.js';

export type Decimal = BigJs.Big;

/** Our own Big constructor: strict (a JS number throws), 40 decimal places for ratios. */
export const Dec: BigJs.BigConstructor = BigJs();
Dec.strict = true;
Dec.DP = 40;
Dec.RM = Dec.roundHalfEven;

/** DOMAIN.md: `^-?[0-9]{1,12}(\.[0-9]{1,2})?$`. */
export const AMOUNT_PATTERN = '^-?[0-9]{1,12}(\\.[0-9]{1,2})?$';
/** Budgets and caps are never negative. */
export const NON_NEGATIVE_AMOUNT_PATTERN = '^[0-9]{1,12}(\\.[0-9]{1,2})?$';
const AMOUNT_RE = new RegExp(AMOUNT_PATTERN);

export const ZERO: Decimal = Dec('0');
export const ONE: Decimal = Dec('1');
export const PENNY: Decimal = Dec('0.01');

export function isAmount(text: unknown): text is string {
  return typeof text === 'string' && AMOUNT_RE.test(text);
}

/** Parses a validated amount string. A malformed string here is a programmer error (validate first). */
export function parseAmount(text: string): Decimal {
  if (!isAmount(text)) throw new TypeError(`not an amount: ${JSON.stringify(text)}`);
  return Dec(text);
}

/** Parses any decimal string (weights, percentages). Programmer error if malformed. */
export function parseDecimal(text: string): Decimal {
  if (typeof text !== 'string' || !/^-?[0-9]+(\.[0-9]+)?$/.test(text)) {
    throw new TypeError(`not a decimal: ${JSON.stringify(text)}`);
  }
  return Dec(text);
}

/** Prints pence exactly, e.g. "-1234.50". Throws if the value is not a whole number of pence. */
export function formatAmount(value: Decimal): string {
  if (!value.round(2, Dec.roundDown).eq(value)) {
    throw new RangeError(`not a whole number of pence: ${value.toString()}`);
  }
  const text = value.toFixed(2);
  return text === '-0.00' ? '0.00' : text;
}

export function sumDecimals(values: Iterable<Decimal>): Decimal {
  let total = ZERO;
  for (const value of values) total = total.plus(value);
  return total;
}

/** Sum of amount strings, printed as an amount string. */
export function sumAmounts(values: Iterable<string>): string {
  let total = ZERO;
  for (const value of values) total = total.plus(parseAmount(value));
  return formatAmount(total);
}
