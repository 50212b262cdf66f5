// The rules issue 15 adds to the decider, through HTTP on the real app: budget profiles (a
// profile that does not sum is 422 naming the line; one that does drives budget to date), the
// RAG settings (admin only, 0 ≤ amber < red ≤ 100, the pattern), the original budget (the first
// budget set), a budget varied after returns (a line the latest return does not cover is on
// budget in forecast settlements; the year closes only when every M12 return covers the
// budget in force), and commentary on return lines.
import t from 'tap';
import type { MonitoringPack } from '../../src/domain/monitoring/index.js';
import { ADMIN, AUDITOR, monitoringApp, type MonitoringApp, type Reply } from './fixtures/monitoring.js';

const PROFILE = ['0.00', '0.00', '600.00', '100.00', '100.00', '100.00', '100.00', '100.00', '100.00', '100.00', '0.00', '500.00'];
const TERMS = {
  pots: [{ potId: 'pot', strategies: ['wellbeing', 'community'], overspend: { bands: [{ basis: 'contribution' }] }, underspend: { bands: [{ basis: 'contribution' }] } }],
};

async function must(what: string, expected: number, reply: Promise<Reply>): Promise<Reply> {
  const r = await reply;
  if (r.status !== expected) throw new Error(`${what}: ${r.status} ${r.body}`);
  return r;
}

/** Two partners, two strategies; ccg's wellbeing line is profiled; an agreement adopted. */
async function year(m: MonitoringApp, fundId: string): Promise<string> {
  const fy = `/v1/funds/${fundId}/years/2015-16`;
  await must('open', 201, m.call('POST', fy, ADMIN, {
    name: 'Rules', partners: [{ partnerId: 'ccg', name: 'CCG' }, { partnerId: 'council', name: 'Council' }],
    strategies: [{ strategyId: 'wellbeing', name: 'Wellbeing' }, { strategyId: 'community', name: 'Community' }],
  }));
  await must('budget', 200, m.call('PUT', `${fy}/budget`, ADMIN, { lines: [
    { strategyId: 'wellbeing', partnerId: 'ccg', arrangement: 'pooled', amount: '1800.00', profile: PROFILE },
    { strategyId: 'community', partnerId: 'council', arrangement: 'pooled', amount: '1200.00' },
  ] }));
  await must('propose', 201, m.call('POST', `${fy}/agreements`, ADMIN, { terms: TERMS }));
  for (const p of ['ccg', 'council']) await must('accept', 200, m.call('POST', `${fy}/agreements/1/acceptances`, m.keyOf(p)));
  return fy;
}

const ret = (partnerId: string, period: string, lines: [string, string, string, string][], correction = false) => ({
  partnerId, period, lines: lines.map(([strategyId, arrangement, actualToDate, forecastOutturn]) => ({ strategyId, arrangement, actualToDate, forecastOutturn })),
  ...(correction ? { correction: true } : {}),
});

t.test('a profile that does not sum to its line is refused, naming the line; one that does drives budget to date', async (t) => {
  const m = await monitoringApp(t);
  const fy = await year(m, 'profiles');
  const count = (await m.events(fy)).length;
  const bad = await m.call('PUT', `${fy}/budget`, ADMIN, { lines: [
    { strategyId: 'wellbeing', partnerId: 'ccg', arrangement: 'pooled', amount: '1800.00', profile: PROFILE },
    { strategyId: 'community', partnerId: 'council', arrangement: 'pooled', amount: '1200.00', profile: [...PROFILE.slice(0, 11), '500.01'] },
  ] });
  t.equal(bad.status, 422);
  t.equal(bad.json().type, 'https://poolshare.example/problems/profile-mismatch');
  t.strictSame(bad.json().errors, [{ path: '/lines/1/profile', message: "the profile of community/council/pooled sums to 1800.01, not the line's amount 1200.00" }]);
  const eleven = await m.call('PUT', `${fy}/budget`, ADMIN, { lines: [{ strategyId: 'wellbeing', partnerId: 'ccg', arrangement: 'pooled', amount: '1.00', profile: ['1.00'] }] });
  t.equal(eleven.status, 400, 'eleven amounts short: the schema');
  const negative = await m.call('PUT', `${fy}/budget`, ADMIN, { lines: [{ strategyId: 'wellbeing', partnerId: 'ccg', arrangement: 'pooled', amount: '0.00', profile: ['-1.00', '1.00', ...Array(10).fill('0.00')] }] });
  t.equal(negative.status, 400, 'a negative month: the schema');
  t.equal((await m.events(fy)).length, count, 'nothing appended');

  const set = (await m.events(fy)).find((e) => e.type === 'BudgetSet')!;
  t.strictSame(set.data.lines[0].profile, PROFILE, 'the profile is in the event');
  t.equal(set.data.lines[1].profile, undefined, 'a line without one has none');
  const budgetToDate = async (period: string) => {
    const pack = (await m.call('GET', `${fy}/monitoring?period=${period}`, AUDITOR)).json() as MonitoringPack;
    return pack.lines.map((l) => l.budgetToDate);
  };
  t.strictSame(await budgetToDate('M1'), ['0.00', '100.00'], 'M1: the profile\'s first month; the straight line\'s twelfth');
  t.strictSame(await budgetToDate('M3'), ['600.00', '300.00']);
  t.strictSame(await budgetToDate('M11'), ['1300.00', '1100.00']);
  t.strictSame(await budgetToDate('M12'), ['1800.00', '1200.00']);

  // A variation may change or drop a profile.
  await must('return', 201, m.call('POST', `${fy}/returns`, m.keyOf('ccg'), ret('ccg', 'M1', [['wellbeing', 'pooled', '0.00', '1800.00']])));
  await must('variation', 200, m.call('PUT', `${fy}/budget`, ADMIN, { reason: 'Flat profile', lines: [
    { strategyId: 'wellbeing', partnerId: 'ccg', arrangement: 'pooled', amount: '1800.00' },
    { strategyId: 'community', partnerId: 'council', arrangement: 'pooled', amount: '1200.00' },
  ] }));
  t.strictSame(await budgetToDate('M3'), ['450.00', '300.00'], 'the profile dropped: straight-line');
});

