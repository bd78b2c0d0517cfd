// Read side of the WMS subgraph against a real server and a seeded in-memory PGlite:
// queries, entity resolution, DataLoader batching, the seeded ledger, and that the
// hand-written migration matches schema.prisma.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "../src/__generated__/prisma/client.js";
import type { RunningWms } from "../src/server.js";
import { principalHeaders } from "@crossdock/test";
import { graphqlClient, sqlStatementCounts, startTestWms, statementDelta, errorCode } from "./support.js";

let wms: RunningWms;
let gql: ReturnType<typeof graphqlClient>;

beforeAll(async () => {
  wms = await startTestWms();
  gql = graphqlClient(wms.url);
});

afterAll(async () => {
  await wms?.stop();
});

describe("migration matches schema.prisma", () => {
  it("has every model's table with exactly its scalar fields as columns", async () => {
    const rows = await wms.database.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'`,
    );
    const actual = new Map<string, Set<string>>();
    for (const row of rows) actual.set(row.table_name, (actual.get(row.table_name) ?? new Set()).add(row.column_name));
    const namespace = Prisma as unknown as Record<string, Record<string, string>>;
    for (const model of Object.values(Prisma.ModelName)) {
      const fields = Object.values(namespace[`${model}ScalarFieldEnum`] ?? {});
      expect(fields.length, `${model} has scalar fields`).toBeGreaterThan(0);
      expect([...(actual.get(model) ?? [])].sort(), `columns of "${model}"`).toEqual([...fields].sort());
    }
  });

  it("stores quantities as numeric(18,3) and keeps the id sequences", async () => {
    const decimals = await wms.database.query<{ table_name: string; column_name: string; numeric_precision: number; numeric_scale: number }>(
      `SELECT table_name, column_name, numeric_precision, numeric_scale FROM information_schema.columns WHERE table_schema = 'public' AND data_type = 'numeric'`,
    );
    expect(decimals.length).toBeGreaterThanOrEqual(8);
    for (const column of decimals) expect([column.numeric_precision, column.numeric_scale], `${column.table_name}.${column.column_name}`).toEqual([18, 3]);
    const sequences = await wms.database.query<{ sequence_name: string }>(
      `SELECT sequence_name FROM information_schema.sequences WHERE sequence_name LIKE '%NumberSeq'`,
    );
    expect(sequences.map((s) => s.sequence_name).sort()).toEqual(["FulfillmentNumberSeq", "ShipmentNumberSeq"]);
  });
});

describe("seeded demo slice", () => {
  it("explains every stock row's onHand by its movements", async () => {
    const [row] = await wms.database.query<{ rows: number; unexplained: number }>(
      `SELECT count(*)::int AS rows, count(*) FILTER (WHERE s."onHand" <> coalesce(m.total, 0))::int AS unexplained
         FROM "Stock" s LEFT JOIN (SELECT sku, "warehouseCode", "binCode", sum(quantity) AS total FROM "StockMovement" GROUP BY 1, 2, 3) m
           ON m.sku = s.sku AND m."warehouseCode" = s."warehouseCode" AND m."binCode" = s."binCode"`,
    );
    expect(row!.rows).toBeGreaterThan(20);
    expect(row!.unexplained).toBe(0);
  });

  it("reserves exactly the unshipped quantities of open fulfilments", async () => {
    const [row] = await wms.database.query<{ mismatched: number }>(
      `SELECT count(*)::int AS mismatched FROM "Stock" s LEFT JOIN (
         SELECT l.sku, f."warehouseCode", l."binCode", sum(l.quantity - l."quantityShipped") AS open
           FROM "FulfillmentLine" l JOIN "FulfillmentOrder" f USING ("fulfillmentId")
          WHERE f.status IN ('RELEASED', 'PICKING', 'PICKED') GROUP BY 1, 2, 3) o
         ON o.sku = s.sku AND o."warehouseCode" = s."warehouseCode" AND o."binCode" = s."binCode"
        WHERE s.reserved <> coalesce(o.open, 0)`,
    );
    expect(row!.mismatched).toBe(0);
  });
});

