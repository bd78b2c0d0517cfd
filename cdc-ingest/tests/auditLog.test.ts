// The merged audit log in the hub, on a migrated PGlite (or Postgres
// in the postgres project): captured AuditEntry rows land once per source row,
// an operator's dead-letter action is audited with the operator and changes only that letter,
// auditLog pages newest first with filters and needs audit:read, and the table is append-only.
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, openDatabase, ALL_SCOPES, type Database, type Principal } from "@crossdock/platform";
import { applyBatch } from "../src/apply/applyBatch.js";
import { capturedAuditEntry } from "../src/apply/auditProjection.js";
import { recordDeadLetterAction } from "../src/dlq/deadLetters.js";
import { readAuditLog } from "../src/ops/auditLog.js";
import type { DebeziumRowChange } from "../src/debezium/index.js";
import { createTestDatabases, preferPostgres } from "@crossdock/test";

const MIGRATIONS_DIR = fileURLToPath(new URL("../prisma/migrations", import.meta.url));
const auditor: Principal = { kind: "user", subject: "audrey", scopes: ["audit:read"] };
const operator = { principal: { kind: "user", subject: "olga", scopes: [...ALL_SCOPES] } as Principal, requestId: "req-ops-1" };

let hub: Database;
let dropDatabase = async () => undefined as void;
beforeAll(async () => {
  if (preferPostgres()) {
    const databases = await createTestDatabases(["hub_audit"] as const);
    dropDatabase = databases.drop;
    hub = await openDatabase(databases.urls.hub_audit);
  } else {
    hub = await openDatabase("pglite:memory");
  }
  await migrate(hub, MIGRATIONS_DIR);
});
afterAll(async () => {
  await hub?.close();
  await dropDatabase();
});

/** A captured insert into a system's AuditEntry, as the decoders hand it over. */
function capturedInsert(id: number, row: Record<string, unknown>, secondsAgo: number): DebeziumRowChange {
  const at = new Date(Date.now() - secondsAgo * 1000).toISOString();
  return {
    kind: "change",
    topic: "erp.public.AuditEntry",
    key: { id },
    op: "c",
    table: { schema: "public", table: "AuditEntry" },
    before: null,
    after: { id, at, requestId: `req-${id}`, entityType: "Customer", detail: null, ...row },
    source: { lsn: String(100 + id), txId: String(500 + id), tsMs: Date.now() },
    tsMs: Date.now(),
  } as unknown as DebeziumRowChange;
}

async function applyAudits(source: string, changes: DebeziumRowChange[]) {
  await applyBatch(hub, {
    source,
    changes: [],
    txIds: changes.map((c) => c.source.txId!),
    deadLetters: [],
    auditEntries: changes.map((c) => capturedAuditEntry(source, c)!),
    position: changes.at(-1)!.source.lsn!.padStart(20, "0"),
    lastCommittedAt: new Date(),
    eventCount: changes.length,
  });
}

const count = async (table: string) => (await hub.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}"`))[0]!.n;

