// Auth at the edge: walks every /v1 operation of the OpenAPI document.
import { test } from 'tap';
import type { FastifyInstance } from 'fastify';
import type { Role } from '../../src/domain/roles.js';
import { buildApp } from '../../src/http/app.js';
import { hashKey, KeyRing, KeysFileError, loadKeysFile, parseKeysFile } from '../../src/http/auth.js';
import { readOpenApiFile } from '../../src/http/openapi.js';
import { ROUTES } from '../../src/http/route-table.js';
import { bearer, createFakeService, FUND, KEY_BY_ROLE, KEY_RECORDS, KEYS, fillPath, type FakeService, type Teardown } from './fixtures/fake-service.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

type Method = 'GET' | 'POST' | 'PUT';
interface Operation {
  operationId: string;
  method: Method;
  url: string;
  roles: Role[];
  ownPartnerInBody: boolean;
  example: unknown;
  successStatus: number;
  fundScoped: boolean;
}

const ALL_ROLES: Role[] = ['admin', 'partner', 'auditor'];
/** Operations whose query has required parameters: a valid query (for the walk's partner key, ccg). */
const REQUIRED_QUERIES = new Map([['getReturnTemplate', '?partnerId=ccg&period=M1&format=csv']]);

function v1Operations(): Operation[] {
  const doc = JSON.parse(readOpenApiFile()) as { paths: Record<string, Record<string, Record<string, unknown>>> };
  const ops: Operation[] = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    if (!template.startsWith('/v1/')) continue;
    for (const [method, op] of Object.entries(item)) {
      const body = op['requestBody'] as { content: Record<string, { example?: unknown }> } | undefined;
      const success = Object.keys(op['responses'] as object).map(Number).find((status) => status < 300);
      ops.push({
        operationId: String(op['operationId']),
        method: method.toUpperCase() as Method,
        url: fillPath(template) + (REQUIRED_QUERIES.get(String(op['operationId'])) ?? ''),
        roles: op['x-poolshare-roles'] as Role[],
        ownPartnerInBody: op['x-poolshare-own-partner-in-body'] === true,
        example: body?.content['application/json']?.example,
        successStatus: success ?? 0,
        fundScoped: template.includes('{fundId}'),
      });
    }
  }
  return ops;
}

async function setup(t: Teardown): Promise<{ app: FastifyInstance; service: FakeService }> {
  const service = createFakeService();
  const app = await buildApp({ service, keys: KEY_RECORDS });
  t.teardown(() => app.close());
  return { app, service };
}

function request(op: Operation, headers: Record<string, string>, body: unknown = op.example) {
  return { method: op.method, url: op.url, headers, ...(body === undefined ? {} : { payload: body as object }) };
}

test('the walk covers every /v1 operation of the route table', async (t) => {
  const ops = v1Operations();
  const table = ROUTES.filter((route) => route.path.startsWith('/v1/')).map((route) => route.operationId).sort();
  t.strictSame(ops.map((op) => op.operationId).sort(), table);
  t.equal(ops.length, 28); // 19 + the engine-2 decisions (3) and brought-forward + monitoring (settings, pack, CSV, XLSX, template)
  for (const op of ops) {
    t.ok(op.roles.length > 0, `${op.operationId} names its roles`);
    t.ok(op.method === 'GET' || op.method === 'POST' || op.method === 'PUT');
  }
});

test('auth walk: every /v1 operation', async (t) => {
  const { app, service } = await setup(t);
  for (const op of v1Operations()) {
    const name = `${op.method} ${op.operationId}`;
    const before = service.calls.length;

    const none = await app.inject(request(op, {}));
    t.equal(none.statusCode, 401, `${name}: no key → 401`);
    t.match(none.headers['content-type'], /^application\/problem\+json/, `${name}: 401 is problem+json`);
    t.equal(none.headers['www-authenticate'], 'Bearer realm="poolshare"');

    const unknown = await app.inject(request(op, bearer('not-a-key-anyone-was-given-0123456789')));
    t.equal(unknown.statusCode, 401, `${name}: unknown key → 401`);
    t.equal(unknown.json().type, 'https://poolshare.example/problems/unauthorized');

    const basic = await app.inject(request(op, { authorization: `Basic ${Buffer.from(`x:${KEYS.admin}`).toString('base64')}` }));
    t.equal(basic.statusCode, 401, `${name}: a key in another scheme → 401`);

    for (const role of ALL_ROLES.filter((r) => !op.roles.includes(r))) {
      const res = await app.inject(request(op, bearer(KEY_BY_ROLE[role].inFund)));
      t.equal(res.statusCode, 403, `${name}: ${role} → 403`);
      t.equal(res.json().type, 'https://poolshare.example/problems/forbidden-role', `${name}: ${role} refused for its role`);
    }
    for (const role of op.roles) {
      if (op.fundScoped) {
        const res = await app.inject(request(op, bearer(KEY_BY_ROLE[role].otherFund)));
        t.equal(res.statusCode, 403, `${name}: ${role} of another fund → 403`);
        t.equal(res.json().type, 'https://poolshare.example/problems/forbidden-fund');
      }
    }
    t.equal(service.calls.length, before, `${name}: no refused call reached the service`);

    if (op.ownPartnerInBody) {
      t.ok(op.example !== undefined, `${name} has an example body`);
      const forCouncil = { ...(op.example as object), partnerId: 'council' };
      const res = await app.inject(request(op, bearer(KEYS.ccg), forCouncil));
      t.equal(res.statusCode, 403, `${name}: partner ccg acting for council → 403`);
      t.equal(res.json().type, 'https://poolshare.example/problems/forbidden-partner');
      const own = await app.inject(request(op, bearer(KEYS.council), forCouncil));
      t.equal(own.statusCode, op.successStatus, `${name}: council acting for itself is let through`);
    }
    t.equal(service.calls.length, before + (op.ownPartnerInBody ? 1 : 0), `${name}: only the allowed partner call reached the service`);

    for (const role of op.roles) {
      const res = await app.inject(request(op, bearer(KEY_BY_ROLE[role].inFund)));
      t.equal(res.statusCode, op.successStatus, `${name}: ${role} with the fund → ${op.successStatus}`);
      // GET /v1/me answers from the principal itself; every other operation hands it to the service.
      const seen = op.operationId === 'getMe' ? (res.json() as { role?: string }).role : service.calls.at(-1)?.context?.principal.role;
      t.equal(seen, role, `${name}: the ${role} principal is the one acted on`);
    }
  }
});

