// The audit trail (auditor, admin), paged by ?fromRevision= and ?limit=.
import type { FastifyInstance } from 'fastify';
import { addRoute } from '../route.js';
import { fundYearRef, parseOptionalDigits } from './common.js';

export default async function eventsRoutes(app: FastifyInstance): Promise<void> {
  addRoute(app, 'listEvents', (request, context) =>
    app.service.events(
      context,
      fundYearRef(request.params),
      parseOptionalDigits(request.query.fromRevision),
      // Absent: the service's page (EVENTS_PAGE_MAX, the schema's maximum too).
      parseOptionalDigits(request.query.limit),
    ),
  );
}
