// The warehouse side of order-to-cash against a real WMS: create a fulfilment (reserve),
// confirm picks, ship partially and fully, record carrier milestones, cancel — with
// idempotent retries, registry error codes, and no write at all when a step is refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningWms } from "../src/server.js";
import { errorCode, graphqlClient, startTestWms, unexplainedStockRows, writeFootprint } from "./support.js";

let wms: RunningWms;
let gql: ReturnType<typeof graphqlClient>;

const FULFILLMENT = `fulfillmentId status order { orderNumber } warehouse { code } lines { sku binCode quantity quantityPicked quantityShipped } shipments { shipmentId }`;
const CREATE = `mutation($input: CreateFulfillmentInput!) { createFulfillment(input: $input) { ${FULFILLMENT} } }`;
const PICK = `mutation($input: ConfirmPickInput!) { confirmPick(input: $input) { ${FULFILLMENT} } }`;
const SHIP = `mutation($input: ShipFulfillmentInput!) { shipFulfillment(input: $input) {
  shipmentId status carrier trackingNumber shippedAt deliveredAt order { orderNumber } fulfillment { fulfillmentId status } milestones { code location } } }`;
const MILESTONE = `mutation($input: ShipmentMilestoneInput!) { recordShipmentMilestone(input: $input) {
  shipmentId status deliveredAt milestones { code location note occurredAt } fulfillment { status } } }`;
const CANCEL = `mutation($id: ID!, $reason: String!) { cancelFulfillment(fulfillmentId: $id, reason: $reason) { ${FULFILLMENT} } }`;

interface StockRow {
  sku: string;
  binCode: string;
  onHand: string;
  reserved: string;
}

const WAREHOUSE = "ATL1";
let skus: [string, string];

async function stockRow(sku: string, binCode: string): Promise<StockRow> {
  const [row] = await wms.database.query<StockRow>(
    `SELECT sku, "binCode", "onHand"::text AS "onHand", reserved::text AS reserved FROM "Stock" WHERE sku = $1 AND "warehouseCode" = $2 AND "binCode" = $3`,
    [sku, WAREHOUSE, binCode],
  );
  return row!;
}

beforeAll(async () => {
  wms = await startTestWms();
  gql = graphqlClient(wms.url);
  const rows = await wms.database.query<{ sku: string }>(
    `SELECT sku FROM "Stock" WHERE "warehouseCode" = $1 AND "onHand" - reserved >= 20 ORDER BY sku LIMIT 2`,
    [WAREHOUSE],
  );
  skus = [rows[0]!.sku, rows[1]!.sku];
});

afterAll(async () => {
  await wms?.stop();
});

