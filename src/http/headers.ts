// Request headers that must be sent at most once. Node keeps the first
// `Authorization` or `Content-Type` and silently drops the others, and joins repeated
// `Idempotency-Key`s with ", ": either way the server would act on a guess at what
// the client meant. RFC 9110 §5.3 forbids repeating a field that is not a list, so a
// repeat is a malformed request: 400, checked before anything reads those headers.
import { makeProblem, type Problem } from './problem.js';

export const SINGLETON_HEADERS: readonly string[] = ['authorization', 'content-type', 'idempotency-key'];

/** The first singleton header that occurs more than once in Node's `rawHeaders` (name, value, name, value…). */
export function repeatedSingletonHeader(rawHeaders: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]?.toLowerCase() ?? '';
    if (!SINGLETON_HEADERS.includes(name)) continue;
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return undefined;
}

export function repeatedHeaderProblem(name: string): Problem {
  return makeProblem(400, 'duplicate-header', `The ${name} header is sent more than once; send it once, so that the request means one thing.`, [
    { path: `headers/${name}`, message: 'must be sent at most once' },
  ]);
}
