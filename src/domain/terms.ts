// Validation of risk-share agreement terms: the JSON Schema for shape (one file, shared with
// the OpenAPI document), then the rules a schema cannot say (known ids, weights summing to
// exactly 1, increasing limits). Every error names the pot and the field in its path.
import fs from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { SCHEMAS_DIR } from '../paths.js';
import { DomainError, type FieldError } from './errors.js';
import { AMOUNT_PATTERN, NON_NEGATIVE_AMOUNT_PATTERN, ONE, ZERO, parseAmount, parseDecimal, sumDecimals, type Decimal } from './money.js';
import type { AgreementTerms, Band, DirectionRule } from './terms-types.js';

/** The schema's pattern for percentages and weights (a sign is allowed so the semantic check can say why). */
export const DECIMAL_PATTERN = '^-?[0-9]{1,6}(\\.[0-9]{1,12})?$';

/** Partner, strategy and pot ids, as in the API's partner-id and strategy-id schemas. */
export const ID_PATTERN = '^[a-z0-9][a-z0-9-]{0,62}$';

export const AGREEMENT_TERMS_SCHEMA_ID = 'https://poolshare.example/schemas/agreement-terms.json';

/** The schema as shipped in schemas/, read once at module load (it never changes at run time). */
export const AGREEMENT_TERMS_SCHEMA: Record<string, unknown> = JSON.parse(
  fs.readFileSync(path.join(SCHEMAS_DIR, 'agreement-terms.schema.json'), 'utf8'),
) as Record<string, unknown>;

export interface DeclaredIds {
  partners: readonly string[];
  strategies: readonly string[];
}

/**
 * An Ajv for 2020-12 with the terms schema registered under its $id, so other schemas (the
 * what-if input) can $ref it. Options as STYLE.md wants for money: never coerce, never drop.
 */
export function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, coerceTypes: false, removeAdditional: false, useDefaults: false, strict: true });
  addFormats.default(ajv);
  ajv.addSchema(AGREEMENT_TERMS_SCHEMA);
  return ajv;
}

const validateShape: ValidateFunction = compileTermsSchema();

function compileTermsSchema(): ValidateFunction {
  const validate = createAjv().getSchema(AGREEMENT_TERMS_SCHEMA_ID);
  if (validate === undefined) throw new Error('agreement terms schema did not compile');
  return validate;
}

/** Errors for `terms` (empty when valid). Schema errors first; semantic checks only on a valid shape. */
export function validateTerms(terms: unknown, declared: DeclaredIds): FieldError[] {
  if (!validateShape(terms)) return schemaErrors(validateShape.errors, '');
  return semanticErrors(terms as AgreementTerms, declared);
}

export function assertValidTerms(terms: unknown, declared: DeclaredIds): asserts terms is AgreementTerms {
  const errors = validateTerms(terms, declared);
  if (errors.length > 0) {
    const detail = `the agreement terms are invalid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`;
    throw new DomainError('unprocessable', 'invalid-terms', detail, errors);
  }
}