t.test('RAG settings: admin only; 0 ≤ amber < red ≤ 100 (422); the pattern (400); nothing appended on a refusal', async (t) => {
  const m = await monitoringApp(t);
  const fy = await year(m, 'settings');
  const count = (await m.events(fy)).length;
  const put = (rag: object, key: string = ADMIN) => m.call('PUT', `${fy}/settings`, key, { rag });
  const cases: [string, Promise<Reply>, number, string, string[]][] = [
    ['amber = red', put({ amberPercent: '5', redPercent: '5' }), 422, 'rag-thresholds-invalid', ['/rag/amberPercent']],
    ['amber > red', put({ amberPercent: '6', redPercent: '5.99' }), 422, 'rag-thresholds-invalid', ['/rag/amberPercent']],
    ['red > 100', put({ amberPercent: '2', redPercent: '100.01' }), 422, 'rag-thresholds-invalid', ['/rag/redPercent']],
    ['a number', put({ amberPercent: 2, redPercent: '5' }), 400, 'validation', ['/rag/amberPercent']],
    ['three places', put({ amberPercent: '2.001', redPercent: '5' }), 400, 'validation', ['/rag/amberPercent']],
    ['negative', put({ amberPercent: '-1', redPercent: '5' }), 400, 'validation', ['/rag/amberPercent']],
    ['four digits', put({ amberPercent: '2', redPercent: '1000' }), 400, 'validation', ['/rag/redPercent']],
    ['missing red', put({ amberPercent: '2' }), 400, 'validation', ['/rag/redPercent']],
    ['a partner', put({ amberPercent: '1', redPercent: '2' }, m.keyOf('ccg')), 403, 'forbidden-role', []],
    ['an auditor', put({ amberPercent: '1', redPercent: '2' }, AUDITOR), 403, 'forbidden-role', []],
  ];
  for (const [what, reply, status, type, paths] of cases) {
    const res = await reply;
    t.equal(res.status, status, what);
    t.equal(res.json().type, `https://poolshare.example/problems/${type}`, what);
    t.strictSame(((res.json().errors ?? []) as { path: string }[]).map((e) => e.path), paths, what);
  }
  t.equal((await m.events(fy)).length, count, 'nothing appended');
  t.equal((await m.call('PUT', '/v1/funds/nowhere/years/2015-16/settings', ADMIN, { rag: { amberPercent: '1', redPercent: '2' } })).status, 404);
  for (const [amberPercent, redPercent] of [['0', '100'], ['99.99', '100'], ['0', '0.01']]) {
    const ok = await put({ amberPercent, redPercent });
    t.equal(ok.status, 200, `${amberPercent} < ${redPercent}`);
    t.strictSame(ok.json().rag, { amberPercent, redPercent });
  }
});

