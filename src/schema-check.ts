// Shape checks at the edges: the JSON Schemas of schemas/ through the one Ajv factory
// (src/http/ajv.ts), and Ajv's errors as readable {path, message} pairs. The one translator of
// schema errors: HTTP bodies, parameters and headers (src/http/problem.ts), the keys file
// (src/http/auth.ts) and the what-if file (src/cli/whatif.ts) all word an error the same way.
// The domain never runs Ajv: an edge validates the shape here, then calls the domain's semantic
// checks (src/domain/terms.ts) on a value it may now trust.
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { FieldError } from './domain/errors.js';
import { FUND_ID_PATTERN, PERIOD_PATTERN, YEAR_PATTERN } from './domain/fundyear/ids.js';
import { AMOUNT_PATTERN, NON_NEGATIVE_AMOUNT_PATTERN } from './domain/money.js';
import { DECIMAL_PATTERN, ID_PATTERN, pointerSegment, validateDecision, validateTerms, type DeclaredIds } from './domain/terms.js';
import type { AgreementTerms, Decision } from './domain/terms-types.js';
import { createAjv, type SchemaValidator } from './http/ajv.js';
import { loadSchemas, schemaId } from './http/schemas.js';

let ajv: SchemaValidator | undefined;

/** The compiled validator of schemas/<name>.schema.json (all schemas are loaded once, on first use). */
export function validatorFor(name: string): ValidateFunction {
  ajv ??= createAjv(loadSchemas());
  const validate = ajv.getSchema(schemaId(name));
  if (validate === undefined) throw new Error(`schema ${name} is not in schemas/`);
  return validate;
}

/** Errors of `value` against schemas/<name>.schema.json, paths prefixed with `prefix` (empty when valid). */
export function shapeErrors(name: string, value: unknown, prefix = ''): FieldError[] {
  const validate = validatorFor(name);
  return validate(value) ? [] : schemaErrors(validate.errors, prefix);
}

/** Terms as they arrive from outside: the schema first; the semantic rules only on a valid shape. */
export function checkTerms(terms: unknown, declared: DeclaredIds): FieldError[] {
  const errors = shapeErrors('agreement-terms', terms);
  return errors.length > 0 ? errors : validateTerms(terms as AgreementTerms, declared);
}

/** A board decision as it arrives from outside, against the adopted terms and the fund-year's partners. */
export function checkDecision(decision: unknown, terms: AgreementTerms, partners: readonly string[]): FieldError[] {
  const errors = shapeErrors('decision', decision);
  return errors.length > 0 ? errors : validateDecision(decision as Decision, terms, partners);
}

/**
 * Ajv's errors as one {path, message} per problem. A path is a JSON pointer into the value,
 * after `prefix` (`/agreement` for terms inside a what-if file; `params`, `querystring` or
 * `headers` for those parts of an HTTP request, giving `params/year`).
 */
export function schemaErrors(errors: readonly ErrorObject[] | null | undefined, prefix: string): FieldError[] {
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
      return { path: `${at}/${pointerSegment(String(params['additionalProperty']))}`, message: 'is not a known field' };
    case 'required':
      return { path: `${at}/${pointerSegment(String(params['missingProperty']))}`, message: 'is required' };
    case 'false schema':
      if (error.schemaPath.includes('dependentSchemas')) return { path: at, message: 'cannot be combined with upTo' };
      if (at.endsWith('/weights')) return { path: at, message: 'is only allowed with basis "fixed"' };
      return { path: at, message: 'is only allowed with basis "lead"' };
    case 'pattern':
      return { path: at, message: patternMessage(String(params['pattern'])) };
    case 'enum':
      return { path: at, message: `must be one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'const':
      return { path: at, message: `must be ${JSON.stringify(params['allowedValue'])}` };
    default:
      return { path: at, message: error.message ?? 'is invalid' };
  }
}

/** The patterns of schemas/ in words; any other pattern is quoted. */
const PATTERN_MESSAGES = new Map<string, string>([
  [AMOUNT_PATTERN, 'must be an amount string with at most two decimal places, like "1234.50"'],
  [NON_NEGATIVE_AMOUNT_PATTERN, 'must be a non-negative amount string with at most two decimal places, like "1234.50"'],
  [DECIMAL_PATTERN, 'must be a decimal string, like "0.5"'],
  [ID_PATTERN, 'must be a lower-case id of letters, digits and hyphens, like "integrated-fund"'],
  [FUND_ID_PATTERN, 'must be a lower-case id of 2 to 63 letters, digits and hyphens, like "plymouth-integrated-fund"'],
  [YEAR_PATTERN, 'must be a financial year like "2015-16", the second part the year after the first'],
  [PERIOD_PATTERN, 'must be a month of the financial year, M1 (April) to M12 (March)'],
  ['\\S', 'must not be empty or only white space'],
]);

function patternMessage(pattern: string): string {
  return PATTERN_MESSAGES.get(pattern) ?? `must match ${pattern}`;
}
