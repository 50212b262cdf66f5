// The monitoring pack through HTTP on the real app (MONITORING.md): it equals the pure
// computation of what was posted at several periods and revisions, and the independent
// reference (test/monitoring/reference.ts) on random timelines played through the API; the
// thresholds a SettingsChanged event sets apply from its revision on; the default period; the
// same revision and period always give the same pack; the forecast settlement "if the year
// ended now" and its digest.
import t from 'tap';
import fc from 'fast-check';
import { monitoringTables, packSettlementBasis, type MonitoringPack } from '../../src/domain/monitoring/index.js';
import { PERIODS } from '../../src/domain/fundyear/ids.js';
import { referencePack, type RefEvent, type RefTimeline } from '../monitoring/reference.js';
import { timelineArb } from '../monitoring/timeline.js';
import { ADMIN, AUDITOR, inputFromPosted, loadPlymouth, monitoringApp, playSeed, tablesOf, type MonitoringApp } from './fixtures/monitoring.js';

const seed = loadPlymouth();

t.test('the demo year: the pack at every period and several revisions is the computation of what was posted', async (t) => {
  const m = await monitoringApp(t);
  const { fy, posted } = await playSeed(m, seed, { commentary: true });
  const revisions = [2, ...posted.returns.filter((_, i) => i % 5 === 0).map((r) => r.revision), posted.revision];
  let compared = 0;
  for (const r of revisions) {
    for (const period of PERIODS) {
      const res = await m.call('GET', `${fy}/monitoring?period=${period}&asOfRevision=${r}`, AUDITOR);
      t.equal(res.status, 200);
      const pack = res.json() as MonitoringPack;
      t.strictSame(tablesOf(pack), monitoringTables(inputFromPosted(posted, r, period)), `r${r} ${period}`);
      t.strictSame([pack.fundId, pack.year, pack.asOfRevision], [seed.fundId, seed.year, r]);
      compared += 1;
    }
  }
  t.equal(compared, revisions.length * 12);
  const m6 = (await m.call('GET', `${fy}/monitoring?period=M6`, m.keyOf('ccg'))).json() as MonitoringPack;
  t.ok(m6.lines.some((l) => l.commentary === 'ccg M6: agency staff'), 'commentary of the current return is shown');
  t.ok(m6.lines.every((l) => l.commentary === null || l.commentary.endsWith('M6: agency staff')), 'commentary never carries forward');
});

t.test('the default period is the latest any partner has returned at the revision (M1 if none)', async (t) => {
  const m = await monitoringApp(t);
  const { fy, posted } = await playSeed(m, seed);
  const none = (await m.call('GET', `${fy}/monitoring?asOfRevision=1`, ADMIN)).json() as MonitoringPack;
  t.equal(none.period, 'M1');
  t.equal(none.asOfRevision, 1);
  for (const r of posted.returns) {
    const pack = (await m.call('GET', `${fy}/monitoring?asOfRevision=${r.revision}`, AUDITOR)).json() as MonitoringPack;
    const latest = Math.max(...posted.returns.filter((x) => x.revision <= r.revision).map((x) => Number(x.period.slice(1))));
    t.equal(pack.period, `M${latest}`, `at r${r.revision}`);
  }
  const latest = (await m.call('GET', `${fy}/monitoring`, AUDITOR)).json() as MonitoringPack;
  t.strictSame([latest.period, latest.asOfRevision], ['M12', posted.revision]);
});

t.test('thresholds changed by an event apply from its revision on; earlier packs keep theirs', async (t) => {
  const m = await monitoringApp(t);
  const { fy, posted } = await playSeed(m, seed);
  const before = (await m.call('GET', `${fy}/monitoring?period=M12`, AUDITOR)).json() as MonitoringPack;
  t.strictSame(before.rag, { amberPercent: '2', redPercent: '5' }, 'the defaults');
  const set = await m.call('PUT', `${fy}/settings`, ADMIN, { rag: { amberPercent: '0', redPercent: '0.5' } });
  t.equal(set.status, 200);
  t.strictSame(set.json(), { revision: posted.revision + 1, rag: { amberPercent: '0', redPercent: '0.5' } });
  const after = (await m.call('GET', `${fy}/monitoring?period=M12`, AUDITOR)).json() as MonitoringPack;
  t.strictSame(after.rag, { amberPercent: '0', redPercent: '0.5' }, 'echoed as given');
  const withNew = { ...posted, rags: [{ revision: posted.revision + 1, rag: { amberPercent: '0', redPercent: '0.5' } }] };
  t.strictSame(tablesOf(after), monitoringTables(inputFromPosted(withNew, posted.revision + 1, 'M12')));
  const colours = (p: MonitoringPack) => p.lines.map((l) => l.rag).join();
  t.not(colours(after), colours(before), 'the new thresholds colour the lines differently');
  const atOld = (await m.call('GET', `${fy}/monitoring?period=M12&asOfRevision=${posted.revision}`, AUDITOR)).json() as MonitoringPack;
  t.strictSame(atOld, before, 'the pack at the earlier revision is unchanged, thresholds included');
  const trail = await m.events(fy);
  t.strictSame(trail.at(-1)?.type, 'SettingsChanged');
  t.strictSame(trail.at(-1)?.data, { rag: { amberPercent: '0', redPercent: '0.5' } });
});

