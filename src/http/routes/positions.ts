// Positions at the latest revision or at ?asOfRevision=.
import type { FastifyInstance } from 'fastify';
import { addRoute } from '../route.js';
import { fundYearRef, parseOptionalDigits } from './common.js';

export default async function positionsRoutes(app: FastifyInstance): Promise<void> {
  addRoute(app, 'getPositions', (request, context) =>
    app.service.positions(context, fundYearRef(request.params), parseOptionalDigits(request.query.asOfRevision)),
  );
}
