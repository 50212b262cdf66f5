// One way to fingerprint a JSON value: `sha256:` + hex SHA-256 of its RFC 8785 canonical
// form. The settlement digest and the Idempotency-Key request hash are both this.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

// canonicalize is CommonJS with `export default` typings, which NodeNext cannot call as a
// default import; requiring it gives the function itself.
const canonicalize = createRequire(import.meta.url)('canonicalize') as (input: unknown) => string | undefined;

export function canonicalSha256(value: unknown, what: string): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error(`${what} has no JSON form`);
  return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}
