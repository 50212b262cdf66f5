// A command whose events would not fit in one append is refused before anything is written,
// the same on both stores (the check sits above the adapters): 422 problem+json events-too-large.
import { test } from 'tap';
import { APPEND_BYTES_MAX, appendBytes, assertAppendFits, EventsTooLargeError } from '../../src/store/append-limit.js';
import { problemForError } from '../../src/http/problem.js';
import { bearer, KEYS } from './fixtures/fake-service.js';
import { realAppWithStore } from './fixtures/real-app.js';

const FY = '/v1/funds/plymouth-integrated-fund/years/2015-16';

test('the append size: JSON bytes of data and metadata, type, and a per-event overhead; the limit is inclusive', async (t) => {
  const event = { id: 'x', type: 'T', data: { s: 'é' }, metadata: null };
  const one = appendBytes([event]);
  t.equal(appendBytes([event, event]), 2 * one, 'adds up per event');
  t.equal(appendBytes([{ ...event, data: { s: 'éé' } }]) - one, 2, 'UTF-8 bytes, not characters');
  t.doesNotThrow(() => assertAppendFits('s', [event], one), 'exactly at the limit: fits');
  t.throws(() => assertAppendFits('s', [event], one - 1), EventsTooLargeError, 'one byte over: refused');
  t.ok(APPEND_BYTES_MAX <= 512 * 1024, 'well under the 1 MiB EventStoreDB refuses');
  const { problem, internal } = problemForError(new EventsTooLargeError('s', 2, 1));
  t.strictSame([problem.status, problem.type, internal], [422, 'https://poolshare.example/problems/events-too-large', false], 'mapped to 422');
});

test('a budget whose event would not fit: 422 events-too-large, nothing appended', async (t) => {
  const { app, store } = await realAppWithStore(t);
  const pad = (prefix: string, i: number): string => `${prefix}${String(i).padStart(3, '0')}-${'x'.repeat(55)}`;
  const partners = Array.from({ length: 20 }, (_, i) => ({ partnerId: pad('p', i), name: `Partner ${i}` }));
  const strategies = Array.from({ length: 100 }, (_, i) => ({ strategyId: pad('s', i), name: `Strategy ${i}` }));
  const open = await app.inject({ method: 'POST', url: FY, headers: bearer(KEYS.admin), payload: { name: 'Big fund', partners, strategies } });
  t.equal(open.statusCode, 201, open.body);
  const lines = partners.flatMap((p) =>
    strategies.flatMap((s) => (['pooled', 'aligned'] as const).map((arrangement) => ({ strategyId: s.strategyId, partnerId: p.partnerId, arrangement, amount: '999999999999.99' }))),
  );
  const payload = JSON.stringify({ lines });
  t.ok(payload.length < 1024 * 1024 && payload.length > APPEND_BYTES_MAX, `a body under the 1 MiB body limit (${payload.length} bytes)`);
  const headBefore = await store.headPosition();
  const res = await app.inject({ method: 'PUT', url: `${FY}/budget`, headers: { ...bearer(KEYS.admin), 'content-type': 'application/json' }, payload });
  t.equal(res.statusCode, 422, res.body.slice(0, 300));
  t.match(res.headers['content-type'], /application\/problem\+json/);
  t.match(res.json(), { type: 'https://poolshare.example/problems/events-too-large', status: 422, detail: /more than the 524288 bytes one append may hold/ });
  t.equal(await store.headPosition(), headBefore, 'nothing was appended');
  t.equal((await store.readStream('fundyear-plymouth-integrated-fund-2015-16')).length, 1, 'the fund-year is as it was');
});