test('no API_KEYS_FILE: every /v1 call is 401, and the start says why', async (t) => {
  const lines: string[] = [];
  const stream = { write: (line: string) => void lines.push(line) };
  const app = await buildApp({ service: createFakeService(), keys: undefined, logger: { level: 'info', stream } });
  t.teardown(() => app.close());
  await app.ready();
  t.ok(lines.some((line) => /API_KEYS_FILE is not set/.test(line) && /"level":40/.test(line)), 'a warning at start');
  for (const op of v1Operations()) {
    const res = await app.inject(request(op, bearer(KEYS.admin)));
    t.equal(res.statusCode, 401, `${op.operationId} → 401`);
  }
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, 'public routes still answer');
});

test('key ring: bearer parsing and constant-time lookup', async (t) => {
  const ring = new KeyRing(KEY_RECORDS);
  t.equal(ring.authenticate(`Bearer ${KEYS.ccg}`)?.name, 'ccg-finance');
  t.equal(ring.authenticate(`bearer ${KEYS.ccg}`)?.partnerId, 'ccg', 'the scheme is case-insensitive');
  t.equal(ring.authenticate(KEYS.ccg), undefined, 'no scheme');
  t.equal(ring.authenticate(`Bearer ${KEYS.ccg} extra`), undefined);
  t.equal(ring.authenticate(`Bearer ${KEYS.ccg}x`), undefined);
  t.equal(ring.authenticate(`Bearer ${'a'.repeat(600)}`), undefined, 'over-long keys are refused');
  t.equal(ring.authenticate(undefined), undefined);
  t.strictSame(ring.authenticate(`Bearer ${KEYS.admin}`), { name: 'fund-admin', role: 'admin', funds: ['*'] });
});

test('keys file: validated at start, with a clear message', async (t) => {
  const good = JSON.stringify([{ keySha256: hashKey('k1'), name: 'ccg-finance', role: 'partner', partnerId: 'ccg', funds: [FUND] }]);
  t.strictSame(parseKeysFile(good, 'f'), JSON.parse(good));
  const bad: [string, RegExp][] = [
    ['{', /not valid JSON/],
    ['{}', /must be array/],
    [JSON.stringify([{ keySha256: 'abc', name: 'x', role: 'admin', funds: ['*'] }]), /\/0\/keySha256: must match \^\[0-9a-f\]\{64\}\$/],
    [JSON.stringify([{ keySha256: hashKey('k'), name: 'x', role: 'partner', funds: ['*'] }]), /\/0\/partnerId: is required/],
    [JSON.stringify([{ keySha256: hashKey('k'), name: 'x', role: 'admin', partnerId: 'ccg', funds: ['*'] }]), /not a valid keys file/],
    [JSON.stringify([{ keySha256: hashKey('k'), name: 'x', role: 'root', funds: ['*'] }]), /\/0\/role: must be one of "admin", "partner", "auditor"/],
    [JSON.stringify([{ keySha256: hashKey('k'), name: 'x', role: 'admin', funds: [] }]), /\/0\/funds: must NOT have fewer than 1 items/],
    [JSON.stringify([{ keySha256: hashKey('k'), name: 'x', role: 'admin', funds: ['Bad Fund'] }]), /funds\/0/],
    [JSON.stringify([{ keySha256: hashKey('k'), name: 'x', role: 'admin', funds: ['*'], key: 'plain' }]), /\/0\/key: is not a known field/],
    [JSON.stringify([{ keySha256: hashKey('k'), name: 'x', role: 'admin', funds: ['*'] }, { keySha256: hashKey('k'), name: 'y', role: 'admin', funds: ['*'] }]), /\/1\/keySha256 repeats/],
    [JSON.stringify([{ keySha256: hashKey('k'), name: 'x', role: 'admin', funds: ['*'] }, { keySha256: hashKey('j'), name: 'x', role: 'admin', funds: ['*'] }]), /\/1\/name repeats/],
  ];
  for (const [text, message] of bad) {
    t.throws(() => parseKeysFile(text, 'keys.json'), { name: 'KeysFileError', message }, text.slice(0, 80));
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poolshare-keys-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'keys.json');
  t.throws(() => loadKeysFile(file), { message: /cannot be read \(ENOENT\)/ });
  fs.writeFileSync(file, good);
  t.equal(loadKeysFile(file).length, 1);
  t.ok(new KeysFileError('x') instanceof Error);
});
