// Engine 2: board decisions (propose: admin, accept: partner, list) and the brought-forward reserve (admin).
import type { FastifyInstance } from 'fastify';
import type { Decision } from '../../domain/terms-types.js';
import { addRoute } from '../route.js';
import { fundYearRef, parseDigits } from './common.js';

export default async function decisionsRoutes(app: FastifyInstance): Promise<void> {
  addRoute(app, 'proposeDecision', (request, context) =>
    // decision.schema.json (validated above) is the validating twin of Decision.
    app.service.proposeDecision(context, fundYearRef(request.params), request.body as Decision),
  );
  addRoute(app, 'acceptDecision', (request, context) =>
    app.service.acceptDecision(context, fundYearRef(request.params), parseDigits(request.params.version)),
  );
  addRoute(app, 'listDecisions', (request, context) => app.service.listDecisions(context, fundYearRef(request.params)));
  addRoute(app, 'bringReserveForward', (request, context) => app.service.bringReserveForward(context, fundYearRef(request.params), request.body));
}
