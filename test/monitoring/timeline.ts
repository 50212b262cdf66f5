// Random fund-year timelines for the monitoring pack's property test: budgets with and
// without profiles, variations after returns, late, missing and corrected returns, lines
// a return does not cover, threshold changes, and forecasts on the RAG boundaries.
import fc from 'fast-check';
import type { MonitoringInput } from '../../src/domain/monitoring/index.js';
import type { Period } from '../../src/domain/fundyear/ids.js';
import { pence, pounds, type Arr, type RefBudgetLine, type RefEvent, type RefReturnLine, type RefTimeline } from './reference.js';

type Gen = fc.GeneratorValue;
const ARRS: Arr[] = ['pooled', 'aligned'];
const AMOUNT_MAX = 99999999999999n;

function amount(g: Gen): bigint {
  return g(() => fc.oneof(
    fc.constantFrom(0n, 7n, 5n, 100n, 10000n, 120000n, 100000n, AMOUNT_MAX),
    fc.bigInt({ min: 0n, max: 100000000n }),
  ));
}

/** Twelve non-negative parts of `total` (pence). */
function profile(g: Gen, total: bigint): string[] {
  const cuts = g(() => fc.array(fc.bigInt({ min: 0n, max: total }), { minLength: 11, maxLength: 11 })).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const points = [0n, ...cuts, total];
  return points.slice(1).map((p, i) => pounds(p - (points[i] as bigint)));
}

function budgetLine(g: Gen, partnerId: string, strategyId: string, arrangement: Arr): RefBudgetLine {
  const p = amount(g);
  const line: RefBudgetLine = { strategyId, partnerId, arrangement, amount: pounds(p) };
  if (g(() => fc.integer({ min: 0, max: 9 })) < 3) line.profile = profile(g, p);
  return line;
}

function budget(g: Gen, tl: RefTimeline, previous: RefBudgetLine[] | undefined): RefBudgetLine[] {
  const lines: RefBudgetLine[] = [];
  for (const partnerId of tl.partners) for (const strategyId of tl.strategies) for (const arrangement of ARRS) {
    const old = previous?.find((l) => l.partnerId === partnerId && l.strategyId === strategyId && l.arrangement === arrangement);
    const choice = g(() => fc.integer({ min: 0, max: 9 }));
    if (old && choice < 6) lines.push(old); // unchanged
    else if (choice < 8) lines.push(budgetLine(g, partnerId, strategyId, arrangement)); // new or changed
    // else: no line (dropped, or never there)
  }
  return g(() => fc.shuffledSubarray(lines, { minLength: lines.length, maxLength: lines.length }));
}

/** A forecast near the budget, often exactly on a RAG boundary (within the input limit). */
function forecast(g: Gen, budgetPence: bigint): bigint {
  const value = nearBudget(g, budgetPence);
  return value > AMOUNT_MAX ? AMOUNT_MAX : value;
}

function nearBudget(g: Gen, budgetPence: bigint): bigint {
  const kind = g(() => fc.integer({ min: 0, max: 7 }));
  const onePercent = budgetPence / 100n;
  switch (kind) {
    case 0: return budgetPence;
    case 1: return budgetPence + 2n * onePercent;
    case 2: return budgetPence + 5n * onePercent;
    case 3: return budgetPence + 5n * onePercent + 1n;
    case 4: return budgetPence - g(() => fc.bigInt({ min: 0n, max: 100000n }));
    default: return g(() => fc.bigInt({ min: -1000000n, max: 200000000n }));
  }
}

