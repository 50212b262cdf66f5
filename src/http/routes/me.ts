// The calling key (GET /v1/me): what the auth hook already knows, so a client can
// show only what the key may do. It grants nothing: every operation checks again.
import type { FastifyInstance } from 'fastify';
import type { ReplyOf } from '../api-types.js';
import { addRoute } from '../route.js';

export default async function meRoutes(app: FastifyInstance): Promise<void> {
  addRoute(app, 'getMe', async (_request, { principal }) => {
    const me: ReplyOf<'getMe'> = { name: principal.name, role: principal.role, funds: [...principal.funds] };
    if (principal.partnerId !== undefined) me.partnerId = principal.partnerId;
    return me;
  });
}
