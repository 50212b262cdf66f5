// An independent reference of the monitoring pack, written from MONITORING.md alone for
// test/monitoring/pack.test.ts. It shares nothing with src/domain/monitoring but the
// output types: money is integer pence (BigInt), thresholds integer hundredths of a per
// cent, and every rule is spelled out again in the most direct way.
import type { MonitoringFigures, MonitoringLine, MonitoringTables, Rag } from '../../src/domain/monitoring/index.js';

export type Arr = 'pooled' | 'aligned';
export interface RefBudgetLine { strategyId: string; partnerId: string; arrangement: Arr; amount: string; profile?: string[] }
export interface RefReturnLine { strategyId: string; arrangement: Arr; actualToDate: string; forecastOutturn: string; commentary?: string }

/** A fund-year's timeline, reduced to what the pack reads. */
export type RefEvent =
  | { kind: 'budget'; lines: RefBudgetLine[] }
  | { kind: 'return'; partnerId: string; period: number; lines: RefReturnLine[] }
  | { kind: 'rag'; amberPercent: string; redPercent: string };

export interface RefTimeline {
  partners: string[];
  strategies: string[];
  events: RefEvent[];
}

// ----------------------------------------------------------------------- integer pence

export function pence(text: string): bigint {
  const match = /^(-?)([0-9]+)(?:\.([0-9]{1,2}))?$/.exec(text);
  if (!match) throw new Error(`bad amount ${text}`);
  const value = BigInt(match[2] as string) * 100n + BigInt(((match[3] ?? '') + '00').slice(0, 2));
  return match[1] === '-' ? -value : value;
}

