// A monthly return as a command, shared by the JSON form and the spreadsheet form so that both
// run the same rules and give the same answer; `request` is what makes two requests the same
// one (the Idempotency-Key's hash).
import type { CommandSpec } from './command-runner.js';
import { actorOf } from './access.js';
import type { CommandResult, RequestContext, SubmitReturnBody } from './service-types.js';

export function submitReturnSpec(
  ctx: RequestContext,
  body: SubmitReturnBody,
  request: unknown,
  newId: () => string,
): CommandSpec<CommandResult & { returnId: string }> {
  return {
    operation: 'submitReturn', request, onBehalfOf: body.partnerId,
    command: () => ({ type: 'SubmitMonthlyReturn', actor: actorOf(ctx.principal), data: { ...body, returnId: newId() } }),
    answer: (_after, events, revision) => {
      const submitted = [...events].reverse().find((e) => e.type === 'MonthlyReturnSubmitted');
      if (submitted?.type !== 'MonthlyReturnSubmitted') throw new Error('command answer without a MonthlyReturnSubmitted event');
      return { revision, returnId: submitted.data.returnId };
    },
  };
}
