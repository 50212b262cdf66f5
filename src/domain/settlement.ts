// The pure settlement engine (docs/engine.md), figure for figure: engine 1's pots, shares,
// transfers and payments, and engine 2's risk reserve and board decisions.
// No I/O, no clock, no randomness, no JS number for money: amounts come in as strings,
// live as big.js decimals (Dec.strict) and go out as strings with two places.
import { canonicalSha256 } from './canonical.js';
import { ZERO, formatAmount, parseExact, sumDecimals, type Decimal } from './money.js';
import { ownValue } from './records.js';
import { reserveInPlay, settleReserve, type ReserveInPlay, type ReserveResult } from './settlement-reserve.js';
import { applyRule, nothingToShare, type DecisionAt, type RuleResult } from './settlement-rule.js';
import type {
  Direction,
  EngineVersion,
  PartnerSettlement,
  Payment,
  PotSettlement,
  SettlementFigures,
  SettlementInput,
  UnsharedLine,
} from './settlement-types.js';
import { assertValidTerms } from './terms.js';
import { RESERVE_ID, type AdoptedDecision, type Arrangement, type Pot } from './terms-types.js';

/** A settlement that uses no reserve and applies no decision: its body is exactly engine 1's. */
export const ENGINE_VERSION_1: EngineVersion = 'poolshare-settlement/1';
/** A settlement with a reserve in play or an applied board decision. */
export const ENGINE_VERSION_2: EngineVersion = 'poolshare-settlement/2';
/** Engine 1's name, kept for callers that predate engine 2; a settlement's own is `engineVersionOf(figures)`. */
export const ENGINE_VERSION = ENGINE_VERSION_1;

/** The rules a settlement used, read off its figures: only engine 2 adds `reserve` or a pot's `decision`. */
export function engineVersionOf(figures: SettlementFigures): EngineVersion {
  const usesEngine2 = figures.reserve !== undefined || figures.pots.some((pot) => pot.decision !== undefined);
  return usesEngine2 ? ENGINE_VERSION_2 : ENGINE_VERSION_1;
}

/** One (strategy, partner, arrangement) line with both sides; a missing side counts as 0. */
interface Line {
  strategyId: string;
  partnerId: string;
  partner: number;
  arrangement: Arrangement;
  budget: Decimal;
  outturn: Decimal;
}

/** A pot's exact and rounded figures, per partner index. */
interface PotResult {
  view: PotSettlement;
  variances: Decimal[];
  shares: Decimal[];
  unallocated: Decimal;
  /** What the pot drew on the reserve (0 without one). */
  drawn: Decimal;
}

export function computeSettlement(input: SettlementInput): SettlementFigures {
  const partners = input.partners;
  assertPartners(partners);
  const lines = collectLines(input);
  const strategies = new Set<string>(lines.map((line) => line.strategyId));
  for (const pot of input.agreement.pots) for (const strategyId of pot.strategies) strategies.add(strategyId);
  // Terms were validated when proposed; their semantic rules cost microseconds to check
  // again and turn a corrupt or foreign agreement into a 422 instead of wrong money.
  assertValidTerms(input.agreement, { partners, strategies: [...strategies] });
  const reserve = reserveInPlay(input);
  const decisions = latestDecisions(input.decisions ?? []);

  // Pots draw on the reserve in their order, from a running balance.
  let balance = reserve === null ? ZERO : sumDecimals(reserve.opening);
  const pots = input.agreement.pots.map((pot, potIndex) => {
    const result = settlePot({ pot, potIndex, partners, reserve, balance, decisions }, lines);
    balance = balance.minus(result.drawn);
    return result;
  });
  const reserveResult = reserve === null ? null : settleReserve(reserve, partners, sumDecimals(pots.map((pot) => pot.drawn)));
  const partnerRows = partnerTotals(partners, pots, reserveResult);
  const requiresDecision = pots.some((pot) => !pot.unallocated.eq(ZERO));
  const figures: SettlementFigures = {
    pots: pots.map((pot) => pot.view),
    partners: partnerRows,
    payments: requiresDecision ? [] : greedyPayments(participants(partnerRows, reserveResult)),
    unshared: unsharedLines(lines, input.agreement.pots),
    requiresDecision,
  };
  if (reserveResult !== null) figures.reserve = reserveResult.view;
  checkInvariants(figures);
  return figures;
}

