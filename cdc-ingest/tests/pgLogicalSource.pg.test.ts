// PgLogicalSource against a real Postgres 15 (wal_level=logical): snapshot then streaming,
// no gap and no duplicate at the boundary, ack-bounded redelivery, schema changes, TOAST, and a
// second source for the same slot standing by until the first one's connections end.
// Skipped only when Postgres is unreachable and CROSSDOCK_REQUIRE_POSTGRES is not "1".
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { decodeDebeziumMessage, isUnchanged, type DebeziumRowChange } from "../src/debezium/index.js";
import { envelopeText, rowJson } from "../src/sources/pgLogical/changeEnvelope.js";
import { BUILTIN_ARRAY_ELEMENTS, columnJson } from "../src/sources/pgLogical/columnText.js";
import type { CapturedMessage } from "../src/sources/captureSource.js";
import { dropPgLogicalCapture, PgLogicalSource } from "../src/sources/pgLogicalSource.js";

const ADMIN_URL = process.env.CROSSDOCK_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const REQUIRED = process.env.CROSSDOCK_REQUIRE_POSTGRES === "1";

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const reachable = await postgresReachable();
if (!reachable && !REQUIRED) console.warn(`pgLogicalSource tests skipped: no Postgres at ${ADMIN_URL} (set CROSSDOCK_REQUIRE_POSTGRES=1 to fail instead)`);

const SCHEMA = `
  CREATE TABLE "Stock" (id serial PRIMARY KEY, sku text NOT NULL, "warehouseCode" text NOT NULL, "binCode" text NOT NULL,
    "onHand" numeric(18,3) NOT NULL, reserved numeric(18,3) NOT NULL DEFAULT 0);
  CREATE TABLE "AuditEntry" (id serial PRIMARY KEY, action text NOT NULL, detail jsonb, note text,
    at timestamptz NOT NULL DEFAULT now(), ok boolean NOT NULL DEFAULT true);`;

interface TestDatabase {
  url: string;
  sql: pg.Client;
  slotName: string;
  publicationName: string;
}

const databases: TestDatabase[] = [];
const sources: PgLogicalSource[] = [];

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function createDatabase(seed = ""): Promise<TestDatabase> {
  const suffix = randomBytes(4).toString("hex");
  const name = `crossdock_pglogical_${suffix}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  const sql = new pg.Client({ connectionString: url });
  await sql.connect();
  await sql.query(SCHEMA + seed);
  const db = { url, sql, slotName: `crossdock_test_${suffix}`, publicationName: `crossdock_test_${suffix}` };
  databases.push(db);
  return db;
}

function sourceFor(db: TestDatabase, maxBuffered?: number, standbyRetryMs?: number): PgLogicalSource {
  const source = new PgLogicalSource({
    ...(standbyRetryMs ? { standbyRetryMs } : {}),
    name: "wms",
    connectionString: db.url,
    tables: ["Stock", "AuditEntry"],
    slotName: db.slotName,
    publicationName: db.publicationName,
    ...(maxBuffered ? { maxBuffered } : {}),
  });
  sources.push(source);
  return source;
}

interface Received {
  messages: CapturedMessage[];
  changes: DebeziumRowChange[];
}

const decode = (m: CapturedMessage) => decodeDebeziumMessage(m) as DebeziumRowChange;

/** Polls until `count` changes arrived (failing after a deadline), then checks nothing more is pending. */
async function receive(source: PgLogicalSource, count: number, batch = 100): Promise<Received> {
  const messages: CapturedMessage[] = [];
  const deadline = Date.now() + 20_000;
  while (messages.length < count) {
    if (Date.now() > deadline) throw new Error(`received ${messages.length} of ${count} changes`);
    messages.push(...(await source.poll(batch, 200)));
  }
  messages.push(...(await source.poll(batch, 300)));
  return { messages, changes: messages.map(decode) };
}

/** Stops the sources and drops the slot now: the server has few slots, and every test of the file makes one. */
async function releaseSlot(db: TestDatabase, ...used: PgLogicalSource[]): Promise<void> {
  for (const source of used) await source.stop();
  await dropPgLogicalCapture(db.url, "wms", { slotName: db.slotName, publicationName: db.publicationName });
}

const stockOf = (c: DebeziumRowChange) => c.after ?? c.before;

afterEach(async () => {
  for (const source of sources.splice(0)) await source.stop();
});

afterAll(async () => {
  for (const db of databases) {
    await dropPgLogicalCapture(db.url, "wms", { slotName: db.slotName, publicationName: db.publicationName }).catch(() => undefined);
    await db.sql.end().catch(() => undefined);
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${db.url.split("/").pop()} WITH (FORCE)`));
  }
});

