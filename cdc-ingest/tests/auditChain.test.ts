// The audit log's hash chain on a migrated hub (PGlite, or Postgres in the postgres project):
// captured entries and operator actions extend the chain as they arrive (each entry links to the
// hash of the one before it, and its hash is recomputed here from its contents); rows written
// before the chain existed are chained by the migration; an attacker owning the table who drops
// the append-only trigger and changes or removes an entry is caught by verifyAuditChain, by the
// auditIntegrity reader and by the incremental monitor, each naming the entry. Without audit:read
// auditIntegrity is refused and nothing changes.
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, openDatabase, ALL_SCOPES, type Database, type Principal } from "@crossdock/platform";
import { applyBatch } from "../src/apply/applyBatch.js";
import { capturedAuditEntry } from "../src/apply/auditProjection.js";
import { recordDeadLetterAction } from "../src/dlq/deadLetters.js";
import { AuditChainMonitor, auditEntryHash, AuditIntegrityCheck, verifyAuditChain, verifyAuditLog } from "../src/ops/auditChain.js";
import type { DebeziumRowChange } from "../src/debezium/index.js";
import { createTestDatabases, preferPostgres } from "@crossdock/test";

const MIGRATIONS_DIR = fileURLToPath(new URL("../prisma/migrations", import.meta.url));
const FLOWS_MIGRATIONS_DIR = fileURLToPath(new URL("../../flows/migrations", import.meta.url));
const auditor: Principal = { kind: "user", subject: "audrey", scopes: ["audit:read"] };
const operator = { principal: { kind: "user", subject: "olga", scopes: [...ALL_SCOPES] } as Principal, requestId: "req-ops-chain" };

let hub: Database;
let dropDatabases = async () => undefined as void;
const databases: Database[] = [];

async function freshHub(name: string): Promise<Database> {
  if (preferPostgres()) {
    const created = await createTestDatabases([name]);
    const previous = dropDatabases;
    dropDatabases = async () => {
      await previous();
      await created.drop();
    };
    const db = await openDatabase(created.urls[name]!);
    databases.push(db);
    return db;
  }
  const db = await openDatabase("pglite:memory");
  databases.push(db);
  return db;
}

beforeAll(async () => {
  hub = await freshHub("hub_audit_chain");
  await migrate(hub, MIGRATIONS_DIR);
});
afterAll(async () => {
  for (const db of databases) await db.close();
  await dropDatabases();
});

let nextSourceId = 1;
/** A captured insert into a system's AuditEntry, as the decoders hand it over. */
function capturedInsert(row: Record<string, unknown>): DebeziumRowChange {
  const id = nextSourceId++;
  return {
    kind: "change",
    topic: "erp.public.AuditEntry",
    key: { id },
    op: "c",
    table: { schema: "public", table: "AuditEntry" },
    before: null,
    after: { id, at: new Date().toISOString(), requestId: `req-${id}`, entityType: "Customer", detail: null, ...row },
    source: { lsn: String(1000 + id), txId: String(5000 + id), tsMs: Date.now() },
    tsMs: Date.now(),
  } as unknown as DebeziumRowChange;
}