t.test('the original budget is the first budget set, even if the budget is set again before any return', async (t) => {
  const m = await monitoringApp(t);
  const fy = await year(m, 'original');
  await must('second set', 200, m.call('PUT', `${fy}/budget`, ADMIN, { lines: [
    { strategyId: 'wellbeing', partnerId: 'ccg', arrangement: 'pooled', amount: '2400.00' },
    { strategyId: 'community', partnerId: 'ccg', arrangement: 'pooled', amount: '50.00' },
    { strategyId: 'community', partnerId: 'council', arrangement: 'pooled', amount: '1200.00' },
  ] }));
  t.strictSame((await m.events(fy)).filter((e) => e.type.startsWith('Budget')).map((e) => e.type), ['BudgetSet', 'BudgetSet'], 'both are BudgetSet: no return yet');
  const pack = (await m.call('GET', `${fy}/monitoring`, AUDITOR)).json() as MonitoringPack;
  t.strictSame(pack.lines.map((l) => [l.strategyId, l.partnerId, l.originalBudget, l.budget]), [
    ['wellbeing', 'ccg', '1800.00', '2400.00'],
    ['community', 'ccg', '0.00', '50.00'],
    ['community', 'council', '1200.00', '1200.00'],
  ]);
});

t.test('a budget varied after returns: the uncovered line is on budget in forecast settlements; close needs M12 returns that cover the budget in force', async (t) => {
  const m = await monitoringApp(t);
  const fy = await year(m, 'varied');
  await must('ccg M12', 201, m.call('POST', `${fy}/returns`, m.keyOf('ccg'), ret('ccg', 'M12', [['wellbeing', 'pooled', '1900.00', '1900.00']])));
  await must('council M12', 201, m.call('POST', `${fy}/returns`, m.keyOf('council'), ret('council', 'M12', [['community', 'pooled', '1100.00', '1100.00']])));
  // The budget varies after both M12 returns: ccg gains a community line, council's moves to aligned.
  await must('variation', 200, m.call('PUT', `${fy}/budget`, ADMIN, { reason: 'New service from January', lines: [
    { strategyId: 'wellbeing', partnerId: 'ccg', arrangement: 'pooled', amount: '1800.00' },
    { strategyId: 'community', partnerId: 'ccg', arrangement: 'pooled', amount: '500.00' },
    { strategyId: 'community', partnerId: 'council', arrangement: 'aligned', amount: '1200.00' },
  ] }));

  // Forecast: the new lines are on budget; council's old pooled line keeps its return's figures.
  const forecast = await must('forecast', 201, m.call('POST', `${fy}/settlements`, ADMIN, { mode: 'forecast' }));
  const settlement = forecast.json();
  const pot = settlement.pots.find((p: { potId: string }) => p.potId === 'pot');
  t.equal(pot.budget, '2300.00', 'pooled budget in force: 1800 + 500');
  t.equal(pot.variance, '1200.00', 'wellbeing +100, community ccg on budget (0), council pooled 1100 against a budget no longer there (+1100)');
  t.strictSame(settlement.assumedOnBudget, [], 'both partners have returns: the uncovered lines are taken as on budget line by line');
  t.strictSame(settlement.unshared, [{ strategyId: 'community', partnerId: 'council', arrangement: 'aligned', variance: '0.00' }], "council's new aligned line: on budget");
  const pack = (await m.call('GET', `${fy}/monitoring?asOfRevision=${settlement.asOfRevision as number}`, AUDITOR)).json() as MonitoringPack;
  t.strictSame(pack.lines.map((l) => [l.strategyId, l.partnerId, l.arrangement, l.forecastOutturn, l.returnPeriod]), [
    ['wellbeing', 'ccg', 'pooled', '1900.00', 'M12'],
    ['community', 'ccg', 'pooled', '500.00', null],
    ['community', 'council', 'pooled', '1100.00', 'M12'],
    ['community', 'council', 'aligned', '1200.00', null],
  ], 'the pack: uncovered lines on budget, the return-only line kept');
  t.equal(pack.forecastSettlement?.digest, settlement.digest, "the pack's forecast settlement at that revision is the same settlement");

  // Close: refused, naming both partners and their lines; nothing appended.
  const count = (await m.events(fy)).length;
  const refused = await m.call('POST', `${fy}/close`, ADMIN);
  t.equal(refused.status, 409);
  t.equal(refused.json().type, 'https://poolshare.example/problems/m12-returns-incomplete');
  t.strictSame(refused.json().errors, [
    { path: '/partners/ccg', message: "ccg's M12 return does not cover budget line community/ccg/pooled: submit a corrected M12 return" },
    { path: '/partners/council', message: "council's M12 return does not cover budget line community/council/aligned: submit a corrected M12 return" },
  ]);
  t.match(refused.json().detail, /ccg \(community\/ccg\/pooled\); council \(community\/council\/aligned\)/);
  t.equal((await m.events(fy)).length, count, 'nothing appended');

  // A corrected M12 from ccg: only council is named now; then council's, and the year closes.
  await must('ccg corrected', 201, m.call('POST', `${fy}/returns`, m.keyOf('ccg'), ret('ccg', 'M12', [['wellbeing', 'pooled', '1900.00', '1900.00'], ['community', 'pooled', '450.00', '450.00']], true)));
  const still = await m.call('POST', `${fy}/close`, ADMIN);
  t.equal(still.status, 409);
  t.strictSame((still.json().errors as { path: string }[]).map((e) => e.path), ['/partners/council']);
  await must('council corrected', 201, m.call('POST', `${fy}/returns`, m.keyOf('council'), ret('council', 'M12', [['community', 'aligned', '1250.00', '1250.00']], true)));
  t.equal((await m.call('POST', `${fy}/close`, ADMIN)).status, 200, 'closes');
});

