// The rules of agreement terms and board decisions that need the fund-year: declared
// partners and strategies, pot ids, weights summing to exactly 1, band limits, the reserve.
// Shape (types, patterns, sizes) is the JSON Schemas' job, checked at the edges
// (src/schema-check.ts); this module is pure and trusts the shape it is given.
// Every error names the pot (or the reserve, or the decision) and the field in its path.
import { DomainError, assertNever, type FieldError } from './errors.js';
import { ONE, ZERO, parseAmount, parseDecimal, sumDecimals, type Decimal } from './money.js';
import {
  RESERVE_ID,
  classifyRule,
  type AgreementTerms,
  type Band,
  type BandSplit,
  type Decision,
  type DirectionRule,
  type Pot,
} from './terms-types.js';

/** The schema's pattern for percentages and weights (a sign is allowed so the semantic check can say why). */
export const DECIMAL_PATTERN = '^-?[0-9]{1,6}(\\.[0-9]{1,12})?$';

/** Partner, strategy and pot ids, as in the API's partner-id and strategy-id schemas. */
export const ID_PATTERN = '^[a-z0-9][a-z0-9-]{0,62}$';

export const AGREEMENT_TERMS_SCHEMA_ID = 'https://poolshare.example/schemas/agreement-terms.json';
export const DECISION_SCHEMA_ID = 'https://poolshare.example/schemas/decision.json';

export interface DeclaredIds {
  partners: readonly string[];
  strategies: readonly string[];
}

/** JSON Pointer escaping (RFC 6901) for a key that becomes a path segment. */
export function pointerSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Errors for schema-valid `terms` against the fund-year's partners and strategies (empty when valid). */
export function validateTerms(terms: AgreementTerms, declared: DeclaredIds): FieldError[] {
  const errors: FieldError[] = [];
  potErrors(terms, declared, errors);
  reserveErrors(terms, declared, errors);
  return errors;
}

export function assertValidTerms(terms: AgreementTerms, declared: DeclaredIds): void {
  const errors = validateTerms(terms, declared);
  if (errors.length > 0) {
    const detail = `the agreement terms are invalid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`;
    throw new DomainError('unprocessable', 'invalid-terms', detail, errors);
  }
}

type Say = (path: string, message: string) => void;

/** Pot ids unique, strategies declared and in one pot each, then each direction's rule. */
function potErrors(terms: AgreementTerms, declared: DeclaredIds, errors: FieldError[]): void {
  const knownStrategies = new Set(declared.strategies);
  const known = new Set(declared.partners);
  const potOfStrategy = new Map<string, string>();
  const potIds = new Map<string, number>();
  terms.pots.forEach((pot, potIndex) => {
    const at = `/pots/${potIndex}`;
    const say: Say = (path, message) => errors.push({ path, message: `pot '${pot.potId}': ${message}` });
    const earlier = potIds.get(pot.potId);
    if (earlier === undefined) potIds.set(pot.potId, potIndex);
    else say(`${at}/potId`, `potId is already used by pot ${earlier}`);
    pot.strategies.forEach((strategyId, index) => {
      const owner = potOfStrategy.get(strategyId);
      if (!knownStrategies.has(strategyId)) say(`${at}/strategies/${index}`, `unknown strategy '${strategyId}'`);
      else if (owner !== undefined) say(`${at}/strategies/${index}`, `strategy '${strategyId}' is already in pot '${owner}'`);
      else potOfStrategy.set(strategyId, pot.potId);
    });
    for (const direction of ['overspend', 'underspend'] as const) ruleErrors(pot[direction], `${at}/${direction}`, known, say);
  });
}

function ruleErrors(rule: DirectionRule, at: string, known: ReadonlySet<string>, say: Say): void {
  const classified = classifyRule(rule);
  switch (classified.kind) {
    case 'own':
      return;
    case 'bands': {
      const { bands, caps } = classified.rule;
      bands.forEach((band, index) => splitErrors(band, `${at}/bands/${index}`, known, say));
      limitErrors(bands, at, say);
      for (const [partnerId, cap] of Object.entries(caps ?? {})) {
        const path = `${at}/caps/${pointerSegment(partnerId)}`;
        if (!known.has(partnerId)) say(path, `cap for unknown partner '${partnerId}'`);
        else if (parseAmount(cap).lt(ZERO)) say(path, `cap for '${partnerId}' must not be negative`);
      }
      return;
    }
    default:
      return assertNever(classified);
  }
}

