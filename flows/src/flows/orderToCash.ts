// Order-to-cash: a RELEASED ERP order becomes a WMS fulfilment at the order's warehouse; each
// WMS shipment is recorded in the ERP (quantities, ledger, status, invoice); the CRM timeline
// gets release, shipment (carrier, tracking) and delivery milestones. The run finishes when
// the read model says the order is DELIVERED. Cancellation is in cancellation.ts.
import type { FeedEvent, FlowDefinition, RunTrigger, StepDefinition } from "../engine/types.js";
import { PermanentStepError } from "../engine/types.js";
import { cancellationSteps, routeCancellation } from "./cancellation.js";
import { addTimelineEntry, record, requireText, text } from "./support.js";

export const ORDER_TO_CASH = "orderToCash";

const ORDER_FOR_FULFILMENT = `query($n: ID!) { order(orderNumber: $n) { status warehouseCode customer { customerNumber } lines { quantity product { sku } } } }`;
const CREATE_FULFILLMENT = `mutation($input: CreateFulfillmentInput!) { createFulfillment(input: $input) { fulfillmentId } }`;
const CANCEL_FULFILLMENT = `mutation($id: ID!, $reason: String!) { cancelFulfillment(fulfillmentId: $id, reason: $reason) { status } }`;
const SHIPMENT_DETAIL = `query($id: ID!) { shipment(shipmentId: $id) { carrier trackingNumber lines { sku quantity } } }`;
const RECORD_SHIPMENT = `mutation($input: RecordShipmentInput!) { recordShipment(input: $input) { order { status } invoice { invoiceNumber } } }`;

interface OrderForFulfilment {
  status: string;
  warehouseCode: string;
  customer: { customerNumber: string };
  lines: { quantity: string; product: { sku: string } }[];
}

const createFulfillment: StepDefinition = {
  async run(ctx) {
    // The release event's warehouse and lines when it carried them: one gateway call. An order
    // cancelled meanwhile gets its fulfilment withdrawn by the cancellation steps that follow. An
    // operator's re-run (a later generation, maybe long after) asks the ERP where the order is now.
    const released = releasedOrder(ctx.input);
    const customerNumber = ctx.customerNumber ?? text(ctx.facts["customerNumber"]);
    let order: { warehouseCode: string; customerNumber: string; lines: { sku: string; quantity: string }[] };
    if (released && customerNumber && ctx.generation === 0) {
      order = { ...released, customerNumber };
    } else {
      const data = await ctx.gateway.request<{ order: OrderForFulfilment | null }>(ORDER_FOR_FULFILMENT, { n: ctx.orderNumber });
      if (!data.order) throw new PermanentStepError(`no order ${ctx.orderNumber}`, "UNKNOWN_ORDER");
      // Cancelled (or otherwise moved on) before the warehouse heard of it: nothing to fulfil.
      if (data.order.status !== "RELEASED")
        return { output: { skipped: `order is ${data.order.status}` }, facts: { customerNumber: data.order.customer.customerNumber } };
      order = {
        warehouseCode: data.order.warehouseCode,
        customerNumber: data.order.customer.customerNumber,
        lines: data.order.lines.map((line) => ({ sku: line.product.sku, quantity: line.quantity })),
      };
    }
    const input = { orderNumber: ctx.orderNumber, warehouseCode: order.warehouseCode, lines: order.lines, idempotencyKey: ctx.idempotencyKey };
    const data = await ctx.gateway.request<{ createFulfillment: { fulfillmentId: string } }>(CREATE_FULFILLMENT, { input });
    const fulfillmentId = data.createFulfillment.fulfillmentId;
    return {
      output: { fulfillmentId, warehouseCode: order.warehouseCode },
      facts: { fulfillmentId, warehouseCode: order.warehouseCode, customerNumber: order.customerNumber },
    };
  },
  async compensate(ctx) {
    const fulfillmentId = text(record(ctx.output)?.["fulfillmentId"]);
    if (!fulfillmentId) return;
    try {
      await ctx.gateway.request(CANCEL_FULFILLMENT, { id: fulfillmentId, reason: `Order-to-cash run ${ctx.runId} parked; fulfilment withdrawn` });
    } catch (error) {
      // Already shipped: the goods are gone, there is nothing left to withdraw.
      if (error instanceof PermanentStepError && error.code === "INVALID_STATE") return;
      throw error;
    }
  },
};

