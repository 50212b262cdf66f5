// Embedded event store: one SQLite file (better-sqlite3), WAL, synchronous=FULL.
// The global position is the events table's INTEGER PRIMARY KEY; revisions are
// unique per stream; event ids are unique in the whole file. Expected-revision
// and idempotency rules mirror EventStoreDB's (see docs/store.md).
import fs from 'node:fs';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import Database from 'better-sqlite3';
import type {
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamFilter,
  Subscription,
  SubscribeOptions,
} from '../port.js';
import { IdempotencyMismatchError, WrongExpectedRevisionError } from '../port.js';
import { makeDirectory } from '../../make-directory.js';

export const STORE_FILE_NAME = 'poolshare-events.sqlite';

/** `PRAGMA application_id` of every poolshare store ("Pool"): how we tell our file from anyone else's. */
export const APPLICATION_ID = 0x506f6f6c;

interface Migration {
  version: number;
  description: string;
  sql: string;
}

// Append-only history: a released migration is never edited, only followed by a new one.
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'events with a global sequence, unique (stream, revision) and unique event id',
    sql: `
      CREATE TABLE schema_version (
        version     INTEGER PRIMARY KEY,
        description TEXT NOT NULL,
        applied_at  TEXT NOT NULL
      );
      CREATE TABLE events (
        position  INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id  TEXT NOT NULL UNIQUE,
        stream_id TEXT NOT NULL,
        revision  INTEGER NOT NULL CHECK (revision >= 0),
        type      TEXT NOT NULL,
        data      TEXT NOT NULL,
        metadata  TEXT NOT NULL,
        UNIQUE (stream_id, revision)
      );`,
  },
  {
    version: 2,
    description: 'streams: one row per stream holding its last revision (backfilled from events)',
    sql: `
      CREATE TABLE streams (
        stream_id TEXT PRIMARY KEY,
        revision  INTEGER NOT NULL CHECK (revision >= 0)
      ) WITHOUT ROWID;
      INSERT INTO streams (stream_id, revision)
        SELECT stream_id, max(revision) FROM events GROUP BY stream_id;`,
  },
];

export const SCHEMA_VERSION_LATEST = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export type SqliteStoreOptions =
  | { dataDir: string; memory?: false; pollIntervalMs?: number }
  | { memory: true; dataDir?: undefined; pollIntervalMs?: number };

/** Refused to open: the file exists but is not a poolshare event store (it is left untouched). */
export class ForeignStoreFileError extends Error {
  readonly file: string;
  constructor(file: string, reason: string) {
    super(`refusing to open ${file}: ${reason}; it is not a poolshare event store and was left unchanged`);
    this.name = 'ForeignStoreFileError';
    this.file = file;
  }
}

/** The file was written by a newer version of poolshare than this one. */
export class StoreTooNewError extends Error {
  constructor(file: string, found: bigint) {
    super(`${file} has schema version ${found}, newer than this code knows (${SCHEMA_VERSION_LATEST}); upgrade poolshare`);
    this.name = 'StoreTooNewError';
  }
}

const BATCH_MAX = 10_000; // events per append: a limit on everything
const PAGE_SIZE = 500; // events per subscription page
const BUSY_TIMEOUT_MS = 5_000;

// Appends in this process wake subscriptions on the same file; other processes
// are seen by the fallback poll.
const appendSignals = new EventEmitter();
appendSignals.setMaxListeners(0);

/** A row of the `events` table as better-sqlite3 returns it (safe integers). */
export interface EventRow {
  position: bigint;
  event_id: string;
  stream_id: string;
  revision: bigint;
  type: string;
  data: string;
  metadata: string;
}

function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    streamId: row.stream_id,
    type: row.type,
    revision: row.revision,
    position: row.position,
    data: JSON.parse(row.data) as unknown,
    metadata: JSON.parse(row.metadata) as unknown,
  };
}

export function openSqliteStore(options: SqliteStoreOptions): EventStore {
  return SqliteEventStore.open(options);
}

export class SqliteEventStore implements EventStore {
  readonly file: string;
  private readonly db: Database.Database;
  private readonly signalKey: string;
  private readonly pollIntervalMs: number;
  private readonly subscriptions = new Set<SqliteSubscription>();
  private closed = false;

