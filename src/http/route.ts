// Registers a route of the route table: its schemas (by $id), its access rule
// (read by the auth hook), its success status, and a handler typed from the
// generated OpenAPI types.
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema, HTTPMethods } from 'fastify';
import type { RequestContext } from '../app/service-types.js';
import { DomainError } from '../domain/errors.js';
import type { BodyOf, OperationId, ParamsOf, QueryOf, ReplyOf } from './api-types.js';
import { fastifyUrl, routeSpec, TEXT_MEDIA_TYPES, type RouteSpec } from './route-table.js';
import { schemaRef } from './schemas.js';

export type TypedRequest<Op extends OperationId> = FastifyRequest<{ Params: ParamsOf<Op>; Querystring: QueryOf<Op>; Body: BodyOf<Op> }>;

export type Handler<Op extends OperationId> = (request: TypedRequest<Op>, context: RequestContext, reply: FastifyReply) => Promise<ReplyOf<Op>>;

export type PublicHandler<Op extends OperationId> = (request: TypedRequest<Op>, reply: FastifyReply) => Promise<ReplyOf<Op>>;

export function routeSchema(spec: RouteSpec): FastifySchema {
  const schema: FastifySchema = {};
  if (spec.params !== undefined) schema.params = schemaRef(spec.params);
  if (spec.querystring !== undefined) schema.querystring = schemaRef(spec.querystring);
  if (spec.body !== undefined) {
    // With a file form, the schema is the JSON form's only: a file is read (and refused, naming
    // its rows) by the route, and its query checked there (routes/returns-upload.ts).
    schema.body = spec.fileBody === undefined ? schemaRef(spec.body) : { content: { 'application/json': { schema: schemaRef(spec.body) } } };
  }
  if (spec.idempotencyKey) {
    schema.headers = { type: 'object', properties: { 'idempotency-key': schemaRef('idempotency-key') } };
  }
  const success = successSchema(spec.success.body);
  schema.response = { [spec.success.status]: success, '4xx': schemaRef('problem'), '5xx': schemaRef('problem') };
  return schema;
}

function successSchema(body: RouteSpec['success']['body']): unknown {
  if (body.kind === 'json') return schemaRef(body.schema);
  const types: readonly string[] = body.kind === 'file' ? body.mediaTypes : [TEXT_MEDIA_TYPES[body.kind]];
  // Text and bytes are sent as they are (never serialized): the schema only documents them.
  return { content: Object.fromEntries(types.map((type) => [type, { schema: { type: 'string' } }])) };
}

/** The request context the service needs; the auth hook has set the principal on every keyed route. */
export function requestContext(request: FastifyRequest): RequestContext {
  const principal = request.principal;
  if (principal === null) throw new Error(`no principal on ${request.method} ${request.url}: route registered without auth`);
  const context: RequestContext = { principal, requestId: request.id, receivedAt: new Date().toISOString() };
  const key = request.headers['idempotency-key'];
  if (typeof key === 'string') context.idempotencyKey = key;
  return context;
}

function isEmptyBody(body: unknown): boolean {
  if (body === undefined || body === null) return true;
  return typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0;
}

/** Operations without a body refuse one (an extra field is never silently dropped). */
async function refuseBody(request: FastifyRequest): Promise<void> {
  if (!isEmptyBody(request.body)) {
    throw new DomainError('bad-request', 'validation', 'This operation takes no request body.', [{ path: '/', message: 'no body is accepted (send none, or {})' }]);
  }
}

/** Operations without a body accept at most `{}` and some whitespace: no reason to read a MiB. */
export const NO_BODY_LIMIT = 1024;

function register<Op extends OperationId>(app: FastifyInstance, operationId: Op, handle: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>): void {
  const spec: RouteSpec = routeSpec(operationId);
  const method = spec.method.toUpperCase() as HTTPMethods;
  app.route({
    method,
    url: fastifyUrl(spec.path),
    schema: routeSchema(spec),
    config: { access: spec.access, operationId },
    ...(spec.body === undefined && spec.method !== 'get' ? { preValidation: refuseBody, bodyLimit: NO_BODY_LIMIT } : {}),
    handler: async (request, reply) => {
      const answer = await handle(request, reply);
      reply.code(spec.success.status);
      // A file's handler sets its own type (csv or xlsx, and its name).
      if (spec.success.body.kind !== 'json' && spec.success.body.kind !== 'file') reply.type(`${TEXT_MEDIA_TYPES[spec.success.body.kind]}; charset=utf-8`);
      return answer;
    },
  });
}

/** A /v1 route: the handler gets the caller's RequestContext. */
export function addRoute<Op extends OperationId>(app: FastifyInstance, operationId: Op, handler: Handler<Op>): void {
  register(app, operationId, (request, reply) => handler(request as unknown as TypedRequest<Op>, requestContext(request), reply));
}

/** A route anyone may call (meta). */
export function addPublicRoute<Op extends OperationId>(app: FastifyInstance, operationId: Op, handler: PublicHandler<Op>): void {
  register(app, operationId, (request, reply) => handler(request as unknown as TypedRequest<Op>, reply));
}
