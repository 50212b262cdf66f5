// Exact division rounded half away from zero (MONITORING.md §1 and §3). big.js divides
// to a fixed number of places, so the quotient is settled with whole-number arithmetic
// instead: no double rounding, whatever the size of the operands.
import { Dec, ZERO, type Decimal } from '../money.js';

const TEN = Dec('10');
const UNIT = Dec('1');
const TWO = Dec('2');

/** `numerator / denominator` rounded to `places` decimals, ties away from zero (denominator ≠ 0). */
export function divideHalfAwayFromZero(numerator: Decimal, denominator: Decimal, places: number): Decimal {
  if (denominator.eq(ZERO)) throw new RangeError('division by zero');
  const scale = TEN.pow(places);
  const negative = numerator.lt(ZERO) !== denominator.lt(ZERO) && !numerator.eq(ZERO);
  const a = numerator.abs().times(scale);
  const b = denominator.abs();
  let units = a.div(b).round(0, Dec.roundDown);
  // The quotient above carries Dec.DP places; step to the exact floor if it crossed one.
  while (units.times(b).gt(a)) units = units.minus(UNIT);
  while (units.plus(UNIT).times(b).lte(a)) units = units.plus(UNIT);
  const remainder = a.minus(units.times(b));
  if (remainder.times(TWO).gte(b)) units = units.plus(UNIT);
  const magnitude = units.div(scale);
  return negative ? magnitude.neg() : magnitude;
}
