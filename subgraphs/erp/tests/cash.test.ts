// The ERP's amendments and the cash end of order-to-cash, over real HTTP on a seeded PGlite:
// amendOrder (lines, warehouse, prices kept, credit and stock decided again, refusals that write
// nothing), recordPayment (partial, several invoices, overpayment as credit, PAID and CLOSED,
// credit hold lifted), credit memos settling invoices, overdue invoices and DSO, partners.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Decimal, generateDemoWorld } from "@crossdock/schema";
import { ALL_SCOPES, type Principal } from "@crossdock/platform";
import { principalHeaders } from "@crossdock/test";
import { start } from "../src/server.js";
import { erpTestDatabase, errorCodes, graphqlClient } from "./helpers.js";

const SCALE = 0.05;
const world = generateDemoWorld({ scale: SCALE });
const [customer, other] = world.customers.filter((c) => c.status === "ACTIVE").map((c) => c.customerNumber) as [string, string];
const [skuA, skuB, skuC] = [world.products[0]!.sku, world.products[1]!.sku, world.products[2]!.sku];
const partner: Principal = { kind: "partner", subject: "acme-app", scopes: [...ALL_SCOPES], customerNumber: customer };

let database: Awaited<ReturnType<typeof erpTestDatabase>>;
let erp: Awaited<ReturnType<typeof start>>;
let gql: ReturnType<typeof graphqlClient>;
let keys = 0;
const key = () => `cash-key-${++keys}`;

const SUBMIT = `mutation($input: SubmitOrderInput!) { submitOrder(input: $input) { outcome order { orderNumber warehouseCode total } } }`;
const AMEND = `mutation($input: AmendOrderInput!) { amendOrder(input: $input) {
  outcome reason message amendmentNumber changeCursor order { orderNumber status total warehouseCode lines { lineNumber quantity unitPrice product { sku } } }
} }`;
const PAY = `mutation($input: RecordPaymentInput!) { recordPayment(input: $input) {
  paymentId amount unapplied reference customer { customerNumber openBalance status } appliedTo { invoiceNumber status paidAmount openAmount }
} }`;
const ORDER = `query($n: ID!) { order(orderNumber: $n) { status paidAmount total invoice { invoiceNumber status amount paidAmount openAmount dueAt order { orderNumber } } } }`;

async function released(lines = [{ sku: skuA, quantity: "4" }], customerNumber = customer) {
  const response = await gql(SUBMIT, { input: { idempotencyKey: key(), customerNumber, lines } });
  expect(response.data!.submitOrder.outcome).toBe("RELEASED");
  return response.data!.submitOrder.order as { orderNumber: string; warehouseCode: string; total: string };
}

/** A released order shipped in full, so it is INVOICED with an OPEN invoice. */
async function invoiced(quantity = "2", customerNumber = customer): Promise<{ orderNumber: string; invoiceNumber: string; amount: string }> {
  const order = await released([{ sku: skuA, quantity }], customerNumber);
  const shipped = await gql(`mutation($input: RecordShipmentInput!) { recordShipment(input: $input) { invoice { invoiceNumber amount } } }`, {
    input: { orderNumber: order.orderNumber, shipmentId: `SH-${key()}`, lines: [{ sku: skuA, quantity }], idempotencyKey: key() },
  });
  return { orderNumber: order.orderNumber, ...shipped.data!.recordShipment.invoice };
}

/** Rows of every table these writes touch, and the customers' money: unchanged after a refusal. */
async function footprint() {
  const [row] = await erp.database.query<Record<string, string>>(
    `SELECT (SELECT count(*) FROM "OrderAmendment")::text AS amendments, (SELECT count(*) FROM "Payment")::text AS payments,
       (SELECT count(*) FROM "InvoiceApplication")::text AS applications, (SELECT count(*) FROM "AuditEntry")::text AS audits,
       (SELECT count(*) FROM "IdempotencyKey")::text AS keys, (SELECT string_agg("sku" || ':' || "quantity"::text, ',' ORDER BY "id") FROM "SalesOrderLine") AS lines,
       (SELECT string_agg("customerNumber" || ':' || "openBalance"::text || ':' || "status", ',' ORDER BY "id") FROM "Customer") AS money,
       (SELECT string_agg("invoiceNumber" || ':' || "paidAmount"::text || ':' || "status", ',' ORDER BY "id") FROM "Invoice") AS invoices`,
  );
  return row!;
}

const balance = async (customerNumber = customer) =>
  new Decimal((await gql(`query($c: ID!) { customer(customerNumber: $c) { openBalance } }`, { c: customerNumber })).data!.customer.openBalance as string);

