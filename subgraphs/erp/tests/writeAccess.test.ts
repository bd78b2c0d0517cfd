// Who may write what in the ERP, called as the gateway would (signed principal header), over real
// HTTP on a seeded PGlite (or Postgres, see erpTestDatabase): a partner writes only for its own
// customer (another customer's order, credit memo or billing hold is FORBIDDEN and writes nothing,
// audit and idempotency rows included), idempotency keys belong to their caller, and the audit
// entry names the verified caller whatever the request says (a forged one is refused).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDemoWorld } from "@crossdock/schema";
import { ALL_SCOPES, type Principal } from "@crossdock/platform";
import { principalHeaders } from "@crossdock/test";
import { start } from "../src/server.js";
import { erpTestDatabase, errorCodes, graphqlClient } from "./helpers.js";

const SCALE = 0.05;
const world = generateDemoWorld({ scale: SCALE });
const [own, other] = world.customers.filter((c) => c.status === "ACTIVE").map((c) => c.customerNumber);
const sku = world.products[0]!.sku;
const partner: Principal = { kind: "partner", subject: "acme-app", scopes: [...ALL_SCOPES], customerNumber: own! };
const staff: Principal = { kind: "user", subject: "sam", scopes: [...ALL_SCOPES] };
const other2: Principal = { kind: "user", subject: "tess", scopes: [...ALL_SCOPES] };

let database: Awaited<ReturnType<typeof erpTestDatabase>>;
let erp: Awaited<ReturnType<typeof start>>;
const as = (principal: Principal) => graphqlClient(erp.url, principalHeaders(principal));

const SUBMIT = `mutation($input: SubmitOrderInput!) { submitOrder(input: $input) { outcome order { orderNumber customer { customerNumber } } } }`;
const submitInput = (customerNumber: string, idempotencyKey: string, quantity = "1") => ({ idempotencyKey, customerNumber, lines: [{ sku, quantity }] });

/** Every table an ERP write may touch, counted, plus the two customers' money. */
async function footprint() {
  const [row] = await erp.database.query<Record<string, string>>(
    `SELECT (SELECT count(*) FROM "SalesOrder")::text AS orders, (SELECT count(*) FROM "SalesOrderLine")::text AS lines,
       (SELECT count(*) FROM "CreditMemo")::text AS memos, (SELECT count(*) FROM "Invoice")::text AS invoices,
       (SELECT count(*) FROM "AuditEntry")::text AS audits, (SELECT count(*) FROM "IdempotencyKey")::text AS keys,
       (SELECT string_agg("customerNumber" || '=' || "openBalance"::text || '/' || "creditLimit"::text, ',' ORDER BY "customerNumber")
          FROM "Customer" WHERE "customerNumber" IN ($1, $2)) AS money,
       (SELECT string_agg("orderNumber" || '=' || "status"::text || '/' || "billingHold"::text, ',' ORDER BY "orderNumber") FROM "SalesOrder") AS orderStates`,
    [own, other],
  );
  return row!;
}

beforeAll(async () => {
  database = await erpTestDatabase();
  erp = await start({ port: 0, host: "127.0.0.1", databaseUrl: database.url, seed: { enabled: true, scale: SCALE }, logLevel: "warn" });
  for (const customerNumber of [own, other]) {
    await as(staff)(`mutation($c: ID!) { setCreditLimit(customerNumber: $c, creditLimit: "99999999") { customerNumber } }`, { c: customerNumber });
  }
});
afterAll(async () => {
  await erp?.stop();
  await database?.drop();
});

