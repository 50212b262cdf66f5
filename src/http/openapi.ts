// Builds the OpenAPI 3.1 document from the route table and the JSON Schemas in
// schemas/. `npm run gen:openapi` writes it to openapi/openapi.json; a test
// rebuilds it in memory and fails when the file is stale.
import fs from 'node:fs';
import path from 'node:path';
import { OPENAPI_DIR } from '../paths.js';
import { ROUTES, TEXT_MEDIA_TYPES, type RouteSpec } from './route-table.js';
import { SCHEMA_BASE, SCHEMA_DIALECT, requireSchema, schemaNameOf, type JsonSchema, type SchemaSet } from './schemas.js';

export const OPENAPI_FILE = path.join(OPENAPI_DIR, 'openapi.json');
export const API_VERSION = '1.0.0';

const PROBLEM_TITLES: Record<number, string> = {
  400: 'The request is malformed or fails its schema (`errors` lists each field).',
  401: 'No key, or an unknown key.',
  403: "The key's role, partner or funds do not allow this.",
  404: 'No such fund-year, agreement version or settlement (or route).',
  409: 'The fund-year does not allow this now (duplicate, closed, missing returns, concurrent change).',
  413: 'The body is larger than the limit.',
  415: 'The body is not `application/json` (nor, where an operation takes one, a spreadsheet of its media types).',
  422: 'Well-formed but not acceptable (terms, idempotency key reused with another body).',
  500: 'An internal error; nothing about it is disclosed (quote the request id).',
  503: 'Not available now: the store is not reachable, or the fund summary has not caught up with the log (or has failed).',
};

export type OpenApiDocument = { openapi: string; paths: Record<string, Record<string, unknown>> } & JsonSchema;

function pascal(name: string): string {
  return name.replace(/(^|[-_])([a-z0-9])/g, (_match, _sep: string, ch: string) => ch.toUpperCase());
}

/** Component name of a schema file, or of one of its `$defs`. */
export function componentName(schemaName: string, def?: string): string {
  return def === undefined ? pascal(schemaName) : `${pascal(schemaName)}${pascal(def)}`;
}

class ComponentCollector {
  readonly components = new Map<string, JsonSchema>();
  private readonly pending: [string, string | undefined][] = [];

  constructor(private readonly schemas: SchemaSet) {}

  /** Rewrites `$ref`s to `#/components/schemas/…` and queues what they name. */
  convert(node: unknown, current: string): unknown {
    if (Array.isArray(node)) return node.map((item) => this.convert(item, current));
    if (node === null || typeof node !== 'object') return node;
    const out: JsonSchema = {};
    for (const [key, value] of Object.entries(node as JsonSchema)) {
      if (key === '$id' || key === '$schema' || key === '$defs') continue;
      out[key] = key === '$ref' && typeof value === 'string' ? this.refTo(value, current) : this.convert(value, current);
    }
    return out;
  }

  private refTo(ref: string, current: string): string {
    let target: string | undefined;
    let fragment: string;
    if (ref.startsWith('#')) {
      target = current;
      fragment = ref.slice(1);
    } else {
      target = schemaNameOf(ref);
      if (target === undefined) throw new Error(`${current}: $ref outside ${SCHEMA_BASE}: ${ref}`);
      fragment = ref.includes('#') ? ref.slice(ref.indexOf('#') + 1) : '';
    }
    if (fragment === '') return this.enqueue(target, undefined);
    const def = /^\/\$defs\/([A-Za-z0-9_-]+)$/.exec(fragment)?.[1];
    if (def === undefined) throw new Error(`${current}: only $refs to a file or to its $defs are supported: ${ref}`);
    return this.enqueue(target, def);
  }

  private enqueue(name: string, def: string | undefined): string {
    const component = componentName(name, def);
    if (!this.components.has(component) && !this.pending.some(([n, d]) => componentName(n, d) === component)) {
      this.pending.push([name, def]);
    }
    return `#/components/schemas/${component}`;
  }