function returnEvent(g: Gen, tl: RefTimeline, inForce: RefBudgetLine[], lastPeriod: number): RefEvent {
  const partnerId = g(() => fc.constantFrom(...tl.partners));
  const period = g(() => fc.oneof(fc.constant(Math.min(12, lastPeriod + 1)), fc.constant(Math.max(1, lastPeriod)), fc.integer({ min: 1, max: 12 })));
  let cells: { strategyId: string; arrangement: Arr; budget: bigint }[] = inForce
    .filter((l) => l.partnerId === partnerId)
    .map((l) => ({ strategyId: l.strategyId, arrangement: l.arrangement, budget: pence(l.amount) }));
  // Now and then a return that does not match the budget (the pack must still follow §3).
  if (g(() => fc.integer({ min: 0, max: 9 })) === 0) {
    const all = tl.strategies.flatMap((strategyId) => ARRS.map((arrangement) => ({ strategyId, arrangement, budget: 0n })));
    cells = g(() => fc.subarray(all));
  }
  const lines = cells.map(({ strategyId, arrangement, budget }): RefReturnLine => {
    const line: RefReturnLine = {
      strategyId, arrangement,
      actualToDate: pounds(g(() => fc.bigInt({ min: -100000n, max: 100000000n }))),
      forecastOutturn: pounds(forecast(g, budget)),
    };
    if (g(() => fc.boolean())) line.commentary = g(() => fc.string({ minLength: 1, maxLength: 12 }));
    return line;
  });
  return { kind: 'return', partnerId, period, lines };
}

const RAG_PAIRS: [string, string][] = [['2', '5'], ['0', '100'], ['1.5', '4.75'], ['3', '3.01'], ['0', '0.01'], ['10', '20']];

export const timelineArb: fc.Arbitrary<{ tl: RefTimeline; r: number; k: number }> = fc.gen().map((g) => {
  const partners = g(() => fc.uniqueArray(fc.constantFrom('ccg', 'council', 'constructor'), { minLength: 1, maxLength: 3 }));
  const strategies = g(() => fc.uniqueArray(fc.constantFrom('wellbeing', 'community', 'tostring'), { minLength: 1, maxLength: 3 }));
  const tl: RefTimeline = { partners, strategies, events: [] };
  let inForce: RefBudgetLine[] | undefined;
  let lastPeriod = 0;
  const length = g(() => fc.integer({ min: 1, max: 14 }));
  for (let i = 0; i < length; i += 1) {
    const kind = i === 0 ? g(() => fc.constantFrom('budget', 'budget', 'budget', 'rag')) : g(() => fc.constantFrom('return', 'return', 'return', 'return', 'budget', 'rag'));
    if (kind === 'budget') {
      inForce = budget(g, tl, inForce);
      tl.events.push({ kind: 'budget', lines: inForce });
    } else if (kind === 'rag') {
      const [amberPercent, redPercent] = g(() => fc.constantFrom(...RAG_PAIRS));
      tl.events.push({ kind: 'rag', amberPercent, redPercent });
    } else {
      const event = returnEvent(g, tl, inForce ?? [], lastPeriod);
      if (event.kind === 'return') lastPeriod = Math.max(lastPeriod, event.period);
      tl.events.push(event);
    }
  }
  const r = g(() => fc.integer({ min: 0, max: tl.events.length - 1 }));
  const k = g(() => fc.integer({ min: 1, max: 12 }));
  return { tl, r, k };
});

/** The plain inputs of the pack at revision r, read off the timeline the way the service will. */
export function packInput(tl: RefTimeline, r: number, k: number): MonitoringInput {
  const seen = tl.events.slice(0, r + 1);
  let originalBudget: RefBudgetLine[] | null = null;
  let budgetNow: RefBudgetLine[] | null = null;
  let rag = { amberPercent: '2', redPercent: '5' };
  const returns: MonitoringInput['returns'][number][] = [];
  for (const e of seen) {
    if (e.kind === 'budget') {
      originalBudget ??= e.lines;
      budgetNow = e.lines;
    } else if (e.kind === 'rag') rag = { amberPercent: e.amberPercent, redPercent: e.redPercent };
    else returns.push({ partnerId: e.partnerId, period: `M${e.period}` as Period, lines: e.lines });
  }
  return {
    partners: tl.partners.map((partnerId) => ({ partnerId })),
    strategies: tl.strategies.map((strategyId) => ({ strategyId })),
    originalBudget, budget: budgetNow, returns, rag, period: `M${k}` as Period,
  };
}