describe("partner writes", () => {
  it("submits orders for its own customer, attributed to the partner", async () => {
    const response = await as(partner)(SUBMIT, { input: submitInput(own!, "partner-own-1") });
    expect(response.errors).toBeUndefined();
    expect(response.data!.submitOrder).toMatchObject({ outcome: "RELEASED", order: { customer: { customerNumber: own } } });
    const [audit] = await erp.database.query(`SELECT "subject", "subjectKind", "operation", "entityKey" FROM "AuditEntry" WHERE "entityKey" = $1`, [
      response.data!.submitOrder.order.orderNumber,
    ]);
    expect(audit).toEqual({ subject: "acme-app", subjectKind: "partner", operation: "submitOrder", entityKey: response.data!.submitOrder.order.orderNumber });
  });

  it("refuses writes for another customer (FORBIDDEN, or unknown for its keys), and nothing is written", async () => {
    // Another customer's order, shipped, for the writes that need one.
    const theirs = (await as(staff)(SUBMIT, { input: submitInput(other!, "staff-other-1", "2") })).data!.submitOrder.order.orderNumber;
    await as(staff)(`mutation($input: RecordShipmentInput!) { recordShipment(input: $input) { shipmentId } }`, {
      input: { orderNumber: theirs, shipmentId: "SH-ACCESS-1", lines: [{ sku, quantity: "2" }], idempotencyKey: "staff-ship-1" },
    });
    const held = (await as(staff)(SUBMIT, { input: submitInput(other!, "staff-other-2") })).data!.submitOrder.order.orderNumber;
    const before = await footprint();
    const attempts = [
      as(partner)(SUBMIT, { input: submitInput(other!, "partner-other-1") }),
      as(partner)(`mutation($n: ID!) { cancelOrder(orderNumber: $n, reason: "not mine") { status } }`, { n: held }),
      as(partner)(`mutation($c: ID!) { setCreditLimit(customerNumber: $c, creditLimit: "1") { creditLimit } }`, { c: other }),
      as(partner)(`mutation($input: CreateCreditMemoInput!) { createCreditMemo(input: $input) { memoNumber } }`, {
        input: { orderNumber: theirs, reason: "free money", lines: [{ sku, quantity: "1" }], idempotencyKey: "partner-memo-1" },
      }),
      as(partner)(`mutation($input: BillingHoldInput!) { placeBillingHold(input: $input) { billingHold } }`, {
        input: { orderNumber: held, reason: "hold theirs", idempotencyKey: "partner-hold-1" },
      }),
      as(partner)(`mutation($input: RecordShipmentInput!) { recordShipment(input: $input) { shipmentId } }`, {
        input: { orderNumber: held, shipmentId: "SH-ACCESS-2", lines: [{ sku, quantity: "1" }], idempotencyKey: "partner-ship-1" },
      }),
    ];
    const codes = (await Promise.all(attempts)).map(errorCodes);
    // Writing for another customer is FORBIDDEN; another customer's order, addressed by its
    // number, is answered as an unknown one, so a partner cannot probe which numbers exist.
    expect(codes).toEqual([["FORBIDDEN"], ["UNKNOWN_ORDER"], ["FORBIDDEN"], ["UNKNOWN_ORDER"], ["UNKNOWN_ORDER"], ["UNKNOWN_ORDER"]]);
    const theirsRefused = await as(partner)(`mutation($n: ID!) { cancelOrder(orderNumber: $n, reason: "not mine") { status } }`, { n: held });
    const missingRefused = await as(partner)(`mutation($n: ID!) { cancelOrder(orderNumber: $n, reason: "not mine") { status } }`, { n: "SO-NO-SUCH" });
    expect(theirsRefused.errors![0]!.message.replace(held, "N")).toBe(missingRefused.errors![0]!.message.replace("SO-NO-SUCH", "N"));
    expect(await footprint()).toEqual(before);
    // A partner confined to no customer at all writes for nobody.
    const unconfined = { ...partner, subject: "no-customer", customerNumber: undefined } as Principal;
    expect(errorCodes(await as(unconfined)(SUBMIT, { input: submitInput(own!, "partner-none-1") }))).toEqual(["FORBIDDEN"]);
    expect(await footprint()).toEqual(before);
  });
});

describe("idempotency keys per caller", () => {
  it("lets two callers use the same key for different orders; the same caller reusing it for another order is refused", async () => {
    const key = "shared-key-1";
    const first = await as(staff)(SUBMIT, { input: submitInput(own!, key, "1") });
    const second = await as(other2)(SUBMIT, { input: submitInput(other!, key, "3") });
    expect(first.data!.submitOrder.outcome).toBe("RELEASED");
    expect(second.data!.submitOrder.outcome).toBe("RELEASED");
    expect(second.data!.submitOrder.order.orderNumber).not.toBe(first.data!.submitOrder.order.orderNumber);
    // Each caller's retry replays its own response, never the other's.
    expect((await as(staff)(SUBMIT, { input: submitInput(own!, key, "1") })).data!.submitOrder.order.orderNumber).toBe(
      first.data!.submitOrder.order.orderNumber,
    );
    expect((await as(other2)(SUBMIT, { input: submitInput(other!, key, "3") })).data!.submitOrder.order.orderNumber).toBe(
      second.data!.submitOrder.order.orderNumber,
    );
    const before = await footprint();
    expect(errorCodes(await as(staff)(SUBMIT, { input: submitInput(own!, key, "5") }))).toEqual(["IDEMPOTENCY_KEY_REUSED"]);
    expect(await footprint()).toEqual(before);
    const keys = await erp.database.query(`SELECT "caller" FROM "IdempotencyKey" WHERE "scope" = 'submitOrder' AND "key" = $1 ORDER BY "caller"`, [key]);
    expect(keys).toEqual([{ caller: "user:sam" }, { caller: "user:tess" }]);
  });

  it("records only the verified caller: a forged principal header is anonymous, refused, and writes nothing", async () => {
    const before = await footprint();
    const forged = graphqlClient(erp.url, principalHeaders(staff, "not-the-shared-secret"));
    expect(errorCodes(await forged(SUBMIT, { input: submitInput(own!, "forged-1") }))).toEqual(["UNAUTHENTICATED"]);
    // Orders, lines, audit entries and keys included: nothing was written, under any name.
    expect(await footprint()).toEqual(before);
  });
});
