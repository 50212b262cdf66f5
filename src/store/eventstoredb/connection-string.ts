// What we check in an EventStoreDB connection string before the client sees it, without
// loading the client (config.ts uses it at start-up). @eventstore/db-client 6.2.1 parses
// `esdb://` and `esdb+discover://` only (its parseConnectionString); the successor client
// (@kurrent/kurrentdb-client) adds `kurrentdb://`. We refuse that scheme in one clear line
// rather than let the client fail with a parser message.

const ACCEPTED = new Set(['esdb:', 'esdb+discover:']);
const KURRENT = new Set(['kurrentdb:', 'kurrentdb+discover:', 'kdb:', 'kdb+discover:']);

export type NodePreference = 'leader' | 'follower' | 'random' | 'readonlyreplica';

export interface ConnectionStringFacts {
  /** Hosts as written (one, or several gossip seeds). */
  hosts: string[];
  /** nodePreference as written (case and `-`/`_` ignored, as the client does); undefined if absent. */
  nodePreference: NodePreference | undefined;
  /** defaultDeadline in ms if given. */
  defaultDeadlineMs: number | undefined;
}

export class ConnectionStringError extends Error {
  /** What is wrong, phrased to follow the name of the setting (e.g. "EVENTSTORE_URL "). */
  readonly detail: string;
  constructor(detail: string) {
    super(`EventStoreDB connection string ${detail}`);
    this.name = 'ConnectionStringError';
    this.detail = detail;
  }
}

const flat = (s: string): string => s.trim().toLowerCase().replace(/[_-]/g, '');

/** The scheme, hosts and the options we act on; throws ConnectionStringError (one line) otherwise. */
export function inspectConnectionString(url: string): ConnectionStringFacts {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*:)\/\//.exec(url.trim())?.[1]?.toLowerCase();
  if (scheme !== undefined && KURRENT.has(scheme)) {
    throw new ConnectionStringError(
      `uses ${scheme}//, which the EventStoreDB client of this build (@eventstore/db-client 6) does not read: write the same hosts and options after esdb:// (or esdb+discover://)`,
    );
  }
  if (scheme === undefined) throw new ConnectionStringError(`is not a URL: ${JSON.stringify(url)}`);
  if (!ACCEPTED.has(scheme)) {
    throw new ConnectionStringError(`must be an esdb:// or esdb+discover:// URL (e.g. esdb://127.0.0.1:2113?tls=false), not ${scheme}`);
  }
  const rest = url.trim().slice(scheme.length + 2);
  const [authority = '', query = ''] = rest.split('?', 2) as [string?, string?];
  const hostPart = authority.includes('@') ? authority.slice(authority.lastIndexOf('@') + 1) : authority;
  const hosts = hostPart.replace(/\/+$/, '').split(',').filter((h) => h.length > 0);
  if (hosts.length === 0) throw new ConnectionStringError('names no host');
  const facts: ConnectionStringFacts = { hosts, nodePreference: undefined, defaultDeadlineMs: undefined };
  for (const pair of query.split('&')) {
    const [key = '', value = ''] = pair.split('=', 2) as [string?, string?];
    if (flat(key) === 'nodepreference') {
      const preference = (['leader', 'follower', 'random', 'readonlyreplica'] as const).find((p) => p === flat(value));
      if (preference === undefined) throw new ConnectionStringError(`has nodePreference ${JSON.stringify(value)}: it must be leader, follower, random or readOnlyReplica`);
      facts.nodePreference = preference;
    } else if (flat(key) === 'defaultdeadline') {
      const ms = Number(value);
      if (!Number.isSafeInteger(ms) || ms <= 0) throw new ConnectionStringError(`has defaultDeadline ${JSON.stringify(value)}: it must be a positive whole number of milliseconds`);
      facts.defaultDeadlineMs = ms;
    }
  }
  return facts;
}