function assertPartners(partners: readonly string[]): void {
  if (partners.length === 0) throw new Error('a settlement needs at least one partner');
  if (new Set(partners).size !== partners.length) throw new Error(`partners repeated: ${partners.join(', ')}`);
}

/**
 * Joins budget and outturn by line and sorts the result (partner order, strategy id,
 * arrangement) so that nothing downstream depends on the order of the input lines.
 */
function collectLines(input: SettlementInput): Line[] {
  const partnerIndex = new Map(input.partners.map((partnerId, index) => [partnerId, index]));
  const lines = new Map<string, Line>();
  const sides = [
    ['budget', input.budget],
    ['outturn', input.outturn],
  ] as const;
  for (const [side, entries] of sides) {
    const seen = new Set<string>();
    for (const entry of entries) {
      const key = JSON.stringify([entry.strategyId, entry.partnerId, entry.arrangement]);
      // Callers validate their input; a repeated or foreign line here is a programmer error.
      if (seen.has(key)) throw new Error(`${side} line repeated: ${key}`);
      seen.add(key);
      const partner = partnerIndex.get(entry.partnerId);
      if (partner === undefined) throw new Error(`${side} line for undeclared partner: ${key}`);
      if (entry.arrangement !== 'pooled' && entry.arrangement !== 'aligned') {
        throw new Error(`${side} line with unknown arrangement: ${key}`);
      }
      const amount = parseExact(entry.amount);
      if (side === 'budget' && amount.lt(ZERO)) throw new Error(`negative budget: ${key}`);
      const { strategyId, partnerId, arrangement } = entry;
      const line = lines.get(key) ?? { strategyId, partnerId, partner, arrangement, budget: ZERO, outturn: ZERO };
      line[side] = amount;
      lines.set(key, line);
    }
  }
  return [...lines.values()].sort(compareLines);
}

function compareLines(a: Line, b: Line): number {
  return a.partner - b.partner || compareText(a.strategyId, b.strategyId) || compareText(a.arrangement, b.arrangement);
}

/** Code-unit order: locale-independent, so every machine sorts alike. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Per pot and direction, the decision adopted last (the input lists them in adoption order). */
function latestDecisions(decisions: readonly AdoptedDecision[]): Map<string, DecisionAt> {
  const latest = new Map<string, DecisionAt>();
  decisions.forEach((decision, index) => latest.set(decisionKey(decision.potId, decision.direction), { decision, index }));
  return latest;
}

function decisionKey(potId: string, direction: string): string {
  return JSON.stringify([potId, direction]);
}

interface PotContext {
  pot: Pot;
  potIndex: number;
  partners: readonly string[];
  reserve: ReserveInPlay | null;
  /** The reserve's balance before this pot draws. */
  balance: Decimal;
  decisions: ReadonlyMap<string, DecisionAt>;
}

/**
 * B, v and V from the pot's pooled lines; a covered overspending pot first draws
 * D = min(balance, V) on the reserve; the rule then shares V − D (or nothing, if that is 0).
 */
function settlePot(context: PotContext, lines: readonly Line[]): PotResult {
  const { pot, potIndex, partners, reserve } = context;
  const strategies = new Set(pot.strategies);
  const budgets = partners.map(() => ZERO);
  const variances = partners.map(() => ZERO);
  for (const line of lines) {
    if (line.arrangement !== 'pooled' || !strategies.has(line.strategyId)) continue;
    budgets[line.partner] = (budgets[line.partner] as Decimal).plus(line.budget);
    variances[line.partner] = (variances[line.partner] as Decimal).plus(line.outturn.minus(line.budget));
  }
  const variance = sumDecimals(variances);
  const direction: Direction = variance.gt(ZERO) ? 'overspend' : variance.lt(ZERO) ? 'underspend' : 'none';
  const covered = reserve !== null && reserve.covers.has(pot.potId) && direction === 'overspend';
  const drawn = covered ? (context.balance.lt(variance) ? context.balance : variance) : ZERO;
  const rest = variance.minus(drawn);
  const shared: RuleResult =
    direction === 'none' || rest.eq(ZERO)
      ? nothingToShare(partners.length)
      : applyRule(
          { pot, potIndex, direction, partners, budgets, decision: context.decisions.get(decisionKey(pot.potId, direction)) },
          direction === 'overspend' ? pot.overspend : pot.underspend,
          variances,
          rest,
        );
  const view: PotSettlement = {
    potId: pot.potId,
    budget: formatAmount(sumDecimals(budgets)),
    variance: formatAmount(variance),
    direction,
    bands: shared.bands,
    shares: Object.fromEntries(partners.map((partnerId, index) => [partnerId, formatAmount(shared.shares[index] as Decimal)])),
    capped: shared.capped,
    unallocated: formatAmount(shared.unallocated),
  };
  // Engine 2's fields appear only when engine 2 is in play: an engine-1 body stays byte for byte.
  if (reserve !== null) view.reserveDrawn = formatAmount(drawn);
  if (shared.applied !== undefined) view.decision = shared.applied;
  return { view, variances, shares: shared.shares, unallocated: shared.unallocated, drawn };
}

