// The process layer end to end through the public API, on PGlite and on Postgres: order-to-cash
// (release → fulfilment → pick/ship → ERP shipped + invoiced → CRM timeline → delivered), shipment
// exceptions (case + billing hold, lifted on resolve), cancellation, returns and replenishment.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Decimal } from "@crossdock/schema";
import { fetchMetrics, graphql, graphqlData, metricSum } from "../src/index.js";
import { BACKENDS, backendAvailable, eventually, type TestHub } from "./hubHarness.js";
import { activeFulfillments, milestone, order, orderWhen, pickAndShip, runOf, startFlowsHub, submit, type Seeded } from "./flowsSupport.js";

for (const backend of BACKENDS) {
  describe.skipIf(!(await backendAvailable(backend)))(`flows (${backend})`, () => {
    let t: TestHub;
    let seeded: Seeded;

    beforeAll(async () => ({ t, seeded } = await startFlowsHub(backend)));
    afterAll(async () => t?.stop());

    it("order-to-cash: fulfilment, shipment recorded in the ERP with an invoice, CRM timeline, delivery completes the run", async () => {
      const key = randomUUID();
      const submitted = await submit(t.url, seeded, "3", key);
      expect(submitted.outcome).toBe("RELEASED");
      const orderNumber = submitted.order.orderNumber;
      const released = await orderWhen(t.url, orderNumber, (o) => activeFulfillments(o).length === 1);
      const [fulfillment] = activeFulfillments(released);
      expect(fulfillment.lines).toEqual([{ sku: seeded.sku, quantity: "3" }]);

      // Re-submitting with the same key returns the same order and starts nothing new.
      expect((await submit(t.url, seeded, "3", key)).order.orderNumber).toBe(orderNumber);

      const shipmentId = await pickAndShip(t.url, fulfillment);
      const shipped = await orderWhen(t.url, orderNumber, (o) => o.invoice !== null && o.timeline.some((e: any) => e.kind === "SHIPMENT_SHIPPED"));
      expect(shipped.status).toBe("INVOICED");
      expect(shipped.invoice.amount).toBe(shipped.total);
      expect(shipped.lines[0].quantityShipped).toBe("3");
      expect(shipped.timeline.find((e: any) => e.kind === "SHIPMENT_SHIPPED").summary).toContain("UPS");
      expect(shipped.timeline.filter((e: any) => e.kind === "ORDER_RELEASED")).toHaveLength(1);
      // The shipment's creation entry in the change feed carries its carrier, tracking and manifest,
      // and the step that records it in the ERP took them from there (no read of the WMS first).
      const hub = t.hub.subscriptionFeed.database;
      const [created] = await hub.query<{ payload: any }>(
        `SELECT "payload" FROM "ChangeFeedEntry" WHERE "entityType" = 'Shipment' AND "entityKey" = $1 AND "payload"->'milestone'->>'code' = 'CREATED'`,
        [shipmentId],
      );
      expect(created!.payload).toMatchObject({ carrier: "UPS", trackingNumber: expect.any(String), lines: [{ sku: seeded.sku, quantity: "3" }] });
      const [step] = await hub.query<{ input: any }>(`SELECT "input" FROM "FlowStep" WHERE "name" = $1`, [`recordShipment:${shipmentId}`]);
      expect(step!.input).toMatchObject({ shipmentId, carrier: "UPS", lines: [{ sku: seeded.sku, quantity: "3" }] });

      await milestone(t.url, shipmentId, "IN_TRANSIT");
      await milestone(t.url, shipmentId, "DELIVERED");
      const delivered = await orderWhen(t.url, orderNumber, (o) => runOf(o, "orderToCash")?.status === "COMPLETED");
      expect(delivered.timeline.map((e: any) => e.kind)).toEqual(expect.arrayContaining(["SHIPMENT_IN_TRANSIT", "SHIPMENT_DELIVERED"]));
      const run = runOf(delivered, "orderToCash");
      expect(run.steps.every((s: any) => s.status === "SUCCEEDED")).toBe(true);
      expect(run.steps[0].idempotencyKey).toBe(`flow:${run.runId}:createFulfillment`);
      const metrics = await graphqlData<any>(t.url, `{ flowMetrics { completed orderCycleTime { count p50Ms } fulfilmentLatency { count } } }`);
      expect(metrics.flowMetrics.orderCycleTime.count).toBeGreaterThanOrEqual(1);
      // The release-to-fulfilment SLI saw the fulfilment; the ERP booked the shipment in its ledger
      // as the WMS took it from stock, so the two still agree on every position.
      expect(metricSum(await fetchMetrics(t.hub.flows.url), "crossdock_flow_release_to_fulfilment_seconds_count")).toBeGreaterThanOrEqual(1);
      await t.hub.drainCapture();
      const opsMetrics = await fetchMetrics(t.hub.subgraphUrls.ops);
      expect(metricSum(opsMetrics, "crossdock_kpi_inventory_positions", { agreement: "disagree" })).toBe(0);
      expect(metricSum(opsMetrics, "crossdock_kpi_inventory_accuracy_ratio")).toBe(1);
    });

    it("a customer whose credit limit is 0 gets no RELEASED order and the payload says why; no flow starts", async () => {
      const other = await graphqlData<any>(t.url, `{ customers(status: ACTIVE, first: 5) { edges { node { customerNumber } } } }`);
      const customerNumber = other.customers.edges.map((e: any) => e.node.customerNumber).find((c: string) => c !== seeded.customerNumber);
      await graphqlData(t.url, `mutation($c: ID!) { setCreditLimit(customerNumber: $c, creditLimit: "0") { creditLimit } }`, { c: customerNumber });
      const submitted = await submit(t.url, { ...seeded, customerNumber });
      expect(submitted.outcome).toBe("CREDIT_HOLD");
      expect(submitted.reason).toBe("CREDIT_LIMIT_EXCEEDED");
      expect(submitted.message).toMatch(/exceeds the credit limit 0\.00/);
      await t.hub.drainCapture();
      const held = await order(t.url, submitted.order.orderNumber);
      expect(held.fulfillments).toEqual([]);
      expect(held.flowRuns).toEqual([]);
    });

    it("exception: a case linked to order and customer and a billing hold; resolving the case lifts the hold", async () => {
      const submitted = await submit(t.url, seeded);
      const orderNumber = submitted.order.orderNumber;
      const [fulfillment] = activeFulfillments(await orderWhen(t.url, orderNumber, (o) => activeFulfillments(o).length === 1));
      const shipmentId = await pickAndShip(t.url, fulfillment);
      await orderWhen(t.url, orderNumber, (o) => o.invoice !== null);
      await milestone(t.url, shipmentId, "EXCEPTION", "Package damaged");
      const held = await orderWhen(t.url, orderNumber, (o) => o.billingHold && o.cases.length === 1);
      expect(held.cases[0]).toMatchObject({ status: "OPEN", priority: expect.stringMatching(/LOW|MEDIUM|HIGH|URGENT/) });
      const { case: opened } = await graphqlData<any>(t.url, `query($c: ID!) { case(caseNumber: $c) { customer { customerNumber } order { orderNumber } } }`, {
        c: held.cases[0].caseNumber,
      });
      expect(opened).toEqual({ customer: { customerNumber: seeded.customerNumber }, order: { orderNumber } });

      await graphqlData(t.url, `mutation($c: ID!) { resolveCase(caseNumber: $c, resolution: "Carrier reshipped") { status } }`, {
        c: held.cases[0].caseNumber,
      });
      const lifted = await orderWhen(t.url, orderNumber, (o) => !o.billingHold && runOf(o, "shipmentException")?.status === "COMPLETED");
      expect(lifted.cases).toHaveLength(1);
    });

    it("exception: a later DELIVERED milestone lifts the hold too", async () => {
      const orderNumber = (await submit(t.url, seeded)).order.orderNumber;
      const [fulfillment] = activeFulfillments(await orderWhen(t.url, orderNumber, (o) => activeFulfillments(o).length === 1));
      const shipmentId = await pickAndShip(t.url, fulfillment);
      await milestone(t.url, shipmentId, "EXCEPTION");
      await orderWhen(t.url, orderNumber, (o) => o.billingHold);
      await milestone(t.url, shipmentId, "DELIVERED");
      // The hold is lifted in the ERP a moment before the exception run records that step: wait for both.
      const done = await orderWhen(
        t.url,
        orderNumber,
        (o) => !o.billingHold && runOf(o, "orderToCash")?.status === "COMPLETED" && runOf(o, "shipmentException")?.status !== "RUNNING",
      );
      expect(runOf(done, "shipmentException").status).toBe("COMPLETED");
      expect(done.invoice).not.toBeNull();
    });

    it("cancellation before shipment cancels the WMS fulfilment and releases the reserved stock and the open balance", async () => {
      const stock = async () =>
        (await graphqlData<any>(t.url, `query($s: ID!) { product(sku: $s) { stock { warehouse { code } reserved } } }`, { s: seeded.sku })).product.stock.find(
          (l: any) => l.warehouse.code === seeded.warehouseCode,
        ).reserved;
      const submitted = await submit(t.url, seeded, "4");
      const orderNumber = submitted.order.orderNumber;
      await orderWhen(t.url, orderNumber, (o) => activeFulfillments(o).length === 1);
      const reservedBefore = await stock();
      const balanceBefore = (await order(t.url, orderNumber)).customer.openBalance;
      await graphqlData(t.url, `mutation($n: ID!) { cancelOrder(orderNumber: $n, reason: "Customer changed their mind") { status } }`, { n: orderNumber });
      const cancelled = await orderWhen(t.url, orderNumber, (o) => runOf(o, "orderToCash")?.status === "CANCELLED");
      expect(cancelled.fulfillments.map((f: any) => f.status)).toEqual(["CANCELLED"]);
      expect(new Decimal(reservedBefore).minus(await stock()).eq(4)).toBe(true);
      expect(new Decimal(balanceBefore).minus(cancelled.customer.openBalance).eq(submitted.order.total)).toBe(true);
    });

    it("returns: a WMS return receipt becomes an ERP credit memo and a CRM timeline entry; the stock is available again", async () => {
      const orderNumber = (await submit(t.url, seeded, "2")).order.orderNumber;
      const [fulfillment] = activeFulfillments(await orderWhen(t.url, orderNumber, (o) => activeFulfillments(o).length === 1));
      await pickAndShip(t.url, fulfillment);
      const shipped = await orderWhen(t.url, orderNumber, (o) => o.invoice !== null);
      const position = async () =>
        (
          await graphqlData<any>(t.url, `query($s: ID!, $w: ID!) { inventoryPosition(sku: $s, warehouseCode: $w) { onHand available } }`, {
            s: seeded.sku,
            w: seeded.warehouseCode,
          })
        ).inventoryPosition;
      await t.hub.drainCapture();
      const before = await position();
      await graphqlData(t.url, `mutation($i: RecordReceiptInput!) { recordReceipt(input: $i) { receiptNumber } }`, {
        i: { warehouseCode: seeded.warehouseCode, kind: "RETURN", orderNumber, lines: [{ sku: seeded.sku, quantity: "1" }], idempotencyKey: randomUUID() },
      });
      const credited = await orderWhen(t.url, orderNumber, (o) => o.creditMemos.length === 1 && o.timeline.some((e: any) => e.kind === "RETURN_CREDITED"));
      const unitPrice = new Decimal(shipped.total).div(2);
      expect(new Decimal(credited.creditMemos[0].amount).eq(unitPrice)).toBe(true);
      const after = await eventually(position, (p) => new Decimal(p.onHand).gt(before.onHand));
      expect(new Decimal(after.onHand).minus(before.onHand).eq(1)).toBe(true);
      expect(new Decimal(after.available).minus(before.available).eq(1)).toBe(true);
    });

    it("replenishment: stock falling below the reorder point raises one ERP purchase suggestion, visible through GraphQL", async () => {
      const { product } = await graphqlData<any>(t.url, `query($s: ID!) { product(sku: $s) { reorderPoint inventory { warehouseCode available } } }`, {
        s: seeded.sku,
      });
      const available = new Decimal(product.inventory.find((p: any) => p.warehouseCode === seeded.warehouseCode).available);
      const drop = available.minus(product.reorderPoint).plus(1);
      const response = await graphql<any>(
        t.url,
        `
          mutation ($i: AdjustInventoryInput!) {
            adjustInventory(input: $i) {
              onHand
            }
          }
        `,
        {
          i: {
            sku: seeded.sku,
            warehouseCode: seeded.warehouseCode,
            quantityDelta: drop.negated().toFixed(),
            reason: "Cycle count: damaged",
            idempotencyKey: randomUUID(),
          },
        },
      );
      expect(response.errors).toBeUndefined();
      const suggestions = await eventually(
        async () =>
          (
            await graphqlData<any>(t.url, `query($s: ID!, $w: ID!) { purchaseSuggestions(sku: $s, warehouseCode: $w) { quantity status } }`, {
              s: seeded.sku,
              w: seeded.warehouseCode,
            })
          ).purchaseSuggestions,
        (list: any[]) => list.length > 0,
        15_000,
      );
      expect(suggestions).toHaveLength(1);
      expect(suggestions[0].status).toBe("OPEN");
      expect(new Decimal(suggestions[0].quantity).gte(product.reorderPoint)).toBe(true);
    });
  });
}
