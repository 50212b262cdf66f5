// Bounds on what one connection may hold: how long a request may take to arrive,
// how long a connection may sit idle, and how many connections are open at once.
// Without them (Fastify's defaults are 0, "no limit") a caller that sends part of a
// body and stalls holds its buffer forever, and enough of them exhaust memory: the
// worst case is now about connectionsMax × bodyLimit, for at most requestTimeoutMs.
import type { ServerOptions } from 'node:http';
import type { FastifyInstance } from 'fastify';

export interface ServerTimeoutOptions {
  requestTimeout: number;
  connectionTimeout: number;
  keepAliveTimeout: number;
  /** Passed to Node's http.createServer. */
  http: ServerOptions;
}

export interface HttpLimits {
  /** The whole request (headers and body) must arrive within this; else 408 and the connection is closed. */
  requestTimeoutMs: number;
  /** The request's headers must arrive within this (≤ requestTimeoutMs); else 408 and closed. */
  headersTimeoutMs: number;
  /** A kept-alive connection with no request in progress is closed after this. */
  keepAliveTimeoutMs: number;
  /** A connection on which nothing moves either way (e.g. a client that stops reading its answer) is closed after this. */
  connectionTimeoutMs: number;
  /** Connections open at once; the server closes any beyond this as soon as it accepts them. */
  connectionsMax: number;
}

export const HTTP_LIMITS_DEFAULT: HttpLimits = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  connectionTimeoutMs: 60_000,
  connectionsMax: 256,
};

/** Bounds of the settings themselves (config refuses values outside them). */
export const TIMEOUT_MS_MIN = 1;
export const TIMEOUT_MS_MAX = 3_600_000;
export const CONNECTIONS_MAX_MAX = 100_000;
/** Node checks request and header timeouts on a timer (30 s by default): checking more often makes them fire close to their value. */
const CHECK_INTERVAL_MS_MAX = 1_000;
const CHECK_INTERVAL_MS_MIN = 10;
const DROP_LOG_INTERVAL_MS = 60_000;

/** A programmer's error: config validates the environment, tests pass literals. */
function assertLimits(limits: HttpLimits): void {
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`HTTP limit ${name} must be a positive integer, not ${value}`);
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) throw new Error('HTTP limit headersTimeoutMs must not exceed requestTimeoutMs');
}

export function checkIntervalMs(limits: HttpLimits): number {
  const quarter = Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4);
  return Math.max(CHECK_INTERVAL_MS_MIN, Math.min(CHECK_INTERVAL_MS_MAX, quarter));
}

/** The Fastify (and Node http.Server) options that carry the limits. */
export function serverTimeoutOptions(limits: HttpLimits): ServerTimeoutOptions {
  assertLimits(limits);
  return {
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.connectionTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      connectionsCheckingInterval: checkIntervalMs(limits),
    },
  };
}

/**
 * Caps open connections with Node's own `server.maxConnections` (a connection over the
 * cap is closed before any byte is read). Refusals are counted and logged at most once a
 * minute, so a flood cannot flood the log too.
 */
export function capConnections(app: FastifyInstance, limits: HttpLimits): void {
  app.server.maxConnections = limits.connectionsMax;
  let dropped = 0;
  let timer: NodeJS.Timeout | null = null;
  app.server.on('drop', () => {
    dropped++;
    if (timer !== null) return;
    app.log.warn({ connectionsMax: limits.connectionsMax }, 'connection refused: the server holds its maximum of open connections');
    timer = setTimeout(() => {
      timer = null;
      if (dropped > 1) app.log.warn({ refused: dropped - 1, connectionsMax: limits.connectionsMax }, 'more connections refused at the maximum');
      dropped = 0;
    }, DROP_LOG_INTERVAL_MS);
    timer.unref();
  });
}
