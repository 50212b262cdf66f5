// Issue 16 through HTTP: example C's final settlement approved and brought forward into
// example D's year; D needs a decision, one is proposed, accepted by both, the settlement is
// run again and approved. Figures are compared with the engine on the what-if files (which
// the what-if tests compare with the spec's examples to the penny). Plus the new refusals.
import { readFileSync } from 'node:fs';
import t, { type Test } from 'tap';
import { computeSettlement } from '../../src/domain/settlement.js';
import type { SettlementInput } from '../../src/domain/settlement-types.js';
import type { AdoptedDecision } from '../../src/domain/terms-types.js';
import { ADMIN, AUDITOR, yearApp, type YearApp } from './fixtures/year.js';

const FUND = 'engine2-fund';
const whatif = (name: string): Omit<SettlementInput, 'partners' | 'decisions'> & { partners: { partnerId: string }[]; decisions?: Omit<AdoptedDecision, 'version'>[] } =>
  JSON.parse(readFileSync(new URL(`../../seeds/whatif/${name}.json`, import.meta.url), 'utf8'));

type Input = ReturnType<typeof whatif>;

/** Opens `year`, sets the budget, adopts the terms, submits M12 returns of the outturn and closes. */
async function runYear(t: Test, y: YearApp, year: string, input: Input): Promise<string> {
  const fy = `/v1/funds/${FUND}/years/${year}`;
  const step = async (what: string, expected: number, reply: ReturnType<YearApp['call']>) => {
    const r = await reply;
    t.equal(r.status, expected, `${what}: ${r.status === expected ? 'ok' : r.body}`);
    return r;
  };
  const partners = input.partners.map((p) => p.partnerId);
  const strategies = [...new Set(input.budget.map((b) => b.strategyId))];
  await step('open', 201, y.call('POST', fy, ADMIN, {
    name: `Engine 2 ${year}`, partners: partners.map((p) => ({ partnerId: p, name: p })), strategies: strategies.map((s) => ({ strategyId: s, name: s })),
  }));
  await step('budget', 200, y.call('PUT', `${fy}/budget`, ADMIN, { lines: input.budget }));
  const version = (await step('propose', 201, y.call('POST', `${fy}/agreements`, ADMIN, { terms: input.agreement }))).json().version as number;
  for (const p of partners) await step(`accept ${p}`, 200, y.call('POST', `${fy}/agreements/${version}/acceptances`, y.keyOf(p)));
  for (const p of partners) {
    const lines = input.outturn.filter((o) => o.partnerId === p).map((o) => ({ strategyId: o.strategyId, arrangement: o.arrangement, actualToDate: o.amount, forecastOutturn: o.amount }));
    await step(`M12 ${p}`, 201, y.call('POST', `${fy}/returns`, y.keyOf(p), { partnerId: p, period: 'M12', lines }));
  }
  return fy;
}

async function closeYear(t: Test, y: YearApp, fy: string): Promise<void> {
  t.equal((await y.call('POST', `${fy}/close`, ADMIN)).status, 200, 'closed');
}

const figuresOf = (s: Record<string, unknown>) => ({
  pots: s.pots, partners: s.partners, payments: s.payments, unshared: s.unshared, requiresDecision: s.requiresDecision,
  ...(s.reserve === undefined ? {} : { reserve: s.reserve }),
});
const enginePart = (input: Input) => {
  const { partners, decisions, ...rest } = input;
  // As the what-if tool does: the file's decisions are taken as adopted, versions 1, 2, … in order.
  const adopted = decisions === undefined ? {} : { decisions: decisions.map((d, i) => ({ ...d, version: i + 1 })) };
  return JSON.parse(JSON.stringify(computeSettlement({ ...rest, ...adopted, partners: partners.map((p) => p.partnerId) })));
};

async function approveAll(t: Test, y: YearApp, fy: string, settlementId: string, partners: string[]): Promise<void> {
  for (const p of partners) {
    const r = await y.call('POST', `${fy}/settlements/${settlementId}/approvals`, y.keyOf(p));
    t.equal(r.status, 200, `approved by ${p}: ${r.status === 200 ? 'ok' : r.body}`);
  }
}

