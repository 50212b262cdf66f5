// The monitoring pack (any role: JSON, CSV, XLSX) and its RAG thresholds (admin).
import type { FastifyInstance } from 'fastify';
import type { MonitoringQuery } from '../../app/service-types.js';
import { addRoute } from '../route.js';
import { fundYearRef, parseOptionalDigits } from './common.js';
import { sendFile } from './files.js';

function monitoringQuery(query: { period?: string; asOfRevision?: string }): MonitoringQuery {
  const asOfRevision = parseOptionalDigits(query.asOfRevision);
  return { ...(query.period === undefined ? {} : { period: query.period }), ...(asOfRevision === undefined ? {} : { asOfRevision }) };
}

export default async function monitoringRoutes(app: FastifyInstance): Promise<void> {
  addRoute(app, 'changeSettings', (request, context) => app.service.changeSettings(context, fundYearRef(request.params), request.body));
  addRoute(app, 'getMonitoring', (request, context) => app.service.monitoring(context, fundYearRef(request.params), monitoringQuery(request.query)));
  addRoute(app, 'getMonitoringCsv', async (request, context, reply) =>
    sendFile(reply, await app.service.monitoringFile(context, fundYearRef(request.params), monitoringQuery(request.query), 'csv')),
  );
  addRoute(app, 'getMonitoringXlsx', async (request, context, reply) =>
    sendFile(reply, await app.service.monitoringFile(context, fundYearRef(request.params), monitoringQuery(request.query), 'xlsx')),
  );
}
