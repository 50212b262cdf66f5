// The monitoring schemas accept what the pure computation produces (on random timelines
// and by hand) and refuse what MONITORING.md refuses.
import t from 'tap';
import fc from 'fast-check';
import { createAjv } from '../../src/http/ajv.js';
import { loadSchemas, schemaId } from '../../src/http/schemas.js';
import { monitoringTables, type MonitoringPack } from '../../src/domain/monitoring/index.js';
import { packInput, timelineArb } from './timeline.js';

const ajv = createAjv(loadSchemas());
const valid = (name: string, value: unknown): boolean => {
  const validate = ajv.getSchema(schemaId(name));
  if (!validate) throw new Error(`no schema ${name}`);
  return validate(value) === true;
};

const header = { fundId: 'plymouth-integrated-fund', year: '2015-16', asOfRevision: 41 };

t.test('every pack the computation gives fits monitoring-pack', async (t) => {
  let checked = 0;
  for (const { tl, r, k } of fc.sample(timelineArb, { numRuns: 100, seed: 1 })) {
    const pack: MonitoringPack = { ...header, ...monitoringTables(packInput(tl, r, k)), forecastSettlement: null };
    if (!valid('monitoring-pack', pack)) t.fail(JSON.stringify(ajv.errors));
    checked += 1;
  }
  t.equal(checked, 100);
  const settled: MonitoringPack = {
    ...header, ...monitoringTables(packInput({ partners: ['ccg'], strategies: ['wellbeing'], events: [{ kind: 'rag', amberPercent: '1', redPercent: '2' }] }, 0, 1)),
    forecastSettlement: { agreementVersion: 1, requiresDecision: false, partners: [{ partnerId: 'ccg', share: '-1.00', transfer: '0.00' }], digest: `sha256:${'a'.repeat(64)}` },
  };
  t.ok(valid('monitoring-pack', settled), 'with a forecast settlement');
  t.notOk(valid('monitoring-pack', { ...settled, forecastSettlement: { ...settled.forecastSettlement, digest: 'x' } }), 'a bad digest');
  t.notOk(valid('monitoring-pack', { ...settled, fund: { ...settled.fund, budget: 10 } }), 'money is never a number');
  t.ok(valid('monitoring-pack', { ...settled, fund: { ...settled.fund, budget: '99999999999999999.00' } }), 'sums have no digit bound');
});

t.test('a budget line may carry a profile of twelve non-negative amounts', async (t) => {
  const line = { strategyId: 'wellbeing', partnerId: 'ccg', arrangement: 'pooled', amount: '120.00' };
  t.ok(valid('budget-line', line));
  t.ok(valid('budget-line', { ...line, profile: Array(12).fill('10.00') }));
  t.notOk(valid('budget-line', { ...line, profile: Array(11).fill('10.00') }), 'eleven');
  t.notOk(valid('budget-line', { ...line, profile: Array(13).fill('10.00') }), 'thirteen');
  t.notOk(valid('budget-line', { ...line, profile: [...Array(11).fill('10.00'), '-10.00'] }), 'negative');
  t.notOk(valid('budget-line', { ...line, profile: [...Array(11).fill('10.00'), 10] }), 'a number');
});

t.test('a return line may carry commentary of 1 to 1,000 characters', async (t) => {
  const line = { strategyId: 'wellbeing', arrangement: 'pooled', actualToDate: '1.00', forecastOutturn: '2.00' };
  t.ok(valid('return-line', line));
  t.ok(valid('return-line', { ...line, commentary: 'x' }));
  t.ok(valid('return-line', { ...line, commentary: '£'.repeat(1000) }));
  t.notOk(valid('return-line', { ...line, commentary: '' }), 'empty');
  t.notOk(valid('return-line', { ...line, commentary: 'x'.repeat(1001) }), '1,001 characters');
});

t.test('settings: {rag: {amberPercent, redPercent}} as decimal strings', async (t) => {
  t.ok(valid('settings-request', { rag: { amberPercent: '2', redPercent: '5' } }));
  t.ok(valid('settings-request', { rag: { amberPercent: '1.25', redPercent: '100' } }));
  t.notOk(valid('settings-request', { rag: { amberPercent: 2, redPercent: '5' } }), 'a number');
  t.notOk(valid('settings-request', { rag: { amberPercent: '2.125', redPercent: '5' } }), 'three places');
  t.notOk(valid('settings-request', { rag: { amberPercent: '1000', redPercent: '5' } }), 'four digits');
  t.notOk(valid('settings-request', { rag: { amberPercent: '2' } }), 'red missing');
  t.notOk(valid('settings-request', { rag: { amberPercent: '2', redPercent: '5' }, extra: 1 }), 'unknown field');
});

t.test('the queries', async (t) => {
  t.ok(valid('monitoring-query', {}));
  t.ok(valid('monitoring-query', { period: 'M6', asOfRevision: '41' }));
  t.notOk(valid('monitoring-query', { period: 'M13' }));
  t.ok(valid('return-template-query', { partnerId: 'ccg', period: 'M6', format: 'xlsx' }));
  t.notOk(valid('return-template-query', { partnerId: 'ccg', period: 'M6', format: 'ods' }));
  t.notOk(valid('return-template-query', { partnerId: 'ccg', period: 'M6' }), 'format is required');
  t.ok(valid('return-upload-query', { partnerId: 'ccg', period: 'M6', correction: 'true' }));
  t.ok(valid('return-upload-query', { partnerId: 'ccg', period: 'M6' }));
  t.notOk(valid('return-upload-query', { partnerId: 'ccg', period: 'M6', correction: 'yes' }));
  t.notOk(valid('return-upload-query', { period: 'M6' }), 'partnerId is required');
});
