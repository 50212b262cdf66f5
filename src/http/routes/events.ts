// The audit trail (auditor, admin), paged by ?fromRevision= and ?limit=.
import type { FastifyInstance } from 'fastify';
import { addRoute } from '../route.js';
import { fundYearRef, parseOptionalDigits } from './common.js';

export const EVENTS_PAGE_MAX = 1000;

export default async function eventsRoutes(app: FastifyInstance): Promise<void> {
  addRoute(app, 'listEvents', (request, context) =>
    app.service.events(
      context,
      fundYearRef(request.params),
      parseOptionalDigits(request.query.fromRevision),
      parseOptionalDigits(request.query.limit) ?? EVENTS_PAGE_MAX,
    ),
  );
}
