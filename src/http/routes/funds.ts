// Fund-years: open one (admin), list those visible to the caller, a page at a time.
import type { FastifyInstance } from 'fastify';
import type { FundSummary, FundYearRef } from '../../app/service-types.js';
import { addRoute } from '../route.js';
import { fundYearRef, parseOptionalDigits } from './common.js';

export const FUNDS_PAGE_DEFAULT = 100;
export const FUNDS_PAGE_MAX = 1000;

/** Fund id, then year, by code units (never locale-dependent): the order pages are cut in. */
export function compareFundYears(a: FundYearRef, b: FundYearRef): number {
  if (a.fundId !== b.fundId) return a.fundId < b.fundId ? -1 : 1;
  if (a.year !== b.year) return a.year < b.year ? -1 : 1;
  return 0;
}

export interface FundsPage {
  items: FundSummary[];
  /** The last item, when more follow: the next page starts after it. */
  next?: FundYearRef;
}

/**
 * One page of `all`: the first `limit` fund-years after `after` (a key, not an offset,
 * so a fund-year opened between two pages neither repeats nor shifts an item).
 */
export function fundsPage(all: readonly FundSummary[], after: FundYearRef | undefined, limit: number): FundsPage {
  const rest = [...all].sort(compareFundYears).filter((summary) => after === undefined || compareFundYears(summary, after) > 0);
  const items = rest.slice(0, limit);
  const last = items[items.length - 1];
  return rest.length > limit && last !== undefined ? { items, next: { fundId: last.fundId, year: last.year } } : { items };
}

/** `<fundId>/<year>`, as the schema has matched it. */
export function parseAfter(text: string | undefined): FundYearRef | undefined {
  if (text === undefined) return undefined;
  const [fundId, year, extra] = text.split('/');
  if (fundId === undefined || year === undefined || extra !== undefined) throw new Error(`not a validated fund-year cursor: ${JSON.stringify(text)}`);
  return { fundId, year };
}

export function nextLink(next: FundYearRef, limit: number): string {
  return `</v1/funds?limit=${limit}&after=${encodeURIComponent(`${next.fundId}/${next.year}`)}>; rel="next"`;
}

export default async function fundsRoutes(app: FastifyInstance): Promise<void> {
  addRoute(app, 'openFundYear', (request, context) => app.service.openFundYear(context, fundYearRef(request.params), request.body));
  addRoute(app, 'listFunds', async (request, context, reply) => {
    const limit = Math.min(parseOptionalDigits(request.query.limit) ?? FUNDS_PAGE_DEFAULT, FUNDS_PAGE_MAX);
    const page = fundsPage(await app.service.listFunds(context), parseAfter(request.query.after), limit);
    if (page.next !== undefined) reply.header('link', nextLink(page.next, limit));
    return page.items;
  });
}
