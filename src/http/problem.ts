// RFC 9457 problem details for every error the HTTP layer answers: one error
// handler maps domain errors, validation and framework errors to
// application/problem+json, and hides internals at 500 (they are logged instead).
import { STATUS_CODES } from 'node:http';
import type { ErrorObject } from 'ajv/dist/2020.js';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError, type FieldError } from '../domain/errors.js';
import { schemaErrors } from '../schema-check.js';
import { EventsTooLargeError } from '../store/append-limit.js';
import { isStoreUnavailable, unavailableReason } from '../store/unavailable.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const PROBLEM_BASE = 'https://poolshare.example/problems/';
const PROBLEM_ERRORS_MAX = 100;
const PROBLEM_TEXT_MAX = 500;

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
}

export function problemType(code: string): string {
  return `${PROBLEM_BASE}${code}`;
}

export function makeProblem(status: number, code: string, detail: string, errors: FieldError[] = []): Problem {
  const problem: Problem = { type: problemType(code), title: STATUS_CODES[status] ?? 'Error', status, detail };
  if (errors.length > 0) problem.errors = errors.slice(0, PROBLEM_ERRORS_MAX).map(clipFieldError);
  return problem;
}

function clip(text: string): string {
  return text.length > PROBLEM_TEXT_MAX ? `${text.slice(0, PROBLEM_TEXT_MAX - 1)}…` : text;
}

function clipFieldError(error: FieldError): FieldError {
  return { path: clip(error.path), message: clip(error.message) };
}

/** Where in the request a schema error is: the body's paths are bare JSON pointers, the others say their part (`params/year`). */
export function validationErrors(errors: readonly ErrorObject[], part: string | undefined): FieldError[] {
  return schemaErrors(errors, part === undefined || part === 'body' ? '' : part);
}

const FRAMEWORK_PROBLEMS: Record<string, { status: number; code: string; detail: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'malformed-json', detail: 'The request body is not valid JSON.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'empty-body', detail: 'The content type is application/json but the body is empty; send a JSON body, or no content type.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported-media-type', detail: 'Request bodies must be application/json.' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'body-too-large', detail: 'The request body is larger than the limit.' },
  FST_ERR_BAD_URL: { status: 400, code: 'bad-url', detail: 'The request URL is malformed.' },
};

/** An HTTP-layer refusal that is not a domain rule (e.g. 503 from the readiness probe). */
export class ProblemError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail);
    this.name = 'ProblemError';
    this.problem = problem;
  }
}

/** The store cannot answer now: whatever was asked may be asked again (a write with the same Idempotency-Key). */
export function storeUnavailableProblem(): Problem {
  return makeProblem(503, 'store-unavailable', 'The event store is not reachable or did not answer in time; try again shortly (a write: with the same Idempotency-Key).');
}

export interface ProblemFor {
  problem: Problem;
  /** An internal error: logged with its stack, never shown. */
  internal: boolean;
  /** For a failure outside the service (the store): one line for the log. */
  cause?: string;
}

/** The problem for an error, and whether it is an internal one (to be logged, never shown). */
export function problemForError(error: unknown): ProblemFor {
  if (error instanceof ProblemError) return { problem: error.problem, internal: false };
  if (isStoreUnavailable(error)) return { problem: storeUnavailableProblem(), internal: false, cause: unavailableReason(error) };
  if (error instanceof DomainError) {
    return { problem: makeProblem(error.status, error.code, error.message, error.errors), internal: false };
  }
  if (error instanceof EventsTooLargeError) return { problem: makeProblem(422, 'events-too-large', error.message), internal: false };
  const fastifyError = error as Partial<FastifyError> | null;
  if (fastifyError !== null && typeof fastifyError === 'object' && Array.isArray(fastifyError.validation)) {
    const errors = validationErrors(fastifyError.validation as ErrorObject[], fastifyError.validationContext);
    const where = fastifyError.validationContext ?? 'request';
    return { problem: makeProblem(400, 'validation', `The ${where} does not match its schema.`, errors), internal: false };
  }
  const code = fastifyError?.code;
  // The body stopped arriving because the connection was closed (by the client, or by the
  // request timeout): nobody is left to answer, and it is not the service's fault.
  if (code === 'ECONNRESET') return { problem: makeProblem(400, 'request-aborted', 'The connection closed before the request arrived in full.'), internal: false };
  if (typeof code === 'string' && code.startsWith('FST_')) {
    const known = FRAMEWORK_PROBLEMS[code];
    if (known !== undefined) return { problem: makeProblem(known.status, known.code, known.detail), internal: false };
    const status = fastifyError?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return { problem: makeProblem(status, 'bad-request', clip(fastifyError?.message ?? 'Bad request.')), internal: false };
    }
  }
  return { problem: makeProblem(500, 'internal', 'An internal error occurred; nothing about it is disclosed. Quote the request id when reporting it.'), internal: true };
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: Problem): FastifyReply {
  const withContext: Problem = { ...problem, instance: request.url.split('?')[0] ?? request.url, requestId: request.id };
  if (problem.status === 401) reply.header('www-authenticate', 'Bearer realm="poolshare"');
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(withContext);
}

async function problemPlugin(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((error, request, reply) => {
    const { problem, internal, cause } = problemForError(error);
    if (internal) request.log.error({ err: error }, 'internal error');
    else if (problem.status >= 500) request.log.warn({ status: problem.status, type: problem.type, ...(cause === undefined ? {} : { cause }) }, problem.detail);
    return sendProblem(request, reply, problem);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = clip(request.url.split('?')[0] ?? '');
    return sendProblem(request, reply, makeProblem(404, 'not-found', `No route ${request.method} ${path}.`));
  });
}

export default fp(problemPlugin, { name: 'poolshare-problem', fastify: '5.x' });