/** JSON Pointer escaping (RFC 6901) for a key that becomes a path segment. */
export function pointerSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Ajv's errors as one {path, message} per problem, paths prefixed with `prefix`. */
export function schemaErrors(errors: ErrorObject[] | null | undefined, prefix: string): FieldError[] {
  const result: FieldError[] = [];
  const seen = new Set<string>();
  for (const error of errors ?? []) {
    // "must match then/else schema" only repeats the errors of the branch taken, and
    // "property name must be valid" the error about that name, reported at the key below.
    if (error.keyword === 'if' || error.keyword === 'propertyNames') continue;
    const field = describeSchemaError(error);
    if (error.propertyName !== undefined) {
      field.path = `${error.instancePath}/${pointerSegment(error.propertyName)}`;
      field.message = `is not a valid key: ${field.message}`;
    }
    const entry = { path: prefix + field.path || '/', message: field.message };
    const key = `${entry.path}\n${entry.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(entry);
  }
  return result;
}

function describeSchemaError(error: ErrorObject): FieldError {
  const at = error.instancePath;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return { path: `${at}/${pointerSegment(String(params.additionalProperty))}`, message: 'is not a known field' };
    case 'required':
      return { path: `${at}/${pointerSegment(String(params.missingProperty))}`, message: 'is required' };
    case 'false schema':
      if (error.schemaPath.includes('dependentSchemas')) return { path: at, message: 'cannot be combined with upTo' };
      if (at.endsWith('/weights')) return { path: at, message: 'is only allowed with basis "fixed"' };
      return { path: at, message: 'is only allowed with basis "lead"' };
    case 'pattern':
      return { path: at, message: patternMessage(String(params.pattern)) };
    case 'enum':
      return { path: at, message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'const':
      return { path: at, message: `must be ${JSON.stringify(params.allowedValue)}` };
    default:
      return { path: at, message: error.message ?? 'is invalid' };
  }
}

const PATTERN_MESSAGES: Record<string, string> = {
  [AMOUNT_PATTERN]: 'must be an amount string with at most two decimal places, like "1234.50"',
  [NON_NEGATIVE_AMOUNT_PATTERN]: 'must be a non-negative amount string with at most two decimal places, like "1234.50"',
  [DECIMAL_PATTERN]: 'must be a decimal string, like "0.5"',
  [ID_PATTERN]: 'must be a lower-case id of letters, digits and hyphens, like "integrated-fund"',
};

function patternMessage(pattern: string): string {
  return PATTERN_MESSAGES[pattern] ?? `must match ${pattern}`;
}

/** Rules across fields: ids known and unique, then each direction's rule. */
function semanticErrors(terms: AgreementTerms, declared: DeclaredIds): FieldError[] {
  const errors: FieldError[] = [];
  const knownStrategies = new Set(declared.strategies);
  const potOfStrategy = new Map<string, string>();
  const potIds = new Map<string, number>();
  terms.pots.forEach((pot, potIndex) => {
    const at = `/pots/${potIndex}`;
    const say = (path: string, message: string) => errors.push({ path, message: `pot '${pot.potId}': ${message}` });
    const earlier = potIds.get(pot.potId);
    if (earlier === undefined) potIds.set(pot.potId, potIndex);
    else say(`${at}/potId`, `potId is already used by pot ${earlier}`);
    pot.strategies.forEach((strategyId, index) => {
      const owner = potOfStrategy.get(strategyId);
      if (!knownStrategies.has(strategyId)) say(`${at}/strategies/${index}`, `unknown strategy '${strategyId}'`);
      else if (owner !== undefined) say(`${at}/strategies/${index}`, `strategy '${strategyId}' is already in pot '${owner}'`);
      else potOfStrategy.set(strategyId, pot.potId);
    });
    for (const direction of ['overspend', 'underspend'] as const) {
      ruleErrors(pot[direction], `${at}/${direction}`, declared.partners, say);
    }
  });
  return errors;
}

type Say = (path: string, message: string) => void;

function ruleErrors(rule: DirectionRule, at: string, partners: readonly string[], say: Say): void {
  if ('own' in rule) return;
  const known = new Set(partners);
  rule.bands.forEach((band, index) => bandErrors(band, `${at}/bands/${index}`, known, say));
  limitErrors(rule.bands, at, say);
  for (const [partnerId, cap] of Object.entries(rule.caps ?? {})) {
    const path = `${at}/caps/${pointerSegment(partnerId)}`;
    if (!known.has(partnerId)) say(path, `cap for unknown partner '${partnerId}'`);
    else if (parseAmount(cap).lt(ZERO)) say(path, `cap for '${partnerId}' must not be negative`);
  }
}

function bandErrors(band: Band, at: string, known: ReadonlySet<string>, say: Say): void {
  if (band.basis === 'lead' && !known.has(band.partnerId)) {
    say(`${at}/partnerId`, `lead partner '${band.partnerId}' is not a partner of the fund`);
  }
  if (band.basis !== 'fixed') return;
  const weights: Decimal[] = [];
  for (const [partnerId, text] of Object.entries(band.weights)) {
    const path = `${at}/weights/${pointerSegment(partnerId)}`;
    const weight = parseDecimal(text);
    weights.push(weight);
    if (!known.has(partnerId)) say(path, `weight for unknown partner '${partnerId}'`);
    if (weight.lt(ZERO)) say(path, `weight for '${partnerId}' must not be negative`);
  }
  const total = sumDecimals(weights);
  if (!total.eq(ONE)) say(`${at}/weights`, `weights sum to ${total.toString()}; they must sum to exactly 1`);
}

/**
 * Every band but the last needs a limit and the last has none (it takes the rest). Limits
 * must be positive; literal limits must increase among themselves, and so must percentages.
 * How the two kinds interleave depends on the budget, so the engine checks that (§3.2).
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