describe("pg-logical envelope values (no database)", () => {
  const context = { sourceName: "wms", db: "wms", arrayElements: BUILTIN_ARRAY_ELEMENTS };

  it("writes Postgres text forms the way the outbox and Debezium do", () => {
    expect(columnJson(1184, "2024-03-01 10:20:30.123+00", BUILTIN_ARRAY_ELEMENTS)).toBe('"2024-03-01T10:20:30.123Z"');
    expect(columnJson(1114, "2024-03-01 10:20:30", BUILTIN_ARRAY_ELEMENTS)).toBe('"2024-03-01T10:20:30"');
    expect(columnJson(1700, "99999999999999999.001", BUILTIN_ARRAY_ELEMENTS)).toBe('"99999999999999999.001"');
    expect(columnJson(3802, '{"n": 12345678901234567890}', BUILTIN_ARRAY_ELEMENTS)).toBe('{"n": 12345678901234567890}');
    expect(columnJson(17, "\\x0102ff", BUILTIN_ARRAY_ELEMENTS)).toBe('"AQL/"');
    expect(columnJson(1009, '{a,"b,c",NULL,"d\\"e"}', BUILTIN_ARRAY_ELEMENTS)).toBe('["a","b,c",null,"d\\"e"]');
    expect(columnJson(1007, "{{1,2},{3,4}}", BUILTIN_ARRAY_ELEMENTS)).toBe('[["1","2"],["3","4"]]');
  });

  it("marks an unchanged TOASTed value as UNCHANGED only when the old row does not have it", () => {
    const columns = [
      { name: "id", typeOid: 23, isKey: true },
      { name: "note", typeOid: 25, isKey: false },
    ];
    const after = rowJson(columns, [{ kind: "text", text: "7" }, { kind: "unchanged" }], context);
    const facts = { op: "u" as const, schema: "public", table: "AuditEntry", before: null, after, lsn: 42n, txId: "9", commitMs: 1, snapshot: false };
    const change = decodeDebeziumMessage({ topic: "wms.public.AuditEntry", value: envelopeText(context, facts) }) as DebeziumRowChange;
    expect(change.after?.["id"]).toBe("7");
    expect(isUnchanged(change.after?.["note"])).toBe(true);
    expect(change.source.lsn).toBe("42");
  });
});

