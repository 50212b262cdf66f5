// The commands of API.md: each builds the decider's command from the request, runs it
// (command-runner.ts: read, fold, decide, append, retry) and answers from the outcome. Only
// a settlement needs more of the log than the current state: the figures at its revision.
import {
  fundYearStream,
  requireCalculable,
  settlementRecord,
  type CalculateSettlement,
  type FundYearEvent,
} from '../domain/fundyear/index.js';
import { agreementsView, requireSettlement, settlementView } from '../domain/views/index.js';
import { runCommand, type CommandRequest, type CommandSource, type Outcome, type StreamRead } from './command-runner.js';
import { chainHashAt } from './integrity.js';
import { existing, type ServiceCore } from './service-core.js';
import type { CalculateSettlementBody, FundYearCommands, FundYearRef, RequestContext, Settlement } from './service-types.js';

/** The last event of `type` a command appended (or, on a replay, appended the first time). */
function lastOf<E extends FundYearEvent['type']>(events: readonly FundYearEvent[], type: E): Extract<FundYearEvent, { type: E }> {
  const found = [...events].reverse().find((e) => e.type === type);
  if (!found) throw new Error(`command outcome without a ${type} event`);
  return found as Extract<FundYearEvent, { type: E }>;
}

/** The settlement as it stands after the command. */
function settlementAfter({ after }: Outcome, settlementId: string): Settlement {
  const fy = existing(after);
  return settlementView(fy, requireSettlement(fy, settlementId));
}

export function fundYearCommands(core: ServiceCore): FundYearCommands {
  const run = (ctx: RequestContext, ref: FundYearRef, request: CommandRequest, source: CommandSource): Promise<Outcome> =>
    runCommand(core.runner, ctx, ref, request, source);

  /**
   * The settlement at the requested revision (default: the latest as read on this attempt, so
   * a retry settles the fresher log), with the chain hash of the event there: which log the
   * figures came from. Role and revision are checked before the log's prefix is read.
   */
  async function settlementCommand(ctx: RequestContext, ref: FundYearRef, body: CalculateSettlementBody, settlementId: string, read: StreamRead): Promise<CalculateSettlement> {
    const actor = ctx.principal;
    const asOfRevision = body.asOfRevision ?? read.state.revision;
    requireCalculable(actor, read.state, asOfRevision);
    const header = { settlementId, mode: body.mode, asOfRevision, calculatedAt: core.runner.now() };
    const record = settlementRecord(existing(await read.stateAt(asOfRevision)), header);
    const chainHash = await chainHashAt(core.store, fundYearStream(ref.fundId, ref.year), asOfRevision);
    return { type: 'CalculateSettlement', actor, data: { record: chainHash === undefined ? record : { ...record, chainHash } } };
  }

  return {
    async openFundYear(ctx, ref, body) {
      const data = { ...body, fundId: ref.fundId, year: ref.year };
      const { revision } = await run(ctx, ref, { operation: 'openFundYear', request: { ref, body }, onBehalfOf: null }, { type: 'OpenFundYear', actor: ctx.principal, data });
      return { revision, fundId: ref.fundId, year: ref.year };
    },

    async setBudget(ctx, ref, body) {
      const { revision } = await run(ctx, ref, { operation: 'setBudget', request: { ref, body }, onBehalfOf: null }, { type: 'SetBudget', actor: ctx.principal, data: body });
      return { revision };
    },

    async proposeAgreement(ctx, ref, body) {
      const command = { type: 'ProposeAgreement', actor: ctx.principal, data: { terms: body.terms } } as const;
      const { revision, events } = await run(ctx, ref, { operation: 'proposeAgreement', request: { ref, body }, onBehalfOf: null }, command);
      return { revision, version: lastOf(events, 'AgreementProposed').data.version };
    },

    async acceptAgreement(ctx, ref, version) {
      const request = { operation: 'acceptAgreement', request: { ref, version }, onBehalfOf: ctx.principal.partnerId ?? null } as const;
      const { revision, events, after } = await run(ctx, ref, request, { type: 'AcceptAgreement', actor: ctx.principal, data: { version } });
      const accepted = lastOf(events, 'AgreementAccepted').data.version;
      const view = agreementsView(existing(after)).versions.find((v) => v.version === accepted);
      if (!view) throw new Error(`accepted version ${accepted} missing from the fold`);
      return { revision, ...view };
    },

    async submitReturn(ctx, ref, body) {
      const data = { ...body, returnId: core.newId() };
      const { revision, events } = await run(ctx, ref, { operation: 'submitReturn', request: { ref, body }, onBehalfOf: body.partnerId }, { type: 'SubmitMonthlyReturn', actor: ctx.principal, data });
      return { revision, returnId: lastOf(events, 'MonthlyReturnSubmitted').data.returnId };
    },

    async closeYear(ctx, ref) {
      const { revision } = await run(ctx, ref, { operation: 'closeYear', request: { ref }, onBehalfOf: null }, { type: 'CloseYear', actor: ctx.principal });
      return { revision, status: 'closed' as const };
    },

    async adjustOutturn(ctx, ref, body) {
      const data = { ...body, adjustmentId: core.newId() };
      const { revision, events } = await run(ctx, ref, { operation: 'adjustOutturn', request: { ref, body }, onBehalfOf: body.partnerId }, { type: 'AdjustOutturn', actor: ctx.principal, data });
      return { revision, adjustmentId: lastOf(events, 'OutturnAdjusted').data.adjustmentId };
    },

    async calculateSettlement(ctx, ref, body) {
      const settlementId = core.newId();
      const outcome = await run(ctx, ref, { operation: 'calculateSettlement', request: { ref, body }, onBehalfOf: null }, (read) =>
        settlementCommand(ctx, ref, body, settlementId, read),
      );
      return settlementAfter(outcome, lastOf(outcome.events, 'SettlementCalculated').data.settlementId);
    },

    async approveSettlement(ctx, ref, settlementId) {
      const request = { operation: 'approveSettlement', request: { ref, settlementId }, onBehalfOf: ctx.principal.partnerId ?? null } as const;
      const outcome = await run(ctx, ref, request, { type: 'ApproveSettlement', actor: ctx.principal, data: { settlementId } });
      return { revision: outcome.revision, ...settlementAfter(outcome, settlementId) };
    },
  };
}
