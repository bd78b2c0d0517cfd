// Writes routed to the owning system, through the gateway: happy paths, typed validation
// errors that write nothing, idempotency, and the read model following each write.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Decimal } from "@crossdock/schema";
import { graphql, graphqlData } from "../src/index.js";
import { BACKENDS, backendAvailable, eventually, startTestHub, type TestHub } from "./hubHarness.js";

const SUBMIT = `mutation($input: SubmitOrderInput!) { submitOrder(input: $input) {
  outcome reason message changeCursor order { orderNumber status total warehouseCode lines { product { sku } quantity unitPrice } } } }`;
const POSITION = `query($sku: ID!, $wh: ID!) { inventoryPosition(sku: $sku, warehouseCode: $wh) { onHand allocated available sourceCommittedAt } }`;
const AWAIT = `query($c: String!) { awaitChangeCursor(changeCursor: $c, timeoutMs: 5000) { applied waitedMs } }`;

interface Position {
  onHand: string;
  allocated: string;
  available: string;
}

for (const backend of BACKENDS) {
  describe.skipIf(!(await backendAvailable(backend)))(`writes through the gateway (${backend})`, () => {
    let t: TestHub;
    let customerNumber: string;
    let stocked: { sku: string; warehouseCode: string; onHand: string };

    beforeAll(async () => {
      t = await startTestHub(backend);
      const data = await graphqlData<{
        customers: { edges: { node: { customerNumber: string; creditLimit: string; openBalance: string } }[] };
        inventoryPositions: { edges: { node: any }[] };
      }>(
        t.url,
        `{ customers(status: ACTIVE, first: 50) { edges { node { customerNumber creditLimit openBalance } } }
           inventoryPositions(first: 50) { edges { node { sku warehouseCode onHand available } } } }`,
      );
      const roomy = data.customers.edges
        .map((e) => e.node)
        .sort((a, b) => new Decimal(b.creditLimit).minus(b.openBalance).cmp(new Decimal(a.creditLimit).minus(a.openBalance)));
      customerNumber = roomy[0]!.customerNumber;
      const position = data.inventoryPositions.edges.map((e) => e.node).find((p) => new Decimal(p.available).gt(10))!;
      stocked = { sku: position.sku, warehouseCode: position.warehouseCode, onHand: position.onHand };
    });
    afterAll(async () => t?.stop());

    const position = async (sku = stocked.sku, wh = stocked.warehouseCode) =>
      (await graphqlData<{ inventoryPosition: Position }>(t.url, POSITION, { sku, wh })).inventoryPosition;

    it("releases an order, raises the open balance and the read model's allocation; a retry changes nothing", async () => {
      const before = await position();
      const { customer: customerBefore } = await graphqlData<{ customer: { openBalance: string } }>(
        t.url,
        `query($c: ID!) { customer(customerNumber: $c) { openBalance } }`,
        { c: customerNumber },
      );
      const input = {
        idempotencyKey: randomUUID(),
        customerNumber,
        warehouseCode: stocked.warehouseCode,
        lines: [{ sku: stocked.sku, quantity: "3" }],
        requestedBy: "e2e",
      };
      const first = await graphqlData<{ submitOrder: any }>(t.url, SUBMIT, { input });
      expect(first.submitOrder.outcome).toBe("RELEASED");
      expect(first.submitOrder.order.status).toBe("RELEASED");
      expect(first.submitOrder.order.lines[0].quantity).toBe("3");
      const total = first.submitOrder.order.total;
      const { customer } = await graphqlData<{ customer: { openBalance: string } }>(t.url, `query($c: ID!) { customer(customerNumber: $c) { openBalance } }`, {
        c: customerNumber,
      });
      expect(new Decimal(customer.openBalance).minus(customerBefore.openBalance).eq(total)).toBe(true);

      const waited = await graphqlData<{ awaitChangeCursor: { applied: boolean } }>(t.url, AWAIT, { c: first.submitOrder.changeCursor });
      expect(waited.awaitChangeCursor.applied).toBe(true);
      const after = await position();
      expect(new Decimal(after.allocated).minus(before.allocated).eq(3)).toBe(true);
      expect(new Decimal(after.available).eq(new Decimal(before.available).minus(3))).toBe(true);
      const status = await graphqlData<{ orderStatus: { stage: string } }>(t.url, `query($n: ID!) { orderStatus(orderNumber: $n) { stage } }`, {
        n: first.submitOrder.order.orderNumber,
      });
      expect(status.orderStatus.stage).toBe("RELEASED");

      const replay = await graphqlData<{ submitOrder: any }>(t.url, SUBMIT, { input });
      expect(replay.submitOrder.order.orderNumber).toBe(first.submitOrder.order.orderNumber);
      expect(replay.submitOrder.changeCursor).toBe(first.submitOrder.changeCursor);
      const { customer: again } = await graphqlData<{ customer: { openBalance: string } }>(
        t.url,
        `query($c: ID!) { customer(customerNumber: $c) { openBalance } }`,
        { c: customerNumber },
      );
      expect(again.openBalance).toBe(customer.openBalance);

      const reused = await graphql(t.url, SUBMIT, { input: { ...input, lines: [{ sku: stocked.sku, quantity: "4" }] } });
      expect(reused.errors?.[0]?.extensions?.code).toBe("IDEMPOTENCY_KEY_REUSED");
    });

    it("holds an order when the credit limit is exceeded and says why", async () => {
      await graphqlData(t.url, `mutation($c: ID!) { setCreditLimit(customerNumber: $c, creditLimit: "0") { creditLimit } }`, { c: customerNumber });
      const result = await graphqlData<{ submitOrder: any }>(t.url, SUBMIT, {
        input: { idempotencyKey: randomUUID(), customerNumber, lines: [{ sku: stocked.sku, quantity: "1" }] },
      });
      expect(result.submitOrder.outcome).toBe("CREDIT_HOLD");
      expect(result.submitOrder.reason).toBe("CREDIT_LIMIT_EXCEEDED");
      expect(result.submitOrder.order.status).toBe("CREDIT_HOLD");
      await graphqlData(t.url, `mutation($c: ID!) { setCreditLimit(customerNumber: $c, creditLimit: "100000000") { creditLimit } }`, { c: customerNumber });
    });

    it("rejects unknown SKUs as an outcome and bad input as typed errors, writing nothing", async () => {
      const ordersBefore = await graphqlData<{ orders: { edges: unknown[] } }>(
        t.url,
        `query($c: ID!) { orders(customerNumber: $c, first: 500) { edges { cursor } } }`,
        { c: customerNumber },
      );
      const unknownSku = await graphqlData<{ submitOrder: any }>(t.url, SUBMIT, {
        input: { idempotencyKey: randomUUID(), customerNumber, lines: [{ sku: "NO-SUCH-SKU", quantity: "1" }] },
      });
      expect(unknownSku.submitOrder).toMatchObject({ outcome: "REJECTED", reason: "UNKNOWN_SKU", order: null });
      // A rejection is a write the read model sees too (its audit entry), so read-your-writes answers.
      const waited = await graphqlData<{ awaitChangeCursor: { applied: boolean } }>(t.url, AWAIT, { c: unknownSku.submitOrder.changeCursor });
      expect(waited.awaitChangeCursor.applied).toBe(true);

      const cases: [Record<string, unknown>, string][] = [
        [{ lines: [{ sku: stocked.sku, quantity: "-2" }] }, "INVALID_QUANTITY"],
        [{ lines: [{ sku: stocked.sku, quantity: "abc" }] }, "INVALID_DECIMAL"],
        [{ lines: [{ sku: stocked.sku, quantity: "1" }], warehouseCode: "NOPE" }, "UNKNOWN_WAREHOUSE"],
        [{ lines: [{ sku: stocked.sku, quantity: "1" }], customerNumber: "C-00000" }, "UNKNOWN_CUSTOMER"],
      ];
      for (const [override, code] of cases) {
        const result = await graphql(t.url, SUBMIT, { input: { idempotencyKey: randomUUID(), customerNumber, ...override } });
        expect(result.errors?.[0]?.extensions?.code, JSON.stringify(override)).toBe(code);
        expect(JSON.stringify(result.errors)).not.toMatch(/prisma|SELECT|INSERT|\bat .*\.ts/i);
      }
      const badEnum = await graphql(
        t.url,
        `
          {
            orders(status: SHIPPPED) {
              edges {
                cursor
              }
            }
          }
        `,
      );
      expect(badEnum.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
      const ordersAfter = await graphqlData<{ orders: { edges: unknown[] } }>(
        t.url,
        `query($c: ID!) { orders(customerNumber: $c, first: 500) { edges { cursor } } }`,
        { c: customerNumber },
      );
      expect(ordersAfter.orders.edges.length).toBe(ordersBefore.orders.edges.length);
    });

    it("shows a WMS stock adjustment in the read model's inventory position", async () => {
      const before = await position();
      const adjust = `mutation($input: AdjustInventoryInput!) { adjustInventory(input: $input) { onHand } }`;
      const input = { sku: stocked.sku, warehouseCode: stocked.warehouseCode, quantityDelta: "7", reason: "Cycle count", idempotencyKey: randomUUID() };
      const result = await graphqlData<{ adjustInventory: { onHand: string } }>(t.url, adjust, { input });
      expect(new Decimal(result.adjustInventory.onHand).eq(new Decimal(before.onHand).plus(7))).toBe(true);
      const after = await eventually(position, (p) => p.onHand === result.adjustInventory.onHand, 1000);
      expect(after.onHand).toBe(result.adjustInventory.onHand);
      expect(new Decimal(after.available).eq(new Decimal(before.available).plus(7))).toBe(true);
      const again = await graphqlData<{ adjustInventory: { onHand: string } }>(t.url, adjust, { input });
      expect(again.adjustInventory.onHand).toBe(result.adjustInventory.onHand);
      const negative = await graphql(t.url, adjust, { input: { ...input, idempotencyKey: randomUUID(), quantityDelta: "-999999" } });
      expect(negative.errors?.[0]?.extensions?.code).toBe("INSUFFICIENT_STOCK");
      const unknownWarehouse = await graphql(t.url, adjust, { input: { ...input, idempotencyKey: randomUUID(), warehouseCode: "XXX9" } });
      expect(unknownWarehouse.errors?.[0]?.extensions?.code).toBe("UNKNOWN_WAREHOUSE");
    });

    it("follows an order through its stages in the read model", async () => {
      const submitted = await graphqlData<{ submitOrder: any }>(t.url, SUBMIT, {
        input: { idempotencyKey: randomUUID(), customerNumber, warehouseCode: stocked.warehouseCode, lines: [{ sku: stocked.sku, quantity: "2" }] },
      });
      const orderNumber = submitted.submitOrder.order.orderNumber;
      const stage = async () =>
        (await graphqlData<{ orderStatus: { stage: string } | null }>(t.url, `query($n: ID!) { orderStatus(orderNumber: $n) { stage } }`, { n: orderNumber }))
          .orderStatus?.stage;
      expect(await eventually(stage, (s) => s === "RELEASED")).toBe("RELEASED");
      const created = await graphqlData<{ createFulfillment: { fulfillmentId: string } }>(
        t.url,
        `mutation($input: CreateFulfillmentInput!) { createFulfillment(input: $input) { fulfillmentId } }`,
        { input: { orderNumber, warehouseCode: stocked.warehouseCode, lines: [{ sku: stocked.sku, quantity: "2" }], idempotencyKey: randomUUID() } },
      );
      const fulfillmentId = created.createFulfillment.fulfillmentId;
      await graphqlData(t.url, `mutation($input: ConfirmPickInput!) { confirmPick(input: $input) { status } }`, {
        input: { fulfillmentId, lines: [{ sku: stocked.sku, quantity: "2" }], idempotencyKey: randomUUID() },
      });
      expect(await eventually(stage, (s) => s === "PICKING")).toBe("PICKING");
      const shipped = await graphqlData<{ shipFulfillment: { shipmentId: string } }>(
        t.url,
        `mutation($input: ShipFulfillmentInput!) { shipFulfillment(input: $input) { shipmentId } }`,
        { input: { fulfillmentId, carrier: "UPS", trackingNumber: "1Z999", idempotencyKey: randomUUID() } },
      );
      expect(await eventually(stage, (s) => s === "SHIPPED")).toBe("SHIPPED");
      const milestone = `mutation($input: ShipmentMilestoneInput!) { recordShipmentMilestone(input: $input) { status } }`;
      await graphqlData(t.url, milestone, {
        input: { shipmentId: shipped.shipFulfillment.shipmentId, code: "EXCEPTION", note: "Consignee closed", idempotencyKey: randomUUID() },
      });
      expect(await eventually(stage, (s) => s === "EXCEPTION")).toBe("EXCEPTION");
      await graphqlData(t.url, milestone, { input: { shipmentId: shipped.shipFulfillment.shipmentId, code: "DELIVERED", idempotencyKey: randomUUID() } });
      expect(await eventually(stage, (s) => s === "DELIVERED")).toBe("DELIVERED");
    });
  });
}
