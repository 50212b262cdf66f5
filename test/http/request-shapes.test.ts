// Shape and limits have one source, schemas/: a request is refused there, at the edge, and
// what passes reaches the decider, which checks only what needs the fund-year. A reason of
// 1,000 characters (the published limit) is accepted; the old copies in the decider refused
// anything over 500.
import t, { type Test } from 'tap';
import { FUND, KEYS, YEAR } from './fixtures/fake-service.js';
import { yearApp, type YearApp } from './fixtures/year.js';

const FY = `/v1/funds/${FUND}/years/${YEAR}`;

const openBody = {
  name: 'Plymouth Integrated Fund 2015/16',
  partners: [{ partnerId: 'ccg', name: 'NEW Devon CCG' }, { partnerId: 'council', name: 'Plymouth City Council' }],
  strategies: [{ strategyId: 'wellbeing', name: 'Wellbeing' }],
};
const budget = [
  { strategyId: 'wellbeing', partnerId: 'ccg', arrangement: 'pooled', amount: '600000.00' },
  { strategyId: 'wellbeing', partnerId: 'council', arrangement: 'pooled', amount: '400000.00' },
];
const line = (actual: string) => ({ strategyId: 'wellbeing', arrangement: 'pooled', actualToDate: actual, forecastOutturn: actual });

async function openedYear(t: Test): Promise<YearApp> {
  const w = await yearApp(t, FUND, []);
  t.equal((await w.call('POST', FY, KEYS.admin, openBody)).status, 201);
  t.equal((await w.call('PUT', `${FY}/budget`, KEYS.admin, { lines: budget })).status, 200);
  return w;
}

/** A 400 from the schema, naming `path`, with nothing appended. */
async function refusedByShape(t: Test, w: YearApp, what: string, send: () => ReturnType<YearApp['call']>, path: string): Promise<void> {
  const before = (await w.call('GET', `${FY}/events`, KEYS.auditor)).json().length;
  const res = await send();
  t.equal(res.status, 400, `${what}: 400`);
  t.equal(res.json().type, 'https://poolshare.example/problems/validation', `${what}: refused by the schema`);
  t.ok(res.json().errors.some((e: { path: string }) => e.path === path), `${what}: names ${path} (${JSON.stringify(res.json().errors)})`);
  t.equal((await w.call('GET', `${FY}/events`, KEYS.auditor)).json().length, before, `${what}: nothing appended`);
}

t.test('a 1,000-character reason is accepted; 1,001 and white space only are refused', async (t) => {
  const w = await openedYear(t);
  t.equal((await w.call('POST', `${FY}/returns`, KEYS.ccg, { partnerId: 'ccg', period: 'M1', lines: [line('50000.00')] })).status, 201);
  const long = 'r'.repeat(1000);
  const varied = await w.call('PUT', `${FY}/budget`, KEYS.admin, { lines: budget, reason: long });
  t.equal(varied.status, 200, 'a budget variation with a 1,000-character reason');
  const events = (await w.call('GET', `${FY}/events`, KEYS.auditor)).json();
  t.strictSame(events[events.length - 1].data.reason, long, 'recorded whole');
  await refusedByShape(t, w, '1,001 characters', () => w.call('PUT', `${FY}/budget`, KEYS.admin, { lines: budget, reason: `${long}r` }), '/reason');
  await refusedByShape(t, w, 'white space only', () => w.call('PUT', `${FY}/budget`, KEYS.admin, { lines: budget, reason: ' \t ' }), '/reason');
});

t.test('the limits the decider used to copy are the schemas\': return lines, partners, names', async (t) => {
  const w = await openedYear(t);
  const many = Array.from({ length: 201 }, () => line('1.00'));
  await refusedByShape(t, w, '201 return lines', () => w.call('POST', `${FY}/returns`, KEYS.ccg, { partnerId: 'ccg', period: 'M1', lines: many }), '/lines');
  const partners = Array.from({ length: 21 }, (_, i) => ({ partnerId: `p${i}`, name: `Partner ${i}` }));
  const other = `/v1/funds/${FUND}/years/2016-17`;
  const tooMany = await w.call('POST', other, KEYS.admin, { ...openBody, partners });
  t.equal(tooMany.status, 400, '21 partners');
  t.ok(tooMany.json().errors.some((e: { path: string }) => e.path === '/partners'));
  const blank = await w.call('POST', other, KEYS.admin, { ...openBody, name: '   ' });
  t.equal(blank.status, 400, 'a blank name');
  t.ok(blank.json().errors.some((e: { path: string }) => e.path === '/name'));
});

t.test('shape refusals that once reached the decider stop at the schema', async (t) => {
  const w = await openedYear(t);
  const lineWith = (over: Record<string, unknown>) => ({ lines: [{ ...budget[0], ...over }, budget[1]] });
  await refusedByShape(t, w, 'a negative budget', () => w.call('PUT', `${FY}/budget`, KEYS.admin, lineWith({ amount: '-1.00' })), '/lines/0/amount');
  await refusedByShape(t, w, 'a number for an amount', () => w.call('PUT', `${FY}/budget`, KEYS.admin, lineWith({ amount: 600000 })), '/lines/0/amount');
  await refusedByShape(t, w, 'three decimal places', () => w.call('PUT', `${FY}/budget`, KEYS.admin, lineWith({ amount: '1.005' })), '/lines/0/amount');
  await refusedByShape(t, w, 'an unknown arrangement', () => w.call('PUT', `${FY}/budget`, KEYS.admin, lineWith({ arrangement: 'shared' })), '/lines/0/arrangement');
  await refusedByShape(t, w, 'no budget lines', () => w.call('PUT', `${FY}/budget`, KEYS.admin, { lines: [] }), '/lines');
  await refusedByShape(t, w, 'a number in a return', () => w.call('POST', `${FY}/returns`, KEYS.ccg, { partnerId: 'ccg', period: 'M1', lines: [{ ...line('1.00'), actualToDate: 1 }] }), '/lines/0/actualToDate');
  await refusedByShape(t, w, 'period M13', () => w.call('POST', `${FY}/returns`, KEYS.ccg, { partnerId: 'ccg', period: 'M13', lines: [line('1.00')] }), '/period');
  const bad = await w.call('POST', `/v1/funds/Plymouth%20Fund/years/${YEAR}`, KEYS.admin, openBody);
  t.equal(bad.status, 400, 'a fund id that is not a slug');
  t.ok(bad.json().errors.some((e: { path: string }) => e.path === 'params/fundId'), JSON.stringify(bad.json().errors));
  const year = await w.call('POST', `/v1/funds/${FUND}/years/2015-17`, KEYS.admin, openBody);
  t.equal(year.status, 400, 'years that do not follow each other: the decider no longer sees them either');
});