beforeAll(async () => {
  database = await erpTestDatabase();
  erp = await start({ port: 0, host: "127.0.0.1", databaseUrl: database.url, seed: { enabled: true, scale: SCALE }, logLevel: "warn" });
  gql = graphqlClient(erp.url);
  for (const c of [customer, other]) await gql(`mutation($c: ID!) { setCreditLimit(customerNumber: $c, creditLimit: "99999999") { customerNumber } }`, { c });
  // Enough stock everywhere that the amendments below are decided on credit, not on stock.
  await erp.database.query(`UPDATE "InventoryLedger" SET "onHand" = "onHand" + 100000`);
});
afterAll(async () => {
  await erp?.stop();
  await database?.drop();
});

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
    const [row] = await erp.database.query<{ previousLines: unknown; lines: unknown; reason: string }>(
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
    const [target] = await erp.database.query<{ code: string }>(
      `SELECT DISTINCT "warehouseCode" AS code FROM "InventoryLedger" WHERE "warehouseCode" <> $1 LIMIT 1`,
      [order.warehouseCode],
    );
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
    const [undo] = await erp.database.query<{ revertsAmendment: string | null }>(
      `SELECT "revertsAmendment" FROM "OrderAmendment" WHERE "amendmentNumber" = $1`,
      [back.amendmentNumber],
    );
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

describe("recordPayment", () => {
  it("pays part of an invoice, then the rest: PAID, the order CLOSED, the open balance down by what was paid", async () => {
    const inv = await invoiced("2");
    const before = await balance();
    const half = new Decimal(inv.amount).div(2).toDecimalPlaces(2, Decimal.ROUND_DOWN);
    const first = (
      await gql(PAY, {
        input: { customerNumber: customer, amount: half.toFixed(2), reference: "BANK-1", idempotencyKey: key(), invoiceNumbers: [inv.invoiceNumber] },
      })
    ).data!.recordPayment;
    expect(first).toMatchObject({
      paymentId: expect.stringMatching(/^PAY-\d{6}$/),
      unapplied: "0.00",
      appliedTo: [{ invoiceNumber: inv.invoiceNumber, status: "OPEN" }],
    });
    expect((await gql(ORDER, { n: inv.orderNumber })).data!.order).toMatchObject({ status: "INVOICED", paidAmount: half.toFixed(2) });
    const rest = new Decimal(inv.amount).minus(half);
    const second = (
      await gql(PAY, {
        input: { customerNumber: customer, amount: rest.toFixed(2), reference: "BANK-2", idempotencyKey: key(), invoiceNumbers: [inv.invoiceNumber] },
      })
    ).data!.recordPayment;
    expect(second.appliedTo).toEqual([{ invoiceNumber: inv.invoiceNumber, status: "PAID", paidAmount: inv.amount, openAmount: "0.00" }]);
    const closed = (await gql(ORDER, { n: inv.orderNumber })).data!.order;
    expect(closed).toMatchObject({ status: "CLOSED", paidAmount: inv.amount, invoice: { status: "PAID", order: { orderNumber: inv.orderNumber } } });
    expect(before.minus(await balance()).eq(inv.amount)).toBe(true);
  });

  it("settles several invoices oldest first and keeps the overpayment as credit; a retry changes nothing", async () => {
    const a = await invoiced("1", other);
    const b = await invoiced("1", other);
    // Settle every other open invoice of the customer first, so only a and b are open.
    const open = await erp.database.query<{ invoiceNumber: string }>(
      `SELECT i."invoiceNumber" FROM "Invoice" i JOIN "SalesOrder" o ON o."id" = i."orderId" WHERE o."customerNumber" = $1 AND i."status" = 'OPEN' AND i."invoiceNumber" NOT IN ($2, $3)`,
      [other, a.invoiceNumber, b.invoiceNumber],
    );
    await erp.database.query(`UPDATE "Invoice" SET "status" = 'PAID', "paidAmount" = "amount" WHERE "invoiceNumber" = ANY($1::text[])`, [
      open.map((i) => i.invoiceNumber),
    ]);
    await erp.database.query(`UPDATE "Invoice" SET "issuedAt" = now() - interval '1 day' WHERE "invoiceNumber" = $1`, [b.invoiceNumber]);
    const before = await balance(other);
    const amount = new Decimal(a.amount).plus(b.amount).plus("10.00");
    const input = { customerNumber: other, amount: amount.toFixed(2), reference: "CHQ-7", idempotencyKey: key() };
    const payment = (await gql(PAY, { input })).data!.recordPayment;
    expect(payment.appliedTo.map((i: any) => [i.invoiceNumber, i.status])).toEqual([
      [b.invoiceNumber, "PAID"],
      [a.invoiceNumber, "PAID"],
    ]);
    expect(payment.unapplied).toBe("10.00");
    expect(before.minus(await balance(other)).eq(amount)).toBe(true);
    const snapshot = await footprint();
    expect((await gql(PAY, { input })).data!.recordPayment.paymentId).toBe(payment.paymentId);
    expect(await footprint()).toEqual(snapshot);
    const listed = await gql(`query($c: ID!) { customer(customerNumber: $c) { payments(first: 1) { paymentId unapplied } } }`, { c: other });
    expect(listed.data!.customer.payments).toEqual([{ paymentId: payment.paymentId, unapplied: "10.00" }]);
  });

  it("lifts the credit hold once the balance falls under the limit", async () => {
    await invoiced("1", other);
    const owed = await balance(other);
    await erp.database.query(`UPDATE "Customer" SET "status" = 'CREDIT_HOLD', "creditLimit" = $2 WHERE "customerNumber" = $1`, [
      other,
      owed.minus(1).toFixed(2),
    ]);
    const payment = (await gql(PAY, { input: { customerNumber: other, amount: "5.00", reference: "WIRE", idempotencyKey: key() } })).data!.recordPayment;
    expect(payment.customer.status).toBe("ACTIVE");
    await gql(`mutation($c: ID!) { setCreditLimit(customerNumber: $c, creditLimit: "99999999") { customerNumber } }`, { c: other });
  });

  it("refuses unknown keys, a paid invoice, another customer's invoice and bad amounts, and writes nothing", async () => {
    const paid = await invoiced("1");
    await gql(PAY, {
      input: { customerNumber: customer, amount: paid.amount, reference: "FULL", idempotencyKey: key(), invoiceNumbers: [paid.invoiceNumber] },
    });
    const theirs = await invoiced("1", other);
    const pay = (input: Record<string, unknown>) =>
      gql(PAY, { input: { customerNumber: customer, amount: "1.00", reference: "R", idempotencyKey: key(), ...input } });
    const before = await footprint();
    expect(errorCodes(await pay({ customerNumber: "C-NOPE" }))).toEqual(["UNKNOWN_CUSTOMER"]);
    expect(errorCodes(await pay({ invoiceNumbers: ["INV-NOPE"] }))).toEqual(["UNKNOWN_INVOICE"]);
    expect(errorCodes(await pay({ invoiceNumbers: [theirs.invoiceNumber] }))).toEqual(["UNKNOWN_INVOICE"]);
    expect(errorCodes(await pay({ invoiceNumbers: [paid.invoiceNumber] }))).toEqual(["INVALID_STATE"]);
    expect(errorCodes(await pay({ amount: "0" }))).toEqual(["INVALID_DECIMAL"]);
    expect(errorCodes(await pay({ amount: "1.001" }))).toEqual(["INVALID_DECIMAL"]);
    expect(errorCodes(await pay({ reference: "" }))).toEqual(["BAD_USER_INPUT"]);
    expect(errorCodes(await pay({ invoiceNumbers: [theirs.invoiceNumber, theirs.invoiceNumber] }))).toEqual(["BAD_USER_INPUT"]);
    expect(await footprint()).toEqual(before);
  });
});

describe("credit memos and receivables", () => {
  it("a credit memo settles the order's open invoice and closes a fully credited order", async () => {
    const inv = await invoiced("2");
    const memo = `mutation($input: CreateCreditMemoInput!) { createCreditMemo(input: $input) { amount } }`;
    await gql(memo, { input: { orderNumber: inv.orderNumber, reason: "Damaged", lines: [{ sku: skuA, quantity: "1" }], idempotencyKey: key() } });
    const half = (await gql(ORDER, { n: inv.orderNumber })).data!.order;
    expect(half.status).toBe("INVOICED");
    expect(new Decimal(half.invoice.paidAmount).gt(0)).toBe(true);
    await gql(memo, { input: { orderNumber: inv.orderNumber, reason: "Damaged", lines: [{ sku: skuA, quantity: "1" }], idempotencyKey: key() } });
    expect((await gql(ORDER, { n: inv.orderNumber })).data!.order).toMatchObject({ status: "CLOSED", invoice: { status: "PAID", openAmount: "0.00" } });
  });

  it("a payment and a credit memo on one invoice at once both land, and the invoice is never settled beyond its amount", async () => {
    const inv = await invoiced("2");
    const [paid, credited] = await Promise.all([
      gql(PAY, { input: { customerNumber: customer, amount: inv.amount, reference: "RACE", idempotencyKey: key(), invoiceNumbers: [inv.invoiceNumber] } }),
      gql(`mutation($input: CreateCreditMemoInput!) { createCreditMemo(input: $input) { amount } }`, {
        input: { orderNumber: inv.orderNumber, reason: "Damaged", lines: [{ sku: skuA, quantity: "1" }], idempotencyKey: key() },
      }),
    ]);
    expect([paid.errors, credited.errors]).toEqual([undefined, undefined]);
    const [settled] = await erp.database.query<{ applied: string; paidAmount: string; status: string }>(
      `SELECT (SELECT sum(a."amount") FROM "InvoiceApplication" a WHERE a."invoiceId" = i."id")::text AS applied, i."paidAmount"::text AS "paidAmount", i."status"::text AS status
       FROM "Invoice" i WHERE i."invoiceNumber" = $1`,
      [inv.invoiceNumber],
    );
    expect(settled!.status).toBe("PAID");
    expect(new Decimal(settled!.applied).eq(inv.amount) && new Decimal(settled!.paidAmount).eq(inv.amount)).toBe(true);
  });

  it("lists overdue invoices most overdue first, pages them, and computes days sales outstanding", async () => {
    const late = await invoiced("1");
    await erp.database.query(`UPDATE "Invoice" SET "issuedAt" = now() - interval '200 days' WHERE "invoiceNumber" = $1`, [late.invoiceNumber]);
    const OVERDUE = `query($after: String) { overdueInvoices(first: 2, after: $after) { edges { cursor node { invoiceNumber dueAt openAmount status } } pageInfo { hasNextPage endCursor } } }`;
    const first = (await gql(OVERDUE)).data!.overdueInvoices;
    expect(first.edges.length).toBe(2);
    const dues = first.edges.map((e: any) => Date.parse(e.node.dueAt));
    expect(dues[0]).toBeLessThanOrEqual(dues[1]);
    expect(first.edges.every((e: any) => e.node.status === "OPEN" && Date.parse(e.node.dueAt) < Date.now())).toBe(true);
    const all: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = (await gql(OVERDUE, { after })).data!.overdueInvoices;
      all.push(...page.edges.map((e: any) => e.node.invoiceNumber));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(all).toContain(late.invoiceNumber);
    expect(new Set(all).size).toBe(all.length);
    const dso = await gql(`query($c: ID!) { daysSalesOutstanding customer(customerNumber: $c) { daysSalesOutstanding } }`, { c: customer });
    expect(dso.data!.daysSalesOutstanding).toBeGreaterThan(0);
    expect(dso.data!.customer.daysSalesOutstanding).toBeGreaterThanOrEqual(0);
    expect(errorCodes(await gql(OVERDUE, { after: "not-a-cursor" }))).toEqual(["INVALID_CURSOR"]);
  });

  it("a partner sees only its own overdue invoices, payments and DSO, and cannot pay or amend for another customer", async () => {
    const theirs = await invoiced("1", other);
    await erp.database.query(`UPDATE "Invoice" SET "issuedAt" = now() - interval '200 days' WHERE "invoiceNumber" = $1`, [theirs.invoiceNumber]);
    const asPartner = graphqlClient(erp.url, principalHeaders(partner));
    const listed = await asPartner(`{ overdueInvoices(first: 500) { edges { node { invoiceNumber order { customerNumber } } } } }`);
    const customers = new Set(listed.data!.overdueInvoices.edges.map((e: any) => e.node.order.customerNumber));
    expect([...customers].every((c) => c === customer)).toBe(true);
    const seen = await asPartner(`query($c: ID!) { customer(customerNumber: $c) { payments { paymentId } daysSalesOutstanding } }`, { c: other });
    expect(seen.data!.customer).toBeNull();
    const theirOrder = await released([{ sku: skuA, quantity: "1" }], other);
    const before = await footprint();
    expect(errorCodes(await asPartner(PAY, { input: { customerNumber: other, amount: "1.00", reference: "X", idempotencyKey: key() } }))).toEqual([
      "FORBIDDEN",
    ]);
    expect(
      errorCodes(
        await asPartner(AMEND, { input: { orderNumber: theirOrder.orderNumber, idempotencyKey: key(), reason: "x", lines: [{ sku: skuA, quantity: "2" }] } }),
      ),
    ).toEqual(["FORBIDDEN"]);
    expect(await footprint()).toEqual(before);
  });
});
