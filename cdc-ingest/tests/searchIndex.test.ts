// The search index and Query.search's SQL on a migrated PGlite (or Postgres in the postgres
// project): captured rows become entries with their customer, wherever the order or account
// behind a shipment or contact arrives; values removed from a row leave the index; the migration's
// backfill indexes a mirror as the projection does; ranking, escaping, confinement and paging.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, openDatabase, ALL_SCOPES, type Database, type Principal } from "@crossdock/platform";
import { createTestDatabases, preferPostgres } from "@crossdock/test";
import { applyBatch } from "../src/apply/applyBatch.js";
import type { DebeziumRowChange } from "../src/debezium/index.js";
import { search } from "../src/ops/search.js";

const MIGRATIONS_DIR = fileURLToPath(new URL("../prisma/migrations", import.meta.url));
const staff: Principal = { kind: "user", subject: "desk", scopes: [...ALL_SCOPES] };
const noPii: Principal = { kind: "user", subject: "analyst", scopes: ["orders:read", "customers:read"] };
const partnerOf = (customerNumber: string): Principal => ({ kind: "partner", subject: `p-${customerNumber}`, scopes: [...ALL_SCOPES], customerNumber });

let hub: Database;
let dropDatabase = async () => undefined as void;
let lsn = 1000;

beforeAll(async () => {
  if (preferPostgres()) {
    const databases = await createTestDatabases(["hub_search"] as const);
    dropDatabase = databases.drop;
    hub = await openDatabase(databases.urls.hub_search);
  } else {
    hub = await openDatabase("pglite:memory");
  }
  await migrate(hub, MIGRATIONS_DIR);
});
afterAll(async () => {
  await hub?.close();
  await dropDatabase();
});

/** A captured row change, as the decoders hand it over. */
function change(table: string, op: "c" | "u" | "d", row: Record<string, unknown>): DebeziumRowChange {
  lsn++;
  return {
    kind: "change",
    topic: `x.public.${table}`,
    key: { id: row["id"] },
    op,
    table: { schema: "public", table },
    before: op === "c" ? null : row,
    after: op === "d" ? null : row,
    source: { lsn: String(lsn), txId: String(lsn), tsMs: Date.now() },
    tsMs: Date.now(),
  } as unknown as DebeziumRowChange;
}

async function apply(source: string, ...changes: DebeziumRowChange[]): Promise<void> {
  await applyBatch(hub, {
    source,
    changes,
    txIds: [],
    deadLetters: [],
    position: String(lsn).padStart(20, "0"),
    lastCommittedAt: new Date(),
    eventCount: changes.length,
  });
}

const entries = () =>
  hub.query<Record<string, string | null>>(
    `SELECT "kind", "entityKey", "field", "folded", "customerNumber", "parentKey" FROM "SearchEntry" ORDER BY "kind", "entityKey", "field"`,
  );
const entriesOf = async (kind: string, key: string) => (await entries()).filter((e) => e.kind === kind && e.entityKey === key);

const customer = (id: number, customerNumber: string, name: string) => ({ id, customerNumber, name, status: "ACTIVE" });
const order = (id: number, orderNumber: string, customerNumber: string, externalReference: string | null) => ({
  id,
  orderNumber,
  customerNumber,
  externalReference,
  status: "RELEASED",
  warehouseCode: "WH-1",
  total: "10.00",
  currency: "USD",
  placedAt: new Date().toISOString(),
});
const shipment = (id: number, shipmentId: string, orderNumber: string, trackingNumber: string) => ({
  id,
  shipmentId,
  fulfillmentId: `FF-${id}`,
  orderNumber,
  carrier: "UPS",
  trackingNumber,
  status: "CREATED",
});

describe("search index", () => {
  it("indexes customers, orders and a shipment that arrived before its order, which then takes the order's customer", async () => {
    await apply("wms", change("Shipment", "c", shipment(1, "SH-1", "SO-100", "1Z-TRACK-0001")));
    expect(await entriesOf("Shipment", "SH-1")).toEqual([
      { kind: "Shipment", entityKey: "SH-1", field: "trackingNumber", folded: "1z-track-0001", customerNumber: null, parentKey: "SO-100" },
    ]);
    await apply(
      "erp",
      change("Customer", "c", customer(1, "C-001", "Acme Industrial Supply")),
      change("SalesOrder", "c", order(1, "SO-100", "C-001", " PO-77_1 ")),
    );
    expect(await entriesOf("Order", "SO-100")).toEqual([
      { kind: "Order", entityKey: "SO-100", field: "externalReference", folded: "po-77_1", customerNumber: "C-001", parentKey: null },
      { kind: "Order", entityKey: "SO-100", field: "orderNumber", folded: "so-100", customerNumber: "C-001", parentKey: null },
    ]);
    expect((await entriesOf("Shipment", "SH-1"))[0]!.customerNumber).toBe("C-001");
    expect((await entriesOf("Customer", "C-001")).map((e) => [e.field, e.folded])).toEqual([
      ["customerNumber", "c-001"],
      ["name", "acme industrial supply"],
    ]);
  });

  it("indexes contacts through their account (in the same batch or later), follows an account to another customer, forgets deleted rows", async () => {
    const contact = { id: 1, contactId: "CT-1", accountId: "ACC-1", name: "Jane Doe", email: "Jane.Doe@Acme.example", phone: "+1-555-123-4567" };
    await apply("crm", change("Contact", "c", contact), change("Account", "c", { id: 1, accountId: "ACC-1", customerNumber: "C-001", name: "Acme" }));
    expect((await entriesOf("Contact", "CT-1")).map((e) => [e.field, e.folded, e.customerNumber])).toEqual([
      ["email", "jane.doe@acme.example", "C-001"],
      ["name", "jane doe", "C-001"],
      ["phone", "15551234567", "C-001"],
    ]);
    await apply("crm", change("Account", "u", { id: 1, accountId: "ACC-1", customerNumber: "C-002", name: "Acme" }));
    expect(new Set((await entriesOf("Contact", "CT-1")).map((e) => e.customerNumber))).toEqual(new Set(["C-002"]));
    // A value set to null leaves the index; a deleted row leaves it whole.
    await apply("crm", change("Contact", "u", { ...contact, phone: null }));
    expect((await entriesOf("Contact", "CT-1")).map((e) => e.field)).toEqual(["email", "name"]);
    await apply("crm", change("Contact", "d", contact));
    expect(await entriesOf("Contact", "CT-1")).toEqual([]);
  });

  it("the migration's backfill indexes a mirror as the projection does", async () => {
    const projected = (await entries()).filter((e) => e.kind !== "Contact");
    const migration = readFileSync(`${MIGRATIONS_DIR}/0009_search_index/migration.sql`, "utf8");
    const backfill = migration.slice(migration.indexOf(`INSERT INTO "SearchEntry"`));
    await hub.transaction(async (session) => {
      await session.exec(`DELETE FROM "SearchEntry"`);
      await session.exec(backfill);
    });
    expect(await entries()).toEqual(projected);
  });
});

