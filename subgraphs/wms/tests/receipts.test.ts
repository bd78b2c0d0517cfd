// Receipts against a real WMS: a customer return books stock back with a RETURN movement (onHand
// always equals its movements), never more than the order shipped; purchase deliveries book
// RECEIPT movements; a shipment lists what left in it. Idempotent retries write nothing new.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningWms } from "../src/server.js";
import { errorCode, graphqlClient, startTestWms, unexplainedStockRows } from "./support.js";

let wms: RunningWms;
let gql: ReturnType<typeof graphqlClient>;
const RECEIPT = `mutation($input: RecordReceiptInput!) { recordReceipt(input: $input) { receiptNumber kind order { orderNumber } warehouse { code } lines { sku quantity } } }`;
const onHand = async (sku: string, warehouseCode: string) =>
  (
    await wms.database.query<{ n: string }>(`SELECT COALESCE(sum("onHand"), 0)::text AS n FROM "Stock" WHERE sku = $1 AND "warehouseCode" = $2`, [
      sku,
      warehouseCode,
    ])
  )[0]!.n;
let stocked: { sku: string; warehouseCode: string };

beforeAll(async () => {
  wms = await startTestWms();
  gql = graphqlClient(wms.url);
  const rows = await wms.database.query<{ sku: string; warehouseCode: string }>(
    `SELECT sku, "warehouseCode" FROM "Stock" WHERE "onHand" - reserved >= 5 ORDER BY "onHand" DESC LIMIT 1`,
  );
  stocked = rows[0]!;
});
afterAll(async () => wms?.stop());

describe("recordReceipt and shipment lines", () => {
  it("ships an order, lists the shipment's lines, takes back a return and refuses more than was shipped", async () => {
    const { sku, warehouseCode } = stocked;
    const created = await gql(`mutation($input: CreateFulfillmentInput!) { createFulfillment(input: $input) { fulfillmentId } }`, {
      input: { orderNumber: "SO-900001", warehouseCode, lines: [{ sku, quantity: "3" }], idempotencyKey: "ff-r1" },
    });
    const fulfillmentId = created.data!.createFulfillment.fulfillmentId;
    await gql(`mutation($input: ConfirmPickInput!) { confirmPick(input: $input) { status } }`, {
      input: { fulfillmentId, lines: [{ sku, quantity: "3" }], idempotencyKey: "pk-r1" },
    });
    const shipped = await gql(`mutation($input: ShipFulfillmentInput!) { shipFulfillment(input: $input) { shipmentId lines { sku quantity } } }`, {
      input: { fulfillmentId, carrier: "UPS", trackingNumber: "1Z1", idempotencyKey: "sh-r1" },
    });
    expect(shipped.data!.shipFulfillment.lines).toEqual([{ sku, quantity: "3" }]);

    const before = await onHand(sku, warehouseCode);
    const input = { warehouseCode, kind: "RETURN", orderNumber: "SO-900001", lines: [{ sku, quantity: "2" }], idempotencyKey: "rc-r1" };
    const receipt = (await gql(RECEIPT, { input })).data!.recordReceipt;
    expect(receipt).toMatchObject({
      receiptNumber: expect.stringMatching(/^RC-W\d{6}$/),
      kind: "RETURN",
      order: { orderNumber: "SO-900001" },
      lines: [{ sku, quantity: "2" }],
    });
    expect(Number(await onHand(sku, warehouseCode)) - Number(before)).toBe(2);
    expect((await gql(RECEIPT, { input })).data!.recordReceipt.receiptNumber).toBe(receipt.receiptNumber);
    expect(Number(await onHand(sku, warehouseCode)) - Number(before)).toBe(2);
    const [movement] = await wms.database.query<{ reason: string }>(`SELECT reason FROM "StockMovement" WHERE reference = $1`, [receipt.receiptNumber]);
    expect(movement!.reason).toBe("RETURN");
    expect(errorCode(await gql(RECEIPT, { input: { ...input, lines: [{ sku, quantity: "4" }], idempotencyKey: "rc-r2" } }))).toBe("INVALID_QUANTITY");
    expect(errorCode(await gql(RECEIPT, { input: { ...input, orderNumber: null, idempotencyKey: "rc-r3" } }))).toBe("BAD_USER_INPUT");
    expect(await unexplainedStockRows(wms)).toBe(0);
  });

  it("books a purchase delivery as RECEIPT movements", async () => {
    const { sku, warehouseCode } = stocked;
    const before = await onHand(sku, warehouseCode);
    const receipt = (await gql(RECEIPT, { input: { warehouseCode, kind: "PURCHASE", lines: [{ sku, quantity: "10" }], idempotencyKey: "rc-p1" } })).data!
      .recordReceipt;
    expect(receipt).toMatchObject({ kind: "PURCHASE", order: null });
    expect(Number(await onHand(sku, warehouseCode)) - Number(before)).toBe(10);
    const fetched = await gql(`query($n: ID!) { receipt(receiptNumber: $n) { receiptNumber lines { quantity } } }`, { n: receipt.receiptNumber });
    expect(fetched.data!.receipt).toEqual({ receiptNumber: receipt.receiptNumber, lines: [{ quantity: "10" }] });
    expect(
      errorCode(await gql(RECEIPT, { input: { warehouseCode: "NOPE", kind: "PURCHASE", lines: [{ sku, quantity: "1" }], idempotencyKey: "rc-p2" } })),
    ).toBe("UNKNOWN_WAREHOUSE");
    expect(await unexplainedStockRows(wms)).toBe(0);
  });
});
