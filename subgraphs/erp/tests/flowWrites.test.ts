// The ERP writes the process layer calls, over real HTTP on a seeded PGlite (or Postgres, see
// erpTestDatabase): recordShipment (quantities, ledger, status, invoice; once per shipment, also
// under concurrency), billing holds that defer the invoice, credit memos for returns, and
// purchase suggestions below the reorder point.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Decimal, generateDemoWorld } from "@crossdock/schema";
import { start } from "../src/server.js";
import { erpTestDatabase, errorCodes, graphqlClient, rowDelta, sqlStatementTotal, writtenRows } from "./helpers.js";

const SCALE = 0.05;
const world = generateDemoWorld({ scale: SCALE });
let database: Awaited<ReturnType<typeof erpTestDatabase>>;
let erp: Awaited<ReturnType<typeof start>>;
let gql: ReturnType<typeof graphqlClient>;
let keys = 0;
const key = () => `flow-key-${++keys}`;

const customer = world.customers.find((c) => c.status === "ACTIVE")!.customerNumber;
const [skuA, skuB] = [world.products[0]!.sku, world.products[1]!.sku];

async function releasedOrder(): Promise<{ orderNumber: string; warehouseCode: string; total: string }> {
  const response = await gql(`mutation($input: SubmitOrderInput!) { submitOrder(input: $input) { outcome order { orderNumber warehouseCode total } } }`, {
    input: {
      idempotencyKey: key(),
      customerNumber: customer,
      lines: [
        { sku: skuA, quantity: "4" },
        { sku: skuB, quantity: "2" },
      ],
    },
  });
  expect(response.data!.submitOrder.outcome).toBe("RELEASED");
  return response.data!.submitOrder.order;
}

const ledger = async (sku: string, warehouseCode: string) =>
  (
    await erp.database.query<{ onHand: string }>(`SELECT "onHand"::text AS "onHand" FROM "InventoryLedger" WHERE sku = $1 AND "warehouseCode" = $2`, [
      sku,
      warehouseCode,
    ])
  )[0]?.onHand ?? "0";
const RECORD = `mutation($input: RecordShipmentInput!) { recordShipment(input: $input) { shipmentId invoice { invoiceNumber amount } order { status lines { quantityShipped } } } }`;
const HOLD = (field: string) => `mutation($input: BillingHoldInput!) { ${field}(input: $input) { status billingHold invoice { invoiceNumber } } }`;

beforeAll(async () => {
  database = await erpTestDatabase();
  erp = await start({ port: 0, host: "127.0.0.1", databaseUrl: database.url, seed: { enabled: true, scale: SCALE }, logLevel: "warn" });
  gql = graphqlClient(erp.url);
  await gql(`mutation($c: ID!) { setCreditLimit(customerNumber: $c, creditLimit: "99999999") { customerNumber } }`, { c: customer });
});
afterAll(async () => {
  await erp?.stop();
  await database?.drop();
});

