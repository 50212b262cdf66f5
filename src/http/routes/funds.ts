// Fund-years: open one (admin), list those visible to the caller.
import type { FastifyInstance } from 'fastify';
import { addRoute } from '../route.js';
import { fundYearRef } from './common.js';

export default async function fundsRoutes(app: FastifyInstance): Promise<void> {
  addRoute(app, 'openFundYear', (request, context) => app.service.openFundYear(context, fundYearRef(request.params), request.body));
  addRoute(app, 'listFunds', (_request, context) => app.service.listFunds(context));
}
