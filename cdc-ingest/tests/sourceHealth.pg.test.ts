// Honest lag and state for a pg-logical source: caught up it is UP with lag 0; cut off from its
// database (a TCP proxy resets every connection) while changes are committed there, it turns
// DOWN and its lag grows from one reading to the next; reconnected, it applies what it missed
// and is UP with lag 0 again. Stopped, its slot keeps WAL, and the probe says how much. Real
// Postgres 15 source, PGlite read model, real metrics.
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger, migrate, openDatabase, Registry, type Database } from "@crossdock/platform";
import { createTestDatabases, postgresAdminUrl, postgresAvailable, postgresRequired } from "@crossdock/test";
import { TcpProxy } from "@crossdock/test/faults";
import { Ingestor, type SourceStatus } from "../src/apply/ingestor.js";
import { createIngestMetrics } from "../src/apply/ingestMetrics.js";
import { FeedBus } from "../src/feed/feedBus.js";
import { dropPgLogicalCapture, PgLogicalSource } from "../src/sources/pgLogicalSource.js";

const MIGRATIONS_DIR = fileURLToPath(new URL("../prisma/migrations", import.meta.url));
const reachable = await postgresAvailable();

/** Checks `condition` until it holds or the deadline passes; returns the value that held. */
async function waitFor<T>(what: string, read: () => Promise<T>, condition: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!condition(last)) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last, (_, v: unknown) => (typeof v === "bigint" ? String(v) : v))}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = await read();
  }
  return last;
}

