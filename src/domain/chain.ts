// The hash chain of a fund-year stream (docs/integrity.md). Every event's metadata carries
// `prevHash`, the hash of the event before it (GENESIS_HASH for revision 0), and `hash`,
// the SHA-256 of the RFC 8785 canonical JSON of its revision, type, data and metadata
// without `hash`. Changing any of those, or removing or reordering an event, breaks the
// chain at that revision. Pure: the same event always gives the same hash, on any store.
import { canonicalSha256 } from './canonical.js';

/** The `prevHash` of a stream's first event. */
export const GENESIS_HASH = `sha256:${'0'.repeat(64)}`;

const HASH_PATTERN = /^sha256:[0-9a-f]{64}$/;

export interface ChainFields {
  prevHash: string;
  hash: string;
}

/** An event as the store records it (its revision as a number: fund-year streams stay small). */
export interface ChainedEvent {
  revision: number;
  type: string;
  data: unknown;
  metadata: unknown;
}

/** Why the chain breaks at a revision. */
export type ChainBreakReason =
  /** The event's revision, type, data or metadata no longer hash to its recorded `hash`. */
  | 'hash-mismatch'
  /** Its `prevHash` is not the previous event's `hash` (an event before it was removed, replaced or reordered). */
  | 'prev-hash-mismatch'
  /** The revision is absent, or another one stands in its place. */
  | 'revision-missing'
  /** The metadata has no (well-formed) `prevHash` and `hash`: written before the chain, or stripped. */
  | 'chain-fields-missing'
  /** The stored event is not JSON any more (the store cannot read it back). */
  | 'unreadable';

export interface ChainBreak {
  revision: number;
  reason: ChainBreakReason;
  /** One sentence for people: what was expected and what was found. */
  detail: string;
}

export type LinkCheck = { ok: true; hash: string } | { ok: false; broken: ChainBreak };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The recorded chain fields of a metadata value, or undefined if either is absent or malformed. */
export function chainFieldsOf(metadata: unknown): ChainFields | undefined {
  if (!isRecord(metadata)) return undefined;
  const { prevHash, hash } = metadata;
  if (typeof prevHash !== 'string' || typeof hash !== 'string') return undefined;
  return HASH_PATTERN.test(prevHash) && HASH_PATTERN.test(hash) ? { prevHash, hash } : undefined;
}

/** The hash an event should record: over its revision, type, data and metadata without `hash`. */
export function eventHash(event: ChainedEvent): string {
  const { revision, type, data } = event;
  let metadata = event.metadata;
  if (isRecord(metadata) && Object.hasOwn(metadata, 'hash')) {
    const { hash: _recorded, ...rest } = metadata;
    metadata = rest;
  }
  return canonicalSha256({ revision, type, data, metadata: metadata ?? null }, `event at revision ${revision}`);
}

/**
 * The hash the next event links to: the one `event` records, or, for an event written before
 * the chain, its content hash (such an event is still reported as `chain-fields-missing`).
 */
export function linkHash(event: ChainedEvent): string {
  return chainFieldsOf(event.metadata)?.hash ?? eventHash(event);
}

/**
 * Events about to be appended at `firstRevision` onwards, after an event whose hash is
 * `prevHash`: each gets `metadata` plus its own `prevHash` and `hash`.
 */
export function chainEvents<M extends object, E extends { type: string; data: unknown }>(
  firstRevision: number,
  prevHash: string,
  events: readonly E[],
  metadata: M,
): (E & { metadata: M & ChainFields })[] {
  let previous = prevHash;
  return events.map((event, i) => {
    const unsealed = { ...metadata, prevHash: previous };
    const hash = eventHash({ revision: firstRevision + i, type: event.type, data: event.data, metadata: unsealed });
    previous = hash;
    return { ...event, metadata: { ...unsealed, hash } };
  });
}

/**
 * Checks one recorded event, expected at `expectedRevision` right after an event whose hash is
 * `prevHash`. The order of the checks names the most specific failure first.
 */
export function checkLink(expectedRevision: number, prevHash: string, event: ChainedEvent): LinkCheck {
  const broken = (reason: ChainBreakReason, detail: string): LinkCheck => ({ ok: false, broken: { revision: expectedRevision, reason, detail } });
  if (event.revision !== expectedRevision) {
    return broken('revision-missing', `revision ${expectedRevision} is missing: the next event read is revision ${event.revision}`);
  }
  const fields = chainFieldsOf(event.metadata);
  if (fields === undefined) {
    return broken('chain-fields-missing', `the event at revision ${expectedRevision} carries no prevHash and hash in its metadata`);
  }
  if (fields.prevHash !== prevHash) {
    return broken('prev-hash-mismatch', `prevHash ${fields.prevHash} is not the hash of the event before it (${prevHash})`);
  }
  const computed = eventHash(event);
  if (computed !== fields.hash) {
    return broken('hash-mismatch', `the event's content hashes to ${computed}, not its recorded hash ${fields.hash}`);
  }
  return { ok: true, hash: fields.hash };
}
