// The inventory dashboard through the gateway: reorder points set in the WMS reach the read
// model (reorderPoint, availableToPromise), lowStock and networkInventory answer from it,
// lowStockChanged fires when a position crosses its point both ways, includeCurrent without a
// filter pages through every position, and refused writes change nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Decimal } from "@crossdock/schema";
import { bearer, graphql, graphqlData, roleToken } from "../src/index.js";
import { eventually, startTestHub, type TestHub } from "./hubHarness.js";
import { collect, graphqlWsClient, subscribed, type PositionKey } from "./subscriptionsClients.js";

let t: TestHub;
let warehouse: Record<string, string>;
let positions: PositionKey[];

beforeAll(async () => {
  // Enough positions (about 280) that the initial state of every position takes more than one page (200).
  t = await startTestHub("pglite", 0.25);
  warehouse = bearer(await roleToken(t.hub, "warehouse"));
  positions = await availablePositions(3);
}, 240_000);
afterAll(async () => t?.stop());

/** Positions of distinct skus with more than 20 available, so a reorder point of 0 or 1 is clearly not low. */
async function availablePositions(count: number): Promise<PositionKey[]> {
  const data = await graphqlData<any>(t.url, `{ inventoryPositions(first: 200) { edges { node { sku warehouseCode available } } } }`);
  const seen = new Set<string>();
  const found = data.inventoryPositions.edges.map((e: any) => e.node).filter((p: any) => Number(p.available) > 20 && !seen.has(p.sku) && seen.add(p.sku));
  if (found.length < count) throw new Error(`only ${found.length} positions with stock available`);
  return found.slice(0, count).map(({ sku, warehouseCode }: PositionKey) => ({ sku, warehouseCode }));
}

const POSITION = `sku warehouseCode onHand allocated available reorderPoint safetyStock availableToPromise lowStock`;
const SET = `mutation($sku: ID!, $wh: ID!, $rp: Decimal!, $ss: Decimal) {
  setReorderPoint(sku: $sku, warehouseCode: $wh, reorderPoint: $rp, safetyStock: $ss) { sku warehouseCode } }`;

async function position(p: PositionKey): Promise<any> {
  return (
    await graphqlData<any>(t.url, `query($sku: ID!, $wh: ID!) { inventoryPosition(sku: $sku, warehouseCode: $wh) { ${POSITION} } }`, {
      sku: p.sku,
      wh: p.warehouseCode,
    })
  ).inventoryPosition;
}

async function positionWhen(p: PositionKey, done: (position: any) => boolean): Promise<any> {
  const found = await eventually(() => position(p), done, 20_000);
  expect(done(found)).toBe(true);
  return found;
}

async function allPages(field: "inventoryPositions" | "lowStock"): Promise<any[]> {
  const nodes: any[] = [];
  let after: string | null = null;
  for (;;) {
    const data: any = await graphqlData<any>(
      t.url,
      `query($after: String) { ${field}(first: 100, after: $after) { edges { node { ${POSITION} } } pageInfo { hasNextPage endCursor } } }`,
      {
        after,
      },
    );
    nodes.push(...data[field].edges.map((e: any) => e.node));
    if (!data[field].pageInfo.hasNextPage) return nodes;
    after = data[field].pageInfo.endCursor;
  }
}

describe("reorder points, lowStock and networkInventory", () => {
  it("the seeded reorder points show as low stock, and every low position is at or below its point", async () => {
    const low = await eventually(
      () => allPages("lowStock"),
      (nodes) => nodes.length > 0,
      20_000,
    );
    expect(low.length).toBeGreaterThan(0);
    for (const node of low) {
      expect(node.lowStock).toBe(true);
      expect(new Decimal(node.available).lte(node.reorderPoint)).toBe(true);
    }
    const order = low.map((n) => `${n.warehouseCode}|${n.sku}`);
    expect(order).toEqual([...order].sort());
  });

  it("setReorderPoint reaches the position; availableToPromise holds back the safety stock", async () => {
    const p = positions[0]!;
    await graphqlData(t.url, SET, { sku: p.sku, wh: p.warehouseCode, rp: "7", ss: "3" }, warehouse);
    const updated = await positionWhen(p, (x) => x.reorderPoint === "7" && x.safetyStock === "3");
    expect(updated.availableToPromise).toBe(new Decimal(updated.onHand).minus(updated.allocated).minus(3).toFixed());
    expect(updated.lowStock).toBe(new Decimal(updated.available).lte(7));
  });

  it("networkInventory sums one sku's positions across warehouses", async () => {
    const sku = positions[1]!.sku;
    const data = await graphqlData<any>(
      t.url,
      `query($sku: ID!) { networkInventory(sku: $sku) { product { sku description } onHand allocated available positions { ${POSITION} } }
         product(sku: $sku) { inventory { warehouseCode } } }`,
      { sku },
    );
    const network = data.networkInventory;
    expect(network.product.sku).toBe(sku);
    expect(network.product.description).toEqual(expect.any(String));
    expect(network.positions.map((p: any) => p.warehouseCode)).toEqual(data.product.inventory.map((p: any) => p.warehouseCode));
    const total = (field: string) => network.positions.reduce((sum: Decimal, p: any) => sum.plus(p[field]), new Decimal(0)).toFixed();
    expect([network.onHand, network.allocated, network.available]).toEqual([total("onHand"), total("allocated"), total("available")]);
    const none = await graphqlData<any>(t.url, `{ networkInventory(sku: "SKU-NOWHERE") { onHand } }`);
    expect(none.networkInventory).toBeNull();
  });
});

