// Idempotency-Key (DOMAIN.md): the key and a hash of the request are written into
// the metadata of the events a command appends. The log is the only record, so a
// replay works across restarts and stores. A key belongs to the caller that sent it
// (its principal) within one fund-year stream, as payment APIs scope keys to the
// account: the same key from two callers is two requests, and neither blocks the other.
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
    'this Idempotency-Key was already used by this caller for a different request',
    [{ path: 'headers/idempotency-key', message: 'already used by this caller with a different body or operation' }],
  );
}

/** Where a caller's key is filed in a stream's key index: the principal and the key together. */
export function scopedKey(principal: string, key: string): string {
  return JSON.stringify([principal, key]);
}

/**
 * The revisions of the events an earlier request by this principal with this key appended,
 * or [] if none, from the stream's key index (stream-cache.ts builds it from the events'
 * metadata). The same key with another request hash from the same principal is refused (422).
 */
export function revisionsForKey(
  keys: ReadonlyMap<string, { requestHash: string | undefined; revisions: readonly number[] }>,
  principal: string,
  key: string,
  hash: string,
): readonly number[] {
  const keyed = keys.get(scopedKey(principal, key));
  if (keyed === undefined) return [];
  if (keyed.requestHash !== hash) throw keyReused();
  return keyed.revisions;
}