  private constructor(db: Database.Database, file: string, signalKey: string, pollIntervalMs: number) {
    this.db = db;
    this.file = file;
    this.signalKey = signalKey;
    this.pollIntervalMs = pollIntervalMs;
  }

  static open(options: SqliteStoreOptions): SqliteEventStore {
    const pollIntervalMs = options.pollIntervalMs ?? 200;
    if (options.memory === true || options.dataDir === ':memory:') {
      const db = new Database(':memory:');
      prepareConnection(db, ':memory:');
      migrate(db, ':memory:');
      return new SqliteEventStore(db, ':memory:', `memory:${Math.random()}:${Date.now()}`, pollIntervalMs);
    }
    makeDirectory(options.dataDir);
    const file = path.resolve(options.dataDir, STORE_FILE_NAME);
    if (fs.existsSync(file)) inspectExistingFile(file);
    else createPrivateFile(file);
    const db = new Database(file);
    try {
      prepareConnection(db, file);
      makePrivate(file);
      migrate(db, file);
    } catch (error) {
      db.close();
      throw error;
    }
    return new SqliteEventStore(db, file, `file:${file}`, pollIntervalMs);
  }

  async append(stream: string, events: EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    this.assertOpen();
    assertAppendable(stream, events);
    const run = this.db.transaction(() => appendInTransaction(this.db, stream, events, options.expectedRevision));
    const outcome = run.immediate();
    if (outcome.written) appendSignals.emit(this.signalKey);
    return outcome.result;
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const backwards = options.direction === 'backwards';
    const clauses = ['stream_id = ?'];
    const params: unknown[] = [stream];
    if (options.fromRevision !== undefined) {
      clauses.push(backwards ? 'revision <= ?' : 'revision >= ?');
      params.push(options.fromRevision);
    }
    if (options.toRevision !== undefined) {
      clauses.push(backwards ? 'revision >= ?' : 'revision <= ?');
      params.push(options.toRevision);
    }
    const limit = options.maxCount === undefined ? -1 : assertCount(options.maxCount);
    const sql = `SELECT * FROM events WHERE ${clauses.join(' AND ')} ORDER BY revision ${backwards ? 'DESC' : 'ASC'} LIMIT ?`;
    const rows = this.db.prepare(sql).all(...params, limit) as EventRow[];
    return rows.map(toRecorded);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const limit = options.maxCount === undefined ? -1 : assertCount(options.maxCount);
    return this.readAllSync(options.afterPosition ?? -1n, limit, options.streamPrefix);
  }

  readAllSync(afterPosition: bigint, limit: number, streamPrefix?: string): RecordedEvent[] {
    if (streamPrefix === undefined) {
      const rows = this.db
        .prepare('SELECT * FROM events WHERE position > ? ORDER BY position ASC LIMIT ?')
        .all(afterPosition, limit) as EventRow[];
      return rows.map(toRecorded);
    }
    const [low, high] = prefixRange(streamPrefix);
    const rows = this.db
      .prepare('SELECT * FROM events WHERE position > ? AND stream_id >= ? AND stream_id < ? ORDER BY position ASC LIMIT ?')
      .all(afterPosition, low, high, limit) as EventRow[];
    return rows.map(toRecorded);
  }

