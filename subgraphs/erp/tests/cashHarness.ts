// What the ERP's cash and amendment suites share: one ERP over real HTTP on a seeded PGlite (or
// Postgres, per the run's backends), generous credit and stock so amendments are decided on what
// the test says, and helpers that make released and invoiced orders and read what a refusal
// must leave unchanged. Each test file that calls useCashErp() gets its own ERP.
import { afterAll, beforeAll, expect } from "vitest";
import { Decimal, generateDemoWorld } from "@crossdock/schema";
import { ALL_SCOPES, type Principal } from "@crossdock/platform";
import { start } from "../src/server.js";
import { erpTestDatabase, graphqlClient } from "./helpers.js";

const SCALE = 0.05;
const world = generateDemoWorld({ scale: SCALE });
export const [customer, other] = world.customers.filter((c) => c.status === "ACTIVE").map((c) => c.customerNumber) as [string, string];
export const [skuA, skuB, skuC] = [world.products[0]!.sku, world.products[1]!.sku, world.products[2]!.sku] as [string, string, string];
export const partner: Principal = { kind: "partner", subject: "acme-app", scopes: [...ALL_SCOPES], customerNumber: customer };

let database: Awaited<ReturnType<typeof erpTestDatabase>>;
let erp: Awaited<ReturnType<typeof start>>;
let client: ReturnType<typeof graphqlClient>;
let keys = 0;
export const key = () => `cash-key-${++keys}`;

export const SUBMIT = `mutation($input: SubmitOrderInput!) { submitOrder(input: $input) { outcome order { orderNumber warehouseCode total } } }`;
export const AMEND = `mutation($input: AmendOrderInput!) { amendOrder(input: $input) {
  outcome reason message amendmentNumber changeCursor order { orderNumber status total warehouseCode lines { lineNumber quantity unitPrice product { sku } } }
} }`;
export const PAY = `mutation($input: RecordPaymentInput!) { recordPayment(input: $input) {
  paymentId amount unapplied reference customer { customerNumber openBalance status } appliedTo { invoiceNumber status paidAmount openAmount }
} }`;
export const ORDER = `query($n: ID!) { order(orderNumber: $n) { status paidAmount total invoice { invoiceNumber status amount paidAmount openAmount dueAt order { orderNumber } } } }`;

/** Starts the suite's ERP before its tests and stops it after. */
export function useCashErp(): void {
  beforeAll(async () => {
    database = await erpTestDatabase();
    erp = await start({ port: 0, host: "127.0.0.1", databaseUrl: database.url, seed: { enabled: true, scale: SCALE }, logLevel: "warn" });
    client = graphqlClient(erp.url);
    for (const c of [customer, other]) await gql(`mutation($c: ID!) { setCreditLimit(customerNumber: $c, creditLimit: "99999999") { customerNumber } }`, { c });
    // Enough stock everywhere that the amendments below are decided on credit, not on stock.
    await erpQuery(`UPDATE "InventoryLedger" SET "onHand" = "onHand" + 100000`);
  });
  afterAll(async () => {
    await erp?.stop();
    await database?.drop();
  });
}

/** The ERP's GraphQL endpoint, as the gateway (all scopes) calls it. */
export const gql: ReturnType<typeof graphqlClient> = (query, variables) => client(query, variables);

export const erpUrl = (): string => erp.url;

export function erpQuery<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]> {
  return erp.database.query<T>(sql, params);
}

export async function released(lines = [{ sku: skuA, quantity: "4" }], customerNumber = customer) {
  const response = await gql(SUBMIT, { input: { idempotencyKey: key(), customerNumber, lines } });
  expect(response.data!.submitOrder.outcome).toBe("RELEASED");
  return response.data!.submitOrder.order as { orderNumber: string; warehouseCode: string; total: string };
}

/** A released order shipped in full, so it is INVOICED with an OPEN invoice. */
export async function invoiced(quantity = "2", customerNumber = customer): Promise<{ orderNumber: string; invoiceNumber: string; amount: string }> {
  const order = await released([{ sku: skuA, quantity }], customerNumber);
  const shipped = await gql(`mutation($input: RecordShipmentInput!) { recordShipment(input: $input) { invoice { invoiceNumber amount } } }`, {
    input: { orderNumber: order.orderNumber, shipmentId: `SH-${key()}`, lines: [{ sku: skuA, quantity }], idempotencyKey: key() },
  });
  return { orderNumber: order.orderNumber, ...shipped.data!.recordShipment.invoice };
}

/** Rows of every table these writes touch, and the customers' money: unchanged after a refusal. */
export async function footprint() {
  const [row] = await erpQuery<Record<string, string>>(
    `SELECT (SELECT count(*) FROM "OrderAmendment")::text AS amendments, (SELECT count(*) FROM "Payment")::text AS payments,
       (SELECT count(*) FROM "InvoiceApplication")::text AS applications, (SELECT count(*) FROM "AuditEntry")::text AS audits,
       (SELECT count(*) FROM "IdempotencyKey")::text AS keys, (SELECT string_agg("sku" || ':' || "quantity"::text, ',' ORDER BY "id") FROM "SalesOrderLine") AS lines,
       (SELECT string_agg("customerNumber" || ':' || "openBalance"::text || ':' || "status", ',' ORDER BY "id") FROM "Customer") AS money,
       (SELECT string_agg("invoiceNumber" || ':' || "paidAmount"::text || ':' || "status", ',' ORDER BY "id") FROM "Invoice") AS invoices`,
  );
  return row!;
}

export const balance = async (customerNumber = customer) =>
  new Decimal((await gql(`query($c: ID!) { customer(customerNumber: $c) { openBalance } }`, { c: customerNumber })).data!.customer.openBalance as string);