describe("fulfilment lifecycle", () => {
  let fulfillmentId: string;
  let firstShipmentId: string;
  let secondShipmentId: string;
  let binOf: Record<string, string>;
  let stockBefore: Record<string, StockRow>;

  it("createFulfillment reserves stock without touching onHand and replays idempotently", async () => {
    const input = {
      orderNumber: "SO-900001",
      warehouseCode: WAREHOUSE,
      lines: [
        { sku: skus[0], quantity: "4" },
        { sku: skus[1], quantity: "2.5" },
      ],
      idempotencyKey: "ff-create-1",
    };
    const movementsBefore = (await writeFootprint(wms)).StockMovement;
    const created = await gql(CREATE, { input });
    expect(created.errors).toBeUndefined();
    const fulfillment = created.data!.createFulfillment;
    fulfillmentId = fulfillment.fulfillmentId;
    expect(fulfillmentId).toBe("FF-W000001");
    expect(fulfillment).toMatchObject({ status: "RELEASED", order: { orderNumber: "SO-900001" }, warehouse: { code: WAREHOUSE }, shipments: [] });
    expect(fulfillment.lines.map((l: { quantity: string }) => l.quantity)).toEqual(["4", "2.5"]);
    binOf = Object.fromEntries(fulfillment.lines.map((l: { sku: string; binCode: string }) => [l.sku, l.binCode]));
    stockBefore = {};
    for (const sku of skus) stockBefore[sku] = await stockRow(sku, binOf[sku]!);
    expect((await writeFootprint(wms)).StockMovement).toBe(movementsBefore);

    const footprint = await writeFootprint(wms);
    const replay = await gql(CREATE, { input });
    expect(replay.data).toEqual(created.data);
    expect(await writeFootprint(wms)).toEqual(footprint);
    expect(errorCode(await gql(CREATE, { input: { ...input, orderNumber: "SO-900002" } }))).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(await writeFootprint(wms)).toEqual(footprint);

    const orders = await gql(
      `{ _entities(representations: [{ __typename: "Order", orderNumber: "SO-900001" }]) { ... on Order { fulfillments { fulfillmentId } } } }`,
    );
    expect(orders.data!._entities[0].fulfillments).toEqual([{ fulfillmentId }]);
  });

  it("createFulfillment refuses what it cannot reserve", async () => {
    const footprint = await writeFootprint(wms);
    const base = { orderNumber: "SO-900009", warehouseCode: WAREHOUSE, idempotencyKey: "ff-create-bad" };
    expect(errorCode(await gql(CREATE, { input: { ...base, warehouseCode: "NOPE", lines: [{ sku: skus[0], quantity: "1" }] } }))).toBe("UNKNOWN_WAREHOUSE");
    expect(errorCode(await gql(CREATE, { input: { ...base, lines: [{ sku: "SKU-NEVER", quantity: "1" }] } }))).toBe("UNKNOWN_SKU");
    expect(errorCode(await gql(CREATE, { input: { ...base, lines: [{ sku: skus[0], quantity: "1000000" }] } }))).toBe("INSUFFICIENT_STOCK");
    expect(errorCode(await gql(CREATE, { input: { ...base, lines: [{ sku: skus[0], quantity: "0" }] } }))).toBe("INVALID_QUANTITY");
    expect(errorCode(await gql(CREATE, { input: { ...base, lines: [] } }))).toBe("BAD_USER_INPUT");
    const duplicate = await gql(CREATE, {
      input: {
        ...base,
        lines: [
          { sku: skus[0], quantity: "1" },
          { sku: skus[0], quantity: "1" },
        ],
      },
    });
    expect(duplicate.errors![0]!.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "lines.1.sku" });
    expect(await writeFootprint(wms)).toEqual(footprint);
  });

  it("confirmPick records picks and moves to PICKING, refusing over-picks and foreign skus", async () => {
    const footprint = await writeFootprint(wms);
    const over = await gql(PICK, { input: { fulfillmentId, lines: [{ sku: skus[0], quantity: "5" }], idempotencyKey: "pick-over" } });
    expect(over.errors![0]!.extensions).toMatchObject({ code: "INVALID_QUANTITY", field: "lines.0.quantity" });
    const foreign = await gql(PICK, { input: { fulfillmentId, lines: [{ sku: "SKU-OTHER", quantity: "1" }], idempotencyKey: "pick-foreign" } });
    expect(foreign.errors![0]!.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "lines.0.sku" });
    expect(errorCode(await gql(PICK, { input: { fulfillmentId: "FF-NOPE", lines: [{ sku: skus[0], quantity: "1" }], idempotencyKey: "pick-unknown" } }))).toBe(
      "UNKNOWN_FULFILLMENT",
    );
    expect(errorCode(await gql(PICK, { input: { fulfillmentId, lines: [{ sku: skus[0], quantity: "-1" }], idempotencyKey: "pick-negative" } }))).toBe(
      "INVALID_QUANTITY",
    );
    expect(await writeFootprint(wms)).toEqual(footprint);

    const input = { fulfillmentId, lines: [{ sku: skus[0], quantity: "3" }], idempotencyKey: "pick-1" };
    const picked = await gql(PICK, { input });
    expect(picked.errors).toBeUndefined();
    expect(picked.data!.confirmPick.status).toBe("PICKING");
    expect(picked.data!.confirmPick.lines.map((l: { quantityPicked: string }) => l.quantityPicked)).toEqual(["3", "0"]);
    const afterPick = await writeFootprint(wms);
    expect(await gql(PICK, { input })).toEqual(picked);
    expect(await writeFootprint(wms)).toEqual(afterPick);
    const tasks = await wms.database.query<{ sku: string; quantity: string; binCode: string }>(
      `SELECT sku, quantity::text AS quantity, "binCode" FROM "PickTask" WHERE "fulfillmentId" = $1`,
      [fulfillmentId],
    );
    expect(tasks).toEqual([{ sku: skus[0], quantity: "3.000", binCode: binOf[skus[0]] }]);
  });

  it("shipFulfillment ships what is picked, lowers onHand and reserved, and stays PICKING when partial", async () => {
    const shipped = await gql(SHIP, { input: { fulfillmentId, carrier: "UPS", trackingNumber: "1Z0001", idempotencyKey: "ship-1" } });
    expect(shipped.errors).toBeUndefined();
    const shipment = shipped.data!.shipFulfillment;
    firstShipmentId = shipment.shipmentId;
    expect(shipment).toMatchObject({
      shipmentId: "SH-W000001",
      status: "CREATED",
      carrier: "UPS",
      trackingNumber: "1Z0001",
      deliveredAt: null,
      order: { orderNumber: "SO-900001" },
      fulfillment: { fulfillmentId, status: "PICKING" },
      milestones: [{ code: "CREATED", location: WAREHOUSE }],
    });
    const row = await stockRow(skus[0], binOf[skus[0]]!);
    expect(Number(row.onHand)).toBe(Number(stockBefore[skus[0]]!.onHand) - 3);
    expect(Number(row.reserved)).toBe(Number(stockBefore[skus[0]]!.reserved) - 3);
    const movements = await gql(
      `query($sku: ID) { stockMovements(sku: $sku, warehouseCode: "ATL1", first: 1) { edges { node { quantity reason reference binCode } } } }`,
      { sku: skus[0] },
    );
    expect(movements.data!.stockMovements.edges[0].node).toEqual({ quantity: "-3", reason: "SHIPMENT", reference: firstShipmentId, binCode: binOf[skus[0]] });
    expect(await unexplainedStockRows(wms)).toBe(0);

    const footprint = await writeFootprint(wms);
    const nothingLeft = await gql(SHIP, { input: { fulfillmentId, carrier: "UPS", trackingNumber: "1Z0002", idempotencyKey: "ship-nothing" } });
    expect(errorCode(nothingLeft)).toBe("INVALID_STATE");
    expect(errorCode(await gql(SHIP, { input: { fulfillmentId, carrier: " ", trackingNumber: "1Z0002", idempotencyKey: "ship-blank" } }))).toBe(
      "BAD_USER_INPUT",
    );
    expect(await gql(SHIP, { input: { fulfillmentId, carrier: "UPS", trackingNumber: "1Z0001", idempotencyKey: "ship-1" } })).toEqual(shipped);
    expect(await writeFootprint(wms)).toEqual(footprint);
  });

  it("picks the rest (PICKED) and ships it (SHIPPED)", async () => {
    const picked = await gql(PICK, {
      input: {
        fulfillmentId,
        lines: [
          { sku: skus[0], quantity: "1" },
          { sku: skus[1], quantity: "2.5" },
        ],
        idempotencyKey: "pick-2",
      },
    });
    expect(picked.data!.confirmPick.status).toBe("PICKED");
    const shipped = await gql(SHIP, { input: { fulfillmentId, carrier: "FedEx", trackingNumber: "FX0002", idempotencyKey: "ship-2" } });
    expect(shipped.errors).toBeUndefined();
    secondShipmentId = shipped.data!.shipFulfillment.shipmentId;
    expect(secondShipmentId).toBe("SH-W000002");
    expect(shipped.data!.shipFulfillment.fulfillment.status).toBe("SHIPPED");
    const fulfillment = (await gql(`query($id: ID!) { fulfillment(fulfillmentId: $id) { ${FULFILLMENT} } }`, { id: fulfillmentId })).data!.fulfillment;
    expect(fulfillment.lines.map((l: { quantityShipped: string }) => l.quantityShipped)).toEqual(["4", "2.5"]);
    expect(fulfillment.shipments).toEqual([{ shipmentId: firstShipmentId }, { shipmentId: secondShipmentId }]);
    for (const sku of skus) {
      const row = await stockRow(sku, binOf[sku]!);
      const qty = sku === skus[0] ? 4 : 2.5;
      expect(Number(row.onHand)).toBe(Number(stockBefore[sku]!.onHand) - qty);
      expect(Number(row.reserved)).toBe(Number(stockBefore[sku]!.reserved) - qty);
    }
    expect(await unexplainedStockRows(wms)).toBe(0);
    const footprint = await writeFootprint(wms);
    expect(errorCode(await gql(PICK, { input: { fulfillmentId, lines: [{ sku: skus[0], quantity: "1" }], idempotencyKey: "pick-late" } }))).toBe(
      "INVALID_STATE",
    );
    expect(errorCode(await gql(SHIP, { input: { fulfillmentId, carrier: "UPS", trackingNumber: "1Z9", idempotencyKey: "ship-late" } }))).toBe("INVALID_STATE");
    expect(await writeFootprint(wms)).toEqual(footprint);
  });

  it("recordShipmentMilestone tracks the carrier; EXCEPTION flags the fulfilment; nothing follows DELIVERED", async () => {
    const transit = await gql(MILESTONE, { input: { shipmentId: firstShipmentId, code: "IN_TRANSIT", location: "Charlotte, NC", idempotencyKey: "ms-1" } });
    expect(transit.errors).toBeUndefined();
    expect(transit.data!.recordShipmentMilestone).toMatchObject({ status: "IN_TRANSIT", deliveredAt: null, fulfillment: { status: "SHIPPED" } });
    const footprint = await writeFootprint(wms);
    expect(await gql(MILESTONE, { input: { shipmentId: firstShipmentId, code: "IN_TRANSIT", location: "Charlotte, NC", idempotencyKey: "ms-1" } })).toEqual(
      transit,
    );
    expect(await writeFootprint(wms)).toEqual(footprint);

    const exception = await gql(MILESTONE, { input: { shipmentId: firstShipmentId, code: "EXCEPTION", note: "Consignee closed", idempotencyKey: "ms-2" } });
    expect(exception.data!.recordShipmentMilestone).toMatchObject({ status: "EXCEPTION", fulfillment: { status: "EXCEPTION" } });
    expect(exception.data!.recordShipmentMilestone.milestones.at(-1)).toMatchObject({ code: "EXCEPTION", note: "Consignee closed", location: null });

    // Carrier times relative to the exception the WMS stamped just now, so the test means the same on any date.
    const exceptionAt = Date.parse(exception.data!.recordShipmentMilestone.milestones.at(-1).occurredAt);
    const at = (offsetMs: number) => new Date(exceptionAt + offsetMs).toISOString();
    const deliveredAt = at(60_000);
    const delivered = await gql(MILESTONE, { input: { shipmentId: firstShipmentId, code: "DELIVERED", occurredAt: deliveredAt, idempotencyKey: "ms-3" } });
    expect(delivered.data!.recordShipmentMilestone).toMatchObject({ status: "DELIVERED", deliveredAt, fulfillment: { status: "SHIPPED" } });
    expect(delivered.data!.recordShipmentMilestone.milestones.map((m: { code: string }) => m.code)).toEqual([
      "CREATED",
      "IN_TRANSIT",
      "EXCEPTION",
      "DELIVERED",
    ]);

    // A scan the carrier reports late (before the delivery) joins the history; the shipment stays DELIVERED.
    const late = await gql(MILESTONE, {
      input: { shipmentId: firstShipmentId, code: "OUT_FOR_DELIVERY", occurredAt: at(30_000), idempotencyKey: "ms-late" },
    });
    expect(late.data!.recordShipmentMilestone).toMatchObject({ status: "DELIVERED", deliveredAt, fulfillment: { status: "SHIPPED" } });
    expect(late.data!.recordShipmentMilestone.milestones.map((m: { code: string }) => m.code).slice(-2)).toEqual(["OUT_FOR_DELIVERY", "DELIVERED"]);

    const after = await writeFootprint(wms);
    const afterDelivery = at(3_600_000);
    expect(
      errorCode(await gql(MILESTONE, { input: { shipmentId: firstShipmentId, code: "IN_TRANSIT", occurredAt: afterDelivery, idempotencyKey: "ms-4" } })),
    ).toBe("INVALID_STATE");
    expect(
      errorCode(await gql(MILESTONE, { input: { shipmentId: firstShipmentId, code: "DELIVERED", occurredAt: at(-86_400_000), idempotencyKey: "ms-6" } })),
    ).toBe("INVALID_STATE");
    expect(errorCode(await gql(MILESTONE, { input: { shipmentId: "SH-NOPE", code: "IN_TRANSIT", idempotencyKey: "ms-5" } }))).toBe("UNKNOWN_SHIPMENT");
    expect(errorCode(await gql(MILESTONE, { input: { shipmentId: secondShipmentId, code: "IN_TRANSIT", idempotencyKey: "ms-1" } }))).toBe(
      "IDEMPOTENCY_KEY_REUSED",
    );
    expect(await writeFootprint(wms)).toEqual(after);
  });

  it("audits every write with the operation and entity", async () => {
    const audit = await wms.database.query<{ operation: string; entityKey: string }>(`SELECT operation, "entityKey" FROM "AuditEntry" ORDER BY id`);
    expect(audit).toEqual([
      { operation: "createFulfillment", entityKey: fulfillmentId },
      { operation: "confirmPick", entityKey: fulfillmentId },
      { operation: "shipFulfillment", entityKey: firstShipmentId },
      { operation: "confirmPick", entityKey: fulfillmentId },
      { operation: "shipFulfillment", entityKey: secondShipmentId },
      { operation: "recordShipmentMilestone", entityKey: firstShipmentId },
      { operation: "recordShipmentMilestone", entityKey: firstShipmentId },
      { operation: "recordShipmentMilestone", entityKey: firstShipmentId },
      { operation: "recordShipmentMilestone", entityKey: firstShipmentId },
    ]);
  });
});

