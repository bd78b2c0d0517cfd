// Cancellation: an order cancelled in the ERP before shipment (cancelOrder already gave back
// its allocation and open balance) has its WMS fulfilment cancelled too, which frees the
// reserved stock. It runs inside the order's order-to-cash run, after any step in flight there.
import type { FeedEvent, RunTrigger, StepDefinition } from "../engine/types.js";
import { PermanentStepError } from "../engine/types.js";
import { addTimelineEntry, text } from "./support.js";

const ORDER_FULFILMENTS = `query($n: ID!) { order(orderNumber: $n) { fulfillments { fulfillmentId status } } }`;
const CANCEL_FULFILLMENT = `mutation($id: ID!, $reason: String!) { cancelFulfillment(fulfillmentId: $id, reason: $reason) { status } }`;

export function routeCancellation(event: FeedEvent, base: Omit<RunTrigger, "create">): RunTrigger[] {
  return [
    {
      ...base,
      // No run means the order never reached the warehouse through the flows: nothing to undo.
      create: false,
      skipPendingKinds: ["createFulfillment", "timelineReleased"],
      facts: { cancelled: true, done: true },
      steps: [
        { name: "cancelFulfillment", kind: "cancelFulfillment", input: {} },
        { name: "timelineCancelled", kind: "timelineCancelled", input: { occurredAt: event.occurredAt.toISOString() } },
      ],
    },
  ];
}

const cancelFulfillment: StepDefinition = {
  async run(ctx) {
    // Asks the WMS rather than trusting the run's facts: a fulfilment created by a step that was
    // in flight when the cancellation arrived is cancelled too.
    const data = await ctx.gateway.request<{ order: { fulfillments: { fulfillmentId: string; status: string }[] } | null }>(ORDER_FULFILMENTS, {
      n: ctx.orderNumber,
    });
    const open = (data.order?.fulfillments ?? []).filter((f) => f.status !== "CANCELLED" && f.status !== "SHIPPED");
    const cancelled: string[] = [];
    for (const fulfilment of open) {
      try {
        await ctx.gateway.request(CANCEL_FULFILLMENT, { id: fulfilment.fulfillmentId, reason: `Order ${ctx.orderNumber} cancelled in the ERP` });
        cancelled.push(fulfilment.fulfillmentId);
      } catch (error) {
        if (error instanceof PermanentStepError && error.code === "INVALID_STATE") continue;
        throw error;
      }
    }
    return { output: { cancelled } };
  },
};

const timelineCancelled: StepDefinition = {
  async run(ctx) {
    await addTimelineEntry(ctx, {
      kind: "ORDER_CANCELLED",
      summary: `Order ${ctx.orderNumber} cancelled; warehouse work withdrawn`,
      occurredAt: text(ctx.input["occurredAt"]),
    });
    return {};
  },
};

export const cancellationSteps = { cancelFulfillment, timelineCancelled };
