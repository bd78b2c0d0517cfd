// What the graph cannot show: after writes through HTTP, the ERP database holds the audit
// entries, the idempotency key on the order row and the stored response; a restart finds the
// data seeded (no reseed) and the order-number sequence past every issued number.
// PGlite instances strictly one after the other: each is closed before the next opens.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listMigrations, migrate, openDatabase, type Database } from "@crossdock/platform";
import { principalHeaders } from "@crossdock/test";
import { ERP_MIGRATIONS_DIR, start } from "../src/server.js";
import { graphqlClient } from "./helpers.js";

const dataDir = mkdtempSync(join(tmpdir(), "crossdock-erp-"));
let db: Database;
let submitted: { orderNumber: string; changeCursor: string };
let seededOrders = 0;

beforeAll(async () => {
  const erp = await start({ port: 0, host: "127.0.0.1", databaseUrl: `pglite:${dataDir}`, seed: { enabled: true, scale: 0.05 }, logLevel: "warn" });
  try {
    const gql = graphqlClient(erp.url);
    seededOrders = (await gql(`{ orders(first: 500) { edges { cursor } } }`)).data!.orders.edges.length;
    const response = await gql(
      `mutation { submitOrder(input: { idempotencyKey: "persist-1", customerNumber: "C-10001", requestedBy: "crm:jordan", lines: [{ sku: "SKU-00003", quantity: "2" }] }) { changeCursor order { orderNumber } } }`,
    );
    submitted = { orderNumber: response.data!.submitOrder.order.orderNumber, changeCursor: response.data!.submitOrder.changeCursor };
    // A signed user, with the request id the gateway would send, and a body naming someone else.
    const asFinance = graphqlClient(erp.url, {
      ...principalHeaders({ kind: "user", subject: "fiona", scopes: ["customers:read", "finance:read", "finance:write"] }),
      "x-request-id": "req-persist-2",
    });
    await asFinance(`mutation { setCreditLimit(customerNumber: "C-10001", creditLimit: "777000") { creditLimit } }`);
    await gql(`mutation($n: ID!) { cancelOrder(orderNumber: $n, reason: "test") { status } }`, { n: submitted.orderNumber });
  } finally {
    await erp.stop();
  }
  db = await openDatabase(`pglite:${dataDir}`);
});

afterAll(async () => {
  await db?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("ERP persistence", () => {
  it("audits every write with operation, entity, the verified subject, its kind and the request id", async () => {
    const rows = await db.query<{
      operation: string;
      entityType: string;
      entityKey: string;
      subject: string;
      subjectKind: string;
      requestId: string;
      detail: Record<string, unknown>;
    }>(`SELECT "operation", "entityType", "entityKey", "subject", "subjectKind", "requestId", "detail" FROM "AuditEntry" ORDER BY "id"`);
    expect(rows.map((r) => [r.operation, r.entityType, r.entityKey, r.subjectKind, r.subject])).toEqual([
      ["submitOrder", "Order", submitted.orderNumber, "user", "test-all-access"],
      ["setCreditLimit", "Customer", "C-10001", "user", "fiona"],
      ["cancelOrder", "Order", submitted.orderNumber, "user", "test-all-access"],
    ]);
    expect(rows[1]!.requestId).toBe("req-persist-2");
    expect(rows.every((r) => r.requestId !== "")).toBe(true);
    expect(rows[1]!.detail).toMatchObject({ creditLimit: "777000.00" });
    expect(rows[2]!.detail).toMatchObject({ previousStatus: "RELEASED", reason: "test" });
  });

  it("stores the idempotency key and requester on the order, and the first response with the key", async () => {
    const [order] = await db.query<{ idempotencyKey: string; requestedBy: string; status: string; cancelReason: string }>(
      `SELECT "idempotencyKey", "requestedBy", "status"::text AS "status", "cancelReason" FROM "SalesOrder" WHERE "orderNumber" = $1`,
      [submitted.orderNumber],
    );
    expect(order).toEqual({ idempotencyKey: "persist-1", requestedBy: "crm:jordan", status: "CANCELLED", cancelReason: "test" });
    const [key] = await db.query<{ response: Record<string, unknown> }>(
      `SELECT "response" FROM "IdempotencyKey" WHERE "caller" = 'user:test-all-access' AND "scope" = 'submitOrder' AND "key" = 'persist-1'`,
    );
    expect(key?.response).toMatchObject({ orderNumber: submitted.orderNumber, outcome: "RELEASED", changeCursor: submitted.changeCursor });
  });

  it("keeps its data on disk: migrations already applied, orders kept, sequence past the issued numbers", async () => {
    expect(await migrate(db, ERP_MIGRATIONS_DIR)).toEqual({ applied: [], alreadyApplied: listMigrations(ERP_MIGRATIONS_DIR).length });
    const [{ count } = { count: "0" }] = await db.query<{ count: string }>(`SELECT count(*)::text AS count FROM "SalesOrder"`);
    expect(Number(count)).toBe(seededOrders + 1);
    const [next] = await db.query<{ next: string }>(`SELECT nextval('"SalesOrderNumber_seq"')::text AS next`);
    expect(Number(next!.next)).toBe(Number(submitted.orderNumber.slice(3)) + 1);
  });

  it("restarts without reseeding and continues the order numbers", async () => {
    await db.close();
    const erp = await start({ port: 0, host: "127.0.0.1", databaseUrl: `pglite:${dataDir}`, seed: { enabled: true, scale: 0.05 }, logLevel: "warn" });
    try {
      const gql = graphqlClient(erp.url);
      expect((await gql(`{ orders(first: 500) { edges { cursor } } }`)).data!.orders.edges).toHaveLength(seededOrders + 1);
      const response = await gql(
        `mutation { submitOrder(input: { idempotencyKey: "persist-2", customerNumber: "C-10001", lines: [{ sku: "SKU-00003", quantity: "1" }] }) { order { orderNumber } } }`,
      );
      expect(Number(response.data!.submitOrder.order.orderNumber.slice(3))).toBeGreaterThan(Number(submitted.orderNumber.slice(3)));
    } finally {
      await erp.stop();
    }
  });
});
