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

t.test('an engine-2 settlement\'s statement carries its reserve and decisions, laid out as the what-if\'s CSV', async (t) => {
  const s = settlement({
    engineVersion: 'poolshare-settlement/2',
    pots: [{
      potId: 'pot', budget: '100.00', variance: '10.00', direction: 'overspend', bands: [], shares: { ccg: '4.00' }, capped: [], unallocated: '0.00',
      reserveDrawn: '6.00', decision: { version: 1, reference: 'Board minute 12' } as never,
    }],
    partners: [{ partnerId: 'ccg', varianceBorne: '10.00', share: '4.00', transfer: '-6.00', reserveReturned: '1.00' }],
    reserve: {
      opening: { ccg: '7.00' }, drawn: { ccg: '6.00' }, closing: { ccg: '1.00' }, unused: 'return',
      returned: { ccg: '1.00' }, carriedForward: { ccg: '0.00' }, transfer: '7.00',
    },
  });
  const csv = settlementStatementCsv(s, ['ccg']);
  t.match(csv, /\r\npot,budget,variance,direction,share ccg,unallocated,capped,reserve drawn,decision version,decision reference\r\n/);
  t.match(csv, /\r\npot,100\.00,10\.00,overspend,4\.00,0\.00,,6\.00,1,Board minute 12\r\n/);
  t.match(csv, /\r\nccg,10\.00,4\.00,-6\.00,1\.00\r\n/, 'the reserve returned to each partner');
  t.match(csv, /\r\nReserve\r\nunused,return\r\ntransfer \(positive pays\),7\.00\r\npartner,opening,drawn,closing,returned,carried forward\r\nccg,7\.00,6\.00,1\.00,1\.00,0\.00\r\n/);
});