const trailLength = async (y: YearApp, fy: string) => ((await y.call('GET', `${fy}/events`, AUDITOR)).json() as unknown[]).length;

t.test('two years: C approved, brought forward into D, decided, re-run, approved', async (t) => {
  const y = await yearApp(t, FUND, ['ccg', 'council']);
  const c = whatif('example-c');
  const d = whatif('example-d');
  const decided = whatif('example-d-decided');
  const fyC = await runYear(t, y, '2015-16', c);
  await closeYear(t, y, fyC);
  const sc = (await y.call('POST', `${fyC}/settlements`, ADMIN, { mode: 'final' })).json();
  t.strictSame(figuresOf(sc), enginePart(c), 'example C to the penny');
  t.strictSame(sc.reserve.carriedForward, d.broughtForward, "C's carried forward is D's brought forward");

  const fyD = await runYear(t, y, '2016-17', { ...d, broughtForward: undefined } as Input);
  const early = await y.call('POST', `${fyD}/brought-forward`, ADMIN, { fromYear: '2015-16' });
  t.equal(early.status, 409, 'C not approved yet');
  t.equal(early.json().errors[0].path, '/fromYear');
  await approveAll(t, y, fyC, sc.settlementId, ['ccg', 'council']);

  const before = await trailLength(y, fyD);
  const refusals: [string, string, object, number, string][] = [
    ['not admin', y.keyOf('ccg'), { fromYear: '2015-16' }, 403, ''],
    ['wrong fromYear', ADMIN, { fromYear: '2014-15' }, 422, '/fromYear'],
    ['malformed fromYear', ADMIN, { fromYear: 'last' }, 400, '/fromYear'],
  ];
  for (const [what, key, body, status, path] of refusals) {
    const r = await y.call('POST', `${fyD}/brought-forward`, key, body);
    t.equal(r.status, status, what);
    t.match(r.headers['content-type'], /application\/problem\+json/, what);
    if (path !== '') t.equal(r.json().errors[0].path, path, what);
  }
  t.equal(await trailLength(y, fyD), before, 'refusals appended nothing');

  const bf = await y.call('POST', `${fyD}/brought-forward`, ADMIN, { fromYear: '2015-16' });
  t.equal(bf.status, 201, bf.body);
  t.strictSame(bf.json().amounts, d.broughtForward);
  t.equal(bf.json().settlementId, sc.settlementId);
  t.equal(bf.json().digest, sc.digest);
  const second = await y.call('POST', `${fyD}/brought-forward`, ADMIN, { fromYear: '2015-16' });
  t.equal(second.status, 409, 'a second needs correction');
  t.equal(second.json().errors[0].path, '/correction');
  t.equal((await y.call('POST', `${fyD}/brought-forward`, ADMIN, { fromYear: '2015-16', correction: true })).status, 201, 'with correction');

  await closeYear(t, y, fyD);
  const sd = (await y.call('POST', `${fyD}/settlements`, ADMIN, { mode: 'final' })).json();
  t.strictSame(figuresOf(sd), enginePart(d), 'example D (undecided) to the penny');
  t.equal(sd.requiresDecision, true);
  const blocked = await y.call('POST', `${fyD}/settlements/${sd.settlementId as string}/approvals`, y.keyOf('ccg'));
  t.equal(blocked.status, 409, 'approval refused while a decision is needed');

  const decision = decided.decisions![0]!;
  const proposed = await y.call('POST', `${fyD}/decisions`, ADMIN, decision);
  t.equal(proposed.status, 201, proposed.body);
  t.strictSame(proposed.json(), { version: 1, revision: proposed.json().revision });
  t.equal((await y.call('POST', `${fyD}/decisions/1/acceptances`, y.keyOf('ccg'))).json().adopted, false);
  const again = await y.call('POST', `${fyD}/decisions/1/acceptances`, y.keyOf('ccg'));
  t.equal(again.status, 409, 'repeated acceptance');
  t.equal((await y.call('POST', `${fyD}/decisions/1/acceptances`, ADMIN)).status, 403, 'admin cannot accept');
  const adopted = await y.call('POST', `${fyD}/decisions/1/acceptances`, y.keyOf('council'));
  t.equal(adopted.json().adopted, true);
  const list = (await y.call('GET', `${fyD}/decisions`, AUDITOR)).json();
  t.strictSame(list.versions.map((v: { acceptedBy: string[]; adopted: boolean }) => [v.acceptedBy, v.adopted]), [[['ccg', 'council'], true]]);

  const stale = await y.call('POST', `${fyD}/settlements/${sd.settlementId as string}/approvals`, y.keyOf('council'));
  t.equal(stale.status, 409, 'the undecided settlement is stale now');
  const sd2 = (await y.call('POST', `${fyD}/settlements`, ADMIN, { mode: 'final' })).json();
  t.strictSame(figuresOf(sd2), enginePart(decided), 'example D decided to the penny');
  t.equal(sd2.requiresDecision, false);
  await approveAll(t, y, fyD, sd2.settlementId, ['ccg', 'council']);
  t.equal((await y.call('GET', `${fyD}/settlements/${sd2.settlementId as string}`, AUDITOR)).json().status, 'approved');
});

