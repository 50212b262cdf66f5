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
/**
 * An amount the service holds or computed: sums of inputs (outturn plus adjustments, fund
 * totals, variances, shares) are exact and have no digit limit. Only input is bounded.
 */
const EXACT_AMOUNT_RE = /^-?[0-9]+(\.[0-9]{1,2})?$/;

export const ZERO: Decimal = Dec('0');
export const ONE: Decimal = Dec('1');
export const PENNY: Decimal = Dec('0.01');

export function isAmount(text: unknown): text is string {
  return typeof text === 'string' && AMOUNT_RE.test(text);
}

/**
 * Parses a validated input amount (12 integer digits at most). For the input edge only: an
 * amount read back from the state or computed by the service is `parseExact`'s.
 */
export function parseAmount(text: string): Decimal {
  if (!isAmount(text)) throw new TypeError(`not an amount: ${JSON.stringify(text)}`);
  return Dec(text);
}

/** Parses an amount of any size to the penny (a stored or computed one). Programmer error if malformed. */
/** A computed amount as the service holds it (any number of integer digits, at most 2 places): what parseExact reads. */
export function isExactAmount(text: unknown): text is string {
  return typeof text === 'string' && EXACT_AMOUNT_RE.test(text);
}

export function parseExact(text: string): Decimal {
  if (typeof text !== 'string' || !EXACT_AMOUNT_RE.test(text)) throw new TypeError(`not an exact amount: ${JSON.stringify(text)}`);
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

/** Sum of amount strings, printed as an amount string (exact: it may be longer than any input). */
export function sumAmounts(values: Iterable<string>): string {
  let total = ZERO;
  for (const value of values) total = total.plus(parseExact(value));
  return formatAmount(total);
}

/** Truncates to whole pence towards zero (the first step of largest-remainder rounding). */
export function truncatePence(value: Decimal): Decimal {
  return value.round(2, Dec.roundDown);
}

/** Exact floor of `numerator / denominator` (denominator > 0) to whole pence. */
function floorPence(numerator: Decimal, denominator: Decimal): Decimal {
  let pence = numerator.div(denominator).round(2, Dec.roundDown);
  // The quotient carries Dec.DP places; step by a penny if that put it across a boundary.
  while (pence.times(denominator).gt(numerator)) pence = pence.minus(PENNY);
  while (pence.plus(PENNY).times(denominator).lte(numerator)) pence = pence.plus(PENNY);
  return pence;
}

/**
 * Largest-remainder rounding (SETTLEMENT.md §3.4) of non-negative exact values to pence
 * so that they sum to `total` exactly: truncate each, then give one penny to the entries
 * with the largest remainders until the total is reached. Equal remainders go to the
 * lower index, so the caller's order (partners in declared order, then U) breaks ties.
 * The values are `exact[i] / denominator` (default 1): a common denominator keeps values
 * such as 1/7 exact, so that remainders which are equal compare equal.
 * Throws RangeError when the request cannot be met (a caller bug, never bad input).
 */
export function roundLargestRemainder(exact: readonly Decimal[], total: Decimal, denominator: Decimal = ONE): Decimal[] {
  if (!denominator.gt(ZERO)) throw new RangeError('denominator must be positive');
  if (exact.some((value) => value.lt(ZERO))) throw new RangeError('values must be non-negative');
  if (total.lt(ZERO) || !truncatePence(total).eq(total)) {
    throw new RangeError(`total must be a non-negative whole number of pence: ${total.toString()}`);
  }
  const rounded = exact.map((value) => (denominator.eq(ONE) ? truncatePence(value) : floorPence(value, denominator)));
  const pennies = total.minus(sumDecimals(rounded)).div(PENNY);
  const candidates = exact
    // remainder × denominator: the same scale for every entry, so comparing them is exact
    .map((value, index) => ({ index, remainder: value.minus((rounded[index] as Decimal).times(denominator)) }))
    .filter((entry) => entry.remainder.gt(ZERO))
    // Stable order: largest remainder first, equal remainders by index.
    .sort((a, b) => b.remainder.cmp(a.remainder) || a.index - b.index);
  // Both sides are whole pence, so `pennies` is a whole number; it must fit the candidates.
  if (pennies.lt(ZERO) || pennies.gt(Dec(String(candidates.length)))) {
    throw new RangeError(`cannot round ${exact.length} values to ${total.toFixed(2)}`);
  }
  const count = pennies.toNumber();
  for (const entry of candidates.slice(0, count)) {
    rounded[entry.index] = (rounded[entry.index] as Decimal).plus(PENNY);
  }
  return rounded;
}
