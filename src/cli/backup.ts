// Online backup of the embedded store:
//   npm run backup -- FILE
// Copies DATA_DIR/poolshare-events.sqlite to FILE with SQLite's online backup API (through
// better-sqlite3) while the service keeps running and writing. The copy is one backup step,
// so one read transaction: with the store in WAL mode writers carry on meanwhile, and the copy
// is one consistent snapshot of the log. (In small steps, every write by another process
// restarts the copy: on a busy store it might never finish.) The copy is switched out of WAL
// mode to a single self-contained file, written beside FILE under a temporary name, checked, made 0600
// (it holds every fact of every fund) and only then renamed to FILE, so FILE is either a
// whole, checked backup or absent. FILE must not exist. Restoring: docs/operations.md.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../config.js';
import { APPLICATION_ID, STORE_FILE_NAME } from '../store/sqlite/sqlite-store.js';

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

export interface BackupResult {
  file: string;
  events: bigint;
  /** Position of the last event in the copy; null for an empty log. */
  lastPosition: bigint | null;
}

/** Pages per backup step: all of them, in one step (see above). */
const ALL_PAGES = 0x7fffffff;

export async function backupStore(options: { dataDir: string; file: string }): Promise<BackupResult> {
  const source = path.resolve(options.dataDir, STORE_FILE_NAME);
  const file = path.resolve(options.file);
  if (!fs.existsSync(source)) throw new BackupError(`no embedded store at ${source} (is DATA_DIR right?)`);
  if (fs.existsSync(file)) throw new BackupError(`${file} exists already; choose a new file name (a backup never overwrites)`);
  const partial = `${file}.partial-${process.pid}`;
  // Created 0600 before SQLite writes into it: the copy is never readable by others, not even briefly.
  fs.closeSync(fs.openSync(partial, 'wx', 0o600));
  try {
    const db = new Database(source, { readonly: true, fileMustExist: true });
    try {
      if (Number(db.pragma('application_id', { simple: true })) !== APPLICATION_ID) throw new BackupError(`${source} is not a poolshare event store`);
      await db.backup(partial, { progress: () => ALL_PAGES });
    } finally {
      db.close();
    }
    singleFile(partial);
    const result = check(partial);
    fs.chmodSync(partial, 0o600);
    fs.renameSync(partial, file);
    return { ...result, file };
  } catch (error) {
    fs.rmSync(partial, { force: true });
    fs.rmSync(`${partial}-journal`, { force: true });
    throw error;
  }
}

/** No -wal/-shm beside a backup: the copy leaves WAL mode (the store switches it back when it opens it). */
function singleFile(file: string): void {
  const copy = new Database(file, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
}

/** Opens the copy as a restore would, checks it page by page, and counts what it holds. */
function check(file: string): Omit<BackupResult, 'file'> {
  const copy = new Database(file, { readonly: true, fileMustExist: true });
  try {
    copy.defaultSafeIntegers(true);
    const verdict = String(copy.pragma('integrity_check', { simple: true }));
    if (verdict !== 'ok') throw new BackupError(`the copy failed SQLite's integrity check: ${verdict}`);
    const events = copy.prepare('SELECT count(*) FROM events').pluck().get() as bigint;
    const lastPosition = copy.prepare('SELECT max(position) FROM events').pluck().get() as bigint | null;
    return { events, lastPosition };
  } finally {
    copy.close();
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const file = argv[0];
  if (file === undefined || argv.length !== 1 || file.startsWith('-')) {
    process.stderr.write('usage: npm run backup -- FILE   (copies the embedded store in DATA_DIR to FILE, online)\n');
    return 2;
  }
  const config = loadConfig();
  if (config.eventStoreUrl !== undefined) {
    throw new BackupError('EVENTSTORE_URL is set: the events are in EventStoreDB, which is backed up with its own tools (see docs/operations.md)');
  }
  const result = await backupStore({ dataDir: config.dataDir, file });
  const last = result.lastPosition === null ? 'an empty log' : `last position ${result.lastPosition}`;
  process.stdout.write(`backed up ${result.events} event(s), ${last}, to ${result.file} (mode 0600)\n`);
  return 0;
}

// Run as a script (npm run backup), not when imported by a test.
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`backup failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
