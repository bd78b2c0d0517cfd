// The ERP's writes over real HTTP on a seeded PGlite (or Postgres, see erpTestDatabase):
// submitOrder's outcomes, errors and idempotency, credit checks and retries under concurrency,
// cancelOrder and setCreditLimit — asserting on the data the graph shows afterwards and the rows
// in the ERP's database, including that failed writes changed nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Decimal, generateDemoWorld } from "@crossdock/schema";
import { start } from "../src/server.js";
import { erpTestDatabase, errorCodes, graphqlClient, rowDelta, sqlStatementTotal, writtenRows } from "./helpers.js";

const SCALE = 0.05;
const world = generateDemoWorld({ scale: SCALE });
let database: Awaited<ReturnType<typeof erpTestDatabase>>;
let erp: Awaited<ReturnType<typeof start>>;
let gql: ReturnType<typeof graphqlClient>;

const SUBMIT = `mutation($input: SubmitOrderInput!) { submitOrder(input: $input) {
  outcome reason message changeCursor
  order { orderNumber status warehouseCode total currency channel placedAt customer { customerNumber } lines { lineNumber quantity unitPrice quantityShipped product { sku } } }
} }`;

interface Snapshot {
  orderCount: number;
  balances: Record<string, string>;
}

/** What a failed or replayed write must leave untouched. */
async function snapshot(): Promise<Snapshot> {
  const response = await gql(
    `{ orders(first: 500) { edges { node { orderNumber status } } } customers(first: 500) { edges { node { customerNumber openBalance creditLimit } } } }`,
  );
  return {
    orderCount: response.data!.orders.edges.length,
    balances: Object.fromEntries(
      response.data!.customers.edges.map((e: { node: { customerNumber: string; openBalance: string; creditLimit: string } }) => [
        e.node.customerNumber,
        `${e.node.openBalance}/${e.node.creditLimit}`,
      ]),
    ),
  };
}

async function customer(customerNumber: string): Promise<{ status: string; openBalance: string; creditLimit: string }> {
  return (await gql(`query($c: ID!) { customer(customerNumber: $c) { status openBalance creditLimit } }`, { c: customerNumber })).data!.customer;
}

const activeCustomers = world.customers.filter((c) => c.status === "ACTIVE");
const product = (i: number) => world.products[i]!;
let keyCounter = 0;
const freshKey = () => `test-key-${++keyCounter}`;

beforeAll(async () => {
  database = await erpTestDatabase();
  erp = await start({ port: 0, host: "127.0.0.1", databaseUrl: database.url, seed: { enabled: true, scale: SCALE }, logLevel: "warn" });
  gql = graphqlClient(erp.url);
});

afterAll(async () => {
  await erp?.stop();
  await database?.drop();
});

