// Issue 13 (bytes on disk per event): new store files use 16 KiB pages, so several
// 2–3 KB event rows share a page; a file made with another page size keeps it and
// stays readable and writable.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { openSqliteStore, STORE_FILE_NAME, SQLITE_PAGE_SIZE } from '../../src/store/sqlite/sqlite-store.js';
import { newEvents } from './contract.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'poolshare-pagesize-'));
t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));

const pageSizeOf = (dir: string): number => {
  const db = new Database(path.join(dir, STORE_FILE_NAME), { readonly: true });
  try {
    return Number(db.pragma('page_size', { simple: true }));
  } finally {
    db.close();
  }
};

t.test('a new store file has the adapter page size', async (t) => {
  const dir = path.join(root, 'new');
  const store = openSqliteStore({ dataDir: dir });
  await store.append('s-1', newEvents(2), { expectedRevision: 'no_stream' });
  await store.close();
  t.equal(SQLITE_PAGE_SIZE, 16384);
  t.equal(pageSizeOf(dir), SQLITE_PAGE_SIZE);
});

t.test('a file created with 4 KiB pages keeps them and stays readable and writable', async (t) => {
  const dir = path.join(root, 'old');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const made = new Database(path.join(dir, STORE_FILE_NAME));
  made.pragma('page_size = 4096');
  made.pragma('journal_mode = WAL'); // writes the header: the page size is now fixed
  made.close();
  const first = openSqliteStore({ dataDir: dir });
  await first.append('s-1', newEvents(2), { expectedRevision: 'no_stream' });
  await first.close();
  const again = openSqliteStore({ dataDir: dir });
  await again.append('s-1', newEvents(1), { expectedRevision: 1n });
  const read = await again.readStream('s-1');
  await again.close();
  t.equal(read.length, 3);
  t.equal(pageSizeOf(dir), 4096);
});
