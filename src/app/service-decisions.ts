// Engine 2's operations (docs/api.md): board decisions (propose, accept, list) and the reserve
// brought forward from the previous fund-year. Bringing it forward reads that fund-year's stream
// and hands its folded state to the decider in the command, so the decider stays pure.
import { fold, fundYearStream, isYear, type ExistingFundYear, type FundYearEvent } from '../domain/fundyear/index.js';
import type { Decision } from '../domain/terms-types.js';
import { runCommand, type CommandRequest, type CommandSource, type Outcome } from './command-runner.js';
import { existing, readFundYear, type ServiceCore } from './service-core.js';
import { loadStream } from './stream-cache.js';
import type { BroughtForwardView, CommandResult, DecisionsView, DecisionVersionView, FundYearRef, RequestContext } from './service-types.js';

export interface FundYearDecisions {
  proposeDecision(ctx: RequestContext, ref: FundYearRef, decision: Decision): Promise<CommandResult & { version: number }>;
  acceptDecision(ctx: RequestContext, ref: FundYearRef, version: number): Promise<CommandResult & DecisionVersionView>;
  listDecisions(ctx: RequestContext, ref: FundYearRef): Promise<DecisionsView>;
  bringReserveForward(ctx: RequestContext, ref: FundYearRef, body: { fromYear: string; correction?: boolean }): Promise<BroughtForwardView>;
}

function lastOf<E extends FundYearEvent['type']>(events: readonly FundYearEvent[], type: E): Extract<FundYearEvent, { type: E }> {
  const found = [...events].reverse().find((e) => e.type === type);
  if (!found) throw new Error(`command outcome without a ${type} event`);
  return found as Extract<FundYearEvent, { type: E }>;
}

export function decisionsView(fy: ExistingFundYear): DecisionsView {
  return {
    versions: (fy.decisions ?? []).map((d) => ({
      version: d.version, decision: d.decision, agreementVersion: d.agreementVersion, proposedBy: d.proposedBy,
      acceptedBy: [...d.acceptedBy], adopted: d.adoptedAtRevision !== null,
    })),
  };
}

export function fundYearDecisions(core: ServiceCore): FundYearDecisions {
  const run = (ctx: RequestContext, ref: FundYearRef, request: CommandRequest, source: CommandSource): Promise<Outcome> =>
    runCommand(core.runner, ctx, ref, request, source);
  return {
    async proposeDecision(ctx, ref, decision) {
      const { revision, events } = await run(ctx, ref, { operation: 'proposeDecision', request: { ref, decision }, onBehalfOf: null },
        { type: 'ProposeDecision', actor: ctx.principal, data: { decision } });
      return { revision, version: lastOf(events, 'DecisionProposed').data.version };
    },

    async acceptDecision(ctx, ref, version) {
      const request = { operation: 'acceptDecision', request: { ref, version }, onBehalfOf: ctx.principal.partnerId ?? null } as const;
      const { revision, events, after } = await run(ctx, ref, request, { type: 'AcceptDecision', actor: ctx.principal, data: { version } });
      const accepted = lastOf(events, 'DecisionAccepted').data.version;
      const view = decisionsView(existing(after)).versions.find((v) => v.version === accepted);
      if (!view) throw new Error(`accepted decision ${accepted} missing from the fold`);
      return { revision, ...view };
    },

    async listDecisions(ctx, ref) {
      return decisionsView((await readFundYear(core, ctx, ref)).fy);
    },

    async bringReserveForward(ctx, ref, body) {
      const { revision, events } = await run(ctx, ref, { operation: 'bringReserveForward', request: { ref, body }, onBehalfOf: null }, async () => {
        // The previous fund-year as it stands now, read on this attempt; decide checks it (§9).
        const previous = isYear(body.fromYear)
          ? ((await loadStream(core.store, core.runner.cache, fundYearStream(ref.fundId, body.fromYear), core.runner.eventsMax))?.state ?? fold([]))
          : fold([]);
        const data = { fromYear: body.fromYear, ...(body.correction === undefined ? {} : { correction: body.correction }), previous };
        return { type: 'BringReserveForward', actor: ctx.principal, data };
      });
      const { amounts, settlementId, digest } = lastOf(events, 'ReserveBroughtForward').data;
      return { amounts, settlementId, digest, revision };
    },
  };
}
