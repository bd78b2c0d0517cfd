// Order amendment: an amendment the ERP accepted (lines, quantities, warehouse, or a credit
// hold it caused) goes on the CRM timeline, then the WMS is brought in line: the open fulfilment
// is withdrawn and a new one created for the order as it is now. When the warehouse refuses —
// picking has started, or the new warehouse lacks the stock — the run parks and its compensation
// puts the ERP order back as it was (an undo, which is never undone in turn) with a timeline entry.
import type { Facts, FeedEvent, FlowDefinition, RunTrigger, StepContext, StepDefinition } from "../engine/types.js";
import { PermanentStepError } from "../engine/types.js";
import { addTimelineEntry, record, requireText, text } from "./support.js";

export const ORDER_AMENDMENT = "orderAmendment";

const ORDER_AND_FULFILMENTS = `query($n: ID!) { order(orderNumber: $n) {
  status warehouseCode lines { quantity product { sku } }
  fulfillments { fulfillmentId status warehouse { code } lines { sku quantity } }
} }`;
const CREATE_FULFILLMENT = `mutation($input: CreateFulfillmentInput!) { createFulfillment(input: $input) { fulfillmentId } }`;
const CANCEL_FULFILLMENT = `mutation($id: ID!, $reason: String!) { cancelFulfillment(fulfillmentId: $id, reason: $reason) { status } }`;
const AMEND_ORDER = `mutation($input: AmendOrderInput!) { amendOrder(input: $input) { outcome amendmentNumber } }`;

interface Line {
  sku: string;
  quantity: string;
}

interface OrderAndFulfilments {
  status: string;
  warehouseCode: string;
  lines: { quantity: string; product: { sku: string } }[];
  fulfillments: { fulfillmentId: string; status: string; warehouse: { code: string }; lines: Line[] }[];
}

/** Fulfilments still holding stock for the order. */
const isOpen = (status: string) => status !== "CANCELLED" && status !== "SHIPPED";

/** Quantities per SKU (a fulfilment has one line per bin), compared as numbers. */
function sameQuantities(a: readonly Line[], b: readonly Line[]): boolean {
  const sum = (lines: readonly Line[]) => {
    const bySku = new Map<string, number>();
    for (const line of lines) bySku.set(line.sku, (bySku.get(line.sku) ?? 0) + Number(line.quantity));
    return bySku;
  };
  const [x, y] = [sum(a), sum(b)];
  return x.size === y.size && [...x].every(([sku, quantity]) => Math.abs((y.get(sku) ?? Number.NaN) - quantity) < 1e-9);
}

function linesOf(value: unknown): Line[] {
  return (Array.isArray(value) ? value.map(record) : []).flatMap((line) => {
    const sku = text(line?.["sku"]);
    const quantity = text(line?.["quantity"]);
    return sku && quantity ? [{ sku, quantity }] : [];
  });
}

const timelineAmended: StepDefinition = {
  async run(ctx) {
    const amendment = requireText(ctx.input, "amendmentNumber");
    const lines = linesOf(ctx.input["lines"]);
    const warehouse = text(ctx.input["warehouseCode"]);
    const moved = warehouse && warehouse !== text(ctx.input["previousWarehouseCode"]) ? ` to warehouse ${warehouse}` : "";
    const held = ctx.input["status"] === "CREDIT_HOLD" ? "; on credit hold" : "";
    await addTimelineEntry(ctx, {
      kind: "ORDER_AMENDED",
      summary:
        `Order ${ctx.orderNumber} amended (${amendment})${moved}: ${lines.map((l) => `${l.quantity} × ${l.sku}`).join(", ")}${held}. ${text(ctx.input["reason"]) ?? ""}`.trim(),
      occurredAt: text(ctx.input["occurredAt"]),
    });
    return {};
  },
  // The warehouse refused the change: the ERP order goes back to what it was, and the account team sees why.
  async compensate(ctx) {
    if (text(ctx.input["revertsAmendment"])) return;
    const amendment = requireText(ctx.input, "amendmentNumber");
    const previous = linesOf(ctx.input["previousLines"]);
    const warehouseCode = text(ctx.input["previousWarehouseCode"]);
    await ctx.gateway.request(AMEND_ORDER, {
      input: {
        orderNumber: ctx.orderNumber,
        idempotencyKey: ctx.idempotencyKey,
        lines: previous,
        warehouseCode,
        reason: `Amendment ${amendment} withdrawn: the warehouse could not take it`,
      },
    });
    await addTimelineEntry(ctx, {
      kind: "ORDER_AMENDMENT_WITHDRAWN",
      summary: `Amendment ${amendment} of order ${ctx.orderNumber} withdrawn: the warehouse refused it (picking had started or stock was short); the order is back as it was`,
    });
  },
};

