// The budget: set as a whole; after the first return, a variation with a reason.
import type { FastifyInstance } from 'fastify';
import { addRoute } from '../route.js';
import { fundYearRef } from './common.js';

export default async function budgetRoutes(app: FastifyInstance): Promise<void> {
  addRoute(app, 'setBudget', (request, context) => app.service.setBudget(context, fundYearRef(request.params), request.body));
}
