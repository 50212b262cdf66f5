// A whole fund-year through the service on the in-memory SQLite store.
import t from 'tap';
import { createFundYearService } from '../../src/app/service.js';
import { computeSettlement } from '../../src/domain/settlement.js';
import { fundYearStream } from '../../src/domain/fundyear/index.js';
import { budgetLines, ccgLines, ctx, FUND, m12, memoryStore, monthly, openBody, principals, ref, terms, YEAR } from './fixtures/service.js';
import { like } from '../fixtures/like.js';

t.test('a whole year: budget, agreement, returns, close, adjustment, settlement', async (t) => {
  const store = memoryStore();
  let next = 0;
  const service = createFundYearService({ store, newId: () => `uuid-${next++}`, now: () => '2016-05-01T09:00:00.000Z' });
  t.teardown(async () => {
    await service.close();
    await store.close();
  });
  const { admin, ccg, council, auditor } = principals;

  t.strictSame(await service.openFundYear(ctx(admin), ref, openBody), { revision: 0, fundId: FUND, year: YEAR });
  t.strictSame(await service.setBudget(ctx(admin), ref, { lines: budgetLines }), { revision: 1 });
  t.strictSame(await service.proposeAgreement(ctx(admin), ref, { terms }), { revision: 2, version: 1 });
  await service.acceptAgreement(ctx(ccg), ref, 1);
  const accepted = await service.acceptAgreement(ctx(council), ref, 1);
  like(t, accepted, { revision: 4, version: 1, acceptedBy: ['ccg', 'council'], adopted: true, proposedBy: 'fund-admin' });
  t.strictSame((await service.listAgreements(ctx(auditor), ref)).adoptedVersion, 1);

  const revisionAfter: Record<number, number> = {};
  for (let k = 1; k <= 11; k++) {
    await service.submitReturn(ctx(ccg), ref, monthly('ccg', k));
    revisionAfter[k] = (await service.submitReturn(ctx(council), ref, monthly('council', k))).revision;
  }
  const corrected = { ...monthly('ccg', 6), correction: true, lines: monthly('ccg', 10).lines };
  const correction = await service.submitReturn(ctx(ccg), ref, corrected);
  like(t, correction, { returnId: /^uuid-/, revision: revisionAfter[11]! + 1 });

  const at3 = await service.positions(ctx(council), ref, revisionAfter[3]);
  t.equal(at3.asOfRevision, revisionAfter[3]);
  t.equal(at3.fund.forecastVariance, '6000.00', 'M3: ccg +3×3000, council −2×1500');
  t.strictSame(at3.fund.forecastVarianceByPeriod.M2, '4000.00');
  t.equal(at3.fund.forecastVarianceByPeriod.M4, null, 'nothing reported for M4 yet');
  t.strictSame(at3.partners.map((p) => p.lastPeriod), ['M3', 'M3']);

  const latest = await service.positions(ctx(admin), ref);
  t.equal(latest.fund.forecastVarianceByPeriod.M6, '24000.00', 'the M6 correction counts: ccg 3×10000, council −6000');
  t.equal(latest.fund.forecastVarianceByPeriod.M11, '22000.00');
  t.equal(latest.fund.budget, '3250000.00');
  t.equal(latest.strategies.find((s) => s.strategyId === 'community')?.budget, '2250000.00');

  await service.submitReturn(ctx(ccg), ref, m12('ccg'));
  await service.submitReturn(ctx(council), ref, m12('council'));
  await service.closeYear(ctx(admin), ref);
  const adjustment = await service.adjustOutturn(ctx(council), ref, {
    partnerId: 'council', strategyId: 'community', arrangement: 'pooled', amount: '-20000.00', reason: 'credit note received after close',
  });
  like(t, adjustment, { adjustmentId: /^uuid-/ });
  const closed = await service.positions(ctx(admin), ref);
  t.equal(closed.status, 'closed');
  t.equal(closed.fund.forecastVariance, '125000.00', 'Example A (+145000) with the −20000 adjustment');

  const first = await service.calculateSettlement(ctx(admin), ref, { mode: 'final' });
  const input = {
    partners: ['ccg', 'council'],
    budget: budgetLines,
    outturn: [
      ...ccgLines().map((l) => ({ strategyId: l.strategyId, partnerId: 'ccg', arrangement: l.arrangement, amount: l.actualToDate })),
      { strategyId: 'wellbeing', partnerId: 'council', arrangement: 'pooled' as const, amount: '395000.00' },
      { strategyId: 'community', partnerId: 'council', arrangement: 'pooled' as const, amount: '500000.00' },
    ],
    agreement: terms,
  };
  const figures = computeSettlement(input);
  t.strictSame(
    { pots: first.pots, partners: first.partners, payments: first.payments, unshared: first.unshared, requiresDecision: first.requiresDecision },
    figures,
    'the settlement is the engine on the same inputs',
  );
  t.match(first, { mode: 'final', status: 'calculated', approvedBy: [], agreementVersion: 1, asOfRevision: adjustment.revision, fundId: FUND });
  t.match(first.chainHash, /^sha256:[0-9a-f]{64}$/, 'the settlement records the chain hash at its revision');
  t.strictSame(await service.verifySettlement(ctx(auditor), ref, first.settlementId), {
    settlementId: first.settlementId, asOfRevision: first.asOfRevision, digest: first.digest, recomputedDigest: first.digest,
    storedBodyDigest: first.digest, chainHash: first.chainHash, match: true, checks: { figures: true, storedBody: true, chain: true }, firstBroken: null,
  });

  await service.approveSettlement(ctx(ccg), ref, first.settlementId);
  const approved = await service.approveSettlement(ctx(council), ref, first.settlementId);
  like(t, approved, { status: 'approved', approvedBy: ['ccg', 'council'] });

  const csv = await service.settlementStatementCsv(ctx(ccg), ref, first.settlementId);
  const rows = csv.split('\r\n');
  t.strictSame(rows.slice(0, 4), ['Settlement statement', `fund,${FUND}`, `year,${YEAR}`, 'mode,final']);
  t.ok(rows.includes(`as of revision,${first.asOfRevision}`));
  t.ok(rows.includes('agreement version,1'));
  t.ok(rows.includes(`digest,${first.digest}`));
  t.ok(rows.includes(`chain hash,${first.chainHash}`), 'the statement carries the chain hash');
  t.ok(rows.includes('council,ccg,31500.00'), 'the payment row (Example A moved by the adjustment)');
  t.ok(rows.includes('community,ccg,aligned,60000.00'), 'the unshared aligned line');
  t.ok(rows.some((r) => r.startsWith('integrated-fund,3000000.00,65000.00,overspend,')), 'the pot row');

  const second = await service.calculateSettlement(ctx(admin), ref, { mode: 'final', asOfRevision: first.asOfRevision });
  t.equal(second.digest, first.digest, 'same revision, same digest');
  const list = await service.listSettlements(ctx(auditor), ref);
  t.strictSame(list.map((s) => [s.settlementId, s.status]), [[second.settlementId, 'calculated'], [first.settlementId, 'superseded']]);
  t.equal((await service.getSettlement(ctx(admin), ref, first.settlementId)).status, 'superseded');

  const forecastAt3 = await service.calculateSettlement(ctx(admin), ref, { mode: 'forecast', asOfRevision: revisionAfter[3]! });
  t.strictSame(forecastAt3.pots[0]?.variance, '3000.00', 'at M3: pooled lines only (ccg +2×3000, council −2×1500)');

  const trail = await service.events(ctx(auditor), ref);
  t.equal(trail.length, (await store.readStream(fundYearStream(FUND, YEAR))).length);
  like(t, trail[5], { revision: 5, type: 'MonthlyReturnSubmitted', metadata: { principal: 'ccg-finance', partnerId: 'ccg', recordedAt: '2016-05-01T09:00:00.000Z' } });
  t.strictSame((await service.events(ctx(admin), ref, 3, 2)).map((e) => e.revision), [3, 4]);

  const funds = await service.listFunds(ctx(ccg));
  like(t, funds, [{ fundId: FUND, year: YEAR, status: 'closed', budget: '3250000.00', forecastVariance: '125000.00', adoptedAgreementVersion: 1 }]);
  like(t, funds[0]?.latestSettlement, { settlementId: forecastAt3.settlementId, mode: 'forecast' });
});
