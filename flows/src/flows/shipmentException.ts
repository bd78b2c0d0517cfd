// Shipment exceptions: a carrier EXCEPTION milestone opens a CRM case on the order's customer
// (priority by order value) and puts the ERP order on billing hold; the case opening is the
// operations event on the change feed (a "Case" entry). Resolving that case, or a later
// DELIVERED milestone for the shipment, lifts the hold. One open exception run per shipment.
import { Decimal } from "@crossdock/schema";
import type { FeedEvent, FlowDefinition, RunLookup, RunTrigger, StepDefinition } from "../engine/types.js";
import { PermanentStepError } from "../engine/types.js";
import { record, requireText, text } from "./support.js";

export const SHIPMENT_EXCEPTION = "shipmentException";

const ORDER_VALUE = `query($n: ID!) { order(orderNumber: $n) { total currency customer { customerNumber } } }`;
const OPEN_CASE = `mutation($input: OpenCaseInput!) { openCase(input: $input) { caseNumber } }`;
const PLACE_HOLD = `mutation($input: BillingHoldInput!) { placeBillingHold(input: $input) { billingHold } }`;
const LIFT_HOLD = `mutation($input: BillingHoldInput!) { liftBillingHold(input: $input) { billingHold } }`;

/** Bigger orders get faster attention: the thresholds are in the order's currency. */
export function casePriorityFor(total: string): "LOW" | "MEDIUM" | "HIGH" | "URGENT" {
  const value = new Decimal(total);
  if (value.gte(10_000)) return "URGENT";
  if (value.gte(2_500)) return "HIGH";
  if (value.gte(500)) return "MEDIUM";
  return "LOW";
}

const openCase: StepDefinition = {
  async run(ctx) {
    const shipmentId = requireText(ctx.input, "shipmentId");
    const { order } = await ctx.gateway.request<{ order: { total: string; currency: string; customer: { customerNumber: string } } | null }>(ORDER_VALUE, {
      n: ctx.orderNumber,
    });
    if (!order) throw new PermanentStepError(`no order ${ctx.orderNumber}`, "UNKNOWN_ORDER");
    const where = text(ctx.input["location"]);
    const note = text(ctx.input["note"]);
    const data = await ctx.gateway.request<{ openCase: { caseNumber: string } }>(OPEN_CASE, {
      input: {
        customerNumber: order.customer.customerNumber,
        orderNumber: ctx.orderNumber,
        subject: `Shipment ${shipmentId} exception`,
        priority: casePriorityFor(order.total),
        description: `The carrier reported an exception${where ? ` at ${where}` : ""}${note ? `: ${note}` : ""}. Order value ${order.total} ${order.currency}; billing is on hold until this case is resolved or the shipment is delivered.`,
        idempotencyKey: ctx.idempotencyKey,
      },
    });
    const caseNumber = data.openCase.caseNumber;
    return { output: { caseNumber }, facts: { caseNumber, customerNumber: order.customer.customerNumber } };
  },
};

const placeBillingHold: StepDefinition = {
  async run(ctx) {
    const caseNumber = text(ctx.facts["caseNumber"]);
    await ctx.gateway.request(PLACE_HOLD, {
      input: {
        orderNumber: ctx.orderNumber,
        reason: `Shipment ${requireText(ctx.input, "shipmentId")} exception${caseNumber ? ` (case ${caseNumber})` : ""}`,
        idempotencyKey: ctx.idempotencyKey,
      },
    });
    return {};
  },
};

const liftBillingHold: StepDefinition = {
  async run(ctx) {
    await ctx.gateway.request(LIFT_HOLD, {
      input: { orderNumber: ctx.orderNumber, reason: requireText(ctx.input, "reason"), idempotencyKey: ctx.idempotencyKey },
    });
    return {};
  },
};

function lift(runs: Awaited<ReturnType<RunLookup["activeRuns"]>>, reason: string): RunTrigger[] {
  return runs.map((run) => ({
    flow: SHIPMENT_EXCEPTION,
    subjectKey: run.subjectKey,
    create: false,
    facts: { done: true, liftedBecause: reason },
    steps: [{ name: "liftBillingHold", kind: "liftBillingHold", input: { reason } }],
  }));
}

async function route(event: FeedEvent, lookup: RunLookup): Promise<RunTrigger[]> {
  const p = event.payload;
  if (event.entityType === "Case") {
    const caseNumber = text(p["caseNumber"]);
    if (p["status"] !== "RESOLVED" || !caseNumber) return [];
    const byCase = await lookup.activeRuns(SHIPMENT_EXCEPTION, { fact: ["caseNumber", caseNumber] });
    // The case may be resolved before this run recorded its number: match it by order then.
    const orderNumber = text(p["orderNumber"]);
    const byOrder =
      byCase.length === 0 && orderNumber ? (await lookup.activeRuns(SHIPMENT_EXCEPTION, { orderNumber })).filter((r) => !r.facts["caseNumber"]) : [];
    return lift([...byCase, ...byOrder], `Case ${caseNumber} resolved`);
  }
  const shipmentId = text(p["shipmentId"]);
  const orderNumber = text(p["orderNumber"]);
  const milestone = record(p["milestone"]);
  const code = text(milestone?.["code"]);
  if (!shipmentId || !orderNumber || !code) return [];
  const open = await lookup.activeRuns(SHIPMENT_EXCEPTION, { fact: ["shipmentId", shipmentId] });
  if (code === "DELIVERED") return lift(open, `Shipment ${shipmentId} delivered`);
  if (code !== "EXCEPTION" || open.length > 0) return [];
  return [
    {
      flow: SHIPMENT_EXCEPTION,
      // One run per exception event; the cursor makes the key deterministic on a re-read.
      subjectKey: `${shipmentId}@${event.cursor}`,
      orderNumber,
      create: true,
      facts: { shipmentId },
      steps: [
        { name: "openCase", kind: "openCase", input: { shipmentId, location: text(milestone?.["location"]), note: text(milestone?.["note"]) } },
        { name: "placeBillingHold", kind: "placeBillingHold", input: { shipmentId } },
      ],
    },
  ];
}

export const shipmentException: FlowDefinition = {
  name: SHIPMENT_EXCEPTION,
  entityTypes: ["Shipment", "Case"],
  steps: { openCase, placeBillingHold, liftBillingHold },
  route,
};
