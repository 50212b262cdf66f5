// Small conversions shared by the route files: path and query strings arrive as
// strings and were matched against digit patterns by the schema, never coerced.
import type { FundYearRef } from '../../app/service-types.js';

export function fundYearRef(params: { fundId: string; year: string }): FundYearRef {
  return { fundId: params.fundId, year: params.year };
}

/** A digit string the schema has already matched (no sign, no leading zeros, ≤ 15 digits). */
export function parseDigits(text: string): number {
  if (!/^(0|[1-9][0-9]{0,14})$/.test(text)) throw new Error(`not a validated digit string: ${JSON.stringify(text)}`);
  return Number(text);
}

export function parseOptionalDigits(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseDigits(text);
}