describe("cancelFulfillment", () => {
  it("releases reserved stock, is a no-op when repeated, and refuses shipped fulfilments", async () => {
    const created = await gql(CREATE, {
      input: { orderNumber: "SO-900003", warehouseCode: WAREHOUSE, lines: [{ sku: skus[1], quantity: "3" }], idempotencyKey: "ff-create-cancel" },
    });
    const { fulfillmentId, lines } = created.data!.createFulfillment;
    const reservedBefore = Number((await stockRow(skus[1], lines[0].binCode)).reserved);
    await gql(PICK, { input: { fulfillmentId, lines: [{ sku: skus[1], quantity: "1" }], idempotencyKey: "pick-cancel" } });

    const cancelled = await gql(CANCEL, { id: fulfillmentId, reason: "customer withdrew" });
    expect(cancelled.errors).toBeUndefined();
    expect(cancelled.data!.cancelFulfillment.status).toBe("CANCELLED");
    expect(Number((await stockRow(skus[1], lines[0].binCode)).reserved)).toBe(reservedBefore - 3);
    const footprint = await writeFootprint(wms);
    expect((await gql(CANCEL, { id: fulfillmentId, reason: "again" })).data!.cancelFulfillment.status).toBe("CANCELLED");
    expect(errorCode(await gql(PICK, { input: { fulfillmentId, lines: [{ sku: skus[1], quantity: "1" }], idempotencyKey: "pick-cancelled" } }))).toBe(
      "INVALID_STATE",
    );
    expect(errorCode(await gql(CANCEL, { id: "FF-W000001", reason: "too late" }))).toBe("INVALID_STATE");
    expect(errorCode(await gql(CANCEL, { id: "FF-NOPE", reason: "x" }))).toBe("UNKNOWN_FULFILLMENT");
    expect(errorCode(await gql(CANCEL, { id: fulfillmentId, reason: "" }))).toBe("BAD_USER_INPUT");
    expect(await writeFootprint(wms)).toEqual(footprint);
    const [audit] = await wms.database.query<{ n: number }>(`SELECT count(*)::int AS n FROM "AuditEntry" WHERE operation = 'cancelFulfillment'`);
    expect(audit!.n).toBe(1);
  });
});

