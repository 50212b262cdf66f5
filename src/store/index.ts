// Chooses the event store: EventStoreDB when a URL is configured, else the embedded SQLite file.
import type { EventStore } from './port.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import { openEventStoreDbStore, type RetryEvent } from './eventstoredb/esdb-store.js';

export interface StoreConfig {
  /** Where the embedded store keeps poolshare-events.sqlite (':memory:' for a throwaway store). */
  dataDir: string;
  /** e.g. esdb://127.0.0.1:2113?tls=false; when set, EventStoreDB is used and dataDir is not. */
  eventStoreUrl?: string;
  /** EventStoreDB: told of each retried call (one line to log; never a stack per request). */
  onRetry?: (event: RetryEvent) => void;
}

export function openStore(config: StoreConfig): EventStore {
  const url = config.eventStoreUrl?.trim();
  if (url !== undefined && url.length > 0) return openEventStoreDbStore({ url, ...(config.onRetry === undefined ? {} : { onRetry: config.onRetry }) });
  return openSqliteStore({ dataDir: config.dataDir });
}

export * from './port.js';
export type { RetryEvent } from './eventstoredb/esdb-store.js';
