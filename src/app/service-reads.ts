// Reads of one fund-year: views of its folded state (src/domain/views/), or of the log itself
// (the audit trail, the hash chain, a settlement's verification).
import { DomainError } from '../domain/errors.js';
import { fundYearStream, partnerIds, requireRevision, settlementRecord, storedBodyDigest, type SettlementEntry } from '../domain/fundyear/index.js';
import { requireRole } from '../domain/roles.js';
import { agreementsView, positions, requireSettlement, settlementList, settlementView } from '../domain/views/index.js';
import { requireFundScope } from './access.js';
import { chainHashAt, checkStream, walkChain } from './integrity.js';
import { fundYearNotFound, namesFundYear, readFundYear, type FundYearRead, type ServiceCore } from './service-core.js';
import type { ChainBreakView, FundYearReads, VerificationView } from './service-types.js';
import { settlementStatementCsv } from './statement-csv.js';

/** Audit trail page size, default and most: a limit on everything (schemas/events-query.schema.json says the same). */
export const EVENTS_PAGE_MAX = 1000;

export function fundYearReads(core: ServiceCore): FundYearReads {
  const read = readFundYear.bind(null, core);

  /** The chain up to the settlement's own event, then its recorded chain hash against the event at asOfRevision. */
  async function settlementChainBreak(stream: string, entry: SettlementEntry): Promise<ChainBreakView | null> {
    const walk = await core.walks.run(() => walkChain(core.store, stream, { toRevision: entry.revision, maxEvents: core.runner.eventsMax }));
    if (walk.firstBroken !== null) return walk.firstBroken;
    const { asOfRevision, chainHash } = entry.record;
    if (chainHash === undefined) {
      return { revision: entry.revision, reason: 'chain-hash-missing', detail: `the settlement at revision ${entry.revision} records no chain hash` };
    }
    const found = await chainHashAt(core.store, stream, asOfRevision);
    if (found === chainHash) return null;
    return { revision: asOfRevision, reason: 'chain-hash-mismatch', detail: `the settlement records chain hash ${chainHash}, but the event at revision ${asOfRevision} has ${String(found)}` };
  }

  /** The same computation as when it was calculated, from the log's prefix up to its revision. */
  async function recomputedDigest({ at }: FundYearRead, entry: SettlementEntry, chainBroken: boolean): Promise<string | null> {
    const { settlementId, mode, asOfRevision, calculatedAt } = entry.record;
    try {
      return settlementRecord(await at(asOfRevision), { settlementId, mode, asOfRevision, calculatedAt }).digest;
    } catch (error) {
      // A log changed behind the service (an event removed) may no longer settle at all; the
      // chain check has said where. On an intact chain a failure here is a fault, not a finding.
      if (!chainBroken) throw error;
      return null;
    }
  }

  return {
    async listAgreements(ctx, ref) {
      return agreementsView((await read(ctx, ref)).fy);
    },

    async positions(ctx, ref, asOfRevision) {
      const { fy, at } = await read(ctx, ref);
      return positions(asOfRevision === undefined ? fy : await at(requireRevision(fy, asOfRevision)));
    },

    async listSettlements(ctx, ref) {
      return settlementList((await read(ctx, ref)).fy);
    },

    async getSettlement(ctx, ref, settlementId) {
      const { fy } = await read(ctx, ref);
      return settlementView(fy, requireSettlement(fy, settlementId));
    },

    /**
     * Three checks (docs/integrity.md): the figures recomputed from the log at asOfRevision give
     * the recorded digest; the stored body still hashes to it; and the chain is intact up to the
     * settlement's own event, with the recorded chain hash that of the event at asOfRevision.
     */
    async verifySettlement(ctx, ref, settlementId): Promise<VerificationView> {
      const found = await read(ctx, ref);
      const entry = requireSettlement(found.fy, settlementId);
      const { record } = entry;
      const firstBroken = await settlementChainBreak(found.stream, entry);
      const recomputed = await recomputedDigest(found, entry, firstBroken !== null);
      const bodyDigest = storedBodyDigest(record);
      const checks = { figures: recomputed === record.digest, storedBody: bodyDigest === record.digest, chain: firstBroken === null };
      return {
        settlementId, asOfRevision: record.asOfRevision, digest: record.digest, recomputedDigest: recomputed, storedBodyDigest: bodyDigest,
        chainHash: record.chainHash ?? null, match: checks.figures && checks.storedBody && checks.chain, checks, firstBroken,
      };
    },

    async settlementStatementCsv(ctx, ref, settlementId) {
      const { fy } = await read(ctx, ref);
      return settlementStatementCsv(settlementView(fy, requireSettlement(fy, settlementId)), partnerIds(fy));
    },

    async events(ctx, ref, fromRevision = 0, limit = EVENTS_PAGE_MAX) {
      requireRole(ctx.principal, 'listEvents');
      const { fy, stream } = await read(ctx, ref);
      if (!Number.isSafeInteger(fromRevision) || fromRevision < 0) {
        throw new DomainError('bad-request', 'invalid-revision', 'fromRevision must be a non-negative integer', [
          { path: '/fromRevision', message: 'must be a non-negative integer' },
        ]);
      }
      const count = Math.max(1, Math.min(Number.isSafeInteger(limit) ? limit : EVENTS_PAGE_MAX, EVENTS_PAGE_MAX));
      if (fromRevision > fy.revision) return [];
      // Only the page, and no further than the revision just folded: the trail matches that state.
      const page = await core.store.readStream(stream, { fromRevision: BigInt(fromRevision), toRevision: BigInt(fy.revision), maxCount: count });
      return page.map((e) => ({
        revision: Number(e.revision), position: e.position.toString(), eventId: e.id, type: e.type, data: e.data, metadata: e.metadata,
      }));
    },

    /**
     * The chain walked from revision 0 to the stream's last event as the store holds it. Not
     * through the fold: a store with a missing revision cannot be folded, but can be reported.
     */
    async integrity(ctx, ref) {
      requireRole(ctx.principal, 'getIntegrity');
      requireFundScope(ctx.principal, ref.fundId);
      const stream = fundYearStream(ref.fundId, ref.year);
      const view = namesFundYear(ref) ? await core.walks.run(() => checkStream(core.store, stream, core.runner.eventsMax)) : undefined;
      if (view === undefined) throw fundYearNotFound(ref);
      return view;
    },
  };
}