describe.skipIf(!reachable && !REQUIRED)("PgLogicalSource (Postgres logical replication)", () => {
  beforeAll(async () => {
    if (!reachable) throw new Error(`CROSSDOCK_REQUIRE_POSTGRES=1 but no Postgres answers at ${ADMIN_URL}`);
    const [row] = (await admin((c) => c.query<{ wal_level: string }>("SHOW wal_level"))).rows;
    expect(row?.wal_level, "Postgres needs wal_level=logical (ALTER SYSTEM SET wal_level = logical; restart)").toBe("logical");
  });

  it("hands out the snapshot as op r with exact numbers, then streamed changes in order", async () => {
    const db = await createDatabase(`
      INSERT INTO "Stock" (sku, "warehouseCode", "binCode", "onHand", reserved) VALUES
        ('SKU-1', 'AMS', 'A-01', 12.5, 0.001), ('SKU-2', 'AMS', 'A-02', 123456789012345.678, 0), ('SKU-3', 'RTM', 'B-01', 0, 0);
      INSERT INTO "AuditEntry" (action, detail) VALUES ('seed', '{"rows": 3, "by": "test"}');`);
    const source = sourceFor(db);
    await source.start();
    const snapshot = await receive(source, 4);
    expect(snapshot.changes).toHaveLength(4);
    for (const change of snapshot.changes) {
      expect(change.op).toBe("r");
      expect(change.source.snapshot).toBe(true);
      expect(change.source.connector).toBe("crossdock-pg-logical");
      expect(change.source.serverName).toBe("wms");
    }
    const stock = snapshot.changes.filter((c) => c.table.table === "Stock").map((c) => c.after);
    expect(stock).toEqual([
      { id: "1", sku: "SKU-1", warehouseCode: "AMS", binCode: "A-01", onHand: "12.500", reserved: "0.001" },
      { id: "2", sku: "SKU-2", warehouseCode: "AMS", binCode: "A-02", onHand: "123456789012345.678", reserved: "0.000" },
      { id: "3", sku: "SKU-3", warehouseCode: "RTM", binCode: "B-01", onHand: "0.000", reserved: "0.000" },
    ]);
    expect(snapshot.messages[0]?.topic).toBe("wms.public.Stock");
    await source.ack(snapshot.messages);

    await db.sql.query(`INSERT INTO "Stock" (sku, "warehouseCode", "binCode", "onHand") VALUES ('SKU-4', 'AMS', 'C-01', 7.25)`);
    await db.sql.query(`BEGIN; UPDATE "Stock" SET "onHand" = 11.5, reserved = 1 WHERE id = 1;
      INSERT INTO "AuditEntry" (action, detail) VALUES ('move', '{"qty": "1.000", "lines": [1, 2]}'); COMMIT`);
    await db.sql.query(`DELETE FROM "Stock" WHERE id = 3`);
    const streamed = await receive(source, 4);
    expect(streamed.changes.map((c) => [c.op, c.table.table])).toEqual([
      ["c", "Stock"],
      ["u", "Stock"],
      ["c", "AuditEntry"],
      ["d", "Stock"],
    ]);
    const [insert, update, audit, remove] = streamed.changes as [DebeziumRowChange, DebeziumRowChange, DebeziumRowChange, DebeziumRowChange];
    expect(insert.after).toEqual({ id: "4", sku: "SKU-4", warehouseCode: "AMS", binCode: "C-01", onHand: "7.250", reserved: "0.000" });
    expect(update.before).toMatchObject({ id: "1", onHand: "12.500", reserved: "0.001" });
    expect(update.after).toMatchObject({ id: "1", onHand: "11.500", reserved: "1.000", sku: "SKU-1" });
    expect(update.source.txId).toBe(audit.source.txId);
    expect(audit.after?.["detail"]).toMatchObject({ qty: "1.000" });
    expect(String(audit.after?.["at"])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(audit.after?.["ok"]).toBe(true);
    expect(remove.before).toEqual({ id: "3", sku: "SKU-3", warehouseCode: "RTM", binCode: "B-01", onHand: "0.000", reserved: "0.000" });
    expect(remove.after).toBeNull();
    const positions = streamed.changes.map((c) => BigInt(c.source.lsn ?? "0"));
    expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
    // Every streamed change sorts after the snapshot image of its row.
    expect(positions[0]! > BigInt(snapshot.changes[0]!.source.lsn!)).toBe(true);
  });

  it("loses and duplicates nothing when rows are inserted while the snapshot runs", async () => {
    const db = await createDatabase(`
      INSERT INTO "Stock" (sku, "warehouseCode", "binCode", "onHand") SELECT 'SKU-' || g, 'AMS', 'A-' || g, g FROM generate_series(1, 3000) g;`);
    const writer = new pg.Client({ connectionString: db.url });
    await writer.connect();
    let writing = true;
    const inserts = (async () => {
      let n = 0;
      while (writing && n < 400) {
        await writer.query(`INSERT INTO "Stock" (sku, "warehouseCode", "binCode", "onHand") VALUES ($1, 'RTM', 'X', 1)`, [`LIVE-${n++}`]);
      }
    })();
    const source = sourceFor(db, 500);
    await source.start();
    const seen = new Map<string, string[]>();
    const take = async (waitMs: number) => {
      const batch = await source.poll(50, waitMs);
      for (const change of batch.map(decode)) {
        const id = String(stockOf(change)?.["id"]);
        seen.set(id, [...(seen.get(id) ?? []), change.op]);
      }
      await source.ack(batch);
      return batch.length;
    };
    const deadline = Date.now() + 30_000;
    while (seen.size < 3000 && Date.now() < deadline) await take(200);
    writing = false;
    await inserts;
    await writer.end();
    // Drain the stream until it stays quiet: every committed row must have arrived by then.
    while ((await take(500)) > 0 && Date.now() < deadline);
    const ids = (await db.sql.query<{ id: string }>(`SELECT id::text AS id FROM "Stock"`)).rows.map((r) => r.id);
    expect(ids.length).toBeGreaterThan(3000);
    expect([...seen.keys()].sort()).toEqual([...ids].sort());
    for (const [id, ops] of seen) expect(ops, `row ${id}`).toEqual([Number(id) <= 3000 ? "r" : expect.stringMatching(/^[rc]$/)]);
    // Rows committed after the slot's consistent point came from the stream, not the snapshot.
    expect([...seen.values()].filter((ops) => ops[0] === "c").length).toBeGreaterThan(0);
  });

  it("stops reading the stream while the buffer is full, then delivers everything in order", async () => {
    const db = await createDatabase();
    const source = sourceFor(db, 100);
    await source.start();
    expect(await source.poll(10, 300)).toEqual([]);
    await db.sql.query(`INSERT INTO "Stock" (sku, "warehouseCode", "binCode", "onHand") SELECT 'SKU-' || g, 'AMS', 'A', g FROM generate_series(1, 5000) g`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // Paused at 100 buffered; at most the rest of the socket chunk in hand was parsed after that.
    expect(await source.backlog()).toBeLessThan(2000);
    const received = await receive(source, 5000, 500);
    expect(received.changes.map((c) => c.after?.["id"])).toEqual(Array.from({ length: 5000 }, (_, i) => String(i + 1)));
  });

  it("redelivers only unacked changes after a restart, including changes made while stopped", async () => {
    const db = await createDatabase(`INSERT INTO "Stock" (sku, "warehouseCode", "binCode", "onHand") VALUES ('SKU-1', 'AMS', 'A-01', 1);`);
    let source = sourceFor(db);
    await source.start();
    await source.ack((await receive(source, 1)).messages);
    await db.sql.query(`UPDATE "Stock" SET "onHand" = 2 WHERE id = 1`);
    await db.sql.query(`UPDATE "Stock" SET "onHand" = 3 WHERE id = 1`);
    const first = await receive(source, 2);
    expect(first.changes.map((c) => c.after?.["onHand"])).toEqual(["2.000", "3.000"]);
    await source.ack(first.messages.slice(0, 1));
    await source.stop();
    await db.sql.query(`INSERT INTO "Stock" (sku, "warehouseCode", "binCode", "onHand") VALUES ('SKU-2', 'AMS', 'A-02', 4)`);

    source = sourceFor(db);
    await source.start();
    const again = await receive(source, 2);
    expect(again.changes.map((c) => [c.op, c.after?.["onHand"]])).toEqual([
      ["u", "3.000"],
      ["c", "4.000"],
    ]);
    expect(again.changes[0]?.source.lsn).toBe(first.changes[1]?.source.lsn);
    await source.ack(again.messages);
    await source.stop();

    source = sourceFor(db);
    await source.start();
    expect(await source.poll(100, 500)).toEqual([]);
  });

  it("reconnects after the walsender dies and resends what was not confirmed", async () => {
    const db = await createDatabase();
    const source = sourceFor(db);
    await source.start();
    expect(await source.poll(10, 300)).toEqual([]);
    await db.sql.query(`INSERT INTO "Stock" (sku, "warehouseCode", "binCode", "onHand") VALUES ('SKU-1', 'AMS', 'A', 1)`);
    const before = await receive(source, 1);
    await db.sql.query(`SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1`, [db.slotName]);
    await expect(source.poll(10, 2000)).rejects.toThrow();
    const after = await receive(source, 1);
    expect(after.changes.map((c) => c.source.lsn)).toEqual(before.changes.map((c) => c.source.lsn));
  });

  it("stands by while another source captures the slot, then takes over when that one's connections end", async () => {
    const db = await createDatabase(`INSERT INTO "Stock" (sku, "warehouseCode", "binCode", "onHand") VALUES ('SKU-1', 'AMS', 'A', 1);`);
    const active = sourceFor(db, undefined, 100);
    await active.start();
    await active.ack((await receive(active, 1)).messages);
    const standby = sourceFor(db, undefined, 100);
    await standby.start();
    expect([active.standby, standby.standby]).toEqual([false, true]);
    // Only the active one streams; the standby neither fails nor receives.
    await db.sql.query(`INSERT INTO "Stock" (sku, "warehouseCode", "binCode", "onHand") VALUES ('SKU-2', 'AMS', 'B', 2)`);
    const unconfirmed = await receive(active, 1);
    expect(await standby.poll(10, 300)).toEqual([]);
    expect(standby.standby).toBe(true);
    // Its head probe says it stands by (not DOWN) and reads the active one's slot.
    const reading = await standby.probeHead();
    expect(reading).toMatchObject({ standby: true, caughtUp: false, retainedWal: { slot: expect.any(String) } });
    expect(reading.down).toBeUndefined();
    // The active process dies (as with kill -9, its connections end without a goodbye).
    const { rows } = await db.sql.query<{ pid: number }>(
      `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
       UNION SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1 AND active_pid IS NOT NULL`,
      [db.slotName],
    );
    expect(rows.length).toBe(2);
    await db.sql.query(`SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid`, [rows.map((r) => r.pid)]);
    // The standby takes over where the slot was confirmed: the unacked change comes again, then new ones.
    const takenOver = await receive(standby, 1);
    expect(standby.standby).toBe(false);
    expect(takenOver.changes.map((c) => c.source.lsn)).toEqual(unconfirmed.changes.map((c) => c.source.lsn));
    // The old active one, back, finds the lock taken and stands by in its turn.
    await expect(active.poll(10, 1000)).rejects.toThrow();
    expect(await active.poll(10, 300)).toEqual([]);
    expect(active.standby).toBe(true);
    await db.sql.query(`INSERT INTO "Stock" (sku, "warehouseCode", "binCode", "onHand") VALUES ('SKU-3', 'AMS', 'C', 3)`);
    expect((await receive(standby, 1)).changes.map((c) => c.after?.["sku"])).toEqual(["SKU-3"]);
    expect(await active.poll(10, 300)).toEqual([]);
    await releaseSlot(db, active, standby);
  });

  it("stands by, leaving the slot alone, when started while the other source is still in its snapshot", async () => {
    // The slot of an unfinished snapshot is inactive between reads: without the lock it looked abandoned and was dropped.
    const db = await createDatabase(`INSERT INTO "Stock" (sku, "warehouseCode", "binCode", "onHand") VALUES ('SKU-1', 'AMS', 'A', 1);`);
    const active = sourceFor(db);
    await active.start();
    const standby = sourceFor(db, undefined, 100);
    await standby.start();
    expect(standby.standby).toBe(true);
    expect(await standby.poll(10, 300)).toEqual([]);
    const snapshot = await receive(active, 1);
    expect(snapshot.changes.map((c) => [c.op, c.after?.["sku"]])).toEqual([["r", "SKU-1"]]);
    await active.ack(snapshot.messages);
    await db.sql.query(`INSERT INTO "Stock" (sku, "warehouseCode", "binCode", "onHand") VALUES ('SKU-2', 'AMS', 'B', 2)`);
    expect((await receive(active, 1)).changes.map((c) => [c.op, c.after?.["sku"]])).toEqual([["c", "SKU-2"]]);
    expect(await standby.poll(10, 300)).toEqual([]);
    await releaseSlot(db, active, standby);
  });

  /** The slot's confirmed position and whether a walsender is streaming it. */
  async function slotState(db: TestDatabase): Promise<{ confirmed: bigint; active: boolean }> {
    const { rows } = await db.sql.query<{ confirmed: string; active: boolean }>(
      `SELECT (confirmed_flush_lsn - '0/0')::text AS confirmed, active FROM pg_replication_slots WHERE slot_name = $1`,
      [db.slotName],
    );
    return { confirmed: BigInt(rows[0]!.confirmed), active: rows[0]!.active };
  }

  async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (let value = await read(); ; value = await read()) {
      if (done(value) || Date.now() > deadline) return value;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const walPosition = async (db: TestDatabase) =>
    BigInt((await db.sql.query<{ lsn: string }>(`SELECT (pg_current_wal_lsn() - '0/0')::text AS lsn`)).rows[0]!.lsn);

  it("confirms the server's end of WAL while nothing is pending, also once held changes are applied", async () => {
    const db = await createDatabase(`CREATE TABLE "Uncaptured" (id serial PRIMARY KEY, note text);`);
    const source = sourceFor(db);
    await source.start();
    expect(await source.poll(10, 300)).toEqual([]);
    // WAL the publication does not cover: an idle source lets the slot move past it.
    await db.sql.query(`INSERT INTO "Uncaptured" (note) SELECT 'n' || g FROM generate_series(1, 100) g`);
    const idleEnd = await walPosition(db);
    expect(
      (
        await until(
          () => slotState(db),
          (s) => s.confirmed >= idleEnd,
        )
      ).confirmed,
    ).toBeGreaterThanOrEqual(idleEnd);

    // A captured change held unapplied keeps the slot below it, however far the WAL moves on.
    await db.sql.query(`INSERT INTO "Stock" (sku, "warehouseCode", "binCode", "onHand") VALUES ('SKU-1', 'AMS', 'A', 1)`);
    const held = await receive(source, 1);
    await db.sql.query(`INSERT INTO "Uncaptured" (note) SELECT 'm' || g FROM generate_series(1, 100) g`);
    const laterEnd = await walPosition(db);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await slotState(db)).confirmed).toBeLessThan(BigInt(held.changes[0]!.source.lsn!));
    // Applied: the slot moves to the server's end of WAL, not only to the change's commit.
    await source.ack(held.messages);
    expect(
      (
        await until(
          () => slotState(db),
          (s) => s.confirmed >= laterEnd,
        )
      ).confirmed,
    ).toBeGreaterThanOrEqual(laterEnd);
  });

  it("lets go of the stream at once when the server ends its connections while changes are unapplied", async () => {
    const db = await createDatabase();
    const source = sourceFor(db);
    await source.start();
    expect(await source.poll(10, 300)).toEqual([]);
    await db.sql.query(`INSERT INTO "Stock" (sku, "warehouseCode", "binCode", "onHand") VALUES ('SKU-1', 'AMS', 'A', 1)`);
    const held = await receive(source, 1);
    // What a fast shutdown does first: terminate every ordinary backend (the source's control
    // connection among them); the walsender then waits for its client before the server can stop.
    await db.sql.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
    );
    // Released without the ingest polling: it may be stuck applying to a database going away.
    const released = await until(
      () => slotState(db),
      (s) => !s.active,
      5000,
    );
    expect(released.active).toBe(false);
    expect(released.confirmed).toBeLessThan(BigInt(held.changes[0]!.source.lsn!));
    await expect(source.poll(10, 100)).rejects.toThrow(/closed the connection/);
    const again = await receive(source, 1);
    expect(again.changes.map((c) => c.source.lsn)).toEqual(held.changes.map((c) => c.source.lsn));
  });

  it("redoes the snapshot when the process stopped before the snapshot was applied", async () => {
    const db = await createDatabase(
      `INSERT INTO "Stock" (sku, "warehouseCode", "binCode", "onHand") SELECT 'SKU-' || g, 'AMS', 'A', g FROM generate_series(1, 50) g;`,
    );
    let source = sourceFor(db);
    await source.start();
    const partial = await source.poll(10, 1000);
    await source.ack(partial.slice(0, 5));
    await source.stop();
    await db.sql.query(`UPDATE "Stock" SET "onHand" = 500 WHERE id = 50`);

    source = sourceFor(db);
    await source.start();
    const redone = await receive(source, 50);
    expect(redone.changes.map((c) => c.op)).toEqual(Array(50).fill("r"));
    expect(redone.changes.at(-1)?.after?.["onHand"]).toBe("500.000");
    expect(BigInt(redone.changes[0]!.source.lsn!)).toBeGreaterThan(BigInt(decode(partial[0]!).source.lsn!));
    await source.ack(redone.messages);
    const state = await db.sql.query(`SELECT "snapshotDone" FROM "_crossdock_capture_state" WHERE "slotName" = $1`, [db.slotName]);
    expect(state.rows).toEqual([{ snapshotDone: true }]);
  });

  it("picks up a new column after ALTER TABLE and fills unchanged TOASTed values from the old row", async () => {
    const db = await createDatabase(`INSERT INTO "AuditEntry" (action, note) VALUES ('seed', 'short');`);
    const source = sourceFor(db);
    await source.start();
    await source.ack((await receive(source, 1)).messages);
    await db.sql.query(`ALTER TABLE "Stock" ADD COLUMN "lotCode" text`);
    await db.sql.query(`INSERT INTO "Stock" (sku, "warehouseCode", "binCode", "onHand", "lotCode") VALUES ('SKU-9', 'AMS', 'Z', 9, 'LOT-42')`);
    const big = randomBytes(20_000).toString("base64");
    await db.sql.query(`UPDATE "AuditEntry" SET note = $1 WHERE id = 1`, [big]);
    await db.sql.query(`UPDATE "AuditEntry" SET action = 'touched' WHERE id = 1`);
    const received = await receive(source, 3);
    const [added, toasted, touched] = received.changes as [DebeziumRowChange, DebeziumRowChange, DebeziumRowChange];
    expect(added.after).toMatchObject({ sku: "SKU-9", lotCode: "LOT-42", onHand: "9.000" });
    expect(toasted.after?.["note"]).toBe(big);
    expect(touched.after).toMatchObject({ action: "touched", note: big });
  });
});
