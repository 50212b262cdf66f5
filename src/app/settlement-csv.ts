// A settlement's figures as CSV sections (titled, separated by blank rows, every value a
// string): the one layout shared by the settlement statement (statement-csv.ts) and the
// what-if calculator's --format csv. Engine-2 columns (reserve drawn, the board decision)
// and the reserve section appear when the figures have them.
import { ENGINE_VERSION_2 } from '../domain/settlement.js';
import type { ReserveSettlement, SettlementFigures } from '../domain/settlement-types.js';
import { ownValue } from '../domain/records.js';

export type CsvRow = string[];

/** Pots, bands, partners, payments, unshared lines and (when there is one) the reserve. */
export function figureSections(figures: SettlementFigures & { engineVersion: string }, partners: readonly string[]): CsvRow[] {
  const engine2 = figures.engineVersion === ENGINE_VERSION_2;
  const reserve = figures.reserve;
  return [
    ['Pots'],
    ['pot', 'budget', 'variance', 'direction', ...partners.map((p) => `share ${p}`), 'unallocated', 'capped', ...(engine2 ? ['reserve drawn', 'decision version', 'decision reference'] : [])],
    ...figures.pots.map((pot) => [
      pot.potId, pot.budget, pot.variance, pot.direction, ...partners.map((p) => ownValue(pot.shares, p) ?? '0.00'), pot.unallocated, pot.capped.join(' '),
      ...(engine2 ? [pot.reserveDrawn ?? '', pot.decision === undefined ? '' : String(pot.decision.version), pot.decision?.reference ?? ''] : []),
    ]),
    [],
    ['Bands'],
    ['pot', 'from', 'to', 'amount'],
    ...figures.pots.flatMap((pot) => pot.bands.map((b) => [pot.potId, b.from, b.to ?? '', b.amount])),
    [],
    ['Partners'],
    ['partner', 'variance borne', 'share', 'transfer (positive pays)', ...(reserve === undefined ? [] : ['reserve returned'])],
    ...figures.partners.map((p) => [p.partnerId, p.varianceBorne, p.share, p.transfer, ...(reserve === undefined ? [] : [p.reserveReturned ?? '0.00'])]),
    [],
    ['Payments'],
    ['from', 'to', 'amount'],
    ...figures.payments.map((p) => [p.from, p.to, p.amount]),
    [],
    ['Unshared'],
    ['strategy', 'partner', 'arrangement', 'variance'],
    ...figures.unshared.map((u) => [u.strategyId, u.partnerId, u.arrangement, u.variance]),
    ...reserveSection(reserve),
  ];
}

function reserveSection(reserve: ReserveSettlement | undefined): CsvRow[] {
  if (reserve === undefined) return [];
  const rows = Object.keys(reserve.opening).map((partnerId) => [
    partnerId,
    ...[reserve.opening, reserve.drawn, reserve.closing, reserve.returned, reserve.carriedForward].map((amounts) => ownValue(amounts, partnerId) ?? '0.00'),
  ]);
  return [
    [],
    ['Reserve'],
    ['unused', reserve.unused],
    ['transfer (positive pays)', reserve.transfer],
    ['partner', 'opening', 'drawn', 'closing', 'returned', 'carried forward'],
    ...rows,
  ];
}
