// Settlements: calculate (admin), list, get, verify, approve (partner), CSV statement.
import type { FastifyInstance } from 'fastify';
import { addRoute } from '../route.js';
import { fundYearRef } from './common.js';

export default async function settlementsRoutes(app: FastifyInstance): Promise<void> {
  addRoute(app, 'calculateSettlement', (request, context) => app.service.calculateSettlement(context, fundYearRef(request.params), request.body));
  addRoute(app, 'listSettlements', (request, context) => app.service.listSettlements(context, fundYearRef(request.params)));
  addRoute(app, 'getSettlement', (request, context) =>
    app.service.getSettlement(context, fundYearRef(request.params), request.params.settlementId),
  );
  addRoute(app, 'verifySettlement', (request, context) =>
    app.service.verifySettlement(context, fundYearRef(request.params), request.params.settlementId),
  );
  addRoute(app, 'approveSettlement', (request, context) =>
    app.service.approveSettlement(context, fundYearRef(request.params), request.params.settlementId),
  );
  addRoute(app, 'getSettlementStatement', async (request, context, reply) => {
    const { fundId, year, settlementId } = request.params;
    const csv = await app.service.settlementStatementCsv(context, fundYearRef(request.params), settlementId);
    reply.header('content-disposition', `attachment; filename="${fundId}-${year}-settlement-${settlementId}.csv"`);
    return csv;
  });
}