/** A band's or a decision's split: the lead is a partner; fixed weights name partners, are ≥ 0 and sum to exactly 1. */
function splitErrors(split: BandSplit, at: string, known: ReadonlySet<string>, say: Say): void {
  switch (split.basis) {
    case 'contribution':
      return;
    case 'lead':
      if (!known.has(split.partnerId)) say(`${at}/partnerId`, `lead partner '${split.partnerId}' is not a partner of the fund`);
      return;
    case 'fixed': {
      const weights: Decimal[] = [];
      for (const [partnerId, text] of Object.entries(split.weights)) {
        const path = `${at}/weights/${pointerSegment(partnerId)}`;
        const weight = parseDecimal(text);
        weights.push(weight);
        if (!known.has(partnerId)) say(path, `weight for unknown partner '${partnerId}'`);
        if (weight.lt(ZERO)) say(path, `weight for '${partnerId}' must not be negative`);
      }
      const total = sumDecimals(weights);
      if (!total.eq(ONE)) say(`${at}/weights`, `weights sum to ${total.toString()}; they must sum to exactly 1`);
      return;
    }
    default:
      return assertNever(split);
  }
}

/**
 * Every band but the last needs a limit and the last has none (it takes the rest). Limits
 * must be positive; literal limits must increase among themselves, and so must percentages.
 * How the two kinds interleave depends on the budget, so the engine checks that.
 */
function limitErrors(bands: readonly Band[], at: string, say: Say): void {
  const last = { upTo: ZERO, upToPercentOfBudget: ZERO };
  bands.forEach((band, index) => {
    const path = `${at}/bands/${index}`;
    const isLast = index === bands.length - 1;
    const field = band.upTo !== undefined ? 'upTo' : band.upToPercentOfBudget !== undefined ? 'upToPercentOfBudget' : null;
    if (field === null) {
      if (!isLast) say(path, `band ${index + 1} needs upTo or upToPercentOfBudget: only the last band has no limit`);
      return;
    }
    if (isLast) {
      say(`${path}/${field}`, `the last band has no limit (it takes the rest of the variance): remove ${field}`);
      return;
    }
    const limit = field === 'upTo' ? parseAmount(band.upTo as string) : parseDecimal(band.upToPercentOfBudget as string);
    if (!limit.gt(ZERO)) say(`${path}/${field}`, `band ${index + 1}'s ${field} must be greater than 0`);
    else if (!limit.gt(last[field])) {
      say(`${path}/${field}`, `band ${index + 1}'s ${field} must be greater than the earlier band's (${last[field].toString()})`);
    }
    if (limit.gt(last[field])) last[field] = limit;
  });
}

/**
 * The reserve: contributions from declared partners, never negative; covered pots exist, are
 * named once, and share an overspend by bands (an `own` pot has nothing for a reserve to
 * relieve). A fund with a partner called `reserve` cannot have one: the id names the reserve.
 */
function reserveErrors(terms: AgreementTerms, declared: DeclaredIds, errors: FieldError[]): void {
  const reserve = terms.reserve;
  if (reserve === undefined) return;
  const say: Say = (path, message) => errors.push({ path, message: `reserve: ${message}` });
  const known = new Set(declared.partners);
  if (known.has(RESERVE_ID)) {
    say('/reserve', `the id '${RESERVE_ID}' names the reserve in payments, so a fund with a partner called '${RESERVE_ID}' cannot have one`);
  }
  for (const [partnerId, amount] of Object.entries(reserve.contributions)) {
    const path = `/reserve/contributions/${pointerSegment(partnerId)}`;
    if (!known.has(partnerId)) say(path, `contribution from unknown partner '${partnerId}'`);
    else if (parseAmount(amount).lt(ZERO)) say(path, `contribution from '${partnerId}' must not be negative`);
  }
  const pots = potsById(terms.pots);
  const covered = new Map<string, number>();
  reserve.covers.forEach((potId, index) => {
    const path = `/reserve/covers/${index}`;
    const pot = pots.get(potId);
    const earlier = covered.get(potId);
    if (pot === undefined) say(path, `covers unknown pot '${potId}'`);
    else if (earlier !== undefined) say(path, `pot '${potId}' is already covered at /reserve/covers/${earlier}`);
    else if (classifyRule(pot.overspend).kind === 'own') {
      say(path, `covered pot '${potId}' shares its overspend as each partner's own; a covered pot needs a bands overspend rule`);
    }
    if (earlier === undefined) covered.set(potId, index);
  });
}

/** The first pot of each id (ids are unique in valid terms). */
function potsById(pots: readonly Pot[]): Map<string, Pot> {
  const byId = new Map<string, Pot>();
  for (const pot of pots) if (!byId.has(pot.potId)) byId.set(pot.potId, pot);
  return byId;
}

/**
 * Errors for a schema-valid board decision, paths relative to the decision: its pot must be
 * a pot of `terms` (the agreement adopted when it is proposed), and the partners its split
 * names must be the fund-year's, with fixed weights summing to exactly 1.
 */
export function validateDecision(decision: Decision, terms: AgreementTerms, partners: readonly string[]): FieldError[] {
  const errors: FieldError[] = [];
  const say: Say = (path, message) => errors.push({ path, message: `decision for pot '${decision.potId}': ${message}` });
  if (!potsById(terms.pots).has(decision.potId)) say('/potId', `no pot '${decision.potId}' in the adopted agreement`);
  splitErrors(decision.allocate, '/allocate', new Set(partners), say);
  return errors;
}
