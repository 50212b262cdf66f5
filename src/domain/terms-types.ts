// The shape of risk-share agreement terms (SETTLEMENT.md §3). The JSON Schema in
// schemas/agreement-terms.schema.json is the validating twin of these types.
// All amounts, percentages and weights are decimal strings.

export type Arrangement = 'pooled' | 'aligned';

/** How a band's slice is split between partners. */
export type BandSplit =
  | { basis: 'contribution' }
  | { basis: 'fixed'; weights: Record<string, string> }
  | { basis: 'lead'; partnerId: string };

/**
 * One band: an optional limit (`upTo` an amount, or `upToPercentOfBudget` of the pot's
 * budget B) plus the split. The last band has no limit. Written flat in JSON, e.g.
 * `{"upToPercentOfBudget": "1", "basis": "contribution"}`.
 */
export type Band = BandSplit & { upTo?: string; upToPercentOfBudget?: string };

export type DirectionRule =
  | { own: true }
  | { bands: Band[]; caps?: Record<string, string> };

export interface Pot {
  potId: string;
  strategies: string[];
  overspend: DirectionRule;
  underspend: DirectionRule;
}

export interface AgreementTerms {
  /** Absent means 1. Richer terms will bump it; old terms must keep settling to the same digest. */
  schemaVersion?: 1;
  pots: Pot[];
}
