// Checks against the fund-year's declarations. Each check adds a named error (`path` into the
// request body) so that a refusal lists every problem at once; `throwIfAny` turns them into
// one DomainError. Shape and limits (types, patterns, lengths, list sizes) are the JSON
// Schemas' (schemas/), checked at the edge before a command is built.
import { DomainError, type FieldError, type ProblemKind } from '../errors.js';

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

export function checkDeclared(
  problems: Problems,
  path: string,
  value: string,
  declared: readonly string[],
  what: 'strategy' | 'partner',
): void {
  if (!declared.includes(value)) {
    problems.add(`unknown-${what}`, path, `${JSON.stringify(value)} is not a ${what} declared in this fund-year`);
  }
}
