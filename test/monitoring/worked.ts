// The small fund-year worked by hand in examples.test.ts (a correction, a late return, a
// variation after returns, a line only a return carries, a strategy with no lines), also
// the pack the spreadsheet tests write and read back.
import type { Period } from '../../src/domain/fundyear/ids.js';
import type { MonitoringInput } from '../../src/domain/monitoring/index.js';

export const twelve = (first: string[]): string[] => [...first, ...Array<string>(12 - first.length).fill('0.00')];
export const pooled = 'pooled' as const;
const profile600 = twelve(Array(6).fill('100.00'));
export function worked(period: Period, returnsOf: (p: string) => boolean = () => true): MonitoringInput {
  const returns = [
    { partnerId: 'ccg', period: 'M1' as Period, lines: [
      { strategyId: 'wellbeing', arrangement: pooled, actualToDate: '100.00', forecastOutturn: '1210.00', commentary: 'winter' },
      { strategyId: 'community', arrangement: pooled, actualToDate: '20.00', forecastOutturn: '300.00' }] },
    { partnerId: 'council', period: 'M1' as Period, lines: [{ strategyId: 'community', arrangement: pooled, actualToDate: '90.00', forecastOutturn: '612.00' }] },
    { partnerId: 'ccg', period: 'M2' as Period, lines: [
      { strategyId: 'wellbeing', arrangement: pooled, actualToDate: '190.00', forecastOutturn: '1224.00', commentary: 'staffing' },
      { strategyId: 'community', arrangement: pooled, actualToDate: '40.00', forecastOutturn: '306.00' }] },
    // A correction of ccg's M2: it replaces the submission above.
    { partnerId: 'ccg', period: 'M2' as Period, lines: [
      { strategyId: 'wellbeing', arrangement: pooled, actualToDate: '195.00', forecastOutturn: '1236.00', commentary: 'agency staff' },
      { strategyId: 'community', arrangement: pooled, actualToDate: '40.00', forecastOutturn: '306.00' }] },
  ].filter((r) => returnsOf(r.partnerId));
  return {
    partners: [{ partnerId: 'ccg' }, { partnerId: 'council' }],
    strategies: [{ strategyId: 'wellbeing' }, { strategyId: 'community' }, { strategyId: 'prevention' }],
    originalBudget: [
      { strategyId: 'wellbeing', partnerId: 'ccg', arrangement: pooled, amount: '1200.00' },
      { strategyId: 'community', partnerId: 'council', arrangement: pooled, amount: '600.00' },
      { strategyId: 'community', partnerId: 'ccg', arrangement: pooled, amount: '300.00' },
    ],
    // Varied after the returns: ccg's community line dropped, a council wellbeing line added.
    budget: [
      { strategyId: 'community', partnerId: 'council', arrangement: pooled, amount: '600.00', profile: profile600 },
      { strategyId: 'wellbeing', partnerId: 'council', arrangement: pooled, amount: '240.00' },
      { strategyId: 'wellbeing', partnerId: 'ccg', arrangement: pooled, amount: '1200.00' },
    ],
    returns,
    rag: { amberPercent: '2', redPercent: '5' },
    period,
  };
}

