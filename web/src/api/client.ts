// The typed client: openapi-fetch over the types generated from our own OpenAPI
// document (src/generated/api.d.ts, `npm run gen`), so a path, parameter or body
// the API does not have fails the typecheck. Every request carries the user's key;
// a 401 anywhere means the key is no longer good: the app signs out.
import createClient from 'openapi-fetch';
import type { components, paths } from '../../../src/generated/api.js';

export type Schemas = components['schemas'];
export { ApiError } from './problem.js';
import { ApiError } from './problem.js';
export type Problem = Schemas['Problem'];
export type Me = Schemas['Me'];
export type Settlement = Schemas['Settlement'];
export type PositionsView = Schemas['PositionsView'];
export type FigureSet = Schemas['FigureSet'];
export type FundSummary = Schemas['FundSummary'];
export type AuditEvent = Schemas['AuditEvent'];
export type AgreementVersionView = Schemas['AgreementVersionView'];
export type VerificationView = Schemas['VerificationView'];

export function makeClient(key: string, onUnauthorized: () => void) {
  const client = createClient<paths>({ baseUrl: window.location.origin });
  client.use({
    onRequest({ request }) {
      request.headers.set('authorization', `Bearer ${key}`);
      return request;
    },
    onResponse({ response }) {
      if (response.status === 401) onUnauthorized();
      return response;
    },
  });
  return client;
}

export type Client = ReturnType<typeof makeClient>;

function asProblem(status: number, error: unknown): Problem {
  if (typeof error === 'object' && error !== null && typeof (error as Problem).detail === 'string') return error as Problem;
  const detail = typeof error === 'string' && error !== '' ? error : `The service answered ${status}.`;
  return { type: 'about:blank', title: 'Error', status, detail };
}

/** The answer's data, or an ApiError carrying its problem. */
export async function unwrap<D>(pending: Promise<{ data?: D; error?: unknown; response: Response }>): Promise<D> {
  let answer: { data?: D; error?: unknown; response: Response };
  try {
    answer = await pending;
  } catch (error) {
    throw new ApiError(0, asProblem(0, `The service could not be reached (${String((error as Error).message ?? error)}).`));
  }
  if (!answer.response.ok || answer.data === undefined) {
    throw new ApiError(answer.response.status, asProblem(answer.response.status, answer.error));
  }
  return answer.data;
}

export type { FundYearRef } from './problem.js';
import type { FundYearRef } from './problem.js';

/** A fresh Idempotency-Key for one submission (a retry of the same click would reuse it). */
export function idempotencyKey(): string {
  return crypto.randomUUID();
}
