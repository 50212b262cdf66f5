// Operating errors (bad input, conflicts, refusals) are typed values that the
// HTTP layer maps to RFC 9457 problem+json; programmer errors stay plain Errors.

export interface FieldError {
  /** JSON pointer-ish path into the request, e.g. "/lines/3/strategyId". */
  path: string;
  message: string;
}

export type ProblemKind =
  | 'bad-request' // 400: malformed or schema-invalid input
  | 'unauthorized' // 401
  | 'forbidden' // 403: role, partner or fund scope
  | 'not-found' // 404
  | 'conflict' // 409: state does not allow it (duplicate, closed year, concurrency)
  | 'unprocessable' // 422: well-formed but semantically invalid (terms, idempotency key reuse)
  | 'unavailable'; // 503: cannot answer correctly yet (e.g. the fund summary is still catching up)

export const PROBLEM_STATUS: Record<ProblemKind, number> = {
  'bad-request': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  unprocessable: 422,
  unavailable: 503,
};

export class DomainError extends Error {
  readonly kind: ProblemKind;
  /** Stable machine-readable code, e.g. "return-lines-mismatch"; becomes the problem type. */
  readonly code: string;
  readonly errors: FieldError[];

  constructor(kind: ProblemKind, code: string, detail: string, errors: FieldError[] = []) {
    super(detail);
    this.name = 'DomainError';
    this.kind = kind;
    this.code = code;
    this.errors = errors;
  }

  get status(): number {
    return PROBLEM_STATUS[this.kind];
  }
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