  /** Converts every queued schema (and what they reference, transitively). */
  drain(): void {
    for (let next = this.pending.shift(); next !== undefined; next = this.pending.shift()) {
      const [name, def] = next;
      const file = requireSchema(this.schemas, name);
      const defs = (file['$defs'] ?? {}) as Record<string, unknown>;
      const source = def === undefined ? file : defs[def];
      if (source === undefined) throw new Error(`${name}: no $defs/${def}`);
      this.components.set(componentName(name, def), this.convert(source, name) as JsonSchema);
    }
  }

  ref(name: string): { $ref: string } {
    return { $ref: this.enqueue(name, undefined) };
  }
}

function parameters(collector: ComponentCollector, schemas: SchemaSet, name: string | undefined, where: 'path' | 'query'): unknown[] {
  if (name === undefined) return [];
  const schema = requireSchema(schemas, name);
  const required = new Set((schema['required'] ?? []) as string[]);
  const properties = (schema['properties'] ?? {}) as Record<string, JsonSchema>;
  return Object.entries(properties).map(([param, propertySchema]) => {
    const { description, ...rest } = propertySchema;
    const converted = collector.convert(rest, name) as JsonSchema;
    const ref = converted['$ref'];
    const referenced = typeof ref === 'string' && typeof rest['$ref'] === 'string' ? schemaNameOf(rest['$ref']) : undefined;
    const refDescription = referenced === undefined ? undefined : requireSchema(schemas, referenced)['description'];
    return {
      name: param,
      in: where,
      required: where === 'path' || required.has(param),
      description: description ?? refDescription,
      schema: converted,
    };
  });
}

/** Text for CSV, bytes for a workbook. */
function fileContent(types: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(types.map((type) => [type, { schema: type === 'text/csv' ? { type: 'string' } : { type: 'string', format: 'binary' } }]));
}

/** The query parameters of an operation's file form: required with a file, absent with JSON. */
function fileQueryParameters(collector: ComponentCollector, schemas: SchemaSet, route: RouteSpec): unknown[] {
  if (route.fileBody === undefined) return [];
  const required = new Set((requireSchema(schemas, route.fileBody.querystring)['required'] ?? []) as string[]);
  return parameters(collector, schemas, route.fileBody.querystring, 'query').map((param) => {
    const p = param as { name: string; description?: string };
    const when = required.has(p.name) ? 'Required with a spreadsheet body' : 'With a spreadsheet body only';
    return { ...p, required: false, description: `${when} (the JSON form carries it in the body). ${p.description ?? ''}`.trim() };
  });
}

export function problemStatuses(route: RouteSpec): number[] {
  const statuses = new Set<number>([500, ...route.problems]);
  const hasInput = route.params !== undefined || route.querystring !== undefined || route.body !== undefined || route.idempotencyKey;
  if (hasInput) statuses.add(400);
  if (route.access.kind === 'key') {
    statuses.add(401);
    const narrowed = route.access.roles.length < 3 || route.access.ownPartnerInBody || route.path.includes('{fundId}');
    if (narrowed) statuses.add(403);
  }
  if (route.params !== undefined) statuses.add(404);
  if (route.body !== undefined) {
    statuses.add(413);
    statuses.add(415);
  }
  return [...statuses].sort((a, b) => a - b);
}

