// Positions at the latest revision or at ?asOfRevision=.
import type { FastifyInstance } from 'fastify';
import type { PositionsView } from '../../app/service-types.js';
import type { ReplyOf } from '../api-types.js';
import { addRoute } from '../route.js';
import { fundYearRef, parseOptionalDigits } from './common.js';

const PERIODS = ['M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7', 'M8', 'M9', 'M10', 'M11', 'M12'] as const;
type PositionsReply = ReplyOf<'getPositions'>;
type ByPeriod = PositionsReply['fund']['forecastVarianceByPeriod'];

/** The contract names all twelve months (null where no month yet); the service keeps a record. */
function byPeriod(record: Record<string, string | null>): ByPeriod {
  const out: Record<string, string | null> = {};
  for (const period of PERIODS) out[period] = record[period] ?? null;
  return out as ByPeriod;
}

function withMonths<T extends { forecastVarianceByPeriod: Record<string, string | null> }>(figures: T): T & { forecastVarianceByPeriod: ByPeriod } {
  return { ...figures, forecastVarianceByPeriod: byPeriod(figures.forecastVarianceByPeriod) };
}

function toReply(view: PositionsView): PositionsReply {
  return {
    ...view,
    lines: view.lines.map(withMonths),
    strategies: view.strategies.map(withMonths),
    partners: view.partners.map(withMonths),
    fund: withMonths(view.fund),
  };
}

export default async function positionsRoutes(app: FastifyInstance): Promise<void> {
  addRoute(app, 'getPositions', async (request, context) =>
    toReply(await app.service.positions(context, fundYearRef(request.params), parseOptionalDigits(request.query.asOfRevision))),
  );
}
