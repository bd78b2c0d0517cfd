// The flows' pure parts: backoff with jitter stays within its bounds, and each flow's router
// turns feed entries into the runs and steps the issue describes (and nothing for others).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffDelayMs } from "../src/engine/backoff.js";
import type { FeedEvent, RunLookup } from "../src/engine/types.js";
import { orderToCash } from "../src/flows/orderToCash.js";
import { crossesBelow, replenishment } from "../src/flows/replenishment.js";
import { returns } from "../src/flows/returns.js";
import { caseSla, MAX_SLA_ESCALATIONS } from "../src/flows/caseSla.js";
import { casePriorityFor, shipmentException } from "../src/flows/shipmentException.js";

const event = (entityType: string, payload: Record<string, unknown>, changeKind = "UPDATED"): FeedEvent => ({
  cursor: 42n,
  entityType,
  entityKey: "k",
  changeKind,
  occurredAt: new Date("2026-01-01T00:00:00Z"),
  payload,
});
const lookup = (runs: Awaited<ReturnType<RunLookup["activeRuns"]>> = []): RunLookup => ({
  activeRuns: async () => runs,
  reorderPoint: (sku) => (sku === "SKU-1" ? "20" : undefined),
});

describe("backoff", () => {
  it("is exponential, capped, and jittered within [half, full] of the nominal delay", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (attempt, random) => {
        const nominal = Math.min(5000, 100 * 2 ** (attempt - 1));
        const delay = backoffDelayMs({ baseMs: 100, maxMs: 5000 }, attempt, () => random);
        return delay >= Math.floor(nominal / 2) && delay <= nominal;
      }),
    );
    expect(backoffDelayMs({ baseMs: 100, maxMs: 5000 }, 3, () => 1)).toBe(400);
  });
});

describe("order-to-cash routing", () => {
  it("a RELEASED order starts a run with the fulfilment and release timeline steps", async () => {
    const [trigger] = await orderToCash.route(
      event("OrderStatus", { orderNumber: "SO-1", customerNumber: "C-1", stage: "RELEASED", erpStatus: "RELEASED" }, "CREATED"),
      lookup(),
    );
    expect(trigger).toMatchObject({ flow: "orderToCash", subjectKey: "SO-1", create: true, customerNumber: "C-1" });
    expect(trigger!.steps!.map((s) => s.name)).toEqual(["createFulfillment", "timelineReleased"]);
    // Without the order's warehouse and lines in the event, the step asks the ERP for them.
    expect(trigger!.steps![0]!.input).toEqual({ occurredAt: "2026-01-01T00:00:00.000Z" });
  });

  it("a release that carries the order's warehouse and lines hands them to the fulfilment step", async () => {
    const lines = [{ sku: "SKU-1", quantity: "2.000" }];
    const payload = { orderNumber: "SO-1", customerNumber: "C-1", stage: "RELEASED", erpStatus: "RELEASED", warehouseCode: "ATL1", lines };
    const [trigger] = await orderToCash.route(event("OrderStatus", payload, "CREATED"), lookup());
    expect(trigger!.steps![0]).toMatchObject({ kind: "createFulfillment", input: { occurredAt: "2026-01-01T00:00:00.000Z", warehouseCode: "ATL1", lines } });
    // A malformed line: the step falls back to asking the ERP.
    const [partial] = await orderToCash.route(event("OrderStatus", { ...payload, lines: [{ sku: "SKU-1" }] }, "CREATED"), lookup());
    expect(partial!.steps![0]!.input).toEqual({ occurredAt: "2026-01-01T00:00:00.000Z" });
  });

  it("a cancellation skips pending release steps and adds the fulfilment cancellation to an existing run only", async () => {
    const [trigger] = await orderToCash.route(event("OrderStatus", { orderNumber: "SO-1", stage: "CANCELLED", erpStatus: "CANCELLED" }), lookup());
    expect(trigger).toMatchObject({ create: false, skipPendingKinds: ["createFulfillment", "timelineReleased"], facts: { cancelled: true, done: true } });
    expect(trigger!.steps!.map((s) => s.kind)).toEqual(["cancelFulfillment", "timelineCancelled"]);
  });

  it("a new shipment is recorded in the ERP and on the timeline; milestones add timeline steps; DELIVERED stage finishes", async () => {
    const created = await orderToCash.route(
      event("Shipment", { shipmentId: "SH-1", orderNumber: "SO-1", status: "CREATED", milestone: { code: "CREATED" } }),
      lookup(),
    );
    expect(created[0]!.steps!.map((s) => s.name)).toEqual(["recordShipment:SH-1", "timelineShipped:SH-1"]);
    // Without carrier, tracking and manifest in the event, the step asks the WMS for them.
    expect(created[0]!.steps![0]!.input).toEqual({ shipmentId: "SH-1" });
    const delivered = await orderToCash.route(event("Shipment", { shipmentId: "SH-1", orderNumber: "SO-1", milestone: { code: "DELIVERED" } }), lookup());
    expect(delivered[0]!.steps!.map((s) => s.name)).toEqual(["timeline:SH-1:DELIVERED"]);
    const stage = await orderToCash.route(event("OrderStatus", { orderNumber: "SO-1", stage: "DELIVERED", erpStatus: "INVOICED" }), lookup());
    expect(stage[0]).toMatchObject({ create: false, facts: { done: true } });
    expect(await orderToCash.route(event("OrderStatus", { orderNumber: "SO-1", stage: "PICKING", erpStatus: "RELEASED" }), lookup())).toEqual([]);
  });
});

