// The contract: schemas/ is the single source; openapi/openapi.json and
// src/generated/api.d.ts are generated from it and must be current; the app
// serves exactly the routes of the document; /docs uses local assets only.
import { test } from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';
import { AMOUNT_PATTERN, NON_NEGATIVE_AMOUNT_PATTERN } from '../../src/domain/money.js';
import { FUND_ID_PATTERN, PERIOD_PATTERN, SLUG_PATTERN, YEAR_PATTERN } from '../../src/domain/fundyear/ids.js';
import { createAjv } from '../../src/http/ajv.js';
import { buildApp } from '../../src/http/app.js';
import { buildOpenApiDocument, OPENAPI_FILE, readOpenApiFile, serializeOpenApi } from '../../src/http/openapi.js';
import { fastifyUrl, ROUTES } from '../../src/http/route-table.js';
import { loadSchemas, requireSchema, schemaId, type JsonSchema } from '../../src/http/schemas.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { createFakeService, KEY_RECORDS } from './fixtures/fake-service.js';

const TYPES_FILE = path.join(PROJECT_ROOT, 'src', 'generated', 'api.d.ts');
const REGENERATE = 'run `npm run gen` and commit the result';

test('openapi/openapi.json is current', async (t) => {
  const fresh = serializeOpenApi(buildOpenApiDocument(loadSchemas()));
  t.ok(fresh === readOpenApiFile(), `${OPENAPI_FILE} matches the schemas and route table (${REGENERATE})`);
});

test('src/generated/api.d.ts is current', async (t) => {
  const document = buildOpenApiDocument(loadSchemas());
  const fresh = COMMENT_HEADER + astToString(await openapiTS(document as never, { silent: true }));
  t.ok(fresh === fs.readFileSync(TYPES_FILE, 'utf8'), `${TYPES_FILE} matches openapi.json (${REGENERATE})`);
});

/** Every sub-schema of a schema, with its JSON pointer. */
function* walk(node: unknown, pointer: string): Generator<[JsonSchema, string]> {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const [index, item] of node.entries()) yield* walk(item, `${pointer}/${index}`);
    return;
  }
  const schema = node as JsonSchema;
  yield [schema, pointer];
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'examples' || key === 'const' || key === 'enum') continue;
    yield* walk(value, `${pointer}/${key}`);
  }
}

test('schemas: 2020-12, closed objects, bounded arrays, string amounts', async (t) => {
  const schemas = loadSchemas();
  t.ok(schemas.byName.size >= 60, `${schemas.byName.size} schema files`);
  const openObjects = new Set(['openapi-document#', 'openapi-document#/properties/info', 'openapi-document#/properties/paths']);
  for (const [name, schema] of schemas.byName) {
    for (const [node, pointer] of walk(schema, '')) {
      const where = `${name}#${pointer}`;
      if (node['type'] === 'object' && node['properties'] !== undefined && !openObjects.has(where)) {
        t.equal(node['additionalProperties'], false, `${where}: additionalProperties false`);
      }
      if (node['type'] === 'object' && node['properties'] === undefined && !openObjects.has(where)) {
        t.ok(node['additionalProperties'] !== undefined && node['maxProperties'] !== undefined, `${where}: a map has typed values and a size limit`);
      }
      if (node['type'] === 'array') t.type(node['maxItems'], 'number', `${where}: maxItems`);
      if (node['type'] === 'number') t.fail(`${where}: no JSON numbers (integers only, never money)`);
    }
  }
  t.equal(requireSchema(schemas, 'amount')['pattern'], AMOUNT_PATTERN, 'amount pattern as in money.ts');
  t.equal(requireSchema(schemas, 'non-negative-amount')['pattern'], NON_NEGATIVE_AMOUNT_PATTERN);
  t.equal(requireSchema(schemas, 'fund-id')['pattern'], FUND_ID_PATTERN, 'fund id as in DOMAIN.md');
  t.equal(requireSchema(schemas, 'partner-id')['pattern'], SLUG_PATTERN);
  t.equal(requireSchema(schemas, 'strategy-id')['pattern'], SLUG_PATTERN);
  t.equal(requireSchema(schemas, 'year')['pattern'], YEAR_PATTERN);
  t.equal(requireSchema(schemas, 'period')['pattern'], PERIOD_PATTERN);
  t.strictSame((requireSchema(schemas, 'budget-line')['properties'] as JsonSchema)['amount'], { $ref: schemaId('non-negative-amount') }, 'budgets are never negative');
  const ajv = createAjv(schemas);
  for (const name of schemas.byName.keys()) t.ok(ajv.getSchema(schemaId(name)), `${name} compiles`);
});

test('every example body is valid', async (t) => {
  const ajv = createAjv(loadSchemas());
  let count = 0;
  for (const route of ROUTES) {
    if (!('body' in route)) continue;
    t.ok('example' in route, `${route.operationId} has an example`);
    const validate = ajv.getSchema(schemaId(route.body));
    t.ok(validate?.('example' in route ? route.example : undefined), `${route.operationId}: ${JSON.stringify(validate?.errors ?? [])}`);
    count += 1;
  }
  t.equal(count, 9); // + proposeDecision, bringReserveForward, changeSettings
});

test('the app serves exactly the operations of the document', async (t) => {
  const app = await buildApp({ service: createFakeService(), keys: KEY_RECORDS });
  t.teardown(() => app.close());
  await app.ready();
  const doc = JSON.parse(readOpenApiFile()) as { paths: Record<string, Record<string, { operationId: string; security: unknown[] }>> };
  let operations = 0;
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      operations += 1;
      t.ok(app.hasRoute({ method: method.toUpperCase() as 'GET', url: fastifyUrl(template) }), `${method} ${template} is served`);
      t.strictSame(op.security.length > 0, template.startsWith('/v1/'), `${op.operationId}: keyed iff under /v1`);
    }
  }
  t.equal(operations, ROUTES.length);
});

test('/openapi.json and /docs: the document, rendered from local assets', async (t) => {
  const app = await buildApp({ service: createFakeService(), keys: undefined });
  t.teardown(() => app.close());
  const spec = await app.inject({ method: 'GET', url: '/openapi.json' });
  t.equal(spec.statusCode, 200);
  t.match(spec.headers['content-type'], /^application\/json/);
  t.equal(spec.body, readOpenApiFile(), 'served as generated');
  t.equal(spec.json().openapi, '3.1.0');
  const docsJson = await app.inject({ method: 'GET', url: '/docs/json' });
  t.strictSame(docsJson.json(), spec.json(), 'the docs page renders the same document');

  const page = await app.inject({ method: 'GET', url: '/docs' });
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], /^text\/html/);
  const csp = String(page.headers['content-security-policy']);
  t.match(csp, /script-src 'self';/);
  t.notMatch(csp, /https?:/, 'the CSP allows no remote origin');
  const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? '');
  t.ok(assets.length >= 5, `the page loads ${assets.length} assets`);
  for (const asset of assets) {
    t.notMatch(asset, /^(https?:)?\/\//, `${asset} is local`);
    const res = await app.inject({ method: 'GET', url: asset });
    t.equal(res.statusCode, 200, `${asset} is served`);
  }
  t.notMatch(page.body, /https?:\/\/(?!www\.w3\.org)/, 'no remote URL in the page');
  const init = await app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
  t.equal(init.statusCode, 200);
  t.match(init.body, /validatorUrl: null/, 'no remote validator badge');
  t.notMatch(init.body, /(cdn|unpkg|jsdelivr|cdnjs)\./);
});