describe("a sku spread over several bins", () => {
  it("reserves across bins (most free first), picks and ships from each, and refuses only what the warehouse lacks", async () => {
    // A sku held in one bin gets a second bin with 7 more, booked through the ledger like a receipt.
    const [held] = await wms.database.query<{ sku: string; binCode: string; free: string }>(
      `SELECT sku, "binCode", ("onHand" - reserved)::text AS free FROM "Stock" s
        WHERE "warehouseCode" = $1 AND "onHand" - reserved BETWEEN 10 AND 500 AND sku <> ALL($2::text[])
          AND (SELECT count(*) FROM "Stock" t WHERE t.sku = s.sku AND t."warehouseCode" = s."warehouseCode") = 1
        ORDER BY sku LIMIT 1`,
      [WAREHOUSE, skus],
    );
    const { sku, binCode: firstBin } = held!;
    const free = Number(held!.free);
    const [second] = await wms.database.query<{ code: string }>(`SELECT code FROM "Bin" WHERE "warehouseCode" = $1 AND code <> $2 ORDER BY code LIMIT 1`, [
      WAREHOUSE,
      firstBin,
    ]);
    const secondBin = second!.code;
    await wms.database.query(`INSERT INTO "Stock" (sku, "warehouseCode", "binCode", "onHand", reserved) VALUES ($1, $2, $3, 7, 0)`, [
      sku,
      WAREHOUSE,
      secondBin,
    ]);
    await wms.database.query(
      `INSERT INTO "StockMovement" (sku, "warehouseCode", "binCode", quantity, reason, reference) VALUES ($1, $2, $3, 7, 'RECEIPT', 'PO-BINS')`,
      [sku, WAREHOUSE, secondBin],
    );

    // More than the whole warehouse holds free: refused, with what is free in all bins together.
    const tooMuch = await gql(CREATE, {
      input: { orderNumber: "SO-900020", warehouseCode: WAREHOUSE, lines: [{ sku, quantity: String(free + 8) }], idempotencyKey: "ff-bins-too-much" },
    });
    expect(errorCode(tooMuch)).toBe("INSUFFICIENT_STOCK");
    expect(Number(tooMuch.errors![0]!.extensions!.available)).toBe(free + 7);

    // More than any one bin has free, less than both together: the fuller first bin (10 or more
    // free) entirely, the remaining 3 from the second bin.
    const quantity = free + 3;
    const created = await gql(CREATE, {
      input: { orderNumber: "SO-900021", warehouseCode: WAREHOUSE, lines: [{ sku, quantity: String(quantity) }], idempotencyKey: "ff-bins" },
    });
    expect(created.errors).toBeUndefined();
    const { fulfillmentId } = created.data!.createFulfillment;
    const byBin = (lines: { binCode: string; quantity: string; quantityPicked: string; quantityShipped: string }[]) =>
      Object.fromEntries(lines.map((l) => [l.binCode, [Number(l.quantity), Number(l.quantityPicked), Number(l.quantityShipped)]]));
    expect(byBin(created.data!.createFulfillment.lines)).toEqual({ [firstBin]: [free, 0, 0], [secondBin]: [3, 0, 0] });
    expect(Number((await stockRow(sku, secondBin)).reserved)).toBe(3);

    // One pick of the sku fills the lines in order; more than the fulfilment asks for is refused.
    expect(errorCode(await gql(PICK, { input: { fulfillmentId, lines: [{ sku, quantity: String(quantity + 1) }], idempotencyKey: "pick-bins-over" } }))).toBe(
      "INVALID_QUANTITY",
    );
    const partly = await gql(PICK, { input: { fulfillmentId, lines: [{ sku, quantity: String(free + 1) }], idempotencyKey: "pick-bins-1" } });
    expect(partly.data!.confirmPick.status).toBe("PICKING");
    expect(byBin(partly.data!.confirmPick.lines)).toEqual({ [firstBin]: [free, free, 0], [secondBin]: [3, 1, 0] });
    const picked = await gql(PICK, { input: { fulfillmentId, lines: [{ sku, quantity: "2" }], idempotencyKey: "pick-bins-2" } });
    expect(picked.data!.confirmPick.status).toBe("PICKED");
    const tasks = await wms.database.query<{ binCode: string; quantity: string }>(
      `SELECT "binCode", quantity::text AS quantity FROM "PickTask" WHERE "fulfillmentId" = $1 ORDER BY id`,
      [fulfillmentId],
    );
    expect(tasks.map((t) => [t.binCode, Number(t.quantity)])).toEqual([
      [firstBin, free],
      [secondBin, 1],
      [secondBin, 2],
    ]);

    // Shipping takes each bin's part out of that bin; the shipment lists the sku once.
    const shipped = await gql(SHIP, { input: { fulfillmentId, carrier: "UPS", trackingNumber: "1ZBINS", idempotencyKey: "ship-bins" } });
    expect(shipped.errors).toBeUndefined();
    expect(shipped.data!.shipFulfillment.fulfillment.status).toBe("SHIPPED");
    const lines = await gql(`query($id: ID!) { shipment(shipmentId: $id) { lines { sku quantity } } }`, { id: shipped.data!.shipFulfillment.shipmentId });
    expect(lines.data!.shipment.lines.map((l: { sku: string; quantity: string }) => [l.sku, Number(l.quantity)])).toEqual([[sku, quantity]]);
    // The manifest written with the shipment (what the change feed carries) is that same answer; a
    // shipment from before manifests were kept ([]) is read from its stock movements, to the same lines.
    const shipmentId = shipped.data!.shipFulfillment.shipmentId as string;
    const [stored] = await wms.database.query<{ lines: unknown }>(`SELECT "lines" FROM "Shipment" WHERE "shipmentId" = $1`, [shipmentId]);
    expect(stored!.lines).toEqual([{ sku, quantity: String(quantity) }]);
    await wms.database.query(`UPDATE "Shipment" SET "lines" = '[]' WHERE "shipmentId" = $1`, [shipmentId]);
    const fromMovements = await gql(`query($id: ID!) { shipment(shipmentId: $id) { lines { sku quantity } } }`, { id: shipmentId });
    expect(fromMovements.data!.shipment.lines).toEqual(lines.data!.shipment.lines);
    const secondAfter = await stockRow(sku, secondBin);
    expect([Number(secondAfter.onHand), Number(secondAfter.reserved)]).toEqual([4, 0]);
    expect(await unexplainedStockRows(wms)).toBe(0);
  });
});