t.test('commentary on a return line: kept in the event and shown in the pack; longer than 1,000 characters refused', async (t) => {
  const m = await monitoringApp(t);
  const fy = await year(m, 'commentary');
  const body = ret('ccg', 'M2', [['wellbeing', 'pooled', '10.00', '1900.00']]);
  const long = await m.call('POST', `${fy}/returns`, m.keyOf('ccg'), { ...body, lines: [{ ...body.lines[0], commentary: 'x'.repeat(1001) }] });
  t.equal(long.status, 400);
  t.strictSame(long.json().errors, [{ path: '/lines/0/commentary', message: 'must NOT have more than 1000 characters' }]);
  t.equal((await m.call('POST', `${fy}/returns`, m.keyOf('ccg'), { ...body, lines: [{ ...body.lines[0], commentary: '' }] })).status, 400, 'empty');
  const text = `Winter pressures ${'£'.repeat(983)}`;
  await must('with commentary', 201, m.call('POST', `${fy}/returns`, m.keyOf('ccg'), { ...body, lines: [{ ...body.lines[0], commentary: text }] }));
  t.equal((await m.events(fy)).at(-1)?.data.lines[0].commentary, text, '1,000 characters: kept');
  const pack = (await m.call('GET', `${fy}/monitoring`, AUDITOR)).json() as MonitoringPack;
  t.equal(pack.lines[0]?.commentary, text);
  t.equal(pack.lines[0]?.rag, 'red', '1900 against 1800: 5.6 % over');
});

t.test('where the engine refuses the terms on the figures, the pack is refused with the problem a forecast settlement gets', async (t) => {
  const m = await monitoringApp(t);
  const fy = '/v1/funds/zero-budget/years/2015-16';
  await must('open', 201, m.call('POST', fy, ADMIN, { name: 'Zero', partners: [{ partnerId: 'ccg', name: 'CCG' }, { partnerId: 'council', name: 'Council' }], strategies: [{ strategyId: 'wellbeing', name: 'Wellbeing' }] }));
  await must('budget', 200, m.call('PUT', `${fy}/budget`, ADMIN, { lines: ['ccg', 'council'].map((partnerId) => ({ strategyId: 'wellbeing', partnerId, arrangement: 'pooled', amount: '0.00' })) }));
  await must('propose', 201, m.call('POST', `${fy}/agreements`, ADMIN, { terms: { pots: [{ ...TERMS.pots[0], strategies: ['wellbeing'] }] } }));
  for (const p of ['ccg', 'council']) await must('accept', 200, m.call('POST', `${fy}/agreements/1/acceptances`, m.keyOf(p)));
  await must('return', 201, m.call('POST', `${fy}/returns`, m.keyOf('ccg'), ret('ccg', 'M1', [['wellbeing', 'pooled', '1.00', '10.00']])));
  const settlement = await m.call('POST', `${fy}/settlements`, ADMIN, { mode: 'forecast' });
  t.equal(settlement.status, 422);
  for (const suffix of ['', '.csv', '.xlsx']) {
    const pack = await m.call('GET', `${fy}/monitoring${suffix}`, AUDITOR);
    t.equal(pack.status, 422, suffix);
    t.strictSame([pack.json().type, pack.json().detail], [settlement.json().type, settlement.json().detail], `${suffix}: the engine's problem`);
  }
  const before = await m.call('GET', `${fy}/monitoring?asOfRevision=2`, AUDITOR);
  t.equal(before.status, 200, 'before the agreement was adopted: the pack, without a settlement');
  t.equal(before.json().forecastSettlement, null);
});
