// Positions: a pure fold at a revision (DOMAIN.md, read side).
import t from 'tap';
import { fold, type ExistingFundYear, type FundYearEvent } from '../../src/domain/fundyear/index.js';
import { positions } from '../../src/domain/views/positions.js';
import { adopted, budgetSet, ccgLines, closed, councilLines, opened, submitted } from './fixtures/fund-year.js';
import { like } from '../fixtures/like.js';

const view = (events: FundYearEvent[]) => positions(fold(events) as ExistingFundYear);

t.test('before any return everything is on budget', async (t) => {
  const p = view([opened, budgetSet]);
  like(t, p.fund, { budget: '3250000.00', actualToDate: '0.00', forecastOutturn: '3250000.00', forecastVariance: '0.00' });
  t.strictSame(Object.values(p.fund.forecastVarianceByPeriod), Array(12).fill(null));
  t.strictSame(Object.keys(p.fund.forecastVarianceByPeriod), ['M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7', 'M8', 'M9', 'M10', 'M11', 'M12'], 'every month named, in order');
  t.strictSame(p.partners.map((x) => x.lastPeriod), [null, null]);
  t.equal(p.lines.length, 5);
});

t.test('latest forecasts, a late partner on budget, month by month as it stood', async (t) => {
  const ccgM1 = submitted('ccg', 'M1', ccgLines(['10.00', '20.00', '30.00'], ['600100.00', '1500000.00', '250000.00']));
  const councilM1 = submitted('council', 'M1', councilLines(['1.00', '2.00'], ['399000.00', '500000.00']));
  const ccgM2 = submitted('ccg', 'M2', ccgLines(['11.00', '21.00', '31.00'], ['600500.00', '1500000.00', '250000.00']));
  const p = view([opened, budgetSet, ccgM1, councilM1, ccgM2]);
  t.equal(p.fund.forecastVariance, '-500.00', 'ccg +500 (M2), council −1000 (M1 still its latest)');
  t.equal(p.fund.actualToDate, '66.00');
  t.strictSame(p.fund.forecastVarianceByPeriod.M1, '-900.00');
  t.strictSame(p.fund.forecastVarianceByPeriod.M2, '-500.00', 'council late for M2: its M1 counts');
  t.strictSame(p.fund.forecastVarianceByPeriod.M3, null);
  t.strictSame(p.partners.map((x) => [x.partnerId, x.lastPeriod, x.forecastVariance]), [['ccg', 'M2', '500.00'], ['council', 'M1', '-1000.00']]);
  t.strictSame(p.strategies.map((s) => [s.strategyId, s.forecastVariance]), [['wellbeing', '-500.00'], ['community', '0.00']]);
  const line = p.lines.find((l) => l.strategyId === 'wellbeing' && l.partnerId === 'ccg');
  like(t, line, { budget: '600000.00', actualToDate: '11.00', forecastOutturn: '600500.00', forecastVariance: '500.00' });

  const corrected = submitted('ccg', 'M1', ccgLines(['10.00', '20.00', '30.00'], ['600000.00', '1500000.00', '250000.00']), true);
  t.strictSame(view([opened, budgetSet, ccgM1, councilM1, ccgM2, corrected]).fund.forecastVarianceByPeriod.M1, '-1000.00', 'a correction rewrites its month');
});

t.test('a closed year shows the final outturn: M12 actual plus adjustments', async (t) => {
  const adjustment: FundYearEvent = {
    type: 'OutturnAdjusted',
    data: { adjustmentId: 'a', partnerId: 'ccg', strategyId: 'wellbeing', arrangement: 'pooled', amount: '-40000.00', reason: 'credit' },
  };
  const forecastDiffers = submitted('ccg', 'M12', ccgLines(undefined, ['1.00', '1.00', '1.00']));
  const events = [opened, budgetSet, ...adopted, forecastDiffers, submitted('council', 'M12', councilLines()), closed, adjustment];
  const p = view(events);
  t.equal(p.status, 'closed');
  t.equal(p.fund.forecastVariance, '105000.00', 'Example A +145000 less the 40000 credit');
  t.equal(p.fund.actualToDate, '3355000.00');
  t.equal(p.asOfRevision, events.length - 1);
});

t.test('a budget variation after a return: the new line is on budget until reported', async (t) => {
  const ccgM1 = submitted('ccg', 'M1', ccgLines());
  const varied: FundYearEvent = {
    type: 'BudgetVaried',
    data: { lines: [...budgetSet.data.lines, { strategyId: 'wellbeing', partnerId: 'ccg', arrangement: 'aligned', amount: '1000.00' }], reason: 'new line' },
  };
  const p = view([opened, budgetSet, ccgM1, varied]);
  like(t, p.lines.find((l) => l.strategyId === 'wellbeing' && l.arrangement === 'aligned'), { budget: '1000.00', forecastOutturn: '1000.00', forecastVariance: '0.00' });
});