export function pounds(p: bigint): string {
  const negative = p < 0n;
  const a = negative ? -p : p;
  const text = `${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
  return negative ? `-${text}` : text;
}

/** Hundredths of a per cent: "4.75" → 475n. */
function hundredths(text: string): bigint {
  return pence(text);
}

/** n / d rounded to an integer, ties away from zero (d > 0). */
function roundHalfAway(n: bigint, d: bigint): bigint {
  const a = n < 0n ? -n : n;
  let q = a / d;
  if ((a % d) * 2n >= d) q += 1n;
  return n < 0n ? -q : q;
}

// ----------------------------------------------------------------------- the rules

function percentText(variance: bigint, budget: bigint): string | null {
  if (budget === 0n) return null;
  const tenths = roundHalfAway(variance * 1000n, budget);
  if (tenths === 0n) return '0.0';
  const a = tenths < 0n ? -tenths : tenths;
  return `${tenths < 0n ? '-' : ''}${a / 10n}.${a % 10n}`;
}

function rag(variance: bigint, budget: bigint, amber: bigint, red: bigint): Rag {
  // variance × 100 against threshold% × budget, both sides × 100 to keep integers.
  if (variance <= 0n) return 'green';
  if (variance * 10000n > red * budget) return 'red';
  if (variance * 10000n >= amber * budget) return 'amber';
  return 'green';
}

interface Sums { original: bigint; budget: bigint; toDate: bigint; actual: bigint; forecast: bigint; previous: bigint }

function figures(s: Sums, amber: bigint, red: bigint): MonitoringFigures {
  const fv = s.forecast - s.budget;
  return {
    originalBudget: pounds(s.original),
    budget: pounds(s.budget),
    budgetToDate: pounds(s.toDate),
    actualToDate: pounds(s.actual),
    varianceToDate: pounds(s.actual - s.toDate),
    forecastOutturn: pounds(s.forecast),
    previousForecastOutturn: pounds(s.previous),
    movement: pounds(s.forecast - s.previous),
    forecastVariance: pounds(fv),
    forecastVariancePercent: percentText(fv, s.budget),
    rag: rag(fv, s.budget, amber, red),
  };
}

/** §2: latest return with period ≤ max; among equal periods the one appended last. */
function pick(returns: { partnerId: string; period: number; lines: RefReturnLine[] }[], partnerId: string, max: number) {
  let chosen: (typeof returns)[number] | undefined;
  for (const r of returns) {
    if (r.partnerId !== partnerId || r.period > max) continue;
    if (chosen === undefined || r.period > chosen.period || r.period === chosen.period) chosen = r;
  }
  return chosen;
}

/** The pack at revision `r` (events 0..r count) and period M`k`. */
export function referencePack(tl: RefTimeline, r: number, k: number): MonitoringTables {
  const seen = tl.events.slice(0, r + 1);
  const budgets = seen.filter((e) => e.kind === 'budget');
  const first = budgets[0]?.lines ?? [];
  const inForce = budgets[budgets.length - 1]?.lines ?? [];
  const returns = seen.filter((e) => e.kind === 'return');
  const rags = seen.filter((e) => e.kind === 'rag');
  const thresholds = rags[rags.length - 1] ?? { amberPercent: '2', redPercent: '5' };
  const amber = hundredths(thresholds.amberPercent);
  const red = hundredths(thresholds.redPercent);
  const out: MonitoringLine[] = [];
  const sums: { partnerId: string; strategyId: string; arrangement: Arr; s: Sums }[] = [];
  for (const partnerId of tl.partners) {
    const current = pick(returns, partnerId, k);
    const previous = pick(returns, partnerId, k - 1);
    for (const strategyId of tl.strategies) {
      for (const arrangement of ['pooled', 'aligned'] as const) {
        const same = (l: { strategyId: string; arrangement: Arr }) => l.strategyId === strategyId && l.arrangement === arrangement;
        const b = inForce.find((l) => l.partnerId === partnerId && same(l));
        const now = current?.lines.find(same);
        if (!b && !now) continue;
        const o = first.find((l) => l.partnerId === partnerId && same(l));
        const before = previous?.lines.find(same);
        const budget = b ? pence(b.amount) : 0n;
        const toDate = b?.profile
          ? b.profile.slice(0, k).reduce((a, x) => a + pence(x), 0n)
          : roundHalfAway(budget * BigInt(k), 12n);
        const s: Sums = {
          original: o ? pence(o.amount) : 0n,
          budget,
          toDate,
          actual: now ? pence(now.actualToDate) : 0n,
          forecast: now ? pence(now.forecastOutturn) : budget,
          previous: before ? pence(before.forecastOutturn) : budget,
        };
        sums.push({ partnerId, strategyId, arrangement, s });
        out.push({
          strategyId, partnerId, arrangement, ...figures(s, amber, red),
          returnPeriod: now && current ? (`M${current.period}` as MonitoringLine['returnPeriod']) : null,
          commentary: now?.commentary ?? null,
        });
      }
    }
  }
  const total = (keep: (x: (typeof sums)[number]) => boolean): MonitoringFigures => {
    const t: Sums = { original: 0n, budget: 0n, toDate: 0n, actual: 0n, forecast: 0n, previous: 0n };
    for (const x of sums.filter(keep)) {
      t.original += x.s.original; t.budget += x.s.budget; t.toDate += x.s.toDate;
      t.actual += x.s.actual; t.forecast += x.s.forecast; t.previous += x.s.previous;
    }
    return figures(t, amber, red);
  };
  return {
    period: `M${k}` as MonitoringTables['period'],
    rag: { amberPercent: thresholds.amberPercent, redPercent: thresholds.redPercent },
    lines: out,
    strategies: tl.strategies.map((strategyId) => ({ strategyId, ...total((x) => x.strategyId === strategyId) })),
    partners: tl.partners.map((partnerId) => ({ partnerId, ...total((x) => x.partnerId === partnerId) })),
    arrangements: (['pooled', 'aligned'] as const).map((arrangement) => ({ arrangement, ...total((x) => x.arrangement === arrangement) })),
    fund: total(() => true),
  };
}
