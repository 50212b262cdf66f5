// Idempotency-Key (DOMAIN.md): the key and a hash of the request are written into
// the metadata of the events a command appends. The log is the only record, so a
// replay works across restarts and stores. Keys are scoped to the fund-year stream.
import { canonicalSha256 } from '../domain/canonical.js';
import { DomainError } from '../domain/errors.js';

export interface EventMetadata {
  principal: string;
  role: string;
  /** On whose behalf: the partner the command acts for, null for fund-level admin commands. */
  partnerId: string | null;
  requestId: string;
  idempotencyKey?: string;
  requestHash?: string;
  receivedAt: string;
  /** When it was recorded: informational, never a settlement input. */
  recordedAt: string;
}

/**
 * SHA-256 of the RFC 8785 canonical request: operation, path parameters, body and the
 * principal's name (the same key from another caller is a different request, and must
 * not replay someone else's answer).
 */
export function requestHash(operation: string, principal: string, params: unknown): string {
  return canonicalSha256({ operation, principal, params }, 'request');
}


function keyReused(): DomainError {
  return new DomainError(
    'unprocessable',
    'idempotency-key-reused',
    'this Idempotency-Key was already used for a different request',
    [{ path: 'headers/idempotency-key', message: 'already used with a different body, operation or caller' }],
  );
}

/**
 * The revisions of the events an earlier request with this key appended, or [] if none,
 * from the stream's key index (stream-cache.ts builds it from the events' metadata).
 * The same key with another request hash is refused (422).
 */
export function revisionsForKey(keys: ReadonlyMap<string, { requestHash: string | undefined; revisions: readonly number[] }>, key: string, hash: string): readonly number[] {
  const keyed = keys.get(key);
  if (keyed === undefined) return [];
  if (keyed.requestHash !== hash) throw keyReused();
  return keyed.revisions;
}
