// The hash chain's pure rules (src/domain/chain.ts): how events are sealed and how a link is checked.
import t from 'tap';
import fc from 'fast-check';
import { canonicalSha256 } from '../../src/domain/canonical.js';
import { chainEvents, chainFieldsOf, checkLink, eventHash, GENESIS_HASH, linkHash, type ChainedEvent } from '../../src/domain/chain.js';

const META = { principal: 'ccg-finance', role: 'partner', partnerId: 'ccg', requestId: 'req-1', receivedAt: '2016-04-10T09:00:00.000Z', recordedAt: '2016-04-10T09:00:00.001Z' };
const EVENTS = [
  { type: 'MonthlyReturnSubmitted', data: { returnId: 'r1', partnerId: 'ccg', period: 'M1', lines: [{ strategyId: 'wellbeing', arrangement: 'pooled', actualToDate: '1.00', forecastOutturn: '2.00' }], correction: false } },
  { type: 'AgreementAccepted', data: { version: 1, partnerId: 'ccg' } },
  { type: 'YearClosed', data: { closedBy: 'fund-admin' } },
];

/** The three events sealed at revisions 5, 6, 7 after an event hashed `prev`. */
function sealed(prev = `sha256:${'1'.repeat(64)}`): ChainedEvent[] {
  return chainEvents(5, prev, EVENTS, META).map((e, i) => ({ revision: 5 + i, ...e }));
}

t.test('sealing: prevHash links each event to the one before, hash is over revision, type, data and metadata without hash', async (t) => {
  const prev = `sha256:${'1'.repeat(64)}`;
  const events = sealed(prev);
  t.equal(GENESIS_HASH, `sha256:${'0'.repeat(64)}`);
  t.equal((events[0]!.metadata as { prevHash: string }).prevHash, prev);
  for (const [i, e] of events.entries()) {
    const { hash, ...unsealed } = e.metadata as { hash: string; prevHash: string };
    t.equal(hash, canonicalSha256({ revision: 5 + i, type: e.type, data: e.data, metadata: unsealed }, 'test'), `revision ${5 + i}: the documented formula`);
    t.strictSame(unsealed, { ...META, prevHash: i === 0 ? prev : (events[i - 1]!.metadata as { hash: string }).hash });
    t.equal(eventHash(e), hash);
    t.equal(linkHash(e), hash);
  }
  t.notOk('metadata' in EVENTS[0]!, 'the events given are not changed');
  t.notOk('hash' in META, 'nor the metadata given');
});

t.test('the hash does not depend on key order (RFC 8785), and does on every field', async (t) => {
  const [e] = sealed();
  const reordered: ChainedEvent = {
    revision: e!.revision, type: e!.type,
    data: Object.fromEntries(Object.entries(e!.data as object).reverse()),
    metadata: Object.fromEntries(Object.entries(e!.metadata as object).reverse()),
  };
  t.equal(eventHash(reordered), eventHash(e!));
  const hash = eventHash(e!);
  t.not(eventHash({ ...e!, revision: 6 }), hash, 'revision');
  t.not(eventHash({ ...e!, type: 'BudgetSet' }), hash, 'type');
  t.not(eventHash({ ...e!, data: { ...(e!.data as object), period: 'M2' } }), hash, 'data');
  t.not(eventHash({ ...e!, metadata: { ...(e!.metadata as object), requestId: 'req-2' } }), hash, 'metadata');
  t.not(eventHash({ ...e!, metadata: { ...(e!.metadata as object), prevHash: GENESIS_HASH } }), hash, 'prevHash is covered');
  t.equal(eventHash({ ...e!, metadata: { ...(e!.metadata as object), hash: GENESIS_HASH } }), hash, 'the hash field itself is not');
});

t.test('any change to a string in data or metadata changes the hash (property)', async () => {
  const [e] = sealed();
  const strings = (value: unknown, path: (string | number)[] = []): (string | number)[][] => {
    if (typeof value === 'string') return [path];
    if (typeof value !== 'object' || value === null) return [];
    return Object.entries(value).flatMap(([k, v]) => strings(v, [...path, Array.isArray(value) ? Number(k) : k]));
  };
  const targets = [...strings(e!.data).map((p) => ['data', ...p]), ...strings(e!.metadata).map((p) => ['metadata', ...p]).filter((p) => p[1] !== 'hash')];
  fc.assert(fc.property(fc.constantFrom(...targets), fc.string({ minLength: 1, maxLength: 3 }), (path, text) => {
    const copy = JSON.parse(JSON.stringify(e)) as Record<string, unknown>;
    let at: Record<string | number, unknown> = copy;
    for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
    const last = path[path.length - 1]!;
    const changed = `${String(at[last])}${text}`;
    at[last] = changed;
    return eventHash(copy as unknown as ChainedEvent) !== eventHash(e!);
  }));
});

t.test('checkLink names each kind of break at the expected revision', async (t) => {
  const events = sealed();
  const prev = (events[0]!.metadata as { prevHash: string }).prevHash;
  const first = events[0]!;
  t.strictSame(checkLink(5, prev, first), { ok: true, hash: (first.metadata as { hash: string }).hash });
  t.match(checkLink(5, prev, events[1]!), { ok: false, broken: { revision: 5, reason: 'revision-missing', detail: /revision 5 is missing: the next event read is revision 6/ } });
  t.match(checkLink(5, GENESIS_HASH, first), { ok: false, broken: { revision: 5, reason: 'prev-hash-mismatch' } });
  const edited = { ...first, data: { ...(first.data as object), period: 'M2' } };
  t.match(checkLink(5, prev, edited), { ok: false, broken: { revision: 5, reason: 'hash-mismatch', detail: /content hashes to sha256:[0-9a-f]{64}, not its recorded hash/ } });
  const { prevHash: _p, hash: _h, ...unchained } = first.metadata as Record<string, unknown>;
  t.match(checkLink(5, prev, { ...first, metadata: unchained }), { ok: false, broken: { revision: 5, reason: 'chain-fields-missing' } });
  t.match(checkLink(5, prev, { ...first, metadata: null }), { ok: false, broken: { reason: 'chain-fields-missing' } }, 'no metadata at all');
  t.match(checkLink(5, prev, { ...first, metadata: { ...(first.metadata as object), hash: 'sha256:xyz' } }), { ok: false, broken: { reason: 'chain-fields-missing' } }, 'a malformed hash');
  t.match(checkLink(5, prev, { ...first, metadata: [prev] }), { ok: false, broken: { reason: 'chain-fields-missing' } }, 'metadata that is not an object');
});

t.test('an event written before the chain: no chain fields, linked to by its content hash', async (t) => {
  const legacy: ChainedEvent = { revision: 0, type: 'YearClosed', data: { closedBy: 'fund-admin' }, metadata: { principal: 'fund-admin' } };
  t.equal(chainFieldsOf(legacy.metadata), undefined);
  t.equal(linkHash(legacy), canonicalSha256({ revision: 0, type: 'YearClosed', data: { closedBy: 'fund-admin' }, metadata: { principal: 'fund-admin' } }, 'test'));
  t.equal(linkHash({ ...legacy, metadata: null }), canonicalSha256({ revision: 0, type: 'YearClosed', data: { closedBy: 'fund-admin' }, metadata: null }, 'test'));
});