describe("queries", () => {
  it("lists warehouses with their bins and finds one by code", async () => {
    const result = await gql(
      `{ warehouses { code name region bins { code warehouse { code } } } warehouse(code: "CHI1") { name region } missing: warehouse(code: "NOPE") { code } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.warehouses.map((w: { code: string }) => w.code)).toEqual(["ATL1", "CHI1", "RNO1"]);
    expect(result.data!.warehouses[0].bins).toHaveLength(24);
    expect(result.data!.warehouses[0].bins[0]).toEqual({ code: "A-01", warehouse: { code: "ATL1" } });
    expect(result.data!.warehouse).toEqual({ name: "Chicago Distribution Center", region: "MIDWEST" });
    expect(result.data!.missing).toBeNull();
  });

  it("finds a shipment with its milestones, fulfilment and order reference", async () => {
    const [seeded] = await wms.database.query<{ shipmentId: string; orderNumber: string; fulfillmentId: string }>(
      `SELECT "shipmentId", "orderNumber", "fulfillmentId" FROM "Shipment" WHERE status = 'DELIVERED' ORDER BY id LIMIT 1`,
    );
    const result = await gql(
      `query($id: ID!) { shipment(shipmentId: $id) { shipmentId order { orderNumber } fulfillment { fulfillmentId status } carrier trackingNumber status shippedAt deliveredAt milestones { code location occurredAt note } } }`,
      { id: seeded!.shipmentId },
    );
    expect(result.errors).toBeUndefined();
    const shipment = result.data!.shipment;
    expect(shipment.order).toEqual({ orderNumber: seeded!.orderNumber });
    expect(shipment.fulfillment).toEqual({ fulfillmentId: seeded!.fulfillmentId, status: "SHIPPED" });
    expect(shipment.milestones.map((m: { code: string }) => m.code)).toEqual(["CREATED", "IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED"]);
    expect(shipment.deliveredAt).toBe(shipment.milestones[3].occurredAt);
    expect((await gql(`{ shipment(shipmentId: "SH-NOPE") { shipmentId } }`)).data!.shipment).toBeNull();
  });

  it("shows a fulfilment with exact decimal lines", async () => {
    const result = await gql(
      `{ fulfillment(fulfillmentId: "FF-100005") { fulfillmentId order { orderNumber } warehouse { code } status lines { sku product { sku } binCode quantity quantityPicked quantityShipped } shipments { shipmentId } createdAt updatedAt } }`,
    );
    expect(result.errors).toBeUndefined();
    const fulfillment = result.data!.fulfillment;
    expect(fulfillment.order.orderNumber).toBe("SO-100005");
    expect(fulfillment.lines.length).toBeGreaterThan(0);
    for (const line of fulfillment.lines) {
      expect(line.quantity).toMatch(/^\d+(\.\d+)?$/);
      expect(line.product.sku).toBe(line.sku);
    }
  });

  it("pages the stock ledger newest first with opaque cursors and filters", async () => {
    const first = await gql(
      `{ stockMovements(sku: "SKU-00001", first: 1) { edges { cursor node { id sku quantity reason warehouse { code } product { sku } } } pageInfo { hasNextPage endCursor } } }`,
    );
    expect(first.errors).toBeUndefined();
    const page = first.data!.stockMovements;
    expect(page.edges).toHaveLength(1);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const next = await gql(
      `query($after: String) { stockMovements(sku: "SKU-00001", first: 100, after: $after) { edges { node { id sku } } pageInfo { hasNextPage endCursor } } }`,
      {
        after: page.pageInfo.endCursor,
      },
    );
    const ids = next.data!.stockMovements.edges.map((e: { node: { id: string } }) => Number(e.node.id));
    expect(ids.every((id: number) => id < Number(page.edges[0].node.id))).toBe(true);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    expect(next.data!.stockMovements.pageInfo.hasNextPage).toBe(false);
    expect(errorCode(await gql(`{ stockMovements(after: "garbage") { pageInfo { hasNextPage } } }`))).toBe("INVALID_CURSOR");
    const foreign = Buffer.from(JSON.stringify(["not-an-id"])).toString("base64url");
    expect(errorCode(await gql(`query($after: String) { stockMovements(after: $after) { pageInfo { hasNextPage } } }`, { after: foreign }))).toBe(
      "INVALID_CURSOR",
    );
    const filtered = await gql(`{ stockMovements(warehouseCode: "RNO1", first: 20) { edges { node { warehouseCode } } } }`);
    expect(filtered.data!.stockMovements.edges.every((e: { node: { warehouseCode: string } }) => e.node.warehouseCode === "RNO1")).toBe(true);
  });
});

describe("request targets", () => {
  it("answers an unreadable request target (GET //) with 400 and keeps serving", async () => {
    const { port } = new URL(wms.url);
    for (const target of ["//", "//a:b", "///graphql"]) {
      const status = await new Promise<number>((resolve, reject) => {
        const request = http.request({ host: "127.0.0.1", port: Number(port), path: target, method: "GET" }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        request.on("error", reject);
        request.end();
      });
      expect([400, 404]).toContain(status);
    }
    expect((await gql(`{ warehouses { code } }`)).data!.warehouses.length).toBeGreaterThan(0);
  });
});

describe("stock movements for a partner", () => {
  it("shows a partner the stock ledger without the documents behind it (other customers' orders)", async () => {
    const query = `{ stockMovements(first: 50) { edges { node { id reason reference } } } }`;
    const staff = (await gql(query)).data!.stockMovements.edges.map((e: { node: Record<string, string | null> }) => e.node);
    expect(staff.filter((m: { reference: string | null }) => m.reference !== null).length).toBeGreaterThan(0);
    const partner = { kind: "partner" as const, subject: "acme-app", scopes: ["inventory:read"], customerNumber: "C-10001" };
    const response = await fetch(wms.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...principalHeaders(partner) },
      body: JSON.stringify({ query }),
    });
    const seen = ((await response.json()) as { data: { stockMovements: { edges: { node: Record<string, string | null> }[] } } }).data.stockMovements.edges.map(
      (e) => e.node,
    );
    expect(seen.map((m) => [m.id, m.reason])).toEqual(staff.map((m: Record<string, string | null>) => [m.id, m.reason]));
    expect(seen.every((m) => m.reference === null)).toBe(true);
  });
});

describe("entities", () => {
  it("adds stock per warehouse to products, summed over bins, and [] for unknown skus", async () => {
    const result = await gql(`{ _entities(representations: [{ __typename: "Product", sku: "SKU-00001" }, { __typename: "Product", sku: "SKU-99999" }]) {
      ... on Product { sku stock { sku warehouse { code } onHand reserved available bins { binCode onHand reserved available } } } } }`);
    expect(result.errors).toBeUndefined();
    const [known, unknown] = result.data!._entities;
    expect(unknown).toEqual({ sku: "SKU-99999", stock: [] });
    expect(known.stock.length).toBeGreaterThan(0);
    for (const level of known.stock) {
      const binsOnHand = level.bins.reduce((sum: number, b: { onHand: string }) => sum + Number(b.onHand), 0);
      expect(Number(level.onHand)).toBe(binsOnHand);
      expect(Number(level.available)).toBe(Number(level.onHand) - Number(level.reserved));
    }
  });

  it("adds fulfilments to orders and resolves warehouses and shipments by key", async () => {
    const result = await gql(`{ _entities(representations: [
        { __typename: "Order", orderNumber: "SO-100005" }, { __typename: "Order", orderNumber: "SO-999999" },
        { __typename: "Warehouse", code: "ATL1" }, { __typename: "Shipment", shipmentId: "SH-100005-1" }]) {
      ... on Order { orderNumber fulfillments { fulfillmentId } }
      ... on Warehouse { code name }
      ... on Shipment { shipmentId order { orderNumber } } } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities).toEqual([
      { orderNumber: "SO-100005", fulfillments: [{ fulfillmentId: "FF-100005" }] },
      { orderNumber: "SO-999999", fulfillments: [] },
      { code: "ATL1", name: "Atlanta Distribution Center" },
      { shipmentId: "SH-100005-1", order: { orderNumber: "SO-100005" } },
    ]);
  });

  it("resolves 100 representations of each entity type with one SQL statement per type", async () => {
    const skus = Array.from({ length: 100 }, (_, i) => ({ __typename: "Product", sku: `SKU-${String(i + 1).padStart(5, "0")}` }));
    const shipments = await wms.database.query<{ shipmentId: string }>(`SELECT "shipmentId" FROM "Shipment" ORDER BY id LIMIT 100`);
    const orders = Array.from({ length: 100 }, (_, i) => ({ __typename: "Order", orderNumber: `SO-${100001 + i}` }));
    const cases = [
      { representations: skus, selection: `... on Product { stock { onHand } }`, model: "Stock" },
      { representations: shipments.map((s) => ({ __typename: "Shipment", ...s })), selection: `... on Shipment { status }`, model: "Shipment" },
      { representations: orders, selection: `... on Order { fulfillments { status } }`, model: "FulfillmentOrder" },
      {
        representations: Array.from({ length: 100 }, (_, i) => ({ __typename: "Warehouse", code: ["ATL1", "CHI1", "RNO1", "XXX"][i % 4] })),
        selection: `... on Warehouse { name }`,
        model: "Warehouse",
      },
    ];
    for (const { representations, selection, model } of cases) {
      const before = await sqlStatementCounts(wms.url);
      const result = await gql(`query($r: [_Any!]!) { _entities(representations: $r) { ${selection} } }`, { r: representations });
      expect(result.errors).toBeUndefined();
      expect(result.data!._entities).toHaveLength(representations.length);
      const after = await sqlStatementCounts(wms.url);
      expect(statementDelta(before, after), model).toEqual({ [`${model}:SELECT`]: 1 });
    }
  });

  it("batches nested relations too: fulfilments → lines, shipments → milestones", async () => {
    const orders = Array.from({ length: 100 }, (_, i) => ({ __typename: "Order", orderNumber: `SO-${100001 + i}` }));
    const before = await sqlStatementCounts(wms.url);
    const result = await gql(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { fulfillments { lines { sku } shipments { milestones { code } } } } } }`,
      { r: orders },
    );
    expect(result.errors).toBeUndefined();
    expect(statementDelta(before, await sqlStatementCounts(wms.url))).toEqual({
      "FulfillmentOrder:SELECT": 1,
      "FulfillmentLine:SELECT": 1,
      "Shipment:SELECT": 1,
      "ShipmentMilestone:SELECT": 1,
    });
  });
});
