// The bench measures the embedded adapter, always (not whatever EVENTSTORE_URL picks).
import type { EventStore } from '../src/store/port.js';
import { openSqliteStore, STORE_FILE_NAME } from '../src/store/sqlite/sqlite-store.js';

export const STORE_FILE = STORE_FILE_NAME;

export async function openEmbeddedStore(dataDir: string): Promise<EventStore> {
  return openSqliteStore({ dataDir });
}