t.test('a pure function of the log: the same revision and period give the same pack, whatever came after', async (t) => {
  const m = await monitoringApp(t);
  const { fy, posted } = await playSeed(m, seed);
  const r = posted.returns[9]!.revision;
  const first = (await m.call('GET', `${fy}/monitoring?period=M4&asOfRevision=${r}`, AUDITOR)).body;
  t.equal((await m.call('PUT', `${fy}/settings`, ADMIN, { rag: { amberPercent: '1', redPercent: '3' } })).status, 200);
  t.equal((await m.call('PUT', `${fy}/budget`, ADMIN, { lines: seed.budget.lines.map(({ strategyId, partnerId, arrangement }) => ({ strategyId, partnerId, arrangement, amount: '1.00' })), reason: 'test' })).status, 200);
  t.equal((await m.call('GET', `${fy}/monitoring?period=M4&asOfRevision=${r}`, AUDITOR)).body, first, 'byte for byte');
  t.not((await m.call('GET', `${fy}/monitoring?period=M4`, AUDITOR)).body, first, 'the latest revision differs');
});

t.test('the forecast settlement "if the year ended at Mk": null until an agreement is adopted, then the engine on the pack\'s outturns, with the digest a forecast settlement has', async (t) => {
  const m = await monitoringApp(t);
  const { fy, posted } = await playSeed(m, seed);
  const beforeAdoption = (await m.call('GET', `${fy}/monitoring?asOfRevision=3`, AUDITOR)).json() as MonitoringPack;
  t.equal(beforeAdoption.forecastSettlement, null, 'proposed, accepted by one partner: not adopted');
  t.equal(((await m.call('GET', `${fy}/monitoring?asOfRevision=1`, AUDITOR)).json() as MonitoringPack).forecastSettlement, null, 'budget only');

  // At the latest period, the pack's settlement is the forecast settlement at that revision.
  const recorded = await m.call('POST', `${fy}/settlements`, ADMIN, { mode: 'forecast' });
  t.equal(recorded.status, 201);
  const settlement = recorded.json();
  const pack = (await m.call('GET', `${fy}/monitoring?asOfRevision=${posted.revision}`, AUDITOR)).json() as MonitoringPack;
  t.equal(pack.period, 'M12');
  t.strictSame(pack.forecastSettlement, {
    agreementVersion: settlement.agreementVersion,
    requiresDecision: settlement.requiresDecision,
    partners: settlement.partners.map(({ partnerId, share, transfer }: { partnerId: string; share: string; transfer: string }) => ({ partnerId, share, transfer })),
    digest: settlement.digest,
  }, 'the same figures and digest as POST …/settlements in forecast mode at that revision');

  // At M3, only returns up to M3 count: the engine on the pack's own forecast outturns.
  const m3 = (await m.call('GET', `${fy}/monitoring?period=M3&asOfRevision=${posted.revision}`, AUDITOR)).json() as MonitoringPack;
  const basis = packSettlementBasis(inputFromPosted(posted, posted.revision, 'M3'), seed.agreement.terms);
  const { computeSettlement } = await import('../../src/domain/settlement.js');
  const figures = computeSettlement(basis.input);
  t.strictSame(m3.forecastSettlement?.partners, figures.partners.map(({ partnerId, share, transfer }) => ({ partnerId, share, transfer })));
  t.not(m3.forecastSettlement?.digest, settlement.digest, 'another period, another settlement');
  const again = (await m.call('GET', `${fy}/monitoring?period=M3&asOfRevision=${posted.revision}`, AUDITOR)).json() as MonitoringPack;
  t.equal(again.forecastSettlement?.digest, m3.forecastSettlement?.digest, 'reproducible');
  const list = (await m.call('GET', `${fy}/settlements`, AUDITOR)).json() as unknown[];
  t.equal(list.length, 1, 'computed, not recorded: only the POSTed settlement is in the log');
});

