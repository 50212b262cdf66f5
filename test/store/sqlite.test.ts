import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore, SqliteEventStore, STORE_FILE_NAME } from '../../src/store/sqlite/sqlite-store.js';
import { IdempotencyMismatchError } from '../../src/store/port.js';
import { newEvent, newEvents, runStoreContract, take } from './contract.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'poolshare-sqlite-'));
t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (): string => path.join(root, `store-${++dirs}`);

// Every store here is on a fresh file (or memory) of its own: each is also the private log.
const onFile = async () => openSqliteStore({ dataDir: freshDir() });
const inMemory = async () => openSqliteStore({ memory: true });
void runStoreContract(t, 'sqlite', onFile, { privateLog: onFile });
void runStoreContract(t, 'sqlite-memory', inMemory, { privateLog: inMemory });

t.test('sqlite specifics', async (t) => {
  t.test('the file is created in dataDir, WAL with synchronous=FULL, and reopens with its events', async (t) => {
    const dir = freshDir();
    const store = openSqliteStore({ dataDir: dir });
    await store.append('s-1', newEvents(3), { expectedRevision: 'no_stream' });
    await store.close();
    const file = path.join(dir, STORE_FILE_NAME);
    t.ok(fs.existsSync(file), `${STORE_FILE_NAME} exists`);
    const raw = new Database(file, { readonly: true });
    t.equal(raw.pragma('journal_mode', { simple: true }), 'wal', 'journal mode is WAL');
    raw.close();
    const again = openSqliteStore({ dataDir: dir });
    t.equal((await again.readStream('s-1')).length, 3, 'events survive a reopen');
    const r = await again.append('s-1', [newEvent()], { expectedRevision: 2n });
    t.equal(r.nextExpectedRevision, 3n);
    t.equal(r.position, 4n, 'the global sequence carries on');
    await again.close();
  });

  t.test("dataDir ':memory:' is a throwaway in-memory store and leaves no file", async (t) => {
    const cwd = fs.readdirSync('.');
    const store = openSqliteStore({ dataDir: ':memory:' });
    t.equal((await store.append('m', [newEvent()], { expectedRevision: 'no_stream' })).position, 1n);
    await store.close();
    t.strictSame(fs.readdirSync('.'), cwd, 'no file or directory was created');
  });

  t.test('the live connection runs WAL with synchronous=FULL', async (t) => {
    const store = SqliteEventStore.open({ dataDir: freshDir() });
    t.strictSame(store.durabilitySettings(), { journalMode: 'wal', synchronous: 2n }, 'WAL, synchronous=FULL (2)');
    await store.close();
  });

  t.test('a batch is all or nothing: a clash on its last event writes none of it', async (t) => {
    const store = openSqliteStore({ memory: true });
    const taken = newEvent('Taken');
    await store.append('other', [taken], { expectedRevision: 'no_stream' });
    const batch = [...newEvents(3), { ...newEvent(), id: taken.id }];
    await t.rejects(store.append('target', batch, { expectedRevision: 'no_stream' }), IdempotencyMismatchError);
    t.strictSame(await store.readStream('target'), [], 'nothing of the batch was written');
    t.equal((await store.readAll()).length, 1, 'the log holds only the first event');
    const ok = await store.append('target', newEvents(2), { expectedRevision: 'no_stream' });
    t.equal(ok.nextExpectedRevision, 1n, 'the stream is still new');
    await store.close();
  });

  t.test('refuses bad input before touching the file', async (t) => {
    const store = openSqliteStore({ memory: true });
    await t.rejects(store.append('s', [], { expectedRevision: 'any' }), RangeError, 'empty batch');
    const e = newEvent();
    await t.rejects(store.append('s', [e, e], { expectedRevision: 'any' }), RangeError, 'same id twice in a batch');
    await t.rejects(store.append('', [newEvent()], { expectedRevision: 'any' }), RangeError, 'empty stream name');
    await t.rejects(store.readAll({ maxCount: -1 }), RangeError, 'negative maxCount');
    await store.close();
    await t.rejects(store.readAll(), /closed/, 'a closed store says so');
  });

  t.test('a half-matching retry is named IdempotencyMismatchError and writes nothing', async (t) => {
    const store = openSqliteStore({ memory: true });
    const first = newEvents(2);
    await store.append('s', first, { expectedRevision: 'no_stream' });
    await t.rejects(store.append('s', [first[0]!, newEvent()], { expectedRevision: 'no_stream' }), IdempotencyMismatchError);
    await t.rejects(store.append('s', [...first, newEvent()], { expectedRevision: 'no_stream' }), IdempotencyMismatchError);
    await t.rejects(store.append('s', [first[1]!, newEvent()], { expectedRevision: 'any' }), IdempotencyMismatchError, 'with any, too');
    t.equal((await store.readAll()).length, 2);
    await store.close();
  });

  t.test('any/exists retries are recognised by event id', async (t) => {
    const store = openSqliteStore({ memory: true });
    const batch = newEvents(2);
    const r1 = await store.append('s', batch, { expectedRevision: 'any' });
    const r2 = await store.append('s', batch, { expectedRevision: 'any' });
    t.strictSame(r2, r1, 'retry with any: same answer');
    const r3 = await store.append('s', batch, { expectedRevision: 'exists' });
    t.strictSame(r3, r1, 'retry with exists: same answer');
    t.equal((await store.readAll()).length, 2, 'nothing written twice');
    await store.close();
  });

  t.test('a subscription sees appends made through another store on the same file', async (t) => {
    const dir = freshDir();
    const reader = openSqliteStore({ dataDir: dir, pollIntervalMs: 50 });
    const writer = openSqliteStore({ dataDir: dir });
    const sub = reader.subscribeToAll();
    const it = sub[Symbol.asyncIterator]();
    await writer.append('x', newEvents(2), { expectedRevision: 'no_stream' });
    const got = await take(it, 2, new Set(['x']));
    t.strictSame(got.map((e) => e.revision), [0n, 1n]);
    await writer.close();
    await reader.close(); // closes the subscription too
    t.equal((await it.next()).done, true, 'closing the store ended its subscription');
  });
});