describe("order-to-cash routing: a shipment's contents", () => {
  it("a shipment event that carries carrier, tracking and manifest hands them to the ERP recording step", async () => {
    const lines = [
      { sku: "SKU-1", quantity: "2" },
      { sku: "SKU-2", quantity: "0.5" },
    ];
    const payload = {
      shipmentId: "SH-1",
      orderNumber: "SO-1",
      status: "CREATED",
      carrier: "UPS",
      trackingNumber: "1Z1",
      lines,
      milestone: { code: "CREATED" },
    };
    const [trigger] = await orderToCash.route(event("Shipment", payload), lookup());
    expect(trigger!.steps![0]).toEqual({
      name: "recordShipment:SH-1",
      kind: "recordShipment",
      input: { shipmentId: "SH-1", carrier: "UPS", trackingNumber: "1Z1", lines },
    });
    // Anything missing or malformed: the step falls back to asking the WMS.
    for (const broken of [{ lines: [{ sku: "SKU-1" }] }, { lines: [] }, { carrier: null }, { trackingNumber: "" }]) {
      const [fallback] = await orderToCash.route(event("Shipment", { ...payload, ...broken }), lookup());
      expect(fallback!.steps![0]!.input).toEqual({ shipmentId: "SH-1" });
    }
  });
});

describe("exception, returns and replenishment routing", () => {
  it("an EXCEPTION opens one run per shipment; a resolved case or a delivery lifts the hold", async () => {
    const exception = event("Shipment", { shipmentId: "SH-1", orderNumber: "SO-1", milestone: { code: "EXCEPTION", note: "wet" } });
    const [opened] = await shipmentException.route(exception, lookup());
    expect(opened!.steps!.map((s) => s.kind)).toEqual(["openCase", "placeBillingHold"]);
    const active = [
      {
        id: "shipmentException:SH-1@1",
        flow: "shipmentException",
        subjectKey: "SH-1@1",
        orderNumber: "SO-1",
        status: "RUNNING",
        facts: { caseNumber: "CS-1" },
      },
    ];
    expect(await shipmentException.route(exception, lookup(active))).toEqual([]);
    const [lifted] = await shipmentException.route(event("Case", { caseNumber: "CS-1", orderNumber: "SO-1", status: "RESOLVED" }), lookup(active));
    expect(lifted).toMatchObject({ subjectKey: "SH-1@1", create: false, facts: { done: true } });
    expect(lifted!.steps![0]!.kind).toBe("liftBillingHold");
    expect(casePriorityFor("12000.00")).toBe("URGENT");
    expect(casePriorityFor("120.00")).toBe("LOW");
  });

  it("a return receipt becomes a credit memo and a timeline entry; a purchase receipt starts nothing", async () => {
    const [run] = await returns.route(
      event("Receipt", { receiptNumber: "RC-1", kind: "RETURN", orderNumber: "SO-1", warehouseCode: "ATL1", lines: [{ sku: "S", quantity: "1" }] }),
      lookup(),
    );
    expect(run!.steps!.map((s) => s.kind)).toEqual(["createCreditMemo", "timelineReturned"]);
    expect(await returns.route(event("Receipt", { receiptNumber: "RC-2", kind: "PURCHASE", orderNumber: null }), lookup())).toEqual([]);
  });

  it("replenishment fires only when available crosses below the reorder point", async () => {
    expect(crossesBelow("19", "20", "20")).toBe(true);
    expect(crossesBelow("18", "19", "20")).toBe(false);
    expect(crossesBelow("19", null, "20")).toBe(true);
    expect(crossesBelow("5", "30", "0")).toBe(false);
    const [run] = await replenishment.route(
      event("InventoryPosition", { sku: "SKU-1", warehouseCode: "ATL1", available: "3", previousAvailable: "25" }),
      lookup(),
    );
    expect(run!.steps![0]).toMatchObject({ kind: "createPurchaseSuggestion", input: { sku: "SKU-1", warehouseCode: "ATL1", available: "3" } });
    expect(
      await replenishment.route(event("InventoryPosition", { sku: "SKU-9", warehouseCode: "ATL1", available: "3", previousAvailable: "25" }), lookup()),
    ).toEqual([]);
  });
});

describe("case SLA routing", () => {
  // Any time works (routing compares nothing with the clock); taken from the clock all the same.
  const due = new Date(Date.now() + 4 * 3_600_000).toISOString();
  const open = { caseNumber: "CS-000001", customerNumber: "C-1", orderNumber: null, status: "OPEN", escalationLevel: 0, slaDueAt: due };

  it("an open case with a due time gets one timer step at that time, named by its clock", async () => {
    const [trigger] = await caseSla.route(event("Case", open, "CREATED"), lookup());
    expect(trigger).toMatchObject({ flow: "caseSla", subjectKey: "CS-000001", create: true, customerNumber: "C-1" });
    expect(trigger!.steps).toEqual([
      { name: `escalateOnBreach@${due}`, kind: "escalateOnBreach", input: { caseNumber: "CS-000001", slaDueAt: due }, notBefore: due },
    ]);
    // Starting work keeps the clock: the same step name again, which adds nothing.
    const [started] = await caseSla.route(event("Case", { ...open, status: "IN_PROGRESS" }), lookup());
    expect(started!.steps![0]!.name).toBe(trigger!.steps![0]!.name);
  });

  it("resolving ends the run and skips the pending timer; no clock or too many escalations: nothing", async () => {
    const [resolved] = await caseSla.route(event("Case", { ...open, status: "RESOLVED", slaDueAt: null }), lookup());
    expect(resolved).toMatchObject({ create: false, facts: { done: true }, skipPendingKinds: ["escalateOnBreach"] });
    expect(await caseSla.route(event("Case", { ...open, slaDueAt: null }), lookup())).toEqual([]);
    expect(await caseSla.route(event("Case", { ...open, escalationLevel: MAX_SLA_ESCALATIONS }), lookup())).toEqual([]);
  });
});