describe("lowStockChanged", () => {
  it("fires when a position crosses its reorder point, down and back up, with the position resolved through the graph", async () => {
    const p = positions[2]!;
    // Start clearly above the line (the seed puts every third position below it).
    await graphqlData(t.url, SET, { sku: p.sku, wh: p.warehouseCode, rp: "0" }, warehouse);
    const before = await positionWhen(p, (x) => x.reorderPoint === "0" && x.lowStock === false);
    const client = graphqlWsClient(t.url);
    const stream = collect(
      client,
      `subscription($sku: ID, $wh: ID) { lowStockChanged(sku: $sku, warehouseCode: $wh) {
         cursor below occurredAt position { sku warehouseCode available reorderPoint availableToPromise lowStock product { description } warehouse { name } } } }`,
      { sku: p.sku, wh: p.warehouseCode },
    );
    try {
      await subscribed(t.url, 1);
      const above = new Decimal(before.available).plus(50).toFixed();
      await graphqlData(t.url, SET, { sku: p.sku, wh: p.warehouseCode, rp: above }, warehouse);
      const [down] = await stream.waitFor(1, 20_000);
      expect(down.lowStockChanged).toMatchObject({ below: true, position: { sku: p.sku, reorderPoint: above, lowStock: true } });
      expect(down.lowStockChanged.position.product.description).toEqual(expect.any(String));
      expect(down.lowStockChanged.position.warehouse.name).toEqual(expect.any(String));
      // The same side again is no crossing; back under the stock is.
      await graphqlData(t.url, SET, { sku: p.sku, wh: p.warehouseCode, rp: new Decimal(above).plus(1).toFixed() }, warehouse);
      await graphqlData(t.url, SET, { sku: p.sku, wh: p.warehouseCode, rp: "1" }, warehouse);
      const events = await stream.waitFor(2, 20_000);
      expect(events.map((e) => e.lowStockChanged.below)).toEqual([true, false]);
      expect(events[1].lowStockChanged.position).toMatchObject({ reorderPoint: "1", lowStock: false });
      await positionWhen(p, (x) => x.reorderPoint === "1");
      expect(stream.events).toHaveLength(2);
    } finally {
      stream.unsubscribe();
      await client.dispose();
    }
  });

  it("includeCurrent without a filter pages through every position (and every low one)", async () => {
    const everything = await allPages("inventoryPositions");
    expect(everything.length).toBeGreaterThan(200);
    const low = await allPages("lowStock");
    const client = graphqlWsClient(t.url);
    const all = collect(client, `subscription { inventoryChanged(includeCurrent: true) { cursor position { sku warehouseCode } } }`);
    const lows = collect(client, `subscription { lowStockChanged(includeCurrent: true) { below position { sku warehouseCode lowStock } } }`);
    try {
      const events = await all.waitFor(everything.length, 60_000);
      const keys = events.map((e) => `${e.inventoryChanged.position.sku}|${e.inventoryChanged.position.warehouseCode}`);
      expect(new Set(keys).size).toBe(everything.length);
      const lowEvents = await lows.waitFor(low.length, 30_000);
      expect(lowEvents.every((e) => e.lowStockChanged.below === true && e.lowStockChanged.position.lowStock === true)).toBe(true);
      expect(lowEvents).toHaveLength(low.length);
    } finally {
      all.unsubscribe();
      lows.unsubscribe();
      await client.dispose();
    }
  });
});

describe("refusals", () => {
  it("setReorderPoint without warehouse:write, or with bad input, writes nothing; lowStock needs inventory:read", async () => {
    const [target, barrier] = positions as [PositionKey, PositionKey];
    const before = await position(target);
    const serviceDesk = bearer(await roleToken(t.hub, "serviceDesk"));
    const refused = await graphql<any>(t.url, SET, { sku: target.sku, wh: target.warehouseCode, rp: "999" }, serviceDesk);
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const negative = await graphql<any>(t.url, SET, { sku: target.sku, wh: target.warehouseCode, rp: "-5" }, warehouse);
    expect(negative.errors?.[0]?.extensions?.code).toBe("INVALID_QUANTITY");
    const unknown = await graphql<any>(t.url, SET, { sku: target.sku, wh: "WH-NOWHERE", rp: "5" }, warehouse);
    expect(unknown.errors?.[0]?.extensions?.code).toBe("UNKNOWN_WAREHOUSE");
    // A later accepted write from the same system has reached the read model, so the refused ones would have too.
    await graphqlData(t.url, SET, { sku: barrier.sku, wh: barrier.warehouseCode, rp: "11" }, warehouse);
    await positionWhen(barrier, (x) => x.reorderPoint === "11");
    expect(await position(target)).toEqual(before);

    const finance = bearer(await roleToken(t.hub, "finance"));
    const denied = await graphql<any>(
      t.url,
      `
        {
          lowStock {
            edges {
              node {
                sku
              }
            }
          }
        }
      `,
      {},
      finance,
    );
    expect(denied.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});
