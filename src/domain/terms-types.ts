// The shape of risk-share agreement terms (docs/engine.md). The JSON Schema in
// schemas/agreement-terms.schema.json is the validating twin of these types: it is applied
// at the edges (HTTP bodies, the what-if file); the domain trusts the shape.
// All amounts, percentages and weights are decimal strings.
import { assertNever } from './errors.js';

export type Arrangement = 'pooled' | 'aligned';

/** How a band's slice (or a board decision's unallocated amount) is split between partners. */
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

/** `{"own": true}`: each partner bears its own variance. */
export interface OwnRule {
  own: true;
}

/** `{"bands": [...], "caps": {...}}`: bands split the variance, caps bound each share. */
export interface BandsRule {
  bands: Band[];
  caps?: Record<string, string>;
}

/** A direction's rule as written in the terms (JSON shape, no discriminant field). */
export type DirectionRule = OwnRule | BandsRule;

/**
 * A rule with its kind made explicit, for exhaustive switches (`default: assertNever`).
 * It is derived in memory and never stored, so the JSON of terms (and every digest) is
 * unchanged. A new rule type adds a member here and a case in `classifyRule`; the compiler
 * then points at every switch that must learn it.
 */
export type ClassifiedRule = { kind: 'own'; rule: OwnRule } | { kind: 'bands'; rule: BandsRule };
export type RuleKind = ClassifiedRule['kind'];

export function classifyRule(rule: DirectionRule): ClassifiedRule {
  if ('own' in rule) return { kind: 'own', rule };
  if ('bands' in rule) return { kind: 'bands', rule };
  return assertNever(rule);
}

export interface Pot {
  potId: string;
  strategies: string[];
  overspend: DirectionRule;
  underspend: DirectionRule;
}

/** The id that names the reserve in payments (`"from": "reserve"`); no partner may use it. */
export const RESERVE_ID = 'reserve';

export type UnusedReserve = 'return' | 'carry-forward';

/**
 * A risk reserve the partners fund in advance: it pays a covered pot's overspend before the
 * partners share anything; what is left is returned or carried forward into the next year.
 */
export interface Reserve {
  /** What each partner paid in for this year; partners not named paid 0. */
  contributions: Record<string, string>;
  /** Pots (ids in these terms) that may draw on it, each at most once. */
  covers: string[];
  unused: UnusedReserve;
}

export interface AgreementTerms {
  /** Absent means 1. Old terms must keep settling to the same digest. */
  schemaVersion?: 1;
  pots: Pot[];
  /** Optional: terms without one settle exactly as before (engine 1). */
  reserve?: Reserve;
}

export type ShareDirection = 'overspend' | 'underspend';

/**
 * A board decision on an amount the caps left unallocated in one pot and direction
 * (schemas/decision.schema.json): who bears it, split as a band is, and the minute that
 * records it.
 */
export interface Decision {
  potId: string;
  direction: ShareDirection;
  allocate: BandSplit;
  /** The minute or resolution, 1–500 characters. */
  reference: string;
}

/** A decision every partner has accepted; `version` numbers the fund-year's decisions from 1. */
export interface AdoptedDecision extends Decision {
  version: number;
}