describe("submitOrder", () => {
  it("releases an order within credit: prices, total, number, warehouse, open balance", async () => {
    const buyer = world.customerPrices.find((p) => activeCustomers.some((x) => x.customerNumber === p.customerNumber))!;
    const c = activeCustomers.find((x) => x.customerNumber === buyer.customerNumber)!;
    await gql(`mutation($c: ID!) { setCreditLimit(customerNumber: $c, creditLimit: "900000") { customerNumber } }`, { c: c.customerNumber });
    const other = world.products.find((p) => !world.customerPrices.some((x) => x.customerNumber === c.customerNumber && x.sku === p.sku))!;
    const before = await customer(c.customerNumber);
    const response = await gql(SUBMIT, {
      input: {
        idempotencyKey: freshKey(),
        customerNumber: c.customerNumber,
        requestedBy: "crm:avery",
        lines: [
          { sku: buyer.sku, quantity: "3" },
          { sku: other.sku, quantity: "1.5" },
        ],
      },
    });
    expect(response.errors).toBeUndefined();
    const payload = response.data!.submitOrder;
    const expectedTotal = new Decimal(buyer.unitPrice).mul(3).plus(new Decimal(other.listPrice).mul("1.5")).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
    expect(payload).toMatchObject({ outcome: "RELEASED", reason: null, message: null, changeCursor: expect.stringMatching(/^erp:\d+$/) });
    const maxSeeded = Math.max(...world.orders.map((o) => Number(o.orderNumber.slice(3))));
    expect(Number(payload.order.orderNumber.slice(3))).toBeGreaterThan(maxSeeded);
    expect(payload.order).toMatchObject({
      status: "RELEASED",
      currency: c.currency,
      channel: "API",
      customer: { customerNumber: c.customerNumber },
      warehouseCode: expect.stringMatching(/^(ATL1|CHI1|RNO1)$/),
      lines: [
        { lineNumber: 1, product: { sku: buyer.sku }, quantity: "3", unitPrice: new Decimal(buyer.unitPrice).toFixed(), quantityShipped: "0" },
        { lineNumber: 2, product: { sku: other.sku }, quantity: "1.5", unitPrice: new Decimal(other.listPrice).toFixed(), quantityShipped: "0" },
      ],
    });
    expect(new Decimal(payload.order.total).eq(expectedTotal)).toBe(true);
    const after = await customer(c.customerNumber);
    expect(new Decimal(after.openBalance).minus(before.openBalance).eq(expectedTotal)).toBe(true);
  });

  it("numbers concurrent orders uniquely and never lets them overrun the credit limit together", async () => {
    const c = activeCustomers[1]!;
    const { openBalance } = await customer(c.customerNumber);
    const sku = world.products.find((p) => !world.customerPrices.some((x) => x.customerNumber === c.customerNumber && x.sku === p.sku))!;
    const lineTotal = new Decimal(sku.listPrice).mul(10);
    // Room for exactly two of the five orders.
    const limit = new Decimal(openBalance).plus(lineTotal.mul(2)).plus("0.01");
    await gql(`mutation($c: ID!, $l: Decimal!) { setCreditLimit(customerNumber: $c, creditLimit: $l) { creditLimit } }`, {
      c: c.customerNumber,
      l: limit.toFixed(2),
    });
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        gql(SUBMIT, { input: { idempotencyKey: freshKey(), customerNumber: c.customerNumber, lines: [{ sku: sku.sku, quantity: "10" }] } }),
      ),
    );
    const payloads = results.map((r) => r.data!.submitOrder);
    const numbers = new Set(payloads.map((p) => p.order.orderNumber));
    expect(numbers.size).toBe(5);
    const released = payloads.filter((p) => p.outcome === "RELEASED");
    expect(released).toHaveLength(2);
    for (const p of payloads.filter((x) => x.outcome !== "RELEASED"))
      expect(p).toMatchObject({ outcome: "CREDIT_HOLD", reason: "CREDIT_LIMIT_EXCEEDED", order: { status: "CREDIT_HOLD" } });
    const after = await customer(c.customerNumber);
    expect(new Decimal(after.openBalance).lte(limit)).toBe(true);
    const releasedTotal = released.reduce((sum, p) => sum.plus(p.order.total), new Decimal(0));
    expect(new Decimal(after.openBalance).minus(openBalance).eq(releasedTotal)).toBe(true);
  });

  it("holds orders over the credit limit and for customers on credit hold, without touching the balance", async () => {
    const c = activeCustomers[2]!;
    await gql(`mutation($c: ID!) { setCreditLimit(customerNumber: $c, creditLimit: "0") { creditLimit } }`, { c: c.customerNumber });
    const before = await customer(c.customerNumber);
    const over = await gql(SUBMIT, {
      input: { idempotencyKey: freshKey(), customerNumber: c.customerNumber, lines: [{ sku: product(1).sku, quantity: "1" }] },
    });
    expect(over.data!.submitOrder).toMatchObject({ outcome: "CREDIT_HOLD", reason: "CREDIT_LIMIT_EXCEEDED", order: { status: "CREDIT_HOLD" } });
    expect(over.data!.submitOrder.message).toContain("credit limit");
    expect((await customer(c.customerNumber)).openBalance).toBe(before.openBalance);

    const held = world.customers.find((x) => x.status === "CREDIT_HOLD")!;
    const onHold = await gql(SUBMIT, {
      input: { idempotencyKey: freshKey(), customerNumber: held.customerNumber, lines: [{ sku: product(1).sku, quantity: "1" }] },
    });
    expect(onHold.data!.submitOrder).toMatchObject({ outcome: "CREDIT_HOLD", reason: "CUSTOMER_ON_CREDIT_HOLD", order: { status: "CREDIT_HOLD" } });
  });

  it("rejects blocked customers and unknown SKUs as outcomes, storing no order", async () => {
    const blocked = world.customers.find((x) => x.status === "BLOCKED")!;
    const before = await snapshot();
    const rowsBefore = await writtenRows(erp.database);
    const key = freshKey();
    const rejected = await gql(SUBMIT, {
      input: { idempotencyKey: key, customerNumber: blocked.customerNumber, lines: [{ sku: product(0).sku, quantity: "1" }] },
    });
    expect(rejected.errors).toBeUndefined();
    expect(rejected.data!.submitOrder).toMatchObject({
      outcome: "REJECTED",
      reason: "CUSTOMER_BLOCKED",
      order: null,
      changeCursor: expect.stringMatching(/^erp:/),
    });
    const unknown = await gql(SUBMIT, {
      input: {
        idempotencyKey: freshKey(),
        customerNumber: activeCustomers[0]!.customerNumber,
        lines: [
          { sku: product(0).sku, quantity: "1" },
          { sku: "SKU-NOPE", quantity: "2" },
        ],
      },
    });
    expect(unknown.data!.submitOrder).toMatchObject({ outcome: "REJECTED", reason: "UNKNOWN_SKU", order: null });
    expect(unknown.data!.submitOrder.message).toContain("SKU-NOPE");
    expect(await snapshot()).toEqual(before);
    // Each rejection stores its key and one audit entry, and no order.
    expect(rowDelta(rowsBefore, await writtenRows(erp.database))).toEqual({ orders: 0, lines: 0, invoices: 0, audits: 2, keys: 2 });
    // The rejection itself is remembered: the retry gets the same answer.
    const retry = await gql(SUBMIT, {
      input: { idempotencyKey: key, customerNumber: blocked.customerNumber, lines: [{ sku: product(0).sku, quantity: "1" }] },
    });
    expect(retry.data!.submitOrder).toEqual(rejected.data!.submitOrder);
    expect(rowDelta(rowsBefore, await writtenRows(erp.database))).toMatchObject({ audits: 2, keys: 2 });
  });

  it("returns the first result for a retried key and changes nothing; a different input is IDEMPOTENCY_KEY_REUSED", async () => {
    const c = activeCustomers[3]!;
    const input = { idempotencyKey: freshKey(), customerNumber: c.customerNumber, lines: [{ sku: product(2).sku, quantity: "1.50" }] };
    const first = await gql(SUBMIT, { input });
    expect(first.data!.submitOrder.order).not.toBeNull();
    const before = await snapshot();
    // "1.5" is the same quantity as "1.50": still the same request.
    const retry = await gql(SUBMIT, { input: { ...input, lines: [{ sku: product(2).sku, quantity: "1.5" }] } });
    expect(retry.data!.submitOrder).toEqual(first.data!.submitOrder);
    expect(await snapshot()).toEqual(before);

    const reused = await gql(SUBMIT, { input: { ...input, lines: [{ sku: product(2).sku, quantity: "2" }] } });
    expect(errorCodes(reused)).toEqual(["IDEMPOTENCY_KEY_REUSED"]);
    expect(reused.errors![0]!.extensions!.field).toBe("idempotencyKey");
    expect(await snapshot()).toEqual(before);
  });

  it("ships from the named warehouse, and picks one itself without ever rejecting for stock", async () => {
    const c = activeCustomers[4]!;
    await gql(`mutation($c: ID!) { setCreditLimit(customerNumber: $c, creditLimit: "9000000") { creditLimit } }`, { c: c.customerNumber });
    const stocked = world.stock.find((s) => world.stock.filter((t) => t.sku === s.sku).length === 1)!;
    const named = await gql(SUBMIT, {
      input: { idempotencyKey: freshKey(), customerNumber: c.customerNumber, warehouseCode: "CHI1", lines: [{ sku: stocked.sku, quantity: "1" }] },
    });
    expect(named.data!.submitOrder.order.warehouseCode).toBe("CHI1");
    const picked = await gql(SUBMIT, { input: { idempotencyKey: freshKey(), customerNumber: c.customerNumber, lines: [{ sku: stocked.sku, quantity: "1" }] } });
    expect(picked.data!.submitOrder.order.warehouseCode).toBe(stocked.warehouseCode);
    const huge = await gql(SUBMIT, {
      input: { idempotencyKey: freshKey(), customerNumber: c.customerNumber, lines: [{ sku: stocked.sku, quantity: "100000" }] },
    });
    expect(huge.data!.submitOrder).toMatchObject({ outcome: "RELEASED", order: { warehouseCode: stocked.warehouseCode } });
  });

  it("answers concurrent submits under one key once: one order, one audit entry, the same result for every caller", async () => {
    const c = activeCustomers[0]!;
    await gql(`mutation($c: ID!) { setCreditLimit(customerNumber: $c, creditLimit: "9000000") { creditLimit } }`, { c: c.customerNumber });
    const before = await customer(c.customerNumber);
    const rowsBefore = await writtenRows(erp.database);
    const input = { idempotencyKey: freshKey(), customerNumber: c.customerNumber, lines: [{ sku: product(4).sku, quantity: "2" }] };
    const results = await Promise.all(Array.from({ length: 4 }, () => gql(SUBMIT, { input })));
    for (const result of results) expect(result.errors).toBeUndefined();
    const first = results[0]!.data!.submitOrder;
    expect(first).toMatchObject({ outcome: "RELEASED" });
    // Replays show the order as it is now, which is as the first caller saw it.
    for (const result of results) expect(result.data!.submitOrder).toEqual(first);
    expect(rowDelta(rowsBefore, await writtenRows(erp.database))).toEqual({ orders: 1, lines: 1, invoices: 0, audits: 1, keys: 1 });
    const after = await customer(c.customerNumber);
    expect(new Decimal(after.openBalance).minus(before.openBalance).eq(first.order.total)).toBe(true);
  });

  it("decides an order in four SQL statements and answers from the row it wrote", async () => {
    const c = activeCustomers[0]!;
    const before = await sqlStatementTotal(erp.url);
    const response = await gql(
      `mutation($input: SubmitOrderInput!) { submitOrder(input: $input) { outcome changeCursor order { orderNumber status total currency channel placedAt billingHold } } }`,
      { input: { idempotencyKey: freshKey(), customerNumber: c.customerNumber, lines: [{ sku: product(5).sku, quantity: "1" }] } },
    );
    expect(response.errors).toBeUndefined();
    // The key's claim, the read under the customer's lock, the order with its lines, the stored
    // response with the audit entry; the payload's order is the row the write returned.
    expect((await sqlStatementTotal(erp.url)) - before).toBe(4);
    const { order } = response.data!.submitOrder;
    const read = await gql(`query($n: ID!) { order(orderNumber: $n) { orderNumber status total currency channel placedAt billingHold } }`, {
      n: order.orderNumber,
    });
    expect(read.data!.order).toEqual(order);
    expect(order.total).toMatch(/^\d+\.\d{2}$/);
  });

  it.each([
    ["an unknown customer", { customerNumber: "C-0" }, "UNKNOWN_CUSTOMER", "customerNumber"],
    ["no lines", { lines: [] }, "BAD_USER_INPUT", "lines"],
    [
      "a zero quantity",
      {
        lines: [
          { sku: "SKU-00001", quantity: "1" },
          { sku: "SKU-00002", quantity: "0" },
        ],
      },
      "INVALID_QUANTITY",
      "lines.1.quantity",
    ],
    ["a negative quantity", { lines: [{ sku: "SKU-00001", quantity: "-2" }] }, "INVALID_QUANTITY", "lines.0.quantity"],
    ["four decimal places", { lines: [{ sku: "SKU-00001", quantity: "1.0001" }] }, "INVALID_QUANTITY", "lines.0.quantity"],
    [
      "a duplicate SKU",
      {
        lines: [
          { sku: "SKU-00001", quantity: "1" },
          { sku: "SKU-00001", quantity: "2" },
        ],
      },
      "BAD_USER_INPUT",
      "lines.1.sku",
    ],
    ["an unknown warehouse", { warehouseCode: "XXX9" }, "UNKNOWN_WAREHOUSE", "warehouseCode"],
    ["a blank idempotency key", { idempotencyKey: " " }, "BAD_USER_INPUT", "idempotencyKey"],
  ])("fails with %s and writes nothing", async (_name, override, code, field) => {
    const before = await snapshot();
    const rowsBefore = await writtenRows(erp.database);
    const key = freshKey();
    const input = { idempotencyKey: key, customerNumber: activeCustomers[0]!.customerNumber, lines: [{ sku: product(0).sku, quantity: "1" }], ...override };
    const response = await gql(SUBMIT, { input });
    expect(errorCodes(response)).toEqual([code]);
    expect(response.errors![0]!.extensions!.field).toBe(field);
    expect(await snapshot()).toEqual(before);
    expect(rowDelta(rowsBefore, await writtenRows(erp.database))).toEqual({ orders: 0, lines: 0, invoices: 0, audits: 0, keys: 0 });
    if (code !== "BAD_USER_INPUT" || field !== "idempotencyKey") {
      // The key was not consumed by the failure: a corrected request under it succeeds.
      const corrected = await gql(SUBMIT, {
        input: { idempotencyKey: key, customerNumber: activeCustomers[0]!.customerNumber, lines: [{ sku: product(0).sku, quantity: "1" }] },
      });
      expect(corrected.errors).toBeUndefined();
      expect(corrected.data!.submitOrder.order).not.toBeNull();
    }
  });

  it("rejects a malformed decimal as INVALID_DECIMAL before resolving, writing nothing", async () => {
    const before = await snapshot();
    const response = await gql(SUBMIT, { input: { idempotencyKey: freshKey(), customerNumber: "C-10001", lines: [{ sku: "SKU-00001", quantity: "1e3" }] } });
    expect(errorCodes(response)).toEqual(["INVALID_DECIMAL"]);
    expect(response.data).toBeUndefined();
    expect(await snapshot()).toEqual(before);
  });
});

