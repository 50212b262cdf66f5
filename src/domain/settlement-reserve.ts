// The risk reserve in a settlement (docs/engine.md, engine 2): when it is in play, its
// opening balance per partner, and once every pot has drawn, whose money was drawn (by
// opening balance, largest remainder), the closing balance, and what is returned or
// carried forward. Pure.
import { ZERO, formatAmount, parseAmount, parseExact, roundLargestRemainder, sumDecimals, type Decimal } from './money.js';
import { recordMap } from './records.js';
import type { ReserveSettlement, SettlementInput } from './settlement-types.js';
import { RESERVE_ID, type Reserve, type UnusedReserve } from './terms-types.js';

/** Terms without a reserve but with a non-zero balance brought forward act as if they had this one. */
export const IMPLICIT_RESERVE: Reserve = { contributions: {}, covers: [], unused: 'return' };

export interface ReserveInPlay {
  unused: UnusedReserve;
  covers: ReadonlySet<string>;
  /** contributions[p] + broughtForward[p], per partner index. */
  opening: Decimal[];
}

/** The reserve, or null when none is in play (no reserve in the terms and nothing brought forward). */
export function reserveInPlay(input: SettlementInput): ReserveInPlay | null {
  const brought = broughtForwardAmounts(input.partners, input.broughtForward);
  const terms = input.agreement.reserve;
  if (terms === undefined && brought.every((amount) => amount.eq(ZERO))) return null;
  // Opening a fund-year refuses the id, and terms with a reserve refuse it too.
  if (input.partners.includes(RESERVE_ID)) throw new Error(`a partner is called '${RESERVE_ID}', the id of the reserve`);
  const reserve = terms ?? IMPLICIT_RESERVE;
  const contributions = recordMap(reserve.contributions);
  const opening = input.partners.map((partnerId, index) => {
    const contribution = contributions.get(partnerId);
    return (contribution === undefined ? ZERO : parseAmount(contribution)).plus(brought[index] as Decimal);
  });
  return { unused: reserve.unused, covers: new Set(reserve.covers), opening };
}

/** Brought-forward amounts per partner index. Callers validate: anything else is a programmer error. */
function broughtForwardAmounts(partners: readonly string[], record: Readonly<Record<string, string>> | undefined): Decimal[] {
  const index = new Map(partners.map((partnerId, i) => [partnerId, i]));
  const amounts = partners.map(() => ZERO);
  for (const [partnerId, text] of recordMap(record)) {
    const amount = parseExact(text);
    if (amount.lt(ZERO)) throw new Error(`negative brought-forward balance for ${partnerId}`);
    const at = index.get(partnerId);
    if (at !== undefined) amounts[at] = amount;
    else if (!amount.eq(ZERO)) throw new Error(`brought-forward balance for undeclared partner ${partnerId}`);
  }
  return amounts;
}

export interface ReserveResult {
  view: ReserveSettlement;
  /** Per partner index: what the reserve pays back (closing when `return`, else 0). */
  returned: Decimal[];
  /** total drawn + total returned: what the reserve pays out. */
  transfer: Decimal;
}

/**
 * The total drawn is attributed to the partners in proportion to their opening balances,
 * rounded by largest remainder (ties in partner order) so that it adds up exactly.
 */
export function settleReserve(reserve: ReserveInPlay, partners: readonly string[], drawnTotal: Decimal): ReserveResult {
  const total = sumDecimals(reserve.opening);
  if (drawnTotal.gt(total)) throw new Error('the pots drew more than the reserve held');
  const drawn = total.eq(ZERO)
    ? partners.map(() => ZERO)
    : roundLargestRemainder(reserve.opening.map((opening) => opening.times(drawnTotal)), drawnTotal, total);
  const closing = reserve.opening.map((opening, index) => opening.minus(drawn[index] as Decimal));
  const returned = closing.map((amount) => (reserve.unused === 'return' ? amount : ZERO));
  const carried = closing.map((amount) => (reserve.unused === 'carry-forward' ? amount : ZERO));
  const transfer = drawnTotal.plus(sumDecimals(returned));
  const byPartner = (amounts: readonly Decimal[]) => Object.fromEntries(partners.map((partnerId, i) => [partnerId, formatAmount(amounts[i] as Decimal)]));
  const view: ReserveSettlement = {
    opening: byPartner(reserve.opening),
    drawn: byPartner(drawn),
    closing: byPartner(closing),
    unused: reserve.unused,
    returned: byPartner(returned),
    carriedForward: byPartner(carried),
    transfer: formatAmount(transfer),
  };
  return { view, returned, transfer };
}
