// One query for an order returns ERP status, lines and total, the CRM account owner, cases
// and timeline, and the WMS fulfilments and shipments — through the real gateway.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_SCOPES } from "@crossdock/platform";
import { Decimal } from "@crossdock/schema";
import { fetchMetrics, graphql, graphqlData, metricSum, principalHeaders } from "../src/index.js";
import { BACKENDS, backendAvailable, startTestHub, type TestHub } from "./hubHarness.js";

const ORDER_QUERY = `query($n: ID!) { order(orderNumber: $n) {
  orderNumber status total currency placedAt billingHold
  lines { lineNumber quantity unitPrice quantityShipped product { sku description listPrice } }
  invoice { invoiceNumber amount status }
  customer { customerNumber name status creditLimit openBalance account { accountId owner segment contacts { name email } } }
  cases { caseNumber subject status }
  timeline { kind summary occurredAt }
  fulfillments { fulfillmentId status warehouse { code name } shipments { shipmentId carrier trackingNumber status milestones { code occurredAt } } }
  statusView { stage }
} }`;

// The embedded hub's gateway calls its subgraphs in process; the last variant sends the same calls
// over loopback HTTP (CROSSDOCK_IN_PROCESS_CALLS=0, as separate processes do) and must answer the same.
const VARIANTS = [
  ...BACKENDS.map((backend) => ({ backend, label: backend, env: {} })),
  ...(BACKENDS.includes("pglite") ? [{ backend: "pglite" as const, label: "pglite, subgraphs over HTTP", env: { CROSSDOCK_IN_PROCESS_CALLS: "0" } }] : []),
];

for (const { backend, label, env } of VARIANTS) {
  describe.skipIf(!(await backendAvailable(backend)))(`federated queries (${label})`, () => {
    let t: TestHub;
    beforeAll(async () => {
      t = await startTestHub(backend, 0.05, env);
    });
    afterAll(async () => t?.stop());

    it("returns one order with ERP, CRM, WMS and read-model fields in one request", async () => {
      const list = await graphqlData<{ orders: { edges: { node: { orderNumber: string } }[] } }>(
        t.url,
        `{ orders(status: INVOICED, first: 20) { edges { node { orderNumber } } } }`,
      );
      expect(list.orders.edges.length).toBeGreaterThan(0);
      const orderNumber = list.orders.edges[0]!.node.orderNumber;
      const { order } = await graphqlData<{ order: any }>(t.url, ORDER_QUERY, { n: orderNumber });
      expect(order.orderNumber).toBe(orderNumber);
      expect(order.status).toBe("INVOICED");
      const lineTotal = order.lines.reduce((sum: Decimal, l: any) => sum.plus(new Decimal(l.quantity).mul(l.unitPrice)), new Decimal(0));
      expect(new Decimal(order.total).eq(lineTotal.toDecimalPlaces(2))).toBe(true);
      expect(order.lines.every((l: any) => l.product.description.length > 0 && l.quantityShipped === l.quantity)).toBe(true);
      expect(order.invoice.amount).toBe(order.total);
      expect(order.customer.account.owner).toMatch(/\w+ \w+/);
      expect(order.customer.account.contacts.length).toBeGreaterThan(0);
      expect(order.timeline.map((e: any) => e.kind)).toContain("ORDER_SUBMITTED");
      const times = order.timeline.map((e: any) => Date.parse(e.occurredAt));
      expect([...times].sort((a, b) => b - a)).toEqual(times);
      expect(order.fulfillments).toHaveLength(1);
      expect(order.fulfillments[0].shipments[0].trackingNumber).toMatch(/^[A-Z]{2}\d+$/);
      expect(order.fulfillments[0].shipments[0].milestones[0].code).toBe("CREATED");
      expect(["INVOICED", "DELIVERED", "EXCEPTION"]).toContain(order.statusView.stage);
    });

    it("serves products with WMS stock and read-model inventory side by side", async () => {
      const { products } = await graphqlData<{ products: { edges: { node: any }[] } }>(
        t.url,
        `{ products(first: 5) { edges { node { sku description stock { warehouse { code } onHand reserved } inventory { warehouseCode onHand allocated available } } } } }`,
      );
      for (const { node } of products.edges) {
        for (const level of node.stock) {
          const position = node.inventory.find((p: any) => p.warehouseCode === level.warehouse.code);
          expect(position, `${node.sku}@${level.warehouse.code}`).toBeDefined();
          expect(position.onHand).toBe(level.onHand);
          expect(new Decimal(position.available).eq(new Decimal(position.onHand).minus(position.allocated))).toBe(true);
        }
      }
    });

    it("lists erp, crm and wms in syncStatus", async () => {
      const { syncStatus } = await graphqlData<{ syncStatus: { sources: { source: string; lagMs: number; deadLetters: number }[] } }>(
        t.url,
        `{ syncStatus { sources { source lagMs lastEventAt deadLetters } } }`,
      );
      expect(syncStatus.sources.map((s) => s.source).sort()).toEqual(["crm", "erp", "wms"]);
      expect(syncStatus.sources.every((s) => s.deadLetters === 0)).toBe(true);
    });

    it("reports every source UP with lag 0 once caught up, and only to ops:admin", async () => {
      const query = `{ syncStatus { sources { source capture state lagMs pendingChanges behindBytes retainedWalBytes replicationSlot lastCheckedAt downReason } } }`;
      type Sources = { syncStatus: { sources: { source: string; capture: string; state: string; lagMs: number; retainedWalBytes: string | null }[] } };
      const caughtUp = (sources: Sources["syncStatus"]["sources"]) => sources.every((s) => s.state === "UP" && s.lagMs === 0);
      let last: Sources["syncStatus"]["sources"] = [];
      await expect
        .poll(async () => caughtUp((last = (await graphqlData<Sources>(t.url, query)).syncStatus.sources)), { timeout: 20_000, interval: 200 })
        .toBe(true);
      // pg-logical keeps WAL for its slot and says how much; the outbox has no slot.
      for (const source of last) expect(source.retainedWalBytes === null).toBe(source.capture !== "pg-logical");
      const notAdmin = { kind: "user" as const, subject: "no-ops-admin", scopes: ALL_SCOPES.filter((scope) => scope !== "ops:admin") };
      const refused = await graphql(t.hub.subgraphUrls.ops, query, undefined, principalHeaders(notAdmin));
      expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
      expect(refused.data ?? null).toBeNull();
    });

    it("resolves 100 order references with one SQL statement per entity type", async () => {
      const { orders } = await graphqlData<{ orders: { edges: { node: { orderNumber: string } }[] } }>(
        t.url,
        `{ orders(first: 100) { edges { node { orderNumber } } } }`,
      );
      expect(orders.edges).toHaveLength(100);
      const representations = orders.edges.map((e) => ({ __typename: "Order", orderNumber: e.node.orderNumber }));
      const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { orderNumber status total } } }`;
      const before = await fetchMetrics(t.hub.subgraphUrls.erp);
      const result = await graphql<{ _entities: { orderNumber: string }[] }>(t.hub.subgraphUrls.erp, query, { r: representations }, principalHeaders());
      const after = await fetchMetrics(t.hub.subgraphUrls.erp);
      expect(result.data?._entities.map((o) => o.orderNumber)).toEqual(representations.map((r) => r.orderNumber));
      const delta = (model: string) =>
        metricSum(after, "crossdock_sql_statements_total", { model }) - metricSum(before, "crossdock_sql_statements_total", { model });
      expect(delta("SalesOrder")).toBe(1);
    });
  });
}
