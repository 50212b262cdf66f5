// The baseline for the store: plain better-sqlite3 statements on the very schema
// the embedded adapter created (copied from its file's sqlite_master) with the
// same connection settings (WAL, synchronous=FULL), doing the least work that
// gives the same result: no id checks beyond the schema's own constraints, no
// port objects, no bigint revision bookkeeping beyond what SQL needs.
import path from 'node:path';
import Database from 'better-sqlite3';
import { SQLITE_PAGE_SIZE, type EventRow } from '../src/store/sqlite/sqlite-store.js';

export interface RawEvent {
  id: string;
  type: string;
  data: unknown;
  metadata: unknown;
}

/** The same row shape the adapter reads. */
export type RawRow = EventRow;

/** The DDL of a SQLite file, in creation order (tables before their indexes). */
export function schemaOf(file: string): string[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid")
      .pluck()
      .all() as string[];
  } finally {
    db.close();
  }
}

export class RawLog {
  readonly db: Database.Database;
  private readonly head: Database.Statement;
  private readonly insert: Database.Statement;
  private readonly upsert: Database.Statement;
  private readonly page: Database.Statement;
  private readonly appendTx: Database.Transaction<(stream: string, events: RawEvent[], expected: bigint) => bigint>;
  private readonly bytesTx: Database.Transaction<(stream: string, id: string, type: string, json: string, metadata: string) => bigint>;

  /** A new file in `dir` with `ddl` applied; `ddl` usually comes from schemaOf(the adapter's file). */
  constructor(dir: string, ddl: string[]) {
    this.db = new Database(path.join(dir, 'raw-baseline.sqlite'));
    this.db.defaultSafeIntegers(true);
    this.db.pragma(`page_size = ${SQLITE_PAGE_SIZE}`); // the adapter's page size: the same file layout
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    for (const sql of ddl) this.db.exec(sql);
    this.head = this.db.prepare('SELECT revision FROM streams WHERE stream_id = ?').pluck();
    this.insert = this.db.prepare(
      'INSERT INTO events (event_id, stream_id, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.upsert = this.db.prepare(
      'INSERT INTO streams (stream_id, revision) VALUES (?, ?) ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision',
    );
    this.page = this.db.prepare('SELECT * FROM events WHERE position > ? ORDER BY position ASC LIMIT ?');
    this.appendTx = this.db.transaction((stream: string, events: RawEvent[], expected: bigint) => {
      const current = (this.head.get(stream) as bigint | undefined) ?? -1n;
      if (current !== expected) throw new Error(`raw baseline: ${stream} at ${current}, expected ${expected}`);
      let revision = current;
      for (const e of events) {
        revision += 1n;
        this.insert.run(e.id, stream, revision, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata));
      }
      this.upsert.run(stream, revision);
      return revision;
    });
    this.bytesTx = this.db.transaction((stream: string, id: string, type: string, json: string, metadata: string) => {
      const revision = ((this.head.get(stream) as bigint | undefined) ?? -1n) + 1n;
      this.insert.run(id, stream, revision, type, json, metadata);
      this.upsert.run(stream, revision);
      return revision;
    });
  }

  /** Appends in one IMMEDIATE transaction (as the adapter does); returns the new revision. */
  append(stream: string, events: RawEvent[], expected: bigint): bigint {
    return this.appendTx.immediate(stream, events, expected);
  }

  /** Stores one request body as it arrived (the HTTP baseline's "same bytes"). */
  appendBytes(stream: string, id: string, type: string, json: string, metadata: string): bigint {
    return this.bytesTx.immediate(stream, id, type, json, metadata);
  }

  /** Reads the whole log in pages, parsing data and metadata as the adapter must; returns the count. */
  readAllParsed(pageSize: number, onEvent?: (data: unknown, metadata: unknown, row: RawRow) => void): number {
    let after = -1n;
    let count = 0;
    for (;;) {
      const rows = this.page.all(after, pageSize) as RawRow[];
      for (const row of rows) {
        const data = JSON.parse(row.data) as unknown;
        const metadata = JSON.parse(row.metadata) as unknown;
        if (onEvent !== undefined) onEvent(data, metadata, row);
      }
      count += rows.length;
      if (rows.length < pageSize) return count;
      after = rows[rows.length - 1]!.position;
    }
  }

  close(): void {
    this.db.close();
  }
}
