// Year end: close the year (admin), then post-close outturn adjustments.
import type { FastifyInstance } from 'fastify';
import { addRoute } from '../route.js';
import { fundYearRef } from './common.js';

export default async function closeRoutes(app: FastifyInstance): Promise<void> {
  addRoute(app, 'closeYear', (request, context) => app.service.closeYear(context, fundYearRef(request.params)));
  addRoute(app, 'adjustOutturn', (request, context) => app.service.adjustOutturn(context, fundYearRef(request.params), request.body));
}
