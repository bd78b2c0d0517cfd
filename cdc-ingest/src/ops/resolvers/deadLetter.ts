// Operator actions on the dead-letter queue: replay (decode and apply again) and discard, each
// audited with the operator who did it (system "ops" in the merged audit log).
import { crossdockError, ErrorCode } from "@crossdock/schema";
import { getDeadLetter, recordDeadLetterAction } from "../../dlq/deadLetters.js";
import type { OpsContext } from "../context.js";

async function parked(ctx: OpsContext, id: string) {
  if (!/^\d+$/.test(id)) throw crossdockError(ErrorCode.BAD_USER_INPUT, "id must be a dead-letter id", { field: "id" });
  const letter = await getDeadLetter(ctx.services.hub, id);
  if (!letter) throw crossdockError(ErrorCode.NOT_FOUND, `No dead letter ${id}`, { field: "id" });
  if (letter.status !== "PARKED") throw crossdockError(ErrorCode.INVALID_STATE, `Dead letter ${id} is ${letter.status}, not PARKED`);
  return letter;
}

/** The audit subject: always the verified principal, never anything in the arguments. */
function actorOf(ctx: OpsContext) {
  return { principal: ctx.principal, requestId: ctx.requestId, traceparent: ctx.traceparent };
}

export const deadLetterResolvers = {
  Mutation: {
    async replayDeadLetter(_: unknown, args: { id: string }, ctx: OpsContext) {
      await parked(ctx, args.id);
      await ctx.services.replayDeadLetter(args.id, actorOf(ctx));
      return getDeadLetter(ctx.services.hub, args.id);
    },
    async discardDeadLetter(_: unknown, args: { id: string }, ctx: OpsContext) {
      await parked(ctx, args.id);
      await recordDeadLetterAction(ctx.services.hub, actorOf(ctx), { id: args.id, operation: "discardDeadLetter", status: "DISCARDED" });
      ctx.logger.info({ deadLetter: args.id, principal: ctx.principal.subject }, "dead letter discarded");
      return getDeadLetter(ctx.services.hub, args.id);
    },
  },
};
