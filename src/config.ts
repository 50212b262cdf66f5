// Configuration from the environment (API.md, "Configuration"), validated once at start.
import { ConnectionStringError, inspectConnectionString } from './store/eventstoredb/connection-string.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Set: EventStoreDB instead of the embedded store. */
  eventStoreUrl?: string;
  /** Unset: every /v1 call is 401 (the start logs why). */
  apiKeysFile?: string;
  logLevel: LogLevel;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** An empty variable counts as unset. */
function read(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function parsePort(text: string): number {
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) > 65535) {
    throw new ConfigError(`PORT must be a whole number from 0 to 65535 (0: any free port), not ${JSON.stringify(text)}`);
  }
  return Number(text);
}

function parseHost(text: string): string {
  if (!/^[A-Za-z0-9.:[\]%-]{1,255}$/.test(text)) throw new ConfigError(`HOST must be a host name or IP address, not ${JSON.stringify(text)}`);
  return text;
}

/** Not WHATWG URL parsing: a cluster's gossip seeds (`esdb://a:2113,b:2113`) are no valid URL host. */
function parseEventStoreUrl(text: string): string {
  try {
    inspectConnectionString(text);
  } catch (error) {
    if (error instanceof ConnectionStringError) throw new ConfigError(`EVENTSTORE_URL ${error.detail}`);
    throw error;
  }
  return text;
}

function parseLogLevel(text: string): LogLevel {
  const level = LOG_LEVELS.find((candidate) => candidate === text);
  if (level === undefined) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not ${JSON.stringify(text)}`);
  return level;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const config: Config = {
    port: parsePort(read(env, 'PORT') ?? '3000'),
    host: parseHost(read(env, 'HOST') ?? '127.0.0.1'),
    dataDir: read(env, 'DATA_DIR') ?? './data',
    logLevel: parseLogLevel(read(env, 'LOG_LEVEL') ?? 'info'),
  };
  const eventStoreUrl = read(env, 'EVENTSTORE_URL');
  if (eventStoreUrl !== undefined) config.eventStoreUrl = parseEventStoreUrl(eventStoreUrl);
  const apiKeysFile = read(env, 'API_KEYS_FILE');
  if (apiKeysFile !== undefined) config.apiKeysFile = apiKeysFile;
  return config;
}