describe("search", () => {
  beforeAll(async () => {
    await apply(
      "erp",
      change("Customer", "c", customer(2, "C-002", "Borealis Parts")),
      change("SalesOrder", "c", order(2, "SO-1000", "C-002", "PO-100%")),
      change("SalesOrder", "c", order(3, "SO-10001", "C-001", null)),
    );
    await apply(
      "crm",
      change("Contact", "c", { id: 2, contactId: "CT-2", accountId: "ACC-1", name: "Ole Borealis", email: "ole@borealis.example", phone: null }),
    );
  });
  const found = async (principal: Principal, text: string, first = 50) =>
    (await search(hub, principal, { text, first })).edges.map((e) => [e.node.hit, e.node.matchedOn, e.node.score]);

  it("ranks the exact match first, then values starting with the text, then values containing it", async () => {
    const hits = await found(staff, "so-100");
    expect(hits[0]).toEqual([{ __typename: "Order", orderNumber: "SO-100" }, "orderNumber", 3]);
    expect(hits.slice(1).map((h) => h[0])).toEqual([
      { __typename: "Order", orderNumber: "SO-1000" },
      { __typename: "Order", orderNumber: "SO-10001" },
    ]);
    const scores = hits.map((h) => h[2] as number);
    expect(scores[1]).toBeGreaterThanOrEqual(scores[2]!);
    expect(scores.slice(1).every((s) => s > 1 && s < 2)).toBe(true);
    // LIKE's wildcards in the text are plain characters.
    expect(await found(staff, "po-100%")).toEqual([[{ __typename: "Order", orderNumber: "SO-1000" }, "externalReference", 3]]);
    expect(await found(staff, "77_1")).toEqual([[{ __typename: "Order", orderNumber: "SO-100" }, "externalReference", expect.any(Number)]]);
    expect(await found(staff, "7%_")).toEqual([]);
  });

  it("matches names spelled alike, but numbers only as typed", async () => {
    const typo = await found(staff, "Borealsi");
    expect(typo.map((h) => [h[0], h[1]])).toEqual(
      expect.arrayContaining([
        [{ __typename: "Customer", customerNumber: "C-002" }, "name"],
        [{ __typename: "Contact", contactId: "CT-2" }, "name"],
      ]),
    );
    expect(typo.every((h) => (h[2] as number) < 1)).toBe(true);
    expect(await found(staff, "SO-1002")).toEqual([]);
  });

  it("confines partners in the query, gives a partner's shipment as its order, and finds contacts only with pii:read", async () => {
    expect(await found(staff, "1Z-TRACK-0001")).toEqual([[{ __typename: "Shipment", shipmentId: "SH-1" }, "trackingNumber", 3]]);
    expect(await found(partnerOf("C-001"), "1Z-TRACK-0001")).toEqual([[{ __typename: "Order", orderNumber: "SO-100" }, "trackingNumber", 3]]);
    expect(await found(partnerOf("C-002"), "1Z-TRACK-0001")).toEqual([]);
    expect((await found(partnerOf("C-002"), "borealis")).map((h) => h[0])).toEqual(
      expect.arrayContaining([
        { __typename: "Customer", customerNumber: "C-002" },
        { __typename: "Contact", contactId: "CT-2" },
      ]),
    );
    expect((await found(partnerOf("C-001"), "borealis")).map((h) => h[0])).toEqual([]);
    expect((await found(noPii, "borealis")).map((h) => h[0])).toEqual([{ __typename: "Customer", customerNumber: "C-002" }]);
  });

  it("pages by keyset: one hit a page gives the ranking in order", async () => {
    const whole = (await search(hub, staff, { text: "so-10", first: 10 })).edges.map((e) => e.node);
    const paged = [];
    let after: string | null = null;
    for (;;) {
      const page: Awaited<ReturnType<typeof search>> = await search(hub, staff, { text: "so-10", first: 1, after });
      paged.push(...page.edges.map((e) => e.node));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(paged).toEqual(whole);
    expect(whole.length).toBe(3);
  });
});
