// Configuration from the environment (API.md, "Configuration"), validated once at start.
import { CONNECTIONS_MAX_MAX, HTTP_LIMITS_DEFAULT, TIMEOUT_MS_MAX, TIMEOUT_MS_MIN, type HttpLimits } from './http/limits.js';
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
  /** Timeouts and the connection cap of the HTTP server. */
  http: HttpLimits;
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

function parseWhole(name: string, text: string, min: number, max: number): number {
  if (!/^[0-9]{1,9}$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(text)}`);
  }
  return Number(text);
}

/** Every limit has a default; a timeout cannot be switched off (0), since that is what let slow clients hold memory. */
function parseHttpLimits(env: NodeJS.ProcessEnv): HttpLimits {
  const ms = (name: string, fallback: number): number => parseWhole(name, read(env, name) ?? String(fallback), TIMEOUT_MS_MIN, TIMEOUT_MS_MAX);
  const limits: HttpLimits = {
    requestTimeoutMs: ms('HTTP_REQUEST_TIMEOUT_MS', HTTP_LIMITS_DEFAULT.requestTimeoutMs),
    headersTimeoutMs: ms('HTTP_HEADERS_TIMEOUT_MS', HTTP_LIMITS_DEFAULT.headersTimeoutMs),
    keepAliveTimeoutMs: ms('HTTP_KEEP_ALIVE_TIMEOUT_MS', HTTP_LIMITS_DEFAULT.keepAliveTimeoutMs),
    connectionTimeoutMs: ms('HTTP_CONNECTION_TIMEOUT_MS', HTTP_LIMITS_DEFAULT.connectionTimeoutMs),
    connectionsMax: parseWhole('HTTP_CONNECTIONS_MAX', read(env, 'HTTP_CONNECTIONS_MAX') ?? String(HTTP_LIMITS_DEFAULT.connectionsMax), 1, CONNECTIONS_MAX_MAX),
  };
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new ConfigError(`HTTP_HEADERS_TIMEOUT_MS (${limits.headersTimeoutMs}) must not exceed HTTP_REQUEST_TIMEOUT_MS (${limits.requestTimeoutMs}): the headers are part of the request`);
  }
  return limits;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const config: Config = {
    port: parsePort(read(env, 'PORT') ?? '3000'),
    host: parseHost(read(env, 'HOST') ?? '127.0.0.1'),
    dataDir: read(env, 'DATA_DIR') ?? './data',
    logLevel: parseLogLevel(read(env, 'LOG_LEVEL') ?? 'info'),
    http: parseHttpLimits(env),
  };
  const eventStoreUrl = read(env, 'EVENTSTORE_URL');
  if (eventStoreUrl !== undefined) config.eventStoreUrl = parseEventStoreUrl(eventStoreUrl);
  const apiKeysFile = read(env, 'API_KEYS_FILE');
  if (apiKeysFile !== undefined) config.apiKeysFile = apiKeysFile;
  return config;
}
