// The flows subgraph's resolvers: queries over runs, the operator mutations, and the fields of
// runs and steps (relations through the request's loaders, JSON shown as text).
import { pageSize, scalarResolvers } from "@crossdock/schema";
import { idempotencyKeyOf } from "../engine/runStore.js";
import { cancelRun, retryRun, skipStep } from "../engine/operatorActions.js";
import type { RunRow, StepRow } from "../engine/runQueries.js";
import type { FlowsContext } from "../context.js";

async function reloaded(ctx: FlowsContext, runId: string): Promise<RunRow> {
  ctx.services.wakeWorkers();
  return (await ctx.services.queries.run(runId))!;
}

/** The audit subject: always the verified principal, never anything in the arguments. */
function actorOf(ctx: FlowsContext) {
  return { principal: ctx.principal, requestId: ctx.requestId, traceparent: ctx.traceparent };
}

export const resolvers = {
  DateTime: scalarResolvers.DateTime,
  Query: {
    flowRuns: (_: unknown, args: { orderNumber: string }, ctx: FlowsContext) => ctx.loaders.runsByOrder.load(args.orderNumber),
    flowRun: (_: unknown, args: { runId: string }, ctx: FlowsContext) => ctx.services.queries.run(args.runId),
    parkedFlowRuns: (_: unknown, args: { first?: number | null }, ctx: FlowsContext) => ctx.services.queries.parked(pageSize(args.first)),
    flowMetrics: (_: unknown, __: unknown, ctx: FlowsContext) => ctx.services.queries.metrics(),
  },
  Mutation: {
    async retryFlowRun(_: unknown, args: { runId: string; fromStep?: string | null }, ctx: FlowsContext) {
      await retryRun(ctx.services.hub, actorOf(ctx), args.runId, args.fromStep ?? null);
      return reloaded(ctx, args.runId);
    },
    async skipFlowStep(_: unknown, args: { runId: string; step: string }, ctx: FlowsContext) {
      await skipStep(ctx.services.hub, actorOf(ctx), args.runId, args.step);
      return reloaded(ctx, args.runId);
    },
    async cancelFlowRun(_: unknown, args: { runId: string; reason: string }, ctx: FlowsContext) {
      await cancelRun(ctx.services.hub, actorOf(ctx), args.runId, args.reason);
      return reloaded(ctx, args.runId);
    },
  },
  Order: {
    __resolveReference: (reference: { orderNumber: string }) => reference,
    flowRuns: (order: { orderNumber: string }, _: unknown, ctx: FlowsContext) => ctx.loaders.runsByOrder.load(order.orderNumber),
  },
  FlowRun: {
    runId: (run: RunRow) => run.id,
    order: (run: RunRow) => (run.orderNumber ? { orderNumber: run.orderNumber } : null),
    facts: (run: RunRow) => JSON.stringify(run.facts),
    steps: (run: RunRow, _: unknown, ctx: FlowsContext) => ctx.loaders.stepsByRun.load(run.id),
  },
  FlowStep: {
    idempotencyKey: (step: StepRow) => idempotencyKeyOf(step.runId, step.name, step.generation),
    output: (step: StepRow) => (step.output === null || step.output === undefined ? null : JSON.stringify(step.output)),
    nextAttemptAt: (step: StepRow) => (step.status === "PENDING" ? step.availableAt : null),
    attemptLog: (step: StepRow, _: unknown, ctx: FlowsContext) => ctx.loaders.attemptsByStep.load(step.id),
  },
};
