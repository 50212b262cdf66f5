// Monthly returns (partner, for its own partner; Idempotency-Key honoured by the service).
import type { FastifyInstance } from 'fastify';
import { addRoute } from '../route.js';
import { fundYearRef } from './common.js';

export default async function returnsRoutes(app: FastifyInstance): Promise<void> {
  addRoute(app, 'submitReturn', (request, context) => app.service.submitReturn(context, fundYearRef(request.params), request.body));
}
