// Who is calling: `Authorization: Bearer <key>` on every /v1 route. Keys are kept
// only as SHA-256 hashes (API_KEYS_FILE); the presented key's hash is compared
// in constant time. The route table says which roles may call a route; the
// key's funds must include the path's fund; a partner key may only name its
// own partner in a body. The service checks partner membership again.
import { createHash, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { requireFundScope } from '../app/access.js';
import type { Principal } from '../app/service-types.js';
import { DomainError } from '../domain/errors.js';
import { requireOwnPartner, requireRoleIn, type Role } from '../domain/roles.js';
import { shapeErrors } from '../schema-check.js';
import type { Access } from './route-table.js';

export interface KeyRecord {
  /** Hex SHA-256 of the key; the key itself is never stored. */
  keySha256: string;
  name: string;
  role: Role;
  partnerId?: string;
  /** Fund ids, or ["*"] for all. */
  funds: string[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** From the route table; absent on routes outside it (docs assets, 404). */
    access?: Access;
    operationId?: string;
  }
  interface FastifyRequest {
    /** Set by the auth hook on every keyed route. */
    principal: Principal | null;
  }
}

export class KeysFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeysFileError';
  }
}

const KEY_LENGTH_MAX = 512;
/** A start-up line names the first few problems of a keys file, not every one. */
const KEYS_FILE_PROBLEMS_SHOWN = 5;
const BEARER_RE = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Validates a keys file's text against schemas/api-keys-file.schema.json; names and hashes must be unique. */
export function parseKeysFile(text: string, source: string): KeyRecord[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new KeysFileError(`${source}: not valid JSON (${(error as Error).message})`);
  }
  const problems = shapeErrors('api-keys-file', data);
  if (problems.length > 0) {
    const detail = problems.slice(0, KEYS_FILE_PROBLEMS_SHOWN).map((e) => `${e.path}: ${e.message}`).join('; ');
    throw new KeysFileError(`${source}: not a valid keys file: ${detail}`);
  }
  const records = data as KeyRecord[];
  assertUnique(records.map((r) => r.keySha256), source, 'keySha256');
  assertUnique(records.map((r) => r.name), source, 'name');
  return records;
}

function assertUnique(values: string[], source: string, field: string): void {
  const seen = new Set<string>();
  for (const [index, value] of values.entries()) {
    if (seen.has(value)) throw new KeysFileError(`${source}: /${index}/${field} repeats an earlier entry`);
    seen.add(value);
  }
}

export function loadKeysFile(file: string): KeyRecord[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new KeysFileError(`API_KEYS_FILE ${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return parseKeysFile(text, `API_KEYS_FILE ${file}`);
}

export class KeyRing {
  private readonly entries: { digest: Buffer; principal: Principal }[];

  constructor(records: readonly KeyRecord[]) {
    this.entries = records.map((record) => ({ digest: Buffer.from(record.keySha256, 'hex'), principal: toPrincipal(record) }));
  }

  get size(): number {
    return this.entries.length;
  }

  /** The principal of an `Authorization` header value, or undefined. Compares every entry, in constant time each. */
  authenticate(header: string | undefined): Principal | undefined {
    if (header === undefined || header.length > KEY_LENGTH_MAX + 20) return undefined;
    const key = BEARER_RE.exec(header)?.[1];
    if (key === undefined || key.length > KEY_LENGTH_MAX) return undefined;
    const digest = createHash('sha256').update(key, 'utf8').digest();
    let found: Principal | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, digest) && found === undefined) found = entry.principal;
    }
    return found;
  }
}

function toPrincipal(record: KeyRecord): Principal {
  const principal: Principal = { name: record.name, role: record.role, funds: [...record.funds] };
  if (record.partnerId !== undefined) principal.partnerId = record.partnerId;
  return principal;
}

function authenticate(ring: KeyRing, request: FastifyRequest): Principal {
  const principal = ring.authenticate(request.headers.authorization);
  if (principal === undefined) {
    throw new DomainError('unauthorized', 'unauthorized', 'Send a valid API key as `Authorization: Bearer <key>`.');
  }
  return principal;
}

/** The same refusals as the service's (roles per operation, fund scope), before anything is read. */
function authorize(principal: Principal, access: Extract<Access, { kind: 'key' }>, request: FastifyRequest): void {
  requireRoleIn(principal, access.roles, request.routeOptions.config.operationId ?? request.method);
  const fundId = (request.params as Record<string, unknown> | undefined)?.['fundId'];
  if (typeof fundId === 'string') requireFundScope(principal, fundId);
}

/** A partner key naming another partner in the body (returns, adjustments). Checked before the body's schema. */
function authorizePartnerInBody(principal: Principal, body: unknown): void {
  if (body === null || typeof body !== 'object') return;
  const partnerId = (body as Record<string, unknown>)['partnerId'];
  if (partnerId !== undefined) requireOwnPartner(principal, partnerId);
}

export interface AuthOptions {
  keys: readonly KeyRecord[] | undefined;
}

async function authPlugin(app: FastifyInstance, options: AuthOptions): Promise<void> {
  const ring = new KeyRing(options.keys ?? []);
  if (options.keys === undefined) {
    app.log.warn('API_KEYS_FILE is not set: no API keys are configured, so every /v1 request will be answered 401');
  } else if (ring.size === 0) {
    app.log.warn('the API keys file holds no keys: every /v1 request will be answered 401');
  }
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (access === undefined || access.kind === 'public') return;
    const principal = authenticate(ring, request);
    authorize(principal, access, request);
    request.principal = principal;
  });
  app.addHook('preValidation', async (request) => {
    const access = request.routeOptions.config.access;
    if (access?.kind !== 'key' || !access.ownPartnerInBody || request.principal === null) return;
    authorizePartnerInBody(request.principal, request.body);
  });
}

export default fp(authPlugin, { name: 'poolshare-auth', fastify: '5.x', dependencies: ['poolshare-problem'] });