describe("recordShipment", () => {
  it("ships partially, then fully with the invoice; decrements the ledger; a replay changes nothing; a shipment counts once", async () => {
    const order = await releasedOrder();
    const before = await ledger(skuA, order.warehouseCode);
    const input = { orderNumber: order.orderNumber, shipmentId: "SH-T1", lines: [{ sku: skuA, quantity: "4" }], idempotencyKey: key() };
    const partial = await gql(RECORD, { input });
    expect(partial.data!.recordShipment).toMatchObject({
      invoice: null,
      order: { status: "PARTIALLY_SHIPPED", lines: [{ quantityShipped: "4" }, { quantityShipped: "0" }] },
    });
    expect(new Decimal(before).minus(await ledger(skuA, order.warehouseCode)).eq(4)).toBe(true);
    expect((await gql(RECORD, { input })).data!.recordShipment.order.status).toBe("PARTIALLY_SHIPPED");
    expect(new Decimal(before).minus(await ledger(skuA, order.warehouseCode)).eq(4)).toBe(true);
    expect(errorCodes(await gql(RECORD, { input: { ...input, idempotencyKey: key() } }))).toEqual(["INVALID_STATE"]);
    expect(errorCodes(await gql(RECORD, { input: { ...input, shipmentId: "SH-T2", lines: [{ sku: skuB, quantity: "3" }], idempotencyKey: key() } }))).toEqual([
      "INVALID_QUANTITY",
    ]);
    const full = await gql(RECORD, { input: { ...input, shipmentId: "SH-T2", lines: [{ sku: skuB, quantity: "2" }], idempotencyKey: key() } });
    expect(full.data!.recordShipment.order.status).toBe("INVOICED");
    expect(full.data!.recordShipment.invoice.amount).toBe(order.total);
  });

  it("records a shipment in four SQL statements and answers from the rows it wrote", async () => {
    const order = await releasedOrder();
    const before = await sqlStatementTotal(erp.url);
    const shipped = await gql(
      `mutation($input: RecordShipmentInput!) { recordShipment(input: $input) { shipmentId changeCursor order { orderNumber status total billingHold } invoice { invoiceNumber amount status issuedAt } } }`,
      {
        input: {
          orderNumber: order.orderNumber,
          shipmentId: "SH-T5",
          lines: [
            { sku: skuA, quantity: "4" },
            { sku: skuB, quantity: "2" },
          ],
          idempotencyKey: key(),
        },
      },
    );
    expect(shipped.errors).toBeUndefined();
    // The key's claim, the read under the order's locks, lines + ledger + status + invoice, the
    // stored response with the audit entry; order and invoice in the payload are the written rows.
    expect((await sqlStatementTotal(erp.url)) - before).toBe(4);
    const payload = shipped.data!.recordShipment;
    expect(payload).toMatchObject({
      shipmentId: "SH-T5",
      changeCursor: expect.stringMatching(/^erp:\d+$/),
      order: { orderNumber: order.orderNumber, status: "INVOICED", total: order.total, billingHold: false },
      invoice: { invoiceNumber: `INV-${order.orderNumber.slice(3)}`, amount: order.total, status: "OPEN" },
    });
    const read = await gql(
      `query($n: ID!) { order(orderNumber: $n) { orderNumber status total billingHold invoice { invoiceNumber amount status issuedAt } } }`,
      {
        n: order.orderNumber,
      },
    );
    expect(read.data!.order).toEqual({ ...payload.order, invoice: payload.invoice });
  });

  it("counts a shipment once when it is recorded concurrently under different keys", async () => {
    const order = await releasedOrder();
    const ledgerBefore = await ledger(skuA, order.warehouseCode);
    const rowsBefore = await writtenRows(erp.database);
    // A partial quantity: the line check alone would let a second recording through.
    const input = { orderNumber: order.orderNumber, shipmentId: "SH-T6", lines: [{ sku: skuA, quantity: "1" }] };
    const results = await Promise.all(Array.from({ length: 6 }, () => gql(RECORD, { input: { ...input, idempotencyKey: key() } })));
    const succeeded = results.filter((r) => r.errors === undefined);
    expect(succeeded).toHaveLength(1);
    for (const r of results.filter((x) => x.errors !== undefined)) expect(errorCodes(r)).toEqual(["INVALID_STATE"]);
    expect(succeeded[0]!.data!.recordShipment.order).toMatchObject({
      status: "PARTIALLY_SHIPPED",
      lines: [{ quantityShipped: "1" }, { quantityShipped: "0" }],
    });
    expect(new Decimal(ledgerBefore).minus(await ledger(skuA, order.warehouseCode)).eq(1)).toBe(true);
    expect(rowDelta(rowsBefore, await writtenRows(erp.database))).toEqual({ orders: 0, lines: 0, invoices: 0, audits: 1, keys: 1 });
  });

  it("adds up concurrent shipments of one order and invoices it once", async () => {
    const order = await releasedOrder();
    const [ledgerA, ledgerB] = [await ledger(skuA, order.warehouseCode), await ledger(skuB, order.warehouseCode)];
    const shipments = [
      [{ sku: skuA, quantity: "3" }],
      [
        { sku: skuB, quantity: "2" },
        { sku: skuA, quantity: "1" },
      ],
    ];
    const results = await Promise.all(
      shipments.map((lines, i) => gql(RECORD, { input: { orderNumber: order.orderNumber, shipmentId: `SH-T7-${i}`, lines, idempotencyKey: key() } })),
    );
    for (const r of results) expect(r.errors).toBeUndefined();
    const statuses = results.map((r) => r.data!.recordShipment.order.status).sort();
    expect(statuses).toEqual(["INVOICED", "PARTIALLY_SHIPPED"]);
    const final = await gql(`query($n: ID!) { order(orderNumber: $n) { status lines { quantityShipped } invoice { amount } } }`, { n: order.orderNumber });
    expect(final.data!.order).toEqual({ status: "INVOICED", lines: [{ quantityShipped: "4" }, { quantityShipped: "2" }], invoice: { amount: order.total } });
    expect(new Decimal(ledgerA).minus(await ledger(skuA, order.warehouseCode)).eq(4)).toBe(true);
    expect(new Decimal(ledgerB).minus(await ledger(skuB, order.warehouseCode)).eq(2)).toBe(true);
  });

  it("a billing hold defers the invoice; lifting it issues the invoice", async () => {
    const order = await releasedOrder();
    const hold = await gql(HOLD("placeBillingHold"), { input: { orderNumber: order.orderNumber, reason: "Shipment exception", idempotencyKey: key() } });
    expect(hold.data!.placeBillingHold).toMatchObject({ billingHold: true, status: "RELEASED" });
    const shipped = await gql(RECORD, {
      input: {
        orderNumber: order.orderNumber,
        shipmentId: "SH-T3",
        lines: [
          { sku: skuA, quantity: "4" },
          { sku: skuB, quantity: "2" },
        ],
        idempotencyKey: key(),
      },
    });
    expect(shipped.data!.recordShipment).toMatchObject({ invoice: null, order: { status: "SHIPPED" } });
    const lifted = await gql(HOLD("liftBillingHold"), { input: { orderNumber: order.orderNumber, reason: "Case resolved", idempotencyKey: key() } });
    expect(lifted.data!.liftBillingHold).toMatchObject({
      billingHold: false,
      status: "INVOICED",
      invoice: { invoiceNumber: `INV-${order.orderNumber.slice(3)}` },
    });
  });
});

