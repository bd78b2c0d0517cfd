// Trusted documents on the whole hub (PGlite) under CROSSDOCK_SAFELIST=enforce: a partner-style
// app (the warehouse role, no graph:explore) runs listed queries and subscriptions by id and is
// refused anything else, over HTTP, graphql-ws and SSE, with nothing written or streamed; the
// token Sandbox opens with (the analyst's) still runs free-form operations; the hub's own flows
// run, their operations listed by the hub (launcher/first-party-operations.json).
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { operationId } from "@crossdock/gateway";
import { bearer, graphql, graphqlData, roleToken } from "../src/index.js";
import { startTestHub, type TestHub } from "./hubHarness.js";
import { activeFulfillments, orderWhen, pickAndShip, seededCustomerAndStock, submit } from "./flowsSupport.js";
import { adjustInventory, collect, graphqlSseClient, graphqlWsClient, stockedPositions, subscribed, type PositionKey } from "./subscriptionsClients.js";

const RECENT_ORDERS = "query RecentOrders { orders(first: 3) { edges { node { orderNumber status } } } }";
const STOCK_WATCH = "subscription StockWatch($sku: ID) { inventoryChanged(sku: $sku) { position { sku onHand } } }";
const UNLISTED_WATCH = "subscription { inventoryChanged { position { sku onHand available } } }";
const ON_HAND = `query($sku: ID!) { inventoryPositions(sku: $sku, first: 5) { edges { node { sku warehouseCode onHand } } } }`;

const byId = (body: string) => ({ persistedQuery: { version: 1, sha256Hash: operationId(body) } });

describe("trusted documents on the hub (enforce)", () => {
  let t: TestHub;
  let dir: string;
  let warehouse: string;
  let position: PositionKey;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "crossdock-trusted-"));
    const manifest = join(dir, "manifest.json");
    const operations = [
      { name: "RecentOrders", type: "query", body: RECENT_ORDERS },
      { name: "StockWatch", type: "subscription", body: STOCK_WATCH },
    ].map((op) => ({ id: operationId(op.body), ...op }));
    writeFileSync(manifest, JSON.stringify({ format: "apollo-persisted-query-manifest", version: 1, operations }));
    t = await startTestHub("pglite", 0.02, { CROSSDOCK_PERSISTED_OPERATIONS: manifest, CROSSDOCK_SAFELIST: "enforce", FLOWS_ENABLED: "1" });
    warehouse = await roleToken(t.hub, "warehouse");
    // The suite's default caller holds every scope, graph:explore included: free-form setup works.
    [position] = (await stockedPositions(t.url, 1)) as [PositionKey];
  });
  afterAll(async () => {
    await t?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => subscribed(t.url, 0));

  const onHand = async () => {
    const data = await graphqlData<{ inventoryPositions: { edges: { node: { warehouseCode: string; onHand: string } }[] } }>(t.url, ON_HAND, {
      sku: position.sku,
    });
    return data.inventoryPositions.edges.find((e) => e.node.warehouseCode === position.warehouseCode)?.node.onHand;
  };

  it("runs a listed query by id and refuses unlisted operations, writing nothing", async () => {
    const response = await fetch(t.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...bearer(warehouse) },
      body: JSON.stringify({ extensions: byId(RECENT_ORDERS) }),
    });
    const listed = (await response.json()) as { data: { orders: { edges: { node: { orderNumber: string } }[] } } };
    expect(listed.data.orders.edges).toHaveLength(3);
    const before = await onHand();
    const mutation = await graphql(
      t.url,
      `
        mutation ($input: AdjustInventoryInput!) {
          adjustInventory(input: $input) {
            onHand
          }
        }
      `,
      { input: { sku: position.sku, warehouseCode: position.warehouseCode, quantityDelta: "-1", reason: "unlisted", idempotencyKey: randomUUID() } },
      bearer(warehouse),
    );
    expect(mutation.status).toBe(400);
    expect(mutation.errors?.[0]?.extensions?.code).toBe("PERSISTED_QUERY_NOT_IN_LIST");
    expect(mutation.data).toBeUndefined();
    expect(await onHand()).toBe(before);
    expect((await graphql(t.url, "{ orders(first: 1) { edges { node { orderNumber } } } }", {}, bearer(warehouse))).errors?.[0]?.extensions?.code).toBe(
      "PERSISTED_QUERY_NOT_IN_LIST",
    );
  });

  it("lets the token Sandbox opens with (the analyst's, graph:explore) run free-form operations", async () => {
    const analyst = t.hub.identity?.demoTokens.analyst?.token;
    expect(analyst).toBeDefined();
    const answer = await graphql<{ orders: { edges: unknown[] } }>(t.url, "{ orders(first: 2) { edges { node { orderNumber } } } }", {}, bearer(analyst!));
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.orders.edges).toHaveLength(2);
  });

  it("streams a listed subscription sent by id, and refuses an unlisted one over graphql-ws and SSE", async () => {
    const client = graphqlWsClient(t.url, bearer(warehouse));
    const events: unknown[] = [];
    const errors: unknown[] = [];
    const stop = client.subscribe(
      { query: "", variables: { sku: position.sku }, extensions: byId(STOCK_WATCH) },
      { next: (value) => void events.push(value), error: (error) => void errors.push(error), complete: () => undefined },
    );
    await subscribed(t.url, 1);
    const unlisted = collect(client, UNLISTED_WATCH);
    await unlisted.ended();
    expect(JSON.stringify(unlisted.errors)).toContain("PERSISTED_QUERY_NOT_IN_LIST");
    const overSse = collect(graphqlSseClient(t.url, bearer(warehouse)), UNLISTED_WATCH);
    await overSse.ended();
    expect(JSON.stringify(overSse.errors)).toContain("PERSISTED_QUERY_NOT_IN_LIST");
    // Only the listed subscription is open, and only it sees the change.
    await subscribed(t.url, 1);
    await adjustInventory(t.url, position.sku, position.warehouseCode, "-1");
    const deadline = Date.now() + 10_000;
    while (events.length === 0 && errors.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(errors).toEqual([]);
    expect(events[0]).toMatchObject({ data: { inventoryChanged: { position: { sku: position.sku } } } });
    expect(unlisted.events).toEqual([]);
    expect(overSse.events).toEqual([]);
    stop();
    await client.dispose();
  });

  it("runs the hub's own flows: their operations are listed by the hub", async () => {
    const seeded = await seededCustomerAndStock(t.url);
    const submitted = await submit(t.url, seeded, "1");
    expect(submitted.outcome).toBe("RELEASED");
    const orderNumber = submitted.order.orderNumber as string;
    const released = await orderWhen(t.url, orderNumber, (o) => activeFulfillments(o).length === 1);
    await pickAndShip(t.url, activeFulfillments(released)[0]);
    const shipped = await orderWhen(t.url, orderNumber, (o) => o.invoice !== null && o.timeline.some((e: { kind: string }) => e.kind === "SHIPMENT_SHIPPED"));
    expect(shipped.status).toBe("INVOICED");
    const codes = shipped.flowRuns.flatMap((run: any) => run.steps.flatMap((step: any) => step.attemptLog.map((attempt: any) => attempt.errorCode)));
    expect(codes).not.toContain("PERSISTED_QUERY_NOT_IN_LIST");
  });
});
