// The statement CSV prints what the settlement holds: amounts of any length as they are, and a
// share looked up by partner id as data (a partner called `constructor` has no share from Object).
import t from 'tap';
import { settlementStatementCsv } from '../../src/app/statement-csv.js';
import { settlement } from '../http/fixtures/fake-service.js';

t.test('a partner missing from a pot\'s shares prints 0.00, even one called constructor', async (t) => {
  const s = settlement({
    pots: [{ potId: 'pot', budget: '100.00', variance: '10.00', direction: 'overspend', bands: [], shares: { council: '10.00' }, capped: [], unallocated: '0.00' }],
  });
  const csv = settlementStatementCsv(s, ['constructor', 'council']);
  t.match(csv, /\r\npot,100\.00,10\.00,overspend,0\.00,10\.00,0\.00,\r\n/);
  t.notMatch(csv, /function|native code/);
});

t.test('amounts longer than any input are printed exactly', async (t) => {
  const big = '2000000099999.98';
  const s = settlement({
    pots: [{ potId: 'pot', budget: '1000000.00', variance: big, direction: 'overspend', bands: [{ from: '0.00', to: null, amount: big }], shares: { ccg: big }, capped: [], unallocated: '0.00' }],
    partners: [{ partnerId: 'ccg', varianceBorne: big, share: big, transfer: '0.00' }],
    payments: [],
  });
  const csv = settlementStatementCsv(s, ['ccg']);
  t.match(csv, new RegExp(`pot,1000000\\.00,${big.replace('.', '\\.')},overspend,${big.replace('.', '\\.')}`));
  t.equal(csv.split(big).length - 1, 5, 'every occurrence, as a string');
});