const timelineReleased: StepDefinition = {
  async run(ctx) {
    const warehouse = text(ctx.facts["warehouseCode"]);
    const fulfilment = text(ctx.facts["fulfillmentId"]);
    await addTimelineEntry(ctx, {
      kind: "ORDER_RELEASED",
      summary: `Order ${ctx.orderNumber} released${warehouse ? ` to warehouse ${warehouse}` : ""}${fulfilment ? ` (fulfilment ${fulfilment})` : ""}`,
      occurredAt: text(ctx.input["occurredAt"]),
    });
    return {};
  },
};

const recordShipment: StepDefinition = {
  async run(ctx) {
    const shipmentId = requireText(ctx.input, "shipmentId");
    // The shipment's creation event carries its carrier, tracking and manifest (what left, which
    // never changes): one gateway call. Entries without them (older ones) ask the WMS first.
    let shipment = shippedContents(ctx.input);
    if (!shipment) {
      const data = await ctx.gateway.request<{ shipment: ShippedContents | null }>(SHIPMENT_DETAIL, { id: shipmentId });
      if (!data.shipment) throw new PermanentStepError(`no shipment ${shipmentId}`, "UNKNOWN_SHIPMENT");
      shipment = data.shipment;
    }
    const data = await ctx.gateway.request<{ recordShipment: { order: { status: string }; invoice: { invoiceNumber: string } | null } }>(RECORD_SHIPMENT, {
      input: { orderNumber: ctx.orderNumber, shipmentId, lines: shipment.lines, idempotencyKey: ctx.idempotencyKey },
    });
    const result = { erpStatus: data.recordShipment.order.status, invoiceNumber: data.recordShipment.invoice?.invoiceNumber ?? null };
    return { output: result, facts: { [`shipment:${shipmentId}`]: { carrier: shipment.carrier, trackingNumber: shipment.trackingNumber } } };
  },
};

const timelineShipped: StepDefinition = {
  async run(ctx) {
    const shipmentId = requireText(ctx.input, "shipmentId");
    const detail = record(ctx.facts[`shipment:${shipmentId}`]);
    const carrier = text(detail?.["carrier"]) ?? "the carrier";
    const tracking = text(detail?.["trackingNumber"]);
    await addTimelineEntry(ctx, {
      kind: "SHIPMENT_SHIPPED",
      summary: `Shipment ${shipmentId} left the warehouse with ${carrier}${tracking ? `, tracking ${tracking}` : ""}`,
      occurredAt: text(ctx.input["occurredAt"]),
    });
    return {};
  },
};

const timelineMilestone: StepDefinition = {
  async run(ctx) {
    const shipmentId = requireText(ctx.input, "shipmentId");
    const code = requireText(ctx.input, "code");
    const location = text(ctx.input["location"]);
    const words = code.toLowerCase().replace(/_/g, " ");
    await addTimelineEntry(ctx, {
      kind: `SHIPMENT_${code}`,
      summary: `Shipment ${shipmentId}: ${words}${location ? ` at ${location}` : ""}`,
      occurredAt: text(ctx.input["occurredAt"]),
    });
    return {};
  },
};

interface ShippedContents {
  carrier: string;
  trackingNumber: string;
  lines: { sku: string; quantity: string }[];
}

/** The carrier, tracking number and manifest a shipment's creation event carries (older entries carry no manifest). */
function shippedContents(payload: Record<string, unknown>): ShippedContents | null {
  const carrier = text(payload["carrier"]);
  const trackingNumber = text(payload["trackingNumber"]);
  const lines = validLines(payload["lines"]);
  return carrier && trackingNumber && lines ? { carrier, trackingNumber, lines } : null;
}

