// Risk-share agreements: propose (admin), accept (partner), list.
import type { FastifyInstance } from 'fastify';
import type { AgreementTerms } from '../../domain/terms-types.js';
import { addRoute } from '../route.js';
import { fundYearRef, parseDigits } from './common.js';

export default async function agreementsRoutes(app: FastifyInstance): Promise<void> {
  addRoute(app, 'proposeAgreement', (request, context) => {
    // agreement-terms.schema.json (validated above) is the validating twin of AgreementTerms;
    // its if/then/else rules are beyond what the generated types can express.
    const terms = request.body.terms as AgreementTerms;
    return app.service.proposeAgreement(context, fundYearRef(request.params), { terms });
  });
  addRoute(app, 'acceptAgreement', (request, context) =>
    app.service.acceptAgreement(context, fundYearRef(request.params), parseDigits(request.params.version)),
  );
  addRoute(app, 'listAgreements', (request, context) => app.service.listAgreements(context, fundYearRef(request.params)));
}