describe.skipIf(!reachable && !postgresRequired)("pg-logical source health", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  });

  it("is UP with lag 0, turns DOWN with a growing lag when cut off, and recovers", async () => {
    const databases = await createTestDatabases(["wms"]);
    cleanup.push(() => databases.drop());
    const sql = new pg.Client({ connectionString: databases.urls.wms });
    await sql.connect();
    cleanup.push(() => sql.end());
    await sql.query(`CREATE TABLE "Stock" (id text PRIMARY KEY, sku text NOT NULL, "warehouseCode" text NOT NULL, "binCode" text NOT NULL,
                       "onHand" numeric(18,3) NOT NULL, reserved numeric(18,3) NOT NULL DEFAULT 0)`);

    // The ingest reaches the source only through the proxy; the test writes to it directly.
    const server = new URL(postgresAdminUrl);
    const proxy = await new TcpProxy({ host: server.hostname, port: Number(server.port || 5432) }).start();
    cleanup.push(() => proxy.stop());
    const viaProxy = new URL(databases.urls.wms);
    viaProxy.hostname = "127.0.0.1";
    viaProxy.port = String(proxy.port);

    const hub: Database = await openDatabase("pglite:memory");
    cleanup.push(() => hub.close());
    await migrate(hub, MIGRATIONS_DIR);
    const capture = { slotName: `crossdock_health_${Date.now()}`, publicationName: `crossdock_health_${Date.now()}` };
    cleanup.push(() => dropPgLogicalCapture(databases.urls.wms, "wms", capture));
    const registry = new Registry();
    const source = new PgLogicalSource({ name: "wms", connectionString: viaProxy.toString(), tables: ["Stock"], ...capture });
    const ingestor = new Ingestor({
      source,
      hub,
      bus: new FeedBus(),
      metrics: createIngestMetrics(registry),
      logger: createLogger("test", "silent"),
      idleWaitMs: 100,
      health: { intervalMs: 200, probeTimeoutMs: 2000, downAfterFailures: 2 },
    });
    await source.start();
    ingestor.start();
    cleanup.push(() => ingestor.stop());

    const status = () => ingestor.checkStatus(true);
    const applied = async (id: string) =>
      (await hub.query(`SELECT 1 FROM "SourceRow" WHERE "tableName" = 'Stock' AND "sourceId" = $1 AND NOT "deleted"`, [id])).length > 0;
    const gauge = async (name: string) => {
      const metric = await registry.getSingleMetric(name)!.get();
      return metric.values.find((v) => v.labels.source === "wms")?.value;
    };

    // Caught up: UP, lag 0, nothing behind; the slot's retained WAL is reported.
    await sql.query(`INSERT INTO "Stock" VALUES ('s1', 'SKU-H1', 'ATL1', 'A-1', 5, 0)`);
    await waitFor(
      "s1 applied",
      () => applied("s1"),
      (done) => done,
    );
    const up = await waitFor("UP with lag 0", status, (s) => s.state === "UP" && s.lagMs === 0);
    expect(up.behindBytes).toBe(0n);
    expect(up.retainedWal?.slot).toBe(capture.slotName);
    expect(up.retainedWal!.bytes).toBeGreaterThanOrEqual(0n);
    expect(up.downReason).toBeNull();
    expect(await gauge("crossdock_cdc_source_up")).toBe(1);
    expect(await gauge("crossdock_cdc_lag_seconds")).toBe(0);
    const retained = await registry.getSingleMetric("crossdock_cdc_replication_slot_retained_wal_bytes")!.get();
    expect(retained.values.find((v) => v.labels.slot === capture.slotName)?.labels.source).toBe("wms");

    // Cut off: every connection to the source is reset while changes are committed there.
    proxy.set({ mode: "reset" });
    await sql.query(`INSERT INTO "Stock" VALUES ('s2', 'SKU-H2', 'ATL1', 'A-2', 7, 0)`);
    await sql.query(`UPDATE "Stock" SET "onHand" = 6 WHERE id = 's1'`);
    const down = await waitFor("DOWN", status, (s) => s.state === "DOWN");
    expect(down.downReason).toMatch(/wms/);
    expect(down.lagMs).toBeGreaterThan(0);
    const later = await waitFor(
      "a later reading",
      status,
      (s: SourceStatus) => s.lastCheckedAt!.getTime() > down.lastCheckedAt!.getTime() && s.lagMs > down.lagMs,
    );
    expect(later.state).toBe("DOWN");
    expect(later.lagMs).toBeGreaterThan(down.lagMs);
    expect(await applied("s2")).toBe(false);
    expect(await gauge("crossdock_cdc_source_up")).toBe(0);
    expect(await gauge("crossdock_cdc_lag_seconds")).toBeGreaterThan(0);

    // Reconnected: what was missed is applied, and the source is UP with lag 0 again.
    proxy.set({ mode: "pass" });
    await waitFor(
      "s2 applied",
      () => applied("s2"),
      (done) => done,
    );
    const back = await waitFor("UP again with lag 0", status, (s) => s.state === "UP" && s.lagMs === 0);
    expect(back.behindBytes).toBe(0n);
    expect(back.downReason).toBeNull();
    const [onHand] = await hub.query<{ onHand: string }>(`SELECT "onHand"::text AS "onHand" FROM "InventoryPosition" WHERE "sku" = 'SKU-H1'`);
    expect(Number(onHand?.onHand)).toBe(6);
    expect(await gauge("crossdock_cdc_source_up")).toBe(1);
    expect(await gauge("crossdock_cdc_lag_seconds")).toBe(0);

    // Stopped, with its slot left in place: the server keeps the WAL written since, and the
    // probe (on a connection of its own) still says how much and how far behind the slot is.
    await ingestor.stop();
    const slotActive = async () =>
      (await sql.query<{ active: boolean }>(`SELECT active FROM pg_replication_slots WHERE slot_name = $1`, [capture.slotName])).rows[0]?.active;
    await waitFor("the walsender to let go of the slot", slotActive, (active) => active === false);
    const stopped = await source.probeHead();
    await sql.query(`INSERT INTO "Stock" SELECT 'bulk-' || n, 'SKU-BULK', 'ATL1', 'B-1', n, 0 FROM generate_series(1, 2000) AS n`);
    const idle = await source.probeHead();
    expect(idle.down).toMatch(/stopped/);
    expect(idle.caughtUp).toBe(false);
    expect(idle.behindBytes!).toBeGreaterThan(0n);
    // Nothing streams, so the slot's restart position stays where it was: only the head moves.
    expect(idle.retainedWal!.bytes).toBeGreaterThan(stopped.retainedWal!.bytes);
    expect(idle.behindBytes!).toBeGreaterThan(stopped.behindBytes!);
  }, 180_000);
});
