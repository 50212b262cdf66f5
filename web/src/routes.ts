// The app's page paths and what each names (import-free, for the Node tests).

export type Route =
  | { page: 'funds' }
  | { page: 'overview'; fundId: string; year: string }
  | { page: 'settlements'; fundId: string; year: string }
  | { page: 'settlement'; fundId: string; year: string; settlementId: string }
  | { page: 'return'; fundId: string; year: string }
  | { page: 'agreements'; fundId: string; year: string }
  | { page: 'decisions'; fundId: string; year: string }
  | { page: 'audit'; fundId: string; year: string; from: number }
  | { page: 'not-found'; path: string };

const SLUG = '([a-z0-9][a-z0-9-]{0,62})';
const YEAR = '([0-9]{4}-[0-9]{2})';
const FY_RE = new RegExp(`^/funds/${SLUG}/years/${YEAR}(/.*)?$`);

function fromNumber(search: string): number {
  const text = new URLSearchParams(search).get('from') ?? '0';
  return /^(0|[1-9][0-9]{0,8})$/.test(text) ? Number(text) : 0;
}

export function parseRoute(pathname: string, search: string): Route {
  if (pathname === '/' || pathname === '') return { page: 'funds' };
  const match = FY_RE.exec(pathname);
  if (match === null) return { page: 'not-found', path: pathname };
  const fundId = match[1] ?? '';
  const year = match[2] ?? '';
  const rest = match[3] ?? '';
  if (rest === '' || rest === '/') return { page: 'overview', fundId, year };
  if (rest === '/settlements') return { page: 'settlements', fundId, year };
  const settlement = /^\/settlements\/([A-Za-z0-9-]{1,100})$/.exec(rest);
  if (settlement !== null) return { page: 'settlement', fundId, year, settlementId: settlement[1] ?? '' };
  if (rest === '/return') return { page: 'return', fundId, year };
  if (rest === '/agreements') return { page: 'agreements', fundId, year };
  if (rest === '/decisions') return { page: 'decisions', fundId, year };
  if (rest === '/audit') return { page: 'audit', fundId, year, from: fromNumber(search) };
  return { page: 'not-found', path: pathname };
}

export function fundYearPath(ref: { fundId: string; year: string }, rest = ''): string {
  return `/funds/${encodeURIComponent(ref.fundId)}/years/${encodeURIComponent(ref.year)}${rest}`;
}
