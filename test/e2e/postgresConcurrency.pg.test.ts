// Row locks only matter where transactions really run side by side: on Postgres (PGlite is
// one connection and serializes everything). These would fail with the locks removed.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "@crossdock/platform";
import { Decimal } from "@crossdock/schema";
import * as erp from "@crossdock/erp";
import * as wms from "@crossdock/wms";
import { createTestDatabases, graphql, graphqlData, postgresAvailable, principalHeaders, useDefaultHeaders } from "../src/index.js";

describe.skipIf(!(await postgresAvailable()))("concurrent writes on Postgres", () => {
  let databases: Awaited<ReturnType<typeof createTestDatabases<"erp" | "wms">>>;
  let erpService: Awaited<ReturnType<typeof erp.start>>;
  let wmsService: Awaited<ReturnType<typeof wms.start>>;

  beforeAll(async () => {
    databases = await createTestDatabases(["erp", "wms"] as const);
    const seed = { enabled: true, scale: 0.05 };
    erpService = await erp.start({ ...erp.loadConfig({ LOG_LEVEL: "warn" }), port: 0, databaseUrl: databases.urls.erp, seed });
    wmsService = await wms.start({ ...wms.loadConfig({ LOG_LEVEL: "warn" }), port: 0, databaseUrl: databases.urls.wms, seed });
    // Called directly, as the gateway would: with a signed all-access principal.
    for (const url of [erpService.url, wmsService.url]) useDefaultHeaders(url, principalHeaders());
  });
  afterAll(async () => {
    await erpService?.stop();
    await wmsService?.stop();
    await databases?.drop();
  });

  it("releases exactly as many concurrent orders as the credit limit allows", async () => {
    const { customers } = await graphqlData<{ customers: { edges: { node: { customerNumber: string; openBalance: string } }[] } }>(
      erpService.url,
      `{ customers(status: ACTIVE, first: 1) { edges { node { customerNumber openBalance } } } }`,
    );
    const customer = customers.edges[0]!.node;
    const { product } = await graphqlData<{ product: { sku: string; listPrice: string } }>(erpService.url, `{ product(sku: "SKU-00001") { sku listPrice } }`);
    // Room for exactly three one-unit orders at the price this customer pays.
    const { product: priced } = await graphqlData<{ product: { priceFor: string } }>(
      erpService.url,
      `query($c: ID!) { product(sku: "SKU-00001") { priceFor(customerNumber: $c) } }`,
      {
        c: customer.customerNumber,
      },
    );
    const limit = new Decimal(customer.openBalance).plus(new Decimal(priced.priceFor).mul(3)).toFixed(2);
    await graphqlData(erpService.url, `mutation($c: ID!, $l: Decimal!) { setCreditLimit(customerNumber: $c, creditLimit: $l) { creditLimit } }`, {
      c: customer.customerNumber,
      l: limit,
    });
    const submit = `mutation($input: SubmitOrderInput!) { submitOrder(input: $input) { outcome } }`;
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, () =>
        graphqlData<{ submitOrder: { outcome: string } }>(erpService.url, submit, {
          input: { idempotencyKey: randomUUID(), customerNumber: customer.customerNumber, lines: [{ sku: product.sku, quantity: "1" }] },
        }),
      ),
    );
    const released = outcomes.filter((o) => o.submitOrder.outcome === "RELEASED").length;
    expect(released).toBe(3);
    expect(outcomes.filter((o) => o.submitOrder.outcome === "CREDIT_HOLD")).toHaveLength(9);
    const { customer: after } = await graphqlData<{ customer: { openBalance: string; creditLimit: string } }>(
      erpService.url,
      `query($c: ID!) { customer(customerNumber: $c) { openBalance creditLimit } }`,
      { c: customer.customerNumber },
    );
    expect(new Decimal(after.openBalance).eq(limit)).toBe(true);
  });

  it("books concurrent first adjustments of a new sku into one stock row, exactly", async () => {
    const adjust = `mutation($input: AdjustInventoryInput!) { adjustInventory(input: $input) { onHand } }`;
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        graphql(wmsService.url, adjust, {
          input: { sku: "SKU-NEW-CONC", warehouseCode: "ATL1", quantityDelta: "1.5", reason: "found", idempotencyKey: randomUUID() },
        }),
      ),
    );
    expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
    const movements = await wmsService.database.query<{ rows: number; total: string; onHand: string }>(
      `SELECT (SELECT count(*)::int FROM "Stock" WHERE sku = 'SKU-NEW-CONC') AS rows,
              (SELECT sum(quantity)::text FROM "StockMovement" WHERE sku = 'SKU-NEW-CONC') AS total,
              (SELECT sum("onHand")::text FROM "Stock" WHERE sku = 'SKU-NEW-CONC') AS "onHand"`,
    );
    expect(movements[0]).toEqual({ rows: 1, total: "15.000", onHand: "15.000" });
  });

  it("reserves, picks, ships and delivers scarce stock exactly under concurrent warehouse writes", async () => {
    const sku = "SKU-CONC-FF";
    await graphqlData(wmsService.url, `mutation($input: AdjustInventoryInput!) { adjustInventory(input: $input) { onHand } }`, {
      input: { sku, warehouseCode: "ATL1", quantityDelta: "5", reason: "received", idempotencyKey: randomUUID() },
    });
    const stock = async () =>
      (
        await wmsService.database.query<{ onHand: string; reserved: string; shipped: string }>(
          `SELECT sum("onHand")::text AS "onHand", sum("reserved")::text AS "reserved",
                  (SELECT coalesce(sum(-"quantity"), 0)::text FROM "StockMovement" WHERE "sku" = $1 AND "reason" = 'SHIPMENT') AS "shipped"
           FROM "Stock" WHERE "sku" = $1`,
          [sku],
        )
      )[0];
    const codes = (results: Awaited<ReturnType<typeof graphql>>[]) => results.map((r) => r.errors?.[0]?.extensions?.["code"] ?? "OK").sort();

    // Twelve one-unit fulfilments against five free units: five reserve, seven are refused.
    const create = `mutation($input: CreateFulfillmentInput!) { createFulfillment(input: $input) { fulfillmentId } }`;
    const created = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        graphql<{ createFulfillment: { fulfillmentId: string } }>(wmsService.url, create, {
          input: { orderNumber: `SO-CONC-${i}`, warehouseCode: "ATL1", lines: [{ sku, quantity: "1" }], idempotencyKey: randomUUID() },
        }),
      ),
    );
    expect(codes(created)).toEqual([...Array(7).fill("INSUFFICIENT_STOCK"), ...Array(5).fill("OK")]);
    expect(await stock()).toEqual({ onHand: "5.000", reserved: "5.000", shipped: "0" });

    // One fulfilment picked, shipped and delivered by four racing clients each: each happens once.
    const fulfillmentId = created.find((r) => r.data)!.data!.createFulfillment.fulfillmentId;
    const pick = `mutation($input: ConfirmPickInput!) { confirmPick(input: $input) { status } }`;
    const picks = await Promise.all(
      Array.from({ length: 4 }, () =>
        graphql(wmsService.url, pick, { input: { fulfillmentId, lines: [{ sku, quantity: "1" }], idempotencyKey: randomUUID() } }),
      ),
    );
    expect(codes(picks)).toEqual(["INVALID_STATE", "INVALID_STATE", "INVALID_STATE", "OK"]);
    const ship = `mutation($input: ShipFulfillmentInput!) { shipFulfillment(input: $input) { shipmentId } }`;
    const ships = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        graphql<{ shipFulfillment: { shipmentId: string } }>(wmsService.url, ship, {
          input: { fulfillmentId, carrier: "UPS", trackingNumber: `1ZCONC${i}`, idempotencyKey: randomUUID() },
        }),
      ),
    );
    expect(codes(ships)).toEqual(["INVALID_STATE", "INVALID_STATE", "INVALID_STATE", "OK"]);
    expect(await stock()).toEqual({ onHand: "4.000", reserved: "4.000", shipped: "1.000" });
    const shipmentId = ships.find((r) => r.data)!.data!.shipFulfillment.shipmentId;
    const milestone = `mutation($input: ShipmentMilestoneInput!) { recordShipmentMilestone(input: $input) { status } }`;
    const delivered = await Promise.all(
      Array.from({ length: 4 }, () => graphql(wmsService.url, milestone, { input: { shipmentId, code: "DELIVERED", idempotencyKey: randomUUID() } })),
    );
    expect(codes(delivered)).toEqual(["INVALID_STATE", "INVALID_STATE", "INVALID_STATE", "OK"]);
    const [history] = await wmsService.database.query<{ delivered: number }>(
      `SELECT count(*)::int AS delivered FROM "ShipmentMilestone" WHERE "shipmentId" = $1 AND "code" = 'DELIVERED'`,
      [shipmentId],
    );
    expect(history).toEqual({ delivered: 1 });
  });

  it("counts every concurrent pick of one line, ships what was picked once, and keeps a late scan from undoing a delivery", async () => {
    const sku = "SKU-CONC-LINE";
    const call = (query: string, input: Record<string, unknown>) =>
      graphql<Record<string, any>>(wmsService.url, query, { input: { ...input, idempotencyKey: randomUUID() } });
    await call(`mutation($input: AdjustInventoryInput!) { adjustInventory(input: $input) { onHand } }`, {
      sku,
      warehouseCode: "ATL1",
      quantityDelta: "8",
      reason: "received",
    });
    const created = await call(`mutation($input: CreateFulfillmentInput!) { createFulfillment(input: $input) { fulfillmentId } }`, {
      orderNumber: "SO-CONC-LINE",
      warehouseCode: "ATL1",
      lines: [{ sku, quantity: "6" }],
    });
    const fulfillmentId = created.data!["createFulfillment"].fulfillmentId as string;
    const line = async () =>
      (
        await wmsService.database.query<{ picked: string; shipped: string; status: string; onHand: string }>(
          `SELECT l."quantityPicked"::text AS picked, l."quantityShipped"::text AS shipped, f."status"::text AS status,
                  (SELECT sum("onHand")::text FROM "Stock" WHERE "sku" = $2) AS "onHand"
           FROM "FulfillmentLine" l JOIN "FulfillmentOrder" f ON f."fulfillmentId" = l."fulfillmentId" WHERE l."fulfillmentId" = $1`,
          [fulfillmentId, sku],
        )
      )[0];

    // Four pickers confirm one unit each of the same line at once: every pick counts.
    const pick = `mutation($input: ConfirmPickInput!) { confirmPick(input: $input) { status } }`;
    const picks = await Promise.all(Array.from({ length: 4 }, () => call(pick, { fulfillmentId, lines: [{ sku, quantity: "1" }] })));
    expect(picks.flatMap((r) => r.errors ?? [])).toEqual([]);
    expect(await line()).toEqual({ picked: "4.000", shipped: "0.000", status: "PICKING", onHand: "8.000" });

    // Three ships race for the four picked units: one ships them, the others find nothing left to ship.
    const ship = `mutation($input: ShipFulfillmentInput!) { shipFulfillment(input: $input) { shipmentId } }`;
    const ships = await Promise.all(Array.from({ length: 3 }, (_, i) => call(ship, { fulfillmentId, carrier: "UPS", trackingNumber: `1ZLINE${i}` })));
    expect(ships.map((r) => r.errors?.[0]?.extensions?.["code"] ?? "OK").sort()).toEqual(["INVALID_STATE", "INVALID_STATE", "OK"]);
    expect(await line()).toEqual({ picked: "4.000", shipped: "4.000", status: "PICKING", onHand: "4.000" });

    // A delivery and an older scan arriving late, at once: the shipment ends DELIVERED either way.
    const shipmentId = ships.find((r) => r.data)!.data!["shipFulfillment"].shipmentId as string;
    const milestone = `mutation($input: ShipmentMilestoneInput!) { recordShipmentMilestone(input: $input) { status } }`;
    // Both after the shipment's creation, whatever the date: the delivery two hours on, the scan one.
    const hoursFromNow = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
    const [delivered, late] = await Promise.all([
      call(milestone, { shipmentId, code: "DELIVERED", occurredAt: hoursFromNow(2) }),
      call(milestone, { shipmentId, code: "EXCEPTION", occurredAt: hoursFromNow(1) }),
    ]);
    expect([delivered.errors, late.errors]).toEqual([undefined, undefined]);
    const [state] = await wmsService.database.query<{ shipment: string; fulfillment: string }>(
      `SELECT s."status"::text AS shipment, f."status"::text AS fulfillment FROM "Shipment" s JOIN "FulfillmentOrder" f ON f."fulfillmentId" = s."fulfillmentId" WHERE s."shipmentId" = $1`,
      [shipmentId],
    );
    expect(state).toEqual({ shipment: "DELIVERED", fulfillment: "PICKING" });
  });

  it("keeps plain queries answering while a transaction holds every transaction connection", async () => {
    const saved = { pool: process.env.CROSSDOCK_PG_POOL_SIZE, tx: process.env.CROSSDOCK_PG_TX_POOL_SIZE };
    process.env.CROSSDOCK_PG_POOL_SIZE = "1";
    process.env.CROSSDOCK_PG_TX_POOL_SIZE = "1";
    const db = await openDatabase(databases.urls.wms).finally(() => {
      for (const [name, value] of [
        ["CROSSDOCK_PG_POOL_SIZE", saved.pool],
        ["CROSSDOCK_PG_TX_POOL_SIZE", saved.tx],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });
    try {
      let started!: () => void;
      let release!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      const held = db.transaction(async (session) => {
        await session.query("SELECT 1");
        started();
        await new Promise<void>((resolve) => (release = resolve));
      });
      await running;
      // With one shared pool of one connection this query would wait for the transaction to end.
      const answer = await Promise.race([db.query<{ n: number }>("SELECT 7 AS n"), new Promise((resolve) => setTimeout(() => resolve("blocked"), 5000))]);
      release();
      await held;
      expect(answer).toEqual([{ n: 7 }]);
    } finally {
      await db.close();
    }
  });

  it("opens a transaction with its begin statements: settings local to it, a lock held until its commit", async () => {
    const db = await openDatabase(databases.urls.wms);
    try {
      const begin = `SELECT pg_advisory_xact_lock(4242), set_config('crossdock.test', 'inside', true)`;
      const order: string[] = [];
      let release!: () => void;
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      const first = db.transaction(
        async (session) => {
          const [row] = await session.query<{ v: string }>(`SELECT current_setting('crossdock.test') AS v`);
          order.push(`first sees ${row!.v}`);
          started();
          await new Promise<void>((resolve) => (release = resolve));
          order.push("first commits");
        },
        { begin },
      );
      await running;
      // Waits in its BEGIN round trip for the first one's lock.
      const second = db.transaction(async () => void order.push("second runs"), { begin });
      await new Promise((resolve) => setTimeout(resolve, 200));
      release();
      await Promise.all([first, second]);
      expect(order).toEqual(["first sees inside", "first commits", "second runs"]);
      const [after] = await db.query<{ v: string | null }>(`SELECT current_setting('crossdock.test', true) AS v`);
      expect(after!.v ?? "").toBe("");
    } finally {
      await db.close();
    }
  });
});
