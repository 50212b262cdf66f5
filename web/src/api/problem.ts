// The refusal every call turns a non-2xx answer into (DOM-free, so Node tests may import it).
import type { components } from '../../../src/generated/api.js';

export type Problem = components['schemas']['Problem'];

/** Path parameters of a fund-year. */
export interface FundYearRef {
  fundId: string;
  year: string;
}


/** A refusal from the API: its status and problem+json (or a plain description). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail);
    this.name = 'ApiError';
  }
}

