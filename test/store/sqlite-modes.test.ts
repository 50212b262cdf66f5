// Issue 11, item 10 (file modes): the log is as private as the keys file. The database and its
// -wal and -shm files are created 0600, and a store created looser by an older poolshare is
// made 0600 when it is opened.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { openSqliteStore, STORE_FILE_NAME } from '../../src/store/sqlite/sqlite-store.js';
import { newEvents } from './contract.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'poolshare-modes-'));
t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));

const modes = (dir: string): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const name of [STORE_FILE_NAME, `${STORE_FILE_NAME}-wal`, `${STORE_FILE_NAME}-shm`]) {
    out[name] = (fs.statSync(path.join(dir, name)).mode & 0o777).toString(8);
  }
  return out;
};

const private600 = { [STORE_FILE_NAME]: '600', [`${STORE_FILE_NAME}-wal`]: '600', [`${STORE_FILE_NAME}-shm`]: '600' };

t.test('a new store: database, -wal and -shm are 0600, whatever the umask', async (t) => {
  const dir = path.join(root, 'new');
  const umask = process.umask(0o022);
  t.teardown(() => process.umask(umask));
  const store = openSqliteStore({ dataDir: dir });
  await store.append('s-1', newEvents(3), { expectedRevision: 'no_stream' });
  t.strictSame(modes(dir), private600);
  await store.close();
});

t.test('an existing world-readable store is made private when opened', async (t) => {
  const dir = path.join(root, 'old');
  const first = openSqliteStore({ dataDir: dir });
  await first.append('s-1', newEvents(2), { expectedRevision: 'no_stream' });
  for (const name of Object.keys(private600)) fs.chmodSync(path.join(dir, name), 0o644);
  // Left open (as a crashed server leaves them): the sidecars stay on disk for the next open.
  const second = openSqliteStore({ dataDir: dir });
  t.strictSame(modes(dir), private600);
  t.equal((await second.readStream('s-1')).length, 2);
  await second.close();
  await first.close();
});