describe("cancelOrder", () => {
  const CANCEL = `mutation($n: ID!, $r: String!) { cancelOrder(orderNumber: $n, reason: $r) { orderNumber status customer { openBalance } } }`;

  it("cancels a released order, gives its amount back to the open balance, and is idempotent", async () => {
    const c = activeCustomers[5]!;
    await gql(`mutation($c: ID!) { setCreditLimit(customerNumber: $c, creditLimit: "9000000") { creditLimit } }`, { c: c.customerNumber });
    const before = await customer(c.customerNumber);
    const submitted = await gql(SUBMIT, {
      input: { idempotencyKey: freshKey(), customerNumber: c.customerNumber, lines: [{ sku: product(3).sku, quantity: "4" }] },
    });
    const orderNumber = submitted.data!.submitOrder.order.orderNumber;
    expect((await customer(c.customerNumber)).openBalance).not.toBe(before.openBalance);
    const cancelled = await gql(CANCEL, { n: orderNumber, r: "customer changed their mind" });
    expect(cancelled.errors).toBeUndefined();
    expect(cancelled.data!.cancelOrder).toEqual({ orderNumber, status: "CANCELLED", customer: { openBalance: before.openBalance } });
    const again = await gql(CANCEL, { n: orderNumber, r: "twice" });
    expect(again.data!.cancelOrder).toEqual(cancelled.data!.cancelOrder);
    expect((await customer(c.customerNumber)).openBalance).toBe(before.openBalance);
  });

  it("cancels a held order without touching the balance", async () => {
    const held = world.customers.find((x) => x.status === "CREDIT_HOLD")!;
    const before = await customer(held.customerNumber);
    const submitted = await gql(SUBMIT, {
      input: { idempotencyKey: freshKey(), customerNumber: held.customerNumber, lines: [{ sku: product(3).sku, quantity: "1" }] },
    });
    const cancelled = await gql(CANCEL, { n: submitted.data!.submitOrder.order.orderNumber, r: "duplicate order" });
    expect(cancelled.data!.cancelOrder.status).toBe("CANCELLED");
    expect((await customer(held.customerNumber)).openBalance).toBe(before.openBalance);
  });

  // The demo slice at this scale has no (partially) shipped orders; those take the same path.
  it.each([["INVOICED"], ["CLOSED"]])("refuses a %s order with INVALID_STATE and writes nothing", async (status) => {
    const order = world.orders.find((o) => o.status === status)!;
    expect(order).toBeDefined();
    const before = await snapshot();
    const response = await gql(CANCEL, { n: order.orderNumber, r: "too late" });
    expect(errorCodes(response)).toEqual(["INVALID_STATE"]);
    expect(await snapshot()).toEqual(before);
  });

  it("fails for an unknown order and for a blank reason", async () => {
    expect(errorCodes(await gql(CANCEL, { n: "SO-1", r: "x" }))).toEqual(["UNKNOWN_ORDER"]);
    const released = world.orders.find((o) => o.status === "RELEASED")!;
    const before = await snapshot();
    expect(errorCodes(await gql(CANCEL, { n: released.orderNumber, r: "  " }))).toEqual(["BAD_USER_INPUT"]);
    expect(await snapshot()).toEqual(before);
  });
});

describe("setCreditLimit", () => {
  const SET = `mutation($c: ID!, $l: Decimal!) { setCreditLimit(customerNumber: $c, creditLimit: $l) { customerNumber creditLimit openBalance } }`;

  it("changes the limit", async () => {
    const c = activeCustomers[6]!;
    const response = await gql(SET, { c: c.customerNumber, l: "12345.60" });
    expect(response.data!.setCreditLimit).toMatchObject({ customerNumber: c.customerNumber, creditLimit: "12345.60" });
    expect((await customer(c.customerNumber)).creditLimit).toBe("12345.60");
  });

  it.each([
    ["a negative limit", "C-10001", "-1", "BAD_USER_INPUT"],
    ["three decimals", "C-10001", "10.005", "INVALID_DECIMAL"],
    ["not a number", "C-10001", "ten", "INVALID_DECIMAL"],
    ["an unknown customer", "C-0", "100", "UNKNOWN_CUSTOMER"],
  ])("fails with %s and writes nothing", async (_name, customerNumber, limit, code) => {
    const before = await snapshot();
    expect(errorCodes(await gql(SET, { c: customerNumber, l: limit }))).toEqual([code]);
    expect(await snapshot()).toEqual(before);
  });
});