/** Per partner over all pots: borne, share, and transfer = share − borne − returned (positive pays). */
function partnerTotals(partners: readonly string[], pots: readonly PotResult[], reserve: ReserveResult | null): PartnerSettlement[] {
  return partners.map((partnerId, index) => {
    const borne = sumDecimals(pots.map((pot) => pot.variances[index] as Decimal));
    const share = sumDecimals(pots.map((pot) => pot.shares[index] as Decimal));
    const returned = reserve === null ? ZERO : (reserve.returned[index] as Decimal);
    const row: PartnerSettlement = {
      partnerId,
      varianceBorne: formatAmount(borne),
      share: formatAmount(share),
      transfer: formatAmount(share.minus(borne).minus(returned)),
    };
    if (reserve !== null) row.reserveReturned = formatAmount(returned);
    return row;
  });
}

interface Participant {
  id: string;
  transfer: Decimal;
}

/** Who takes part in payments, in payer order: the reserve (when in play) first, then the partners. */
function participants(rows: readonly PartnerSettlement[], reserve: ReserveResult | null): Participant[] {
  const partners = rows.map((row) => ({ id: row.partnerId, transfer: parseExact(row.transfer) }));
  return reserve === null ? partners : [{ id: RESERVE_ID, transfer: reserve.transfer }, ...partners];
}

/** The first participant still owing pays the first still owed the smaller remainder. */
function greedyPayments(everyone: readonly Participant[]): Payment[] {
  const owing = everyone.filter((p) => p.transfer.gt(ZERO)).map((p) => ({ id: p.id, left: p.transfer }));
  const owed = everyone.filter((p) => p.transfer.lt(ZERO)).map((p) => ({ id: p.id, left: p.transfer.abs() }));
  const payments: Payment[] = [];
  let i = 0;
  let j = 0;
  while (i < owing.length && j < owed.length) {
    const payer = owing[i] as { id: string; left: Decimal };
    const payee = owed[j] as { id: string; left: Decimal };
    const amount = payer.left.lt(payee.left) ? payer.left : payee.left;
    payments.push({ from: payer.id, to: payee.id, amount: formatAmount(amount) });
    payer.left = payer.left.minus(amount);
    payee.left = payee.left.minus(amount);
    if (payer.left.eq(ZERO)) i += 1;
    if (payee.left.eq(ZERO)) j += 1;
  }
  return payments;
}

/** §2: aligned lines and pooled lines of strategies in no pot; `lines` is already sorted. */
function unsharedLines(lines: readonly Line[], pots: readonly Pot[]): UnsharedLine[] {
  const inPot = new Set(pots.flatMap((pot) => pot.strategies));
  return lines
    .filter((line) => line.arrangement === 'aligned' || !inPot.has(line.strategyId))
    .map((line) => ({
      strategyId: line.strategyId,
      partnerId: line.partnerId,
      arrangement: line.arrangement,
      variance: formatAmount(line.outturn.minus(line.budget)),
    }));
}

