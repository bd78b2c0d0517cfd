// The ERP's order amendments over real HTTP: lines changed, added and removed at the prices they
// were sold at, another warehouse and back, credit decided again, and refusals that write nothing.
import { describe, expect, it } from "vitest";
import { Decimal } from "@crossdock/schema";
import { errorCodes } from "./helpers.js";
import { AMEND, balance, erpQuery, footprint, gql, invoiced, key, other, released, skuA, skuB, skuC, useCashErp } from "./cashHarness.js";

useCashErp();

describe("amendOrder", () => {
  it("changes quantities, adds and removes lines: kept lines keep their price, the total and open balance follow; a retry changes nothing", async () => {
    const order = await released([
      { sku: skuA, quantity: "4" },
      { sku: skuB, quantity: "2" },
    ]);
    const before = await balance();
    const original = (await gql(`query($n: ID!) { order(orderNumber: $n) { total lines { unitPrice product { sku } } } }`, { n: order.orderNumber })).data!
      .order;
    const oldTotal = new Decimal(original.total);
    const input = {
      orderNumber: order.orderNumber,
      idempotencyKey: key(),
      reason: "Customer phoned",
      lines: [
        { sku: skuA, quantity: "6" },
        { sku: skuC, quantity: "1" },
      ],
    };
    const amended = (await gql(AMEND, { input })).data!.amendOrder;
    expect(amended).toMatchObject({
      outcome: "RELEASED",
      reason: null,
      amendmentNumber: expect.stringMatching(/^AM-\d{6}$/),
      changeCursor: expect.stringMatching(/^erp:/),
    });
    expect(amended.order.lines.map((l: any) => [l.lineNumber, l.product.sku, l.quantity])).toEqual([
      [1, skuA, "6"],
      [2, skuC, "1"],
    ]);
    expect(amended.order.lines[0].unitPrice).toBe(original.lines[0].unitPrice);
    const total = amended.order.lines.reduce((sum: Decimal, l: any) => sum.plus(new Decimal(l.quantity).mul(l.unitPrice)), new Decimal(0));
    expect(new Decimal(amended.order.total).eq(total)).toBe(true);
    expect((await balance()).minus(before).eq(new Decimal(amended.order.total).minus(oldTotal))).toBe(true);
    const [row] = await erpQuery<{ previousLines: unknown; lines: unknown; reason: string }>(
      `SELECT "previousLines", "lines", "reason" FROM "OrderAmendment" WHERE "amendmentNumber" = $1`,
      [amended.amendmentNumber],
    );
    expect(row).toMatchObject({
      reason: "Customer phoned",
      lines: [
        { sku: skuA, quantity: "6" },
        { sku: skuC, quantity: "1" },
      ],
    });
    expect(row!.previousLines).toMatchObject([
      { sku: skuA, quantity: "4", unitPrice: original.lines[0].unitPrice },
      { sku: skuB, quantity: "2" },
    ]);

    const snapshot = await footprint();
    expect((await gql(AMEND, { input })).data!.amendOrder.amendmentNumber).toBe(amended.amendmentNumber);
    expect(await footprint()).toEqual(snapshot);
  });

  it("moves an order to another warehouse; putting it back marks the undo", async () => {
    const order = await released();
    const [target] = await erpQuery<{ code: string }>(`SELECT DISTINCT "warehouseCode" AS code FROM "InventoryLedger" WHERE "warehouseCode" <> $1 LIMIT 1`, [
      order.warehouseCode,
    ]);
    const moved = (
      await gql(AMEND, {
        input: { orderNumber: order.orderNumber, idempotencyKey: key(), reason: "Closer", warehouseCode: target!.code, lines: [{ sku: skuA, quantity: "4" }] },
      })
    ).data!.amendOrder;
    expect(moved.order.warehouseCode).toBe(target!.code);
    const back = (
      await gql(AMEND, {
        input: {
          orderNumber: order.orderNumber,
          idempotencyKey: key(),
          reason: "Undo",
          warehouseCode: order.warehouseCode,
          lines: [{ sku: skuA, quantity: "4" }],
        },
      })
    ).data!.amendOrder;
    const [undo] = await erpQuery<{ revertsAmendment: string | null }>(`SELECT "revertsAmendment" FROM "OrderAmendment" WHERE "amendmentNumber" = $1`, [
      back.amendmentNumber,
    ]);
    expect(undo!.revertsAmendment).toBe(moved.amendmentNumber);
  });

  it("puts the order on credit hold when the amended total exceeds the limit; lowering it never needs new credit", async () => {
    const order = await released([{ sku: skuA, quantity: "1" }], other);
    const before = await balance(other);
    await gql(`mutation($c: ID!) { setCreditLimit(customerNumber: $c, creditLimit: "0") { customerNumber } }`, { c: other });
    try {
      const held = (
        await gql(AMEND, { input: { orderNumber: order.orderNumber, idempotencyKey: key(), reason: "More", lines: [{ sku: skuA, quantity: "3" }] } })
      ).data!.amendOrder;
      expect(held).toMatchObject({ outcome: "CREDIT_HOLD", reason: "CREDIT_LIMIT_EXCEEDED", order: { status: "CREDIT_HOLD" } });
      // A held order's total is not in the open balance.
      expect(before.minus(await balance(other)).eq(order.total)).toBe(true);
    } finally {
      await gql(`mutation($c: ID!) { setCreditLimit(customerNumber: $c, creditLimit: "99999999") { customerNumber } }`, { c: other });
    }
    const lower = await released([{ sku: skuA, quantity: "3" }], other);
    await gql(`mutation($c: ID!) { setCreditLimit(customerNumber: $c, creditLimit: "0") { customerNumber } }`, { c: other });
    try {
      const less = (
        await gql(AMEND, { input: { orderNumber: lower.orderNumber, idempotencyKey: key(), reason: "Less", lines: [{ sku: skuA, quantity: "1" }] } })
      ).data!.amendOrder;
      expect(less).toMatchObject({ outcome: "RELEASED", order: { status: "RELEASED" } });
    } finally {
      await gql(`mutation($c: ID!) { setCreditLimit(customerNumber: $c, creditLimit: "99999999") { customerNumber } }`, { c: other });
    }
  });

  it("refuses unknown keys, shipped orders, short stock and bad input, and writes nothing", async () => {
    const order = await released();
    const shipped = await invoiced();
    const amend = (input: Record<string, unknown>) =>
      gql(AMEND, { input: { orderNumber: order.orderNumber, idempotencyKey: key(), reason: "x", lines: [{ sku: skuA, quantity: "1" }], ...input } });
    const before = await footprint();
    expect(errorCodes(await amend({ orderNumber: "SO-NOPE" }))).toEqual(["UNKNOWN_ORDER"]);
    expect(errorCodes(await amend({ lines: [{ sku: "NO-SUCH-SKU", quantity: "1" }] }))).toEqual(["UNKNOWN_SKU"]);
    expect(errorCodes(await amend({ warehouseCode: "WH-NOPE" }))).toEqual(["UNKNOWN_WAREHOUSE"]);
    expect(errorCodes(await amend({ orderNumber: shipped.orderNumber }))).toEqual(["INVALID_STATE"]);
    expect(errorCodes(await amend({ lines: [{ sku: skuA, quantity: "1000000000" }] }))).toEqual(["INSUFFICIENT_STOCK"]);
    expect(errorCodes(await amend({ lines: [] }))).toEqual(["BAD_USER_INPUT"]);
    expect(errorCodes(await amend({ reason: " " }))).toEqual(["BAD_USER_INPUT"]);
    expect(errorCodes(await amend({ lines: [{ sku: skuA, quantity: "0" }] }))).toEqual(["INVALID_QUANTITY"]);
    expect(await footprint()).toEqual(before);
  });
});