function operation(collector: ComponentCollector, schemas: SchemaSet, route: RouteSpec): Record<string, unknown> {
  const params = [
    ...parameters(collector, schemas, route.params, 'path'),
    ...parameters(collector, schemas, route.querystring, 'query'),
    ...fileQueryParameters(collector, schemas, route),
  ];
  if (route.idempotencyKey) {
    params.push({ name: 'Idempotency-Key', in: 'header', required: false, description: requireSchema(schemas, 'idempotency-key')['description'], schema: collector.ref('idempotency-key') });
  }
  const body = route.success.body;
  const success = body.kind === 'json'
    ? { 'application/json': { schema: collector.ref(body.schema) } }
    : body.kind === 'file' ? fileContent(body.mediaTypes) : { [TEXT_MEDIA_TYPES[body.kind]]: { schema: { type: 'string' } } };
  const ok: Record<string, unknown> = { description: route.success.description };
  const headers: Record<string, string> = { ...(route.success.headers ?? {}) };
  if (body.kind === 'file') headers['Content-Disposition'] = '`attachment; filename="…"`: the file\'s name says the fund, year and what it holds.';
  if (Object.keys(headers).length > 0) {
    ok['headers'] = Object.fromEntries(Object.entries(headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }]));
  }
  ok['content'] = success;
  const responses: Record<string, unknown> = { [String(route.success.status)]: ok };
  for (const status of problemStatuses(route)) responses[String(status)] = { $ref: `#/components/responses/Problem${status}` };
  const op: Record<string, unknown> = {
    operationId: route.operationId,
    tags: [route.tag],
    summary: route.summary,
    description: `${route.description}\n\n${whoLine(route)}`,
  };
  if (params.length > 0) op['parameters'] = params;
  if (route.body !== undefined) {
    const media: JsonSchema = { schema: collector.ref(route.body) };
    if (route.example !== undefined) media['example'] = route.example;
    op['requestBody'] = { required: true, content: { 'application/json': media, ...(route.fileBody === undefined ? {} : fileContent(route.fileBody.mediaTypes)) } };
  }
  op['responses'] = responses;
  op['security'] = route.access.kind === 'key' ? [{ bearerAuth: [] }] : [];
  if (route.access.kind === 'key') {
    op['x-poolshare-roles'] = [...route.access.roles];
    op['x-poolshare-own-partner-in-body'] = route.access.ownPartnerInBody;
  }
  return op;
}

function whoLine(route: RouteSpec): string {
  if (route.access.kind === 'public') return 'Who: anyone (no key).';
  const roles = route.access.roles.join(', ');
  const own = route.access.ownPartnerInBody ? " A partner key may only name its own `partnerId`." : '';
  const funds = route.path.includes('{fundId}') ? " The key's `funds` must include the fund." : '';
  return `Who: ${roles}.${funds}${own}`;
}

export function buildOpenApiDocument(schemas: SchemaSet, routes: readonly RouteSpec[] = ROUTES): OpenApiDocument {
  const collector = new ComponentCollector(schemas);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const item = (paths[route.path] ??= {});
    if (item[route.method] !== undefined) throw new Error(`duplicate route ${route.method} ${route.path}`);
    item[route.method] = operation(collector, schemas, route);
  }
  const problemRef = collector.ref('problem');
  collector.drain();
  const responses: Record<string, unknown> = {};
  for (const status of Object.keys(PROBLEM_TITLES).map(Number)) {
    responses[`Problem${status}`] = { description: PROBLEM_TITLES[status], content: { 'application/problem+json': { schema: problemRef } } };
  }
  const componentSchemas = Object.fromEntries([...collector.components.entries()].sort(([a], [b]) => a.localeCompare(b)));
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: SCHEMA_DIALECT,
    info: {
      title: 'poolshare',
      version: API_VERSION,
      summary: 'Books and risk-share settlement of pooled health and social care funds.',
      description: [
        'Event-sourced books of pooled funds (Section 75): budgets, monthly returns, risk-share agreements, settlements.',
        'Amounts are decimal strings (`"1234.50"`), never JSON numbers. Errors are RFC 9457 `application/problem+json`.',
        'Every `/v1` request carries `Authorization: Bearer <key>`.',
      ].join('\n\n'),
      license: { name: 'MIT', identifier: 'MIT' },
    },
    tags: [...new Set(routes.map((route) => route.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: componentSchemas,
      responses,
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key issued by `poolshare-keys issue`; only its SHA-256 is stored.' },
      },
    },
  };
}

export function serializeOpenApi(document: OpenApiDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

export function readOpenApiFile(file: string = OPENAPI_FILE): string {
  return fs.readFileSync(file, 'utf8');
}