async function applyAudits(db: Database, source: string, changes: DebeziumRowChange[]) {
  await applyBatch(db, {
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

interface StoredRow {
  id: string;
  prevHash: string | null;
  hash: string;
  system: string;
  sourceId: string | null;
  atMicros: string;
  subject: string;
  subjectKind: string;
  requestId: string;
  operation: string;
  entityType: string;
  entityKey: string;
  detail: string | null;
}

const rows = (db: Database) =>
  db.query<StoredRow>(
    `SELECT "id"::text AS id, "prevHash", "hash", "system", "sourceId", ((extract(epoch FROM "at") * 1000000)::bigint)::text AS "atMicros",
       "subject", "subjectKind", "requestId", "operation", "entityType", "entityKey", "detail"::text AS "detail" FROM "AuditLog" ORDER BY "AuditLog"."id"`,
  );

/** Changes the log as its owner could: the append-only trigger dropped for the statement, then put back. */
async function tamper(db: Database, sql: string, params: unknown[] = []) {
  await db.exec(`ALTER TABLE "AuditLog" DISABLE TRIGGER "AuditLog_append_only"`);
  try {
    await db.query(sql, params);
  } finally {
    await db.exec(`ALTER TABLE "AuditLog" ENABLE TRIGGER "AuditLog_append_only"`);
  }
}

describe("the audit log's hash chain", () => {
  it("links each entry to the one before it as writes arrive, captured and operator entries alike", async () => {
    await applyAudits(hub, "erp", [
      capturedInsert({ subject: "fiona", subjectKind: "user", operation: "setCreditLimit", entityKey: "C-10001" }),
      capturedInsert({ subject: "acme-app", subjectKind: "partner", operation: "submitOrder", entityKey: "C-10002" }),
    ]);
    const [letter] = await hub.query<{ id: string }>(
      `INSERT INTO "DeadLetter" ("source", "topic", "position", "rawKey", "rawValue", "reason", "error", "attempts", "status", "firstFailedAt", "lastFailedAt")
       VALUES ('wms', 'wms.public.Stock', '77', NULL, '{', 'INVALID_JSON', 'bad', 1, 'PARKED', now(), now()) RETURNING id::text AS id`,
    );
    await recordDeadLetterAction(hub, operator, { id: letter!.id, operation: "discardDeadLetter", status: "DISCARDED" });
    const redelivered = capturedInsert({ subject: "wes", subjectKind: "service", operation: "adjustInventory", entityKey: "SKU-1" });
    await applyAudits(hub, "wms", [redelivered]);
    await applyAudits(hub, "wms", [redelivered]); // adds nothing, and the chain does not fork

    const chain = await rows(hub);
    expect(chain.map((r) => [r.system, r.subject])).toEqual([
      ["erp", "fiona"],
      ["erp", "acme-app"],
      ["ops", "olga"],
      ["wms", "wes"],
    ]);
    expect(chain[0]!.prevHash).toBeNull();
    chain.forEach((row, n) => {
      if (n > 0) expect(row.prevHash).toBe(chain[n - 1]!.hash);
      expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(auditEntryHash(row.prevHash, row)).toBe(row.hash);
    });
    // The encoding, spelled out once for the operator entry (detail is jsonb's text).
    const ops = chain[2]!;
    const field = (v: string | null) => (v === null ? "-" : `${Buffer.byteLength(v)}:${v}`);
    const text =
      "crossdock-audit-v1" +
      [ops.prevHash, "ops", null, ops.atMicros, "olga", "user", "req-ops-chain", "discardDeadLetter", "DeadLetter", letter!.id, ops.detail].map(field).join("");
    expect(createHash("sha256").update(text).digest("hex")).toBe(ops.hash);

    const report = await verifyAuditChain(hub);
    expect(report).toMatchObject({ verifiedEntries: 4, problems: [], last: { entryId: chain[3]!.id, hash: chain[3]!.hash } });
    expect(await new AuditIntegrityCheck(hub).read(auditor)).toMatchObject({ verifiedEntries: 4, brokenEntries: 0, firstBrokenEntry: null });
  });

  it("does not fork when operator actions and ingest batches write at the same time", async () => {
    const db = await freshHub("hub_audit_chain_concurrent");
    await migrate(db, MIGRATIONS_DIR);
    const letters = await db.query<{ id: string }>(
      `INSERT INTO "DeadLetter" ("source", "topic", "position", "rawKey", "rawValue", "reason", "error", "attempts", "status", "firstFailedAt", "lastFailedAt")
       SELECT 'wms', 'wms.public.Stock', n::text, NULL, '{', 'INVALID_JSON', 'bad', 1, 'PARKED', now(), now() FROM generate_series(1, 6) n RETURNING id::text AS id`,
    );
    await Promise.all([
      ...letters.map((letter) => recordDeadLetterAction(db, operator, { id: letter.id, operation: "discardDeadLetter", status: "DISCARDED" })),
      ...["erp", "crm", "wms"].map((source) =>
        applyAudits(db, source, [
          capturedInsert({ subject: `${source}-1`, subjectKind: "user", operation: "op", entityKey: "K" }),
          capturedInsert({ subject: `${source}-2`, subjectKind: "user", operation: "op", entityKey: "K" }),
        ]),
      ),
    ]);
    const chain = await rows(db);
    expect(chain).toHaveLength(12);
    expect(await verifyAuditChain(db)).toMatchObject({ verifiedEntries: 12, problems: [] });
  });

  it("shares one full pass between concurrent auditIntegrity callers and answers it again for a while", async () => {
    const check = new AuditIntegrityCheck(hub, 60_000);
    const [first, second] = await Promise.all([check.read(auditor), check.read(auditor)]);
    expect(second).toBe(first);
    const entries = (await rows(hub)).length;
    expect(first.verifiedEntries).toBe(entries);
    await applyAudits(hub, "wms", [capturedInsert({ subject: "wanda", subjectKind: "user", operation: "adjustStock", entityKey: "W-1" })]);
    // Within the reuse window: the same pass (its checkedAt says when it ran).
    expect(await check.read(auditor)).toBe(first);
    // A check without one verifies again and sees the new entry.
    expect(await new AuditIntegrityCheck(hub, 0).read(auditor)).toMatchObject({ verifiedEntries: entries + 1, brokenEntries: 0 });
  });

  it("refuses auditIntegrity without audit:read, and the refusal changes nothing", async () => {
    const before = await rows(hub);
    await expect(new AuditIntegrityCheck(hub).read({ kind: "anonymous", subject: "anonymous", scopes: [] })).rejects.toMatchObject({
      extensions: { code: "UNAUTHENTICATED" },
    });
    await expect(new AuditIntegrityCheck(hub).read({ kind: "user", subject: "ann", scopes: ["orders:read", "ops:admin"] })).rejects.toMatchObject({
      extensions: { code: "FORBIDDEN" },
    });
    expect(await rows(hub)).toEqual(before);
  });

  it("names the entry an owner changed with the append-only trigger off, in verify, auditIntegrity and the monitor", async () => {
    const monitor = new AuditChainMonitor(hub);
    expect(await monitor.isBroken()).toBe(false);
    await applyAudits(hub, "crm", [capturedInsert({ subject: "carla", subjectKind: "user", operation: "openCase", entityKey: "CS-1" })]);
    expect(await monitor.isBroken()).toBe(false); // the new entry verified incrementally

    const chain = await rows(hub);
    const changed = chain[1]!;
    await tamper(hub, `UPDATE "AuditLog" SET "subject" = 'mallory' WHERE "id" = $1::bigint`, [changed.id]);
    const report = await verifyAuditChain(hub);
    expect(report.problems).toEqual([
      { entryId: changed.id, system: "erp", reason: `entry ${changed.id} (erp) does not match its hash: its contents were changed` },
    ]);
    expect(report.verifiedEntries).toBe(chain.length - 1);
    expect(await new AuditIntegrityCheck(hub).read(auditor)).toMatchObject({
      verifiedEntries: chain.length - 1,
      brokenEntries: 1,
      firstBrokenEntry: { id: changed.id, system: "erp", reason: expect.stringContaining("contents were changed") },
    });
    // The monitor had verified past that entry; it still notices once that entry is the last one it verified
    // or, as here, on a fresh start (a full check). The incremental check covers what is new.
    expect(await new AuditChainMonitor(hub).isBroken()).toBe(true);

    // Recomputing the changed entry's own hash does not help: the next entry no longer links to it.
    await tamper(hub, `UPDATE "AuditLog" SET "hash" = "AuditLog_chain_hash"("prevHash", "AuditLog") WHERE "id" = $1::bigint`, [changed.id]);
    const rehashed = await verifyAuditChain(hub);
    expect(rehashed.problems.map((p) => p.entryId)).toEqual([chain[2]!.id]);
    expect(rehashed.problems[0]!.reason).toMatch(new RegExp(`does not link to entry ${changed.id} before it`));
  });

  it("names the entry after one an owner deleted, and a monitor whose last verified entry vanished", async () => {
    const db = await freshHub("hub_audit_chain_delete");
    await migrate(db, MIGRATIONS_DIR);
    await applyAudits(db, "erp", [
      capturedInsert({ subject: "a", subjectKind: "user", operation: "op", entityKey: "K-1" }),
      capturedInsert({ subject: "b", subjectKind: "user", operation: "op", entityKey: "K-2" }),
      capturedInsert({ subject: "c", subjectKind: "user", operation: "op", entityKey: "K-3" }),
    ]);
    const monitor = new AuditChainMonitor(db);
    expect(await monitor.isBroken()).toBe(false);
    const chain = await rows(db);
    await tamper(db, `DELETE FROM "AuditLog" WHERE "id" = $1::bigint`, [chain[1]!.id]);
    const report = await verifyAuditChain(db);
    expect(report.problems.map((p) => p.entryId)).toEqual([chain[2]!.id]);
    expect(report.problems[0]!.reason).toMatch(/an entry between them was removed/);

    await tamper(db, `DELETE FROM "AuditLog" WHERE "id" = $1::bigint`, [chain[2]!.id]);
    expect(await monitor.isBroken()).toBe(true);
    expect(monitor.firstBrokenEntry).toMatchObject({ entryId: chain[2]!.id, reason: "was verified earlier and has been removed" });

    await tamper(db, `DELETE FROM "AuditLog" WHERE "id" = $1::bigint`, [chain[0]!.id]);
    expect(await verifyAuditChain(db)).toMatchObject({ verifiedEntries: 0, problems: [] }); // an emptied log verifies: the monitor is what remembers
  });

  it("verifies the flows' operator actions as a chain of their own, naming a changed one as system flows", async () => {
    const db = await freshHub("hub_audit_chain_flows");
    await migrate(db, MIGRATIONS_DIR);
    // The flows migrate the same hub database (their own history; here their SQL as it ships).
    for (const name of readdirSync(FLOWS_MIGRATIONS_DIR).sort()) await db.exec(readFileSync(join(FLOWS_MIGRATIONS_DIR, name, "migration.sql"), "utf8"));
    await applyAudits(db, "erp", [capturedInsert({ subject: "fiona", subjectKind: "user", operation: "setCreditLimit", entityKey: "C-1" })]);
    for (const operation of ["retryFlowRun", "cancelFlowRun"]) {
      await db.query(
        `INSERT INTO "FlowAuditEntry" ("subject", "subjectKind", "requestId", "operation", "entityType", "entityKey", "detail")
         VALUES ('olga', 'user', 'req-flows', $1, 'FlowRun', 'orderToCash:SO-1', '{"why": "stuck"}'::jsonb)`,
        [operation],
      );
    }
    const monitor = new AuditChainMonitor(db);
    expect(await monitor.isBroken()).toBe(false);
    expect(await verifyAuditLog(db)).toMatchObject({ verifiedEntries: 3, problems: [] });

    const [first] = await db.query<{ id: string }>(`SELECT "id"::text AS id FROM "FlowAuditEntry" ORDER BY "FlowAuditEntry"."id" LIMIT 1`);
    await db.exec(`ALTER TABLE "FlowAuditEntry" DISABLE TRIGGER "FlowAuditEntry_append_only"`);
    await db.query(`UPDATE "FlowAuditEntry" SET "operation" = 'skipFlowStep' WHERE "id" = $1::bigint`, [first!.id]);
    await db.exec(`ALTER TABLE "FlowAuditEntry" ENABLE TRIGGER "FlowAuditEntry_append_only"`);
    expect((await verifyAuditLog(db)).problems).toEqual([
      { entryId: first!.id, system: "flows", reason: `entry ${first!.id} (flows) does not match its hash: its contents were changed` },
    ]);
    expect(await new AuditIntegrityCheck(db).read(auditor)).toMatchObject({
      verifiedEntries: 2,
      brokenEntries: 1,
      firstBrokenEntry: { id: first!.id, system: "flows" },
    });
    expect(await new AuditChainMonitor(db).isBroken()).toBe(true);
  });

  it("chains the rows that were there before the migration, in id order", async () => {
    const db = await freshHub("hub_audit_chain_upgrade");
    const dir = mkdtempSync(join(tmpdir(), "hub-migrations-"));
    try {
      for (const name of readdirSync(MIGRATIONS_DIR).filter((n) => n < "0012")) cpSync(join(MIGRATIONS_DIR, name), join(dir, name), { recursive: true });
      await migrate(db, dir);
      await applyAudits(db, "erp", [
        capturedInsert({ subject: "old-1", subjectKind: "user", operation: "op", entityKey: "K-1" }),
        capturedInsert({ subject: "old-2", subjectKind: "user", operation: "op", entityKey: "K-2" }),
      ]);
      await migrate(db, MIGRATIONS_DIR);
      await applyAudits(db, "erp", [capturedInsert({ subject: "new-1", subjectKind: "user", operation: "op", entityKey: "K-3" })]);
      const chain = await rows(db);
      expect(chain.map((r) => r.subject)).toEqual(["old-1", "old-2", "new-1"]);
      expect(chain[2]!.prevHash).toBe(chain[1]!.hash);
      expect(await verifyAuditChain(db)).toMatchObject({ verifiedEntries: 3, problems: [] });
      await expect(db.query(`UPDATE "AuditLog" SET "subject" = 'x'`)).rejects.toThrow(/append-only/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
