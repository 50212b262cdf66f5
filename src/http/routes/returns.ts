// Monthly returns (partner, for its own partner; Idempotency-Key honoured by the service), as
// JSON or as a spreadsheet, and the template a partner fills in.
import type { FastifyInstance } from 'fastify';
import { addRoute } from '../route.js';
import { fundYearRef } from './common.js';
import { sendFile } from './files.js';
import { registerSpreadsheetParsers, spreadsheetUpload } from './returns-upload.js';

export default async function returnsRoutes(app: FastifyInstance): Promise<void> {
  registerSpreadsheetParsers(app);
  addRoute(app, 'submitReturn', (request, context) => {
    const upload = spreadsheetUpload(request);
    const ref = fundYearRef(request.params);
    return upload === undefined ? app.service.submitReturn(context, ref, request.body) : app.service.submitReturnFile(context, ref, upload);
  });
  addRoute(app, 'getReturnTemplate', async (request, context, reply) =>
    sendFile(reply, await app.service.returnTemplate(context, fundYearRef(request.params), request.query)),
  );
}
