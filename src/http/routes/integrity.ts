// The hash chain of a fund-year, walked from revision 0 (auditor, admin): docs/integrity.md.
import type { FastifyInstance } from 'fastify';
import { addRoute } from '../route.js';
import { fundYearRef } from './common.js';

export default async function integrityRoutes(app: FastifyInstance): Promise<void> {
  addRoute(app, 'getIntegrity', (request, context) => app.service.integrity(context, fundYearRef(request.params)));
}