t.test('decision refusals name the field and append nothing', async (t) => {
  const y = await yearApp(t, FUND, ['ccg', 'council']);
  const d = whatif('example-d-decided');
  const decision = d.decisions![0]!;
  const fy = `/v1/funds/${FUND}/years/2016-17`;
  t.equal((await y.call('POST', fy, ADMIN, { name: 'x', partners: [{ partnerId: 'ccg', name: 'c' }, { partnerId: 'council', name: 'k' }], strategies: [{ strategyId: 'community', name: 'c' }, { strategyId: 'wellbeing', name: 'w' }] })).status, 201);
  const none = await y.call('POST', `${fy}/decisions`, ADMIN, decision);
  t.equal(none.status, 409, 'no adopted agreement');
  t.equal(none.json().errors[0].path, '/potId');
  t.equal((await y.call('POST', `${fy}/agreements`, ADMIN, { terms: d.agreement })).status, 201);
  for (const p of ['ccg', 'council']) await y.call('POST', `${fy}/agreements/1/acceptances`, y.keyOf(p));
  const before = await trailLength(y, fy);
  const cases: [string, object, number, string][] = [
    ['unknown pot', { ...decision, potId: 'nowhere' }, 422, '/potId'],
    ['bad weights', { ...decision, allocate: { basis: 'fixed', weights: { ccg: '0.5', council: '0.4' } } }, 422, '/allocate/weights'],
    ['unknown partner', { ...decision, allocate: { basis: 'lead', partnerId: 'nobody' } }, 422, '/allocate/partnerId'],
    ['empty reference', { ...decision, reference: '' }, 400, '/reference'],
    ['long reference', { ...decision, reference: 'x'.repeat(501) }, 400, '/reference'],
  ];
  for (const [what, body, status, path] of cases) {
    const r = await y.call('POST', `${fy}/decisions`, ADMIN, body);
    t.equal(r.status, status, `${what}: ${r.body}`);
    t.match(r.headers['content-type'], /application\/problem\+json/);
    t.ok((r.json().errors as { path: string }[]).some((e) => e.path.startsWith(path)), `${what} names ${path}: ${r.body}`);
  }
  t.equal((await y.call('POST', `${fy}/decisions`, y.keyOf('ccg'), decision)).status, 403, 'a partner cannot propose');
  t.equal((await y.call('POST', `${fy}/decisions/1/acceptances`, y.keyOf('ccg'))).status, 404, 'no such decision');
  t.equal(await trailLength(y, fy), before, 'nothing appended');
  const reserved = await y.call('POST', `/v1/funds/${FUND}/years/2017-18`, ADMIN, { name: 'x', partners: [{ partnerId: 'reserve', name: 'r' }], strategies: [{ strategyId: 's', name: 's' }] });
  t.ok(reserved.status === 400 || reserved.status === 422, `partner id reserve refused: ${reserved.body}`);
  t.equal(reserved.json().errors[0].path, '/partners/0/partnerId');
});
