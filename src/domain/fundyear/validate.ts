// Field checks for command bodies. Each check adds a named error (`path` into the
// request body) so that a refusal lists every problem at once; `throwIfAny` turns
// them into one DomainError.
import { DomainError, type FieldError, type ProblemKind } from '../errors.js';
import { isAmount, NON_NEGATIVE_AMOUNT_PATTERN } from '../money.js';
import type { Arrangement } from '../terms-types.js';
import { isSlug } from './ids.js';

const NON_NEGATIVE_RE = new RegExp(NON_NEGATIVE_AMOUNT_PATTERN);

/** Limits on everything (TigerBeetle): a body beyond these is refused, not processed. */
/** Budget lines per fund-year: the same bound as schemas/set-budget-request.schema.json (maxItems). */
export const LINES_MAX = 4000;
export const DECLARATIONS_MAX = 100;
export const TEXT_LENGTH_MAX = 500;

interface CodedError extends FieldError {
  code: string;
}

export class Problems {
  private readonly list: CodedError[] = [];

  add(code: string, path: string, message: string): void {
    this.list.push({ code, path, message });
  }


  /** One error per request: its code is the problems' shared code, else `invalid-request`. */
  throwIfAny(kind: ProblemKind, detail: string): void {
    const first = this.list[0];
    if (!first) return;
    const code = this.list.every((e) => e.code === first.code) ? first.code : 'invalid-request';
    const errors = this.list.map(({ path, message }) => ({ path, message }));
    const summary = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
    throw new DomainError(kind, code, `${detail}: ${summary}`, errors);
  }
}

export function checkText(problems: Problems, path: string, value: unknown, what: string): void {
  if (typeof value !== 'string' || value.trim() === '' || value.length > TEXT_LENGTH_MAX) {
    problems.add('invalid-text', path, `${what} must be a non-empty string of at most ${TEXT_LENGTH_MAX} characters`);
  }
}

export function checkSlug(problems: Problems, path: string, value: unknown, what: string): void {
  if (!isSlug(value)) problems.add('invalid-id', path, `${what} must be a lower-case slug like "ccg"`);
}

/** Amounts are strings (never JSON numbers) matching DOMAIN.md's pattern. */
export function checkAmount(problems: Problems, path: string, value: unknown, nonNegative = false): void {
  if (!isAmount(value)) {
    problems.add('invalid-amount', path, 'must be a decimal string like "1234.50" (at most 12 digits and 2 places)');
  } else if (nonNegative && !NON_NEGATIVE_RE.test(value)) {
    problems.add('invalid-amount', path, 'must not be negative');
  }
}

export function checkArrangement(problems: Problems, path: string, value: unknown): value is Arrangement {
  if (value === 'pooled' || value === 'aligned') return true;
  problems.add('invalid-arrangement', path, 'must be "pooled" or "aligned"');
  return false;
}

/** A non-empty array of at most `max` items; returns the array (or [] after adding the error). */
export function checkList<T>(problems: Problems, path: string, value: unknown, max: number): T[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > max) {
    problems.add('invalid-list', path, `must be a list of 1 to ${max} items`);
    return [];
  }
  return value as T[];
}

export function checkDeclared(
  problems: Problems,
  path: string,
  value: unknown,
  declared: readonly string[],
  what: 'strategy' | 'partner',
): void {
  if (typeof value !== 'string' || !declared.includes(value)) {
    problems.add(`unknown-${what}`, path, `${JSON.stringify(value)} is not a ${what} declared in this fund-year`);
  }
}