  /**
   * Unfiltered: max() of the INTEGER PRIMARY KEY, read from the end of the table's b-tree.
   * Filtered: the stream heads in the prefix's key range of `streams`, one index probe each
   * for the head event's position (as many probes as matching streams, never a table scan).
   */
  async headPosition(filter: StreamFilter = {}): Promise<bigint | null> {
    this.assertOpen();
    if (filter.streamPrefix === undefined) return this.db.prepare('SELECT max(position) FROM events').pluck().get() as bigint | null;
    const [low, high] = prefixRange(filter.streamPrefix);
    return this.db
      .prepare(
        'SELECT max(e.position) FROM streams s JOIN events e ON e.stream_id = s.stream_id AND e.revision = s.revision WHERE s.stream_id >= ? AND s.stream_id < ?',
      )
      .pluck()
      .get(low, high) as bigint | null;
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    const subscription = new SqliteSubscription(this, options.afterPosition ?? -1n, options.streamPrefix, () => {
      this.subscriptions.delete(subscription);
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** Subscribe to the "something was appended" signal; returns the unsubscribe function. */
  onAppend(listener: () => void): () => void {
    appendSignals.on(this.signalKey, listener);
    return () => appendSignals.off(this.signalKey, listener);
  }

  get pollMs(): number {
    return this.pollIntervalMs;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** What the connection actually runs with (for tests and diagnostics). */
  durabilitySettings(): { journalMode: string; synchronous: bigint } {
    this.assertOpen();
    return {
      journalMode: String(this.db.pragma('journal_mode', { simple: true })),
      synchronous: this.db.pragma('synchronous', { simple: true }) as bigint,
    };
  }

  async ping(): Promise<void> {
    this.assertOpen();
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('event store is closed');
  }
}

/**
 * [low, high): the key range of names starting with `prefix` under SQLite's BINARY collation
 * (UTF-8 byte order): the prefix itself up to the prefix with its last character incremented.
 */
function prefixRange(prefix: string): [string, string] {
  if (prefix.length === 0) throw new RangeError('a stream prefix must not be empty');
  const last = prefix.charCodeAt(prefix.length - 1);
  if (last >= 0xd800) throw new RangeError('a stream prefix must end in a character below U+D800');
  return [prefix, prefix.slice(0, -1) + String.fromCharCode(last + 1)];
}

function assertCount(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`maxCount must be a non-negative integer, got ${n}`);
  return n;
}

function assertAppendable(stream: string, events: EventToAppend[]): void {
  if (stream.length === 0) throw new RangeError('stream name must not be empty');
  if (events.length === 0) throw new RangeError('append needs at least one event');
  if (events.length > BATCH_MAX) throw new RangeError(`append of ${events.length} events exceeds ${BATCH_MAX}`);
  const seen = new Set<string>();
  for (const e of events) {
    if (typeof e.id !== 'string' || e.id.length === 0) throw new RangeError('event id must be a non-empty string');
    if (seen.has(e.id)) throw new RangeError(`event id ${e.id} appears twice in one append`);
    seen.add(e.id);
    if (typeof e.type !== 'string' || e.type.length === 0) throw new RangeError('event type must be a non-empty string');
  }
}

// ---- opening and migrating --------------------------------------------------

/** The log is as private as the keys file: owner read and write only. */
const STORE_FILE_MODE = 0o600;

/**
 * Creates the empty database file 0600 before SQLite opens it (an empty file is an empty
 * database). SQLite gives the -wal and -shm files it creates the mode of the database file.
 */
function createPrivateFile(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', STORE_FILE_MODE));
  fs.chmodSync(file, STORE_FILE_MODE); // whatever the umask
}

/** A store made by an older poolshare (0644) is made private when opened, with its sidecars. */
function makePrivate(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      fs.chmodSync(f, STORE_FILE_MODE);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

/** Looks at an existing file read-only and refuses anything that is not ours. Writes nothing. */
function inspectExistingFile(file: string): void {
  const size = fs.statSync(file).size;
  if (size === 0) return; // an empty file is an empty SQLite database: safe to initialise
  const header = Buffer.alloc(16);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, header, 0, 16, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (header.toString('latin1') !== 'SQLite format 3\0') throw new ForeignStoreFileError(file, 'not a SQLite database');
  // A read-only open of a WAL database creates -wal/-shm beside it. A refused file gets them
  // removed again (it is left as it was). Ours keeps them: another poolshare process may have
  // opened the same file meanwhile, and deleting a live -shm under it would corrupt its view.
  const sidecars = [`${file}-wal`, `${file}-shm`].filter((f) => !fs.existsSync(f));
  try {
    probeExistingFile(file);
  } catch (error) {
    for (const f of sidecars) {
      if (f.endsWith('-wal') && fs.existsSync(f) && fs.statSync(f).size > 0) continue;
      fs.rmSync(f, { force: true });
    }
    throw error;
  }
}

function probeExistingFile(file: string): void {
  let probe: Database.Database;
  try {
    probe = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new ForeignStoreFileError(file, `cannot be read as SQLite (${(error as Error).message})`);
  }
  try {
    probe.defaultSafeIntegers(true);
    const appId = Number(probe.pragma('application_id', { simple: true }));
    const tableCount = Number(probe.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").pluck().get());
    if (appId === APPLICATION_ID) {
      const found = currentSchemaVersion(probe);
      if (found > BigInt(SCHEMA_VERSION_LATEST)) throw new StoreTooNewError(file, found);
      return;
    }
    if (appId === 0 && tableCount === 0) return; // a blank database nobody has used
    throw new ForeignStoreFileError(file, appId === 0 ? `it has ${tableCount} table(s) and no poolshare application id` : `application id ${appId}`);
  } finally {
    probe.close();
  }
}

/** Bytes per SQLite page for new store files. */
export const SQLITE_PAGE_SIZE = 16384;

function prepareConnection(db: Database.Database, file: string): void {
  db.defaultSafeIntegers(true);
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // Only takes effect on a file not yet written (existing files keep the page
  // size in their header and stay readable). An event row is 2–3 KB: with the
  // default 4 KiB pages one row fits per page and a third of the file was free
  // space (see docs/bench.md, "bytes on disk per event").
  db.pragma(`page_size = ${SQLITE_PAGE_SIZE}`);
  if (file !== ':memory:') {
    const mode = String(db.pragma('journal_mode = WAL', { simple: true }));
    if (mode.toLowerCase() !== 'wal') throw new Error(`${file}: could not switch to WAL (journal_mode=${mode})`);
  }
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
}

function currentSchemaVersion(db: Database.Database): bigint {
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get();
  if (hasTable === undefined) return 0n;
  const v = db.prepare('SELECT max(version) FROM schema_version').pluck().get() as bigint | null;
  return v ?? 0n;
}

function migrate(db: Database.Database, file: string): void {
  const apply = db.transaction((pending: readonly Migration[]) => {
    // Re-read inside the write lock: another process may have migrated meanwhile.
    const found = currentSchemaVersion(db);
    if (found > BigInt(SCHEMA_VERSION_LATEST)) throw new StoreTooNewError(file, found);
    if (found === 0n) {
      const tables = Number(db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table'").pluck().get());
      if (tables > 0) throw new ForeignStoreFileError(file, `it has ${tables} table(s) but no schema_version`);
    }
    for (const m of pending) {
      if (BigInt(m.version) <= found) continue;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.description,
        new Date().toISOString(),
      );
    }
    db.pragma(`application_id = ${APPLICATION_ID}`);
  });
  const found = currentSchemaVersion(db);
  if (found > BigInt(SCHEMA_VERSION_LATEST)) throw new StoreTooNewError(file, found);
  if (found < BigInt(SCHEMA_VERSION_LATEST) || Number(db.pragma('application_id', { simple: true })) !== APPLICATION_ID) {
    apply.immediate(MIGRATIONS);
  }
}

// ---- appending -----------------------------------------------------------------

interface AppendOutcome {
  written: boolean;
  result: AppendResult;
}

function streamHead(db: Database.Database, stream: string): bigint | undefined {
  const v = db.prepare('SELECT revision FROM streams WHERE stream_id = ?').pluck().get(stream) as bigint | undefined;
  return v;
}

function appendInTransaction(db: Database.Database, stream: string, events: EventToAppend[], expected: ExpectedRevision): AppendOutcome {
  const head = streamHead(db, stream); // undefined: no stream
  const actual = head ?? 'no_stream';
  const current = head ?? -1n;
  const fail = (): never => {
    throw new WrongExpectedRevisionError(stream, expected, actual);
  };

  if (expected === 'exists' && head === undefined) fail();
  if (typeof expected === 'bigint' || expected === 'no_stream') {
    const exp = expected === 'no_stream' ? -1n : expected;
    if (exp > current) fail();
    if (exp < current) return { written: false, result: idempotentReplay(db, stream, events, exp, current, fail) };
  } else {
    // 'any' / 'exists': if the first id is already in this stream, this is a retry.
    const first = db.prepare('SELECT stream_id, revision FROM events WHERE event_id = ?').get(events[0]!.id) as
      | { stream_id: string; revision: bigint }
      | undefined;
    if (first !== undefined && first.stream_id === stream) {
      return { written: false, result: idempotentReplay(db, stream, events, first.revision - 1n, current, fail) };
    }
  }
  return { written: true, result: writeEvents(db, stream, events, current) };
}

/**
 * The caller's expected revision is behind the stream: the batch is a retry only if its ids are,
 * in order, the events right after the expected revision. None match: a conflict. Some: corrupt.
 */
function idempotentReplay(
  db: Database.Database,
  stream: string,
  events: EventToAppend[],
  expected: bigint,
  current: bigint,
  fail: () => never,
): AppendResult {
  const rows = db
    .prepare('SELECT event_id, position FROM events WHERE stream_id = ? AND revision > ? ORDER BY revision ASC LIMIT ?')
    .all(stream, expected, events.length) as { event_id: string; position: bigint }[];
  let position = 0n;
  for (let i = 0; i < events.length; i++) {
    const row = rows[i];
    if (row === undefined || row.event_id !== events[i]!.id) {
      if (i === 0) fail();
      throw new IdempotencyMismatchError(
        stream,
        `events 0..${i - 1} of the batch are already at revisions ${expected + 1n}..${expected + BigInt(i)} but event ${i} (${events[i]!.id}) is not (stream is at ${current})`,
      );
    }
    position = row.position;
  }
  return { nextExpectedRevision: expected + BigInt(events.length), position };
}

function writeEvents(db: Database.Database, stream: string, events: EventToAppend[], current: bigint): AppendResult {
  const insert = db.prepare(
    'INSERT INTO events (event_id, stream_id, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const findId = db.prepare('SELECT stream_id, revision FROM events WHERE event_id = ?');
  let revision = current;
  let position = 0n;
  for (const e of events) {
    revision += 1n;
    const clash = findId.get(e.id) as { stream_id: string; revision: bigint } | undefined;
    if (clash !== undefined) {
      throw new IdempotencyMismatchError(stream, `event id ${e.id} is already used by ${clash.stream_id} at revision ${clash.revision}`);
    }
    const info = insert.run(e.id, stream, revision, e.type, JSON.stringify(e.data ?? null), JSON.stringify(e.metadata ?? null));
    position = BigInt(info.lastInsertRowid);
  }
  db.prepare(
    'INSERT INTO streams (stream_id, revision) VALUES (?, ?) ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision',
  ).run(stream, revision);
  return { nextExpectedRevision: revision, position };
}

// ---- catch-up subscription ------------------------------------------------------

class SqliteSubscription implements Subscription {
  private checkpoint: bigint;
  private done = false;
  private wake: (() => void) | undefined;
  private readonly store: SqliteEventStore;
  private readonly onDone: () => void;
  private iterating = false;
  private readonly streamPrefix: string | undefined;

  constructor(store: SqliteEventStore, afterPosition: bigint, streamPrefix: string | undefined, onDone: () => void) {
    this.store = store;
    this.checkpoint = afterPosition;
    this.streamPrefix = streamPrefix;
    this.onDone = onDone;
  }

  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.onDone();
    this.wake?.();
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    if (this.iterating) throw new Error('a subscription can be iterated only once');
    this.iterating = true;
    return this.iterate();
  }

  private async *iterate(): AsyncGenerator<RecordedEvent> {
    let signalled = false;
    const unsubscribe = this.store.onAppend(() => {
      signalled = true;
      this.wake?.();
    });
    try {
      while (!this.done && !this.store.isClosed) {
        signalled = false;
        const page = this.store.readAllSync(this.checkpoint, PAGE_SIZE, this.streamPrefix);
        for (const event of page) {
          if (this.done) return;
          this.checkpoint = event.position;
          yield event;
        }
        if (page.length < PAGE_SIZE && !signalled) await this.sleep();
      }
    } finally {
      unsubscribe();
      await this.close();
    }
  }

  /** Waits for an append in this process, the fallback poll, or close(). */
  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(finish, this.store.pollMs);
      this.wake = finish;
      if (this.done) finish();
    });
  }
}