describe("the merged audit log", () => {
  it("takes each captured audit entry once, with subject, kind and request id; legacy rows stay readable", async () => {
    const changes = [
      capturedInsert(1, { subject: "fiona", subjectKind: "user", operation: "setCreditLimit", entityKey: "C-10001" }, 30),
      capturedInsert(2, { subject: "acme-app", subjectKind: "partner", operation: "submitOrder", entityKey: "C-10002" }, 20),
      capturedInsert(3, { principal: "service:flows", operation: "placeBillingHold", entityKey: "SO-1" }, 10),
    ];
    await applyAudits("erp", changes);
    await applyAudits("erp", changes); // redelivery
    expect(await count("AuditLog")).toBe(3);
    const page = await readAuditLog(hub, auditor, { first: 10 });
    expect(page.edges.map((e) => e.node)).toEqual([
      expect.objectContaining({
        system: "erp",
        subject: "flows",
        subjectKind: "service",
        operation: "placeBillingHold",
        entityKey: "SO-1",
        requestId: "req-3",
      }),
      expect.objectContaining({ system: "erp", subject: "acme-app", subjectKind: "partner", operation: "submitOrder", entityKey: "C-10002" }),
      expect.objectContaining({ system: "erp", subject: "fiona", subjectKind: "user", operation: "setCreditLimit", entityKey: "C-10001" }),
    ]);
  });

  it("audits an operator's dead-letter discard with the operator; a second discard is refused and changes nothing", async () => {
    const [letter] = await hub.query<{ id: string }>(
      `INSERT INTO "DeadLetter" ("source", "topic", "position", "rawKey", "rawValue", "reason", "error", "attempts", "status", "firstFailedAt", "lastFailedAt")
       VALUES ('wms', 'wms.public.Stock', '77', NULL, '{', 'INVALID_JSON', 'bad', 1, 'PARKED', now(), now()) RETURNING id::text AS id`,
    );
    await recordDeadLetterAction(hub, operator, { id: letter!.id, operation: "discardDeadLetter", status: "DISCARDED" });
    const before = { audits: await count("AuditLog"), letters: await hub.query(`SELECT * FROM "DeadLetter" ORDER BY id`) };
    await expect(recordDeadLetterAction(hub, operator, { id: letter!.id, operation: "discardDeadLetter", status: "DISCARDED" })).rejects.toMatchObject({
      extensions: { code: "INVALID_STATE" },
    });
    expect({ audits: await count("AuditLog"), letters: await hub.query(`SELECT * FROM "DeadLetter" ORDER BY id`) }).toEqual(before);
    const ops = await readAuditLog(hub, auditor, { system: "ops" });
    expect(ops.edges.map((e) => e.node)).toEqual([
      expect.objectContaining({
        system: "ops",
        subject: "olga",
        subjectKind: "user",
        requestId: "req-ops-1",
        operation: "discardDeadLetter",
        entityType: "DeadLetter",
        entityKey: letter!.id,
      }),
    ]);
  });

  it("filters by subject, entity key and system, and pages newest first without gaps or repeats", async () => {
    expect((await readAuditLog(hub, auditor, { subject: "fiona" })).edges.map((e) => e.node.operation)).toEqual(["setCreditLimit"]);
    expect((await readAuditLog(hub, auditor, { entityKey: "SO-1" })).edges.map((e) => e.node.subject)).toEqual(["flows"]);
    expect((await readAuditLog(hub, auditor, { system: "crm" })).edges).toEqual([]);
    const all = (await readAuditLog(hub, auditor, { first: 100 })).edges.map((e) => e.cursor);
    const paged: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: Awaited<ReturnType<typeof readAuditLog>> = await readAuditLog(hub, auditor, { first: 1, after });
      paged.push(...page.edges.map((e) => e.cursor));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(paged).toEqual(all);
    expect(all).toHaveLength(4);
  });

  it("answers only a caller holding audit:read", async () => {
    await expect(readAuditLog(hub, { kind: "anonymous", subject: "anonymous", scopes: [] }, {})).rejects.toMatchObject({
      extensions: { code: "UNAUTHENTICATED" },
    });
    await expect(readAuditLog(hub, { kind: "user", subject: "ann", scopes: ["orders:read", "ops:admin"] }, {})).rejects.toMatchObject({
      extensions: { code: "FORBIDDEN" },
    });
    await expect(readAuditLog(hub, auditor, { after: "not-a-cursor" })).rejects.toMatchObject({ extensions: { code: "INVALID_CURSOR" } });
  });

  it("is append-only: UPDATE, DELETE and TRUNCATE are refused and change nothing", async () => {
    const before = await hub.query(`SELECT * FROM "AuditLog" ORDER BY id`);
    await expect(hub.query(`UPDATE "AuditLog" SET "subject" = 'mallory'`)).rejects.toThrow(/append-only/);
    await expect(hub.query(`DELETE FROM "AuditLog"`)).rejects.toThrow(/append-only/);
    await expect(hub.exec(`TRUNCATE "AuditLog"`)).rejects.toThrow(/append-only/);
    expect(await hub.query(`SELECT * FROM "AuditLog" ORDER BY id`)).toEqual(before);
  });
});