/** Makes the WMS hold exactly one open fulfilment for a released order as it is now, and none for a held one. */
const adjustFulfilment: StepDefinition = {
  async run(ctx) {
    const data = await ctx.gateway.request<{ order: OrderAndFulfilments | null }>(ORDER_AND_FULFILMENTS, { n: ctx.orderNumber });
    const order = data.order;
    if (!order) throw new PermanentStepError(`no order ${ctx.orderNumber}`, "UNKNOWN_ORDER");
    // Cancelled or shipped meanwhile: the cancellation and shipment steps own the warehouse now.
    if (order.status !== "RELEASED" && order.status !== "CREDIT_HOLD") return { output: { skipped: `order is ${order.status}` } };
    if (order.fulfillments.length === 0) {
      // Never released to the warehouse: the release (order-to-cash) sends it as it is now.
      if (ctx.input["previousStatus"] !== "RELEASED") return { output: { skipped: "not yet released to the warehouse" } };
      // Released, but the release's fulfilment is not there yet: retried with backoff until it is.
      throw new Error(`order ${ctx.orderNumber} has no fulfilment yet`);
    }
    const wanted = order.lines.map((line) => ({ sku: line.product.sku, quantity: line.quantity }));
    const open = order.fulfillments.filter((f) => isOpen(f.status));
    const matches = (f: (typeof open)[number]) => f.warehouse.code === order.warehouseCode && sameQuantities(f.lines, wanted);
    if (order.status === "RELEASED" && open.length === 1 && matches(open[0]!)) return { output: { unchanged: open[0]!.fulfillmentId } };
    if (order.status === "CREDIT_HOLD" && open.length === 0) return { output: { unchanged: null } };
    const started = open.find((f) => f.status !== "RELEASED");
    if (started) throw new PermanentStepError(`fulfilment ${started.fulfillmentId} is ${started.status}: picking has started`, "INVALID_STATE");

    const cancelled: string[] = [];
    for (const fulfilment of open) {
      await ctx.gateway.request(CANCEL_FULFILLMENT, {
        id: fulfilment.fulfillmentId,
        reason: `Order ${ctx.orderNumber} amended (${text(ctx.input["amendmentNumber"])})`,
      });
      cancelled.push(fulfilment.fulfillmentId);
    }
    if (order.status === "CREDIT_HOLD") return { output: { cancelled } };
    const created = await createFulfilment(ctx, order.warehouseCode, wanted);
    return { output: { cancelled, fulfillmentId: created }, facts: { fulfillmentId: created, warehouseCode: order.warehouseCode } };
  },
};

async function createFulfilment(ctx: StepContext, warehouseCode: string, lines: Line[]): Promise<string> {
  const input = { orderNumber: ctx.orderNumber, warehouseCode, lines, idempotencyKey: ctx.idempotencyKey };
  const data = await ctx.gateway.request<{ createFulfillment: { fulfillmentId: string } }>(CREATE_FULFILLMENT, { input });
  return data.createFulfillment.fulfillmentId;
}

function route(event: FeedEvent): RunTrigger[] {
  const p = event.payload;
  const amendmentNumber = text(p["amendmentNumber"]);
  const orderNumber = text(p["orderNumber"]);
  if (!amendmentNumber || !orderNumber) return [];
  const input = { ...p, occurredAt: event.occurredAt.toISOString() } as Facts;
  return [
    {
      flow: ORDER_AMENDMENT,
      subjectKey: amendmentNumber,
      orderNumber,
      customerNumber: text(p["customerNumber"]),
      create: true,
      facts: { done: true },
      steps: [
        { name: "timelineAmended", kind: "timelineAmended", input },
        { name: "adjustFulfilment", kind: "adjustFulfilment", input },
      ],
    },
  ];
}

export const orderAmendment: FlowDefinition = { name: ORDER_AMENDMENT, entityTypes: ["OrderAmended"], steps: { timelineAmended, adjustFulfilment }, route };