/** [{ sku, quantity }] with both present in every line, or null. */
function validLines(value: unknown): { sku: string; quantity: string }[] | null {
  const lines = Array.isArray(value) ? value.map(record) : [];
  if (lines.length === 0 || lines.some((line) => !text(line?.["sku"]) || !text(line?.["quantity"]))) return null;
  return lines.map((line) => ({ sku: text(line!["sku"])!, quantity: text(line!["quantity"])! }));
}

/** The warehouse and lines a release event carries (older feed entries carry neither). */
function releasedOrder(payload: Record<string, unknown>): { warehouseCode: string; lines: { sku: string; quantity: string }[] } | null {
  const warehouseCode = text(payload["warehouseCode"]);
  const lines = validLines(payload["lines"]);
  return warehouseCode && lines ? { warehouseCode, lines } : null;
}

function routeOrderStatus(event: FeedEvent): RunTrigger[] {
  const p = event.payload;
  const orderNumber = text(p["orderNumber"]);
  if (!orderNumber) return [];
  const base = { flow: ORDER_TO_CASH, subjectKey: orderNumber, orderNumber, customerNumber: text(p["customerNumber"]) };
  if (p["erpStatus"] === "RELEASED" && p["stage"] === "RELEASED") {
    const occurredAt = event.occurredAt.toISOString();
    return [
      {
        ...base,
        create: true,
        milestones: { releasedAt: event.occurredAt },
        steps: [
          { name: "createFulfillment", kind: "createFulfillment", input: { occurredAt, ...releasedOrder(p) } },
          { name: "timelineReleased", kind: "timelineReleased", input: { occurredAt } },
        ],
      },
    ];
  }
  if (p["erpStatus"] === "CANCELLED") return routeCancellation(event, base);
  if (p["stage"] === "DELIVERED") return [{ ...base, create: false, facts: { done: true }, milestones: { deliveredAt: event.occurredAt } }];
  return [];
}

function routeShipment(event: FeedEvent): RunTrigger[] {
  const p = event.payload;
  const orderNumber = text(p["orderNumber"]);
  const shipmentId = text(p["shipmentId"]);
  if (!orderNumber || !shipmentId) return [];
  const milestone = record(p["milestone"]);
  const code = text(milestone?.["code"]) ?? (event.changeKind === "CREATED" ? "CREATED" : null);
  const occurredAt = text(milestone?.["occurredAt"]) ?? event.occurredAt.toISOString();
  // Shipments of orders released before flows ran still reach the ERP: the run starts here then.
  const base = { flow: ORDER_TO_CASH, subjectKey: orderNumber, orderNumber, create: true };
  if (code === "CREATED") {
    return [
      {
        ...base,
        milestones: { shippedAt: event.occurredAt },
        steps: [
          { name: `recordShipment:${shipmentId}`, kind: "recordShipment", input: { shipmentId, ...shippedContents(p) } },
          { name: `timelineShipped:${shipmentId}`, kind: "timelineShipped", input: { shipmentId, occurredAt } },
        ],
      },
    ];
  }
  if (code === "IN_TRANSIT" || code === "OUT_FOR_DELIVERY" || code === "DELIVERED") {
    const location = text(milestone?.["location"]);
    return [{ ...base, steps: [{ name: `timeline:${shipmentId}:${code}`, kind: "timelineMilestone", input: { shipmentId, code, location, occurredAt } }] }];
  }
  return [];
}

export const orderToCash: FlowDefinition = {
  name: ORDER_TO_CASH,
  entityTypes: ["OrderStatus", "Shipment"],
  steps: { createFulfillment, timelineReleased, recordShipment, timelineShipped, timelineMilestone, ...cancellationSteps },
  route: (event) => (event.entityType === "OrderStatus" ? routeOrderStatus(event) : event.entityType === "Shipment" ? routeShipment(event) : []),
};
