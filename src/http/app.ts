// The app factory: builds the Fastify instance with its schemas, problem+json
// errors, auth and routes. It never listens (src/main.ts does).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { FundYearService } from '../app/service-types.js';
import { createAjv } from './ajv.js';
import authPlugin, { type KeyRecord } from './auth.js';
import { clientErrorHandler } from './client-error.js';
import { repeatedHeaderProblem, repeatedSingletonHeader } from './headers.js';
import { registerStrictJsonParser } from './json-body.js';
import { capConnections, HTTP_LIMITS_DEFAULT, serverTimeoutOptions, type HttpLimits } from './limits.js';
import { readOpenApiFile } from './openapi.js';
import problemPlugin, { makeProblem, problemForError, sendProblem } from './problem.js';
import agreementsRoutes from './routes/agreements.js';
import decisionsRoutes from './routes/decisions.js';
import budgetRoutes from './routes/budget.js';
import closeRoutes from './routes/close.js';
import eventsRoutes from './routes/events.js';
import fundsRoutes from './routes/funds.js';
import integrityRoutes from './routes/integrity.js';
import metaRoutes from './routes/meta.js';
import monitoringRoutes from './routes/monitoring.js';
import positionsRoutes from './routes/positions.js';
import returnsRoutes from './routes/returns.js';
import settlementsRoutes from './routes/settlements.js';
import meRoutes from './routes/me.js';
import { loadSchemas, type JsonSchema } from './schemas.js';
import webPlugin, { WEB_DIR_DEFAULT } from './web.js';

declare module 'fastify' {
  interface FastifyInstance {
    service: FundYearService;
  }
}

export interface BuildAppOptions {
  service: FundYearService;
  /** Parsed API_KEYS_FILE; undefined: none configured, every /v1 call is 401 (and a warning is logged). */
  keys: KeyRecord[] | undefined;
  /** Pino options (or true for defaults); keys and bodies are redacted whatever is passed. */
  logger?: boolean | object;
  bodyLimit?: number;
  /** Timeouts and the connection cap (HTTP_LIMITS_DEFAULT for what is not given). */
  limits?: Partial<HttpLimits>;
  /** The built web app (index.html, assets/); default dist/web. */
  webDir?: string;
}

export const BODY_LIMIT_DEFAULT = 1024 * 1024;
const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,100}$/;
const REDACT_PATHS = ['req.headers.authorization', 'req.headers["idempotency-key"]', 'req.body', 'headers.authorization', 'authorization'];

/** A caller's X-Request-Id is kept when it is plain; otherwise a fresh UUID. */
function requestId(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID_RE.test(given) ? given : randomUUID();
}

function loggerOptions(logger: boolean | object | undefined): FastifyServerOptions['logger'] {
  if (logger === undefined || logger === false) return false;
  const base = logger === true ? {} : logger;
  return { level: 'info', ...base, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
}

/** fast-json-stringify compiles response schemas with a draft-07 Ajv: give it the schemas without `$schema`. */
function forSerializer(schema: JsonSchema): JsonSchema {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}

export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const schemas = loadSchemas();
  const ajv = createAjv(schemas);
  const limits: HttpLimits = { ...HTTP_LIMITS_DEFAULT, ...options.limits };
  const app = Fastify({
    logger: loggerOptions(options.logger),
    bodyLimit: options.bodyLimit ?? BODY_LIMIT_DEFAULT,
    ...serverTimeoutOptions(limits),
    clientErrorHandler,
    genReqId: requestId,
    requestIdHeader: false,
    // fast-json-stringify's own Ajv picks anyOf/if branches of response schemas; 2020-12 annotations are not type errors.
    serializerOpts: { ajv: { strictTypes: false } },
    frameworkErrors: (error, request, reply) => sendProblem(request, reply, problemForError(error).problem),
    // Fastify's own answer while closing is plain JSON; ours (the onRequest hook below) is problem+json.
    return503OnClosing: false,
  });
  app.setValidatorCompiler(({ schema }) => {
    const ref = (schema as JsonSchema)['$ref'];
    const shared = typeof ref === 'string' && Object.keys(schema).length === 1 ? ajv.getSchema(ref) : undefined;
    return shared ?? ajv.compile(schema);
  });
  for (const schema of schemas.byName.values()) app.addSchema(forSerializer(schema));
  capConnections(app, limits);
  app.removeContentTypeParser('text/plain'); // request bodies are JSON only: anything else is 415
  registerStrictJsonParser(app);
  app.decorate('service', options.service);
  // While stopping, requests already in flight finish; a new one on a kept-alive connection is
  // told to go elsewhere, as problem+json like every other answer, and the connection closes.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (closing) {
      reply.header('connection', 'close');
      return sendProblem(request, reply, makeProblem(503, 'shutting-down', 'The service is stopping; send the request again shortly.'));
    }
    // Before the auth hook: which of two keys was meant is never guessed at.
    const repeated = repeatedSingletonHeader(request.raw.rawHeaders);
    if (repeated !== undefined) return sendProblem(request, reply, repeatedHeaderProblem(repeated));
  });

  await app.register(problemPlugin);
  await app.register(authPlugin, { keys: options.keys });
  await app.register(metaRoutes, { openApiText: readOpenApiFile() });
  await app.register(fundsRoutes);
  await app.register(budgetRoutes);
  await app.register(agreementsRoutes);
  await app.register(decisionsRoutes);
  await app.register(returnsRoutes);
  await app.register(positionsRoutes);
  await app.register(closeRoutes);
  await app.register(settlementsRoutes);
  await app.register(eventsRoutes);
  await app.register(integrityRoutes);
  await app.register(meRoutes);
  await app.register(monitoringRoutes);
  await app.register(webPlugin, { dir: options.webDir ?? WEB_DIR_DEFAULT });
  return app;
}

