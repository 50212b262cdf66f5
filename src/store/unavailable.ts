// Which store failures mean "the store cannot answer now" (503 store-unavailable, one log line)
// rather than a fault of ours (500, logged with its stack): the adapters' typed
// StoreUnavailableError (EventStoreDB unreachable, or not answering within its deadline after
// the adapter's retries), and SQLite's own words for the same: the file stayed locked beyond
// the busy timeout, the disk failed or is full, the file cannot be opened or written.
import { StoreUnavailableError } from './port.js';

/** SQLite result codes (extended codes start with these) that say the file cannot be used now. */
const SQLITE_UNAVAILABLE = ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_IOERR', 'SQLITE_FULL', 'SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_PROTOCOL'];

function sqliteCode(error: unknown): string | undefined {
  if (!(error instanceof Error) || error.name !== 'SqliteError') return undefined;
  const code = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

export function isStoreUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  const code = sqliteCode(error);
  return code !== undefined && SQLITE_UNAVAILABLE.some((prefix) => code === prefix || code.startsWith(`${prefix}_`));
}

/** One line for the log: what failed, never a stack (the same failure repeats on every request while it lasts). */
export function unavailableReason(error: unknown): string {
  const code = sqliteCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return (code === undefined ? message : `${code}: ${message}`).split('\n')[0] ?? '';
}