describe("credit memos and purchase suggestions", () => {
  it("credits returned goods at the order's price, books them back and lowers the open balance; never more than shipped", async () => {
    const order = await releasedOrder();
    await gql(RECORD, {
      input: {
        orderNumber: order.orderNumber,
        shipmentId: "SH-T4",
        lines: [
          { sku: skuA, quantity: "4" },
          { sku: skuB, quantity: "2" },
        ],
        idempotencyKey: key(),
      },
    });
    const balance = async () => (await gql(`query($c: ID!) { customer(customerNumber: $c) { openBalance } }`, { c: customer })).data!.customer.openBalance;
    const [balanceBefore, ledgerBefore] = [await balance(), await ledger(skuA, order.warehouseCode)];
    const CREDIT = `mutation($input: CreateCreditMemoInput!) { createCreditMemo(input: $input) { memoNumber amount reason order { orderNumber creditMemos { memoNumber } } } }`;
    const input = {
      orderNumber: order.orderNumber,
      reason: "Customer return",
      reference: "RC-W000001",
      lines: [{ sku: skuA, quantity: "1" }],
      idempotencyKey: key(),
    };
    const memo = (await gql(CREDIT, { input })).data!.createCreditMemo;
    const { order: erpOrder } = (await gql(`query($n: ID!) { order(orderNumber: $n) { lines { unitPrice } } }`, { n: order.orderNumber })).data!;
    expect(memo).toMatchObject({
      memoNumber: expect.stringMatching(/^CM-\d{6}$/),
      amount: erpOrder.lines[0].unitPrice,
      reason: "Customer return (RC-W000001)",
    });
    expect(memo.order.creditMemos).toEqual([{ memoNumber: memo.memoNumber }]);
    expect(new Decimal(balanceBefore).minus(await balance()).eq(memo.amount)).toBe(true);
    expect(new Decimal(await ledger(skuA, order.warehouseCode)).minus(ledgerBefore).eq(1)).toBe(true);
    expect((await gql(CREDIT, { input })).data!.createCreditMemo.memoNumber).toBe(memo.memoNumber);
    expect(errorCodes(await gql(CREDIT, { input: { ...input, lines: [{ sku: skuA, quantity: "5" }], idempotencyKey: key() } }))).toEqual(["INVALID_QUANTITY"]);
  });

  it("never credits more than shipped across memos with fresh keys, and refuses an unknown warehouse; a refusal changes nothing", async () => {
    const order = await releasedOrder();
    await gql(RECORD, { input: { orderNumber: order.orderNumber, shipmentId: "SH-CREDIT-1", lines: [{ sku: skuA, quantity: "4" }], idempotencyKey: key() } });
    const CREDIT = `mutation($input: CreateCreditMemoInput!) { createCreditMemo(input: $input) { memoNumber } }`;
    const credit = (quantity: string, extra: Record<string, unknown> = {}) =>
      gql(CREDIT, { input: { orderNumber: order.orderNumber, reason: "Return", lines: [{ sku: skuA, quantity }], idempotencyKey: key(), ...extra } });
    const state = async () => {
      const [row] = await erp.database.query<Record<string, string>>(
        `SELECT (SELECT count(*) FROM "CreditMemo")::text AS memos, (SELECT count(*) FROM "CreditMemoLine")::text AS "memoLines",
           (SELECT "openBalance"::text FROM "Customer" WHERE "customerNumber" = $1) AS balance,
           (SELECT count(*) FROM "AuditEntry")::text AS audits, (SELECT count(*) FROM "IdempotencyKey")::text AS keys`,
        [customer],
      );
      return { ...row, ledger: await ledger(skuA, order.warehouseCode) };
    };
    const first = await credit("3");
    expect(first.errors).toBeUndefined();
    expect(first.data!.createCreditMemo.memoNumber).toMatch(/^CM-/);
    const afterFirst = await state();
    const again = await credit("3");
    expect(errorCodes(again)).toEqual(["INVALID_QUANTITY"]);
    expect(again.errors![0]!.message).toContain("3 already credited");
    expect(await state()).toEqual(afterFirst);
    expect(errorCodes(await credit("1", { warehouseCode: "NO-SUCH-WH" }))).toEqual(["UNKNOWN_WAREHOUSE"]);
    expect(await state()).toEqual(afterFirst);
    // What is left (4 shipped, 3 credited) can still be credited, once.
    expect((await credit("1")).data!.createCreditMemo.memoNumber).toMatch(/^CM-/);
    const afterSecond = await state();
    expect(errorCodes(await credit("0.001"))).toEqual(["INVALID_QUANTITY"]);
    expect(await state()).toEqual(afterSecond);
  });

  it("takes no memo for an order credited before memo lines were recorded (an upgraded database)", async () => {
    const order = await releasedOrder();
    await gql(RECORD, { input: { orderNumber: order.orderNumber, shipmentId: "SH-LEGACY-1", lines: [{ sku: skuA, quantity: "2" }], idempotencyKey: key() } });
    // A memo as the ERP wrote it before migration 0002: an amount, no lines.
    await erp.database.query(
      `INSERT INTO "CreditMemo" ("memoNumber", "orderNumber", "customerNumber", "amount", "reason") VALUES ('CM-LEGACY-1', $1, $2, 10, 'before lines')`,
      [order.orderNumber, customer],
    );
    const counts = async () =>
      (
        await erp.database.query<Record<string, string>>(
          `SELECT (SELECT count(*) FROM "CreditMemo")::text AS memos, (SELECT count(*) FROM "AuditEntry")::text AS audits,
             (SELECT "openBalance"::text FROM "Customer" WHERE "customerNumber" = $1) AS balance`,
          [customer],
        )
      )[0];
    const before = await counts();
    const CREDIT = `mutation($input: CreateCreditMemoInput!) { createCreditMemo(input: $input) { memoNumber } }`;
    const refused = await gql(CREDIT, {
      input: { orderNumber: order.orderNumber, reason: "Return", lines: [{ sku: skuA, quantity: "1" }], idempotencyKey: key() },
    });
    expect(errorCodes(refused)).toEqual(["INVALID_STATE"]);
    expect(await counts()).toEqual(before);
  });

  it("suggests a purchase below the reorder point, once per sku × warehouse, and lists it", async () => {
    const product = world.products[2]!;
    const warehouseCode = world.warehouses[0]!.code;
    const SUGGEST = `mutation($input: CreatePurchaseSuggestionInput!) { createPurchaseSuggestion(input: $input) { suggestion { id quantity status sku warehouseCode } } }`;
    const above = await gql(SUGGEST, { input: { sku: product.sku, warehouseCode, available: product.reorderPoint, idempotencyKey: key() } });
    expect(above.data!.createPurchaseSuggestion.suggestion).toBeNull();
    const first = (await gql(SUGGEST, { input: { sku: product.sku, warehouseCode, available: "5", idempotencyKey: key() } })).data!.createPurchaseSuggestion
      .suggestion;
    expect(first).toMatchObject({ status: "OPEN", quantity: new Decimal(product.reorderPoint).mul(2).minus(5).toFixed() });
    const second = (await gql(SUGGEST, { input: { sku: product.sku, warehouseCode, available: "1", idempotencyKey: key() } })).data!.createPurchaseSuggestion
      .suggestion;
    expect(second.id).toBe(first.id);
    const listed = await gql(`query($s: ID!) { purchaseSuggestions(sku: $s) { id product { sku reorderPoint } } }`, { s: product.sku });
    expect(listed.data!.purchaseSuggestions).toEqual([{ id: first.id, product: { sku: product.sku, reorderPoint: product.reorderPoint } }]);
  });
});