/** TigerBeetle's rule: check the invariants where they are made. Breaking one is a bug here. */
function checkInvariants(figures: SettlementFigures): void {
  let unallocated = ZERO;
  let drawn = ZERO;
  for (const pot of figures.pots) {
    const potDrawn = pot.reserveDrawn === undefined ? ZERO : parseExact(pot.reserveDrawn);
    const total = sumDecimals(Object.values(pot.shares).map(parseExact)).plus(parseExact(pot.unallocated)).plus(potDrawn);
    if (!total.eq(parseExact(pot.variance))) throw new Error(`pot ${pot.potId}: shares + U + D ≠ V`);
    unallocated = unallocated.plus(parseExact(pot.unallocated));
    drawn = drawn.plus(potDrawn);
  }
  const reserve = figures.reserve;
  if (reserve !== undefined) checkReserve(reserve, drawn);
  const everyone = [
    ...(reserve === undefined ? [] : [{ id: RESERVE_ID, transfer: parseExact(reserve.transfer) }]),
    ...figures.partners.map((row) => ({ id: row.partnerId, transfer: parseExact(row.transfer) })),
  ];
  if (!sumDecimals(everyone.map((p) => p.transfer)).eq(unallocated.neg())) throw new Error('transfers do not sum to −ΣU');
  if (figures.payments.length > Math.max(0, everyone.length - 1)) throw new Error('more payments than participants − 1');
  for (const participant of everyone) {
    let net = ZERO;
    for (const payment of figures.payments) {
      if (payment.from === participant.id) net = net.plus(parseExact(payment.amount));
      if (payment.to === participant.id) net = net.minus(parseExact(payment.amount));
    }
    const expected = figures.requiresDecision ? ZERO : participant.transfer;
    if (!net.eq(expected)) throw new Error(`payments do not settle ${participant.id}'s transfer`);
  }
}

/** Σ drawn = Σ D ≤ R; closing = opening − drawn ≥ 0; closing is returned or carried forward. */
function checkReserve(reserve: NonNullable<SettlementFigures['reserve']>, drawnByPots: Decimal): void {
  const sum = (amounts: Record<string, string>) => sumDecimals(Object.values(amounts).map(parseExact));
  if (!sum(reserve.drawn).eq(drawnByPots) || drawnByPots.gt(sum(reserve.opening))) throw new Error('reserve: Σ drawn ≠ Σ D, or more than R');
  for (const [partnerId, closing] of Object.entries(reserve.closing)) {
    const amount = (record: Record<string, string>) => parseExact(ownValue(record, partnerId) ?? 'missing');
    const opening = amount(reserve.opening);
    const drawn = amount(reserve.drawn);
    const kept = amount(reserve.unused === 'return' ? reserve.returned : reserve.carriedForward);
    if (parseExact(closing).lt(ZERO) || !opening.minus(drawn).eq(parseExact(closing)) || !kept.eq(parseExact(closing))) {
      throw new Error(`reserve: ${partnerId}'s closing balance does not follow from its opening and drawn`);
    }
  }
}

/**
 * Fields left out of the digest: they identify or describe a settlement record rather than
 * its figures, or change after calculation — `settlementId`, `digest` (itself),
 * `calculatedAt` (a timestamp), `status` and `approvedBy` (approval changes them).
 */
/**
 * Left out of the digest: ids, time, what changes after recording (status, approvals), and the
 * log's chain hash, which is recorded beside the body (docs/integrity.md). No digest recorded
 * before the chain carried it, so every earlier digest stays valid.
 */
export const DIGEST_EXCLUDED_FIELDS = ['settlementId', 'digest', 'calculatedAt', 'status', 'approvedBy', 'chainHash'] as const;

/** `sha256:` + hex SHA-256 of the RFC 8785 canonical JSON of the body without the excluded fields. */
export function settlementDigest(body: Record<string, unknown>): string {
  const excluded = new Set<string>(DIGEST_EXCLUDED_FIELDS);
  const kept = Object.fromEntries(Object.entries(body).filter(([key]) => !excluded.has(key)));
  return canonicalSha256(toJsonValue(kept, ''), 'settlement body');
}

/**
 * Copies a body into plain JSON values before canonicalisation, so that nothing silently
 * changes the digest: an undefined object field is dropped (as JSON.stringify does), a bigint
 * revision becomes the same number a number revision gives (any store, same digest), and
 * anything else that has no single JSON spelling (fractions, which would be money as a
 * float; undefined in arrays; class instances with toJSON) is refused.
 */
function toJsonValue(value: unknown, path: string): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new Error(`${path}: bigint out of the safe integer range`);
    }
    return Number(value);
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`${path}: only safe integers may be numbers (money is a string)`);
    return value;
  }
  if (Array.isArray(value)) return value.map((item, index) => toJsonValue(item, `${path}/${index}`));
  if (isPlainObject(value)) {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    return Object.fromEntries(entries.map(([key, item]) => [key, toJsonValue(item, `${path}/${key}`)]));
  }
  throw new Error(`${path || '/'}: ${value === undefined ? 'undefined' : typeof value} has no canonical JSON form`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
