// Anyone: the OpenAPI document, its rendering at /docs (local assets only),
// liveness and readiness.
import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { DomainError } from '../../domain/errors.js';
import type { ReplyOf } from '../api-types.js';
import { StoreUnavailableError } from '../../store/port.js';
import { isStoreUnavailable, unavailableReason } from '../../store/unavailable.js';
import { addPublicRoute } from '../route.js';

export interface MetaOptions {
  /** openapi/openapi.json as generated. */
  openApiText: string;
}

/** Everything the docs page loads comes from this server. */
const DOCS_CSP = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'", 'data:'],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'frame-ancestors': ["'self'"],
};

export default async function metaRoutes(app: FastifyInstance, options: MetaOptions): Promise<void> {
  const document = JSON.parse(options.openApiText) as Record<string, unknown>;
  await app.register(swagger, { mode: 'static', specification: { document: document as never } });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: DOCS_CSP,
    validatorUrl: false,
    uiConfig: { deepLinking: true, tryItOutEnabled: false },
    theme: { title: 'poolshare API' },
  });
  addPublicRoute(app, 'getOpenApi', async (_request, reply) => {
    // Sent as generated (a JSON string is not re-serialized).
    reply.type('application/json; charset=utf-8');
    return options.openApiText as unknown as ReplyOf<'getOpenApi'>;
  });
  addPublicRoute(app, 'getHealth', async () => ({ status: 'ok' as const }));
  addPublicRoute(app, 'getReadiness', async () => {
    try {
      await app.service.ready();
    } catch (error) {
      // The service's own 503s (summary-catching-up, summary-failed) say which; anything else is the store.
      if (error instanceof DomainError && error.status === 503) throw error;
      // One log line, written by the error handler with the cause.
      throw isStoreUnavailable(error) ? error : new StoreUnavailableError(unavailableReason(error), { cause: error });
    }
    return { status: 'ok' as const };
  });
}