t.test('refusals: a revision out of range, a bad period, an unknown fund-year', async (t) => {
  const m = await monitoringApp(t);
  const { fy, posted } = await playSeed(m, seed);
  const late = await m.call('GET', `${fy}/monitoring?asOfRevision=${posted.revision + 1}`, AUDITOR);
  t.equal(late.status, 400);
  t.match(late.headers['content-type'], /application\/problem\+json/);
  t.strictSame(late.json().errors, [{ path: 'querystring/asOfRevision', message: `must be an integer from 0 to ${posted.revision}` }]);
  for (const period of ['M0', 'M13', 'm6', '6']) {
    const bad = await m.call('GET', `${fy}/monitoring?period=${period}`, AUDITOR);
    t.equal(bad.status, 400, period);
    t.equal(bad.json().errors[0].path, 'querystring/period');
  }
  t.equal((await m.call('GET', `${fy}/monitoring?colour=red`, AUDITOR)).status, 400, 'an unknown parameter');
  t.equal((await m.call('GET', '/v1/funds/nowhere/years/2015-16/monitoring', AUDITOR)).status, 404);
  for (const suffix of ['.csv', '.xlsx']) t.equal((await m.call('GET', `${fy}/monitoring${suffix}?asOfRevision=999999`, AUDITOR)).status, 400, `${suffix} too`);
});

// ------------------------------------------------------------------ random timelines through HTTP

const RUNS = 30;

/** Plays a random timeline through the API; what the service refused is left out of the timeline it kept. */
async function playRandom(m: MonitoringApp, fy: string, tl: RefTimeline): Promise<{ kept: RefTimeline; refused: number }> {
  const kept: RefEvent[] = [];
  let refused = 0;
  const declare = (ids: string[]) => ids.map((id) => ({ id, name: id }));
  const opened = await m.call('POST', fy, ADMIN, {
    name: 'Random', partners: declare(tl.partners).map(({ id, name }) => ({ partnerId: id, name })), strategies: declare(tl.strategies).map(({ id, name }) => ({ strategyId: id, name })),
  });
  if (opened.status !== 201) throw new Error(opened.body);
  for (const e of tl.events) {
    let res;
    if (e.kind === 'budget') {
      res = await m.call('PUT', `${fy}/budget`, ADMIN, { lines: e.lines, reason: 'Variation agreed by the board' });
    } else if (e.kind === 'rag') {
      res = await m.call('PUT', `${fy}/settings`, ADMIN, { rag: { amberPercent: e.amberPercent, redPercent: e.redPercent } });
    } else {
      const again = kept.some((k) => k.kind === 'return' && k.partnerId === e.partnerId && k.period === e.period);
      res = await m.call('POST', `${fy}/returns`, m.keyOf(e.partnerId), { partnerId: e.partnerId, period: `M${e.period}`, lines: e.lines, ...(again ? { correction: true } : {}) });
    }
    if (res.status < 300) kept.push(e);
    else if (res.status >= 400 && res.status < 500) refused += 1;
    else throw new Error(`${res.status} ${res.body}`);
  }
  return { kept: { ...tl, events: kept }, refused };
}

t.test('random timelines played through the API: every pack equals the independent reference, figure by figure', async (t) => {
  const m = await monitoringApp(t);
  const samples = fc.sample(timelineArb, { numRuns: RUNS, seed: 20160331 });
  let packs = 0;
  let equal = 0;
  let refused = 0;
  let events = 0;
  for (const [i, { tl }] of samples.entries()) {
    const fy = `/v1/funds/random-${i}/years/2015-16`;
    const played = await playRandom(m, fy, tl);
    refused += played.refused;
    events += played.kept.events.length;
    // Revision R holds the opening and the first R kept events: the reference's index R − 1.
    for (let r = 1; r <= played.kept.events.length; r += 1) {
      for (const k of [1, 6, 12]) {
        const res = await m.call('GET', `${fy}/monitoring?period=M${k}&asOfRevision=${r}`, AUDITOR);
        t.equal(res.status, 200);
        const pack = res.json() as MonitoringPack;
        const expected = referencePack(played.kept, r - 1, k);
        // strictSame on every pack would flood the output: compare, and show the figures of a mismatch.
        if (JSON.stringify(tablesOf(pack)) === JSON.stringify(expected)) equal += 1;
        else t.strictSame(tablesOf(pack), expected, `${fy} r${r} M${k}`);
        packs += 1;
      }
    }
  }
  t.ok(events > RUNS * 3, `${events} events kept`);
  t.ok(refused > 0, `${refused} refused by the service (returns that do not match the budget)`);
  t.ok(packs > RUNS * 10, `${packs} packs compared`);
  t.equal(equal, packs, 'every pack equals the reference');
});
