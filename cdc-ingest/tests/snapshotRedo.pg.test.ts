// A redone pg-logical snapshot (the slot was lost, rows were deleted at the source while nothing
// streamed) reconciles deletes: the read model drops the rows the new snapshot no longer has,
// and keeps the rest. Real Postgres 15 source, PGlite read model.
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger, migrate, openDatabase, Registry, type Database } from "@crossdock/platform";
import { createTestDatabases, postgresAvailable, postgresRequired } from "@crossdock/test";
import { Ingestor } from "../src/apply/ingestor.js";
import { createIngestMetrics } from "../src/apply/ingestMetrics.js";
import { FeedBus } from "../src/feed/feedBus.js";
import { dropPgLogicalCapture, PgLogicalSource } from "../src/sources/pgLogicalSource.js";

const MIGRATIONS_DIR = fileURLToPath(new URL("../prisma/migrations", import.meta.url));
const reachable = await postgresAvailable();

describe.skipIf(!reachable && !postgresRequired)("pg-logical snapshot redo", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  });

  it("removes from the read model the rows deleted at the source while no slot streamed", async () => {
    const databases = await createTestDatabases(["wms"]);
    cleanup.push(() => databases.drop());
    const sql = new pg.Client({ connectionString: databases.urls.wms });
    await sql.connect();
    cleanup.push(() => sql.end());
    await sql.query(`CREATE TABLE "Stock" (id text PRIMARY KEY, sku text NOT NULL, "warehouseCode" text NOT NULL, "binCode" text NOT NULL,
                       "onHand" numeric(18,3) NOT NULL, reserved numeric(18,3) NOT NULL DEFAULT 0);
                     INSERT INTO "Stock" VALUES ('s1', 'SKU-RD1', 'ATL1', 'A-1', 5, 0), ('s2', 'SKU-RD2', 'ATL1', 'A-2', 7, 0), ('s3', 'SKU-RD3', 'ATL1', 'A-3', 9, 0);`);
    const hub: Database = await openDatabase("pglite:memory");
    cleanup.push(() => hub.close());
    await migrate(hub, MIGRATIONS_DIR);
    const capture = { slotName: `crossdock_redo_${Date.now()}`, publicationName: `crossdock_redo_${Date.now()}` };
    cleanup.push(() => dropPgLogicalCapture(databases.urls.wms, "wms", capture));
    const run = async () => {
      const source = new PgLogicalSource({ name: "wms", connectionString: databases.urls.wms, tables: ["Stock"], ...capture });
      const ingestor = new Ingestor({ source, hub, bus: new FeedBus(), metrics: createIngestMetrics(new Registry()), logger: createLogger("test", "silent") });
      await source.start();
      await ingestor.drain();
      await ingestor.stop();
    };
    const stock = () =>
      hub.query<{ sourceId: string; deleted: boolean }>(`SELECT "sourceId", "deleted" FROM "SourceRow" WHERE "tableName" = 'Stock' ORDER BY "sourceId"`);
    const onHand = async (sku: string) =>
      (await hub.query<{ onHand: string }>(`SELECT "onHand"::text AS "onHand" FROM "InventoryPosition" WHERE "sku" = $1`, [sku]))[0]?.onHand;

    await run();
    expect(await stock()).toEqual([
      { sourceId: "s1", deleted: false },
      { sourceId: "s2", deleted: false },
      { sourceId: "s3", deleted: false },
    ]);
    expect(Number(await onHand("SKU-RD2"))).toBe(7);

    // The slot is lost (dropped with its snapshot record) and a row goes while nothing streams.
    await dropPgLogicalCapture(databases.urls.wms, "wms", capture);
    await sql.query(`DELETE FROM "Stock" WHERE id = 's2'`);
    await sql.query(`UPDATE "Stock" SET "onHand" = 6 WHERE id = 's1'`);
    await run();

    expect(await stock()).toEqual([
      { sourceId: "s1", deleted: false },
      { sourceId: "s2", deleted: true },
      { sourceId: "s3", deleted: false },
    ]);
    expect(Number((await onHand("SKU-RD2")) ?? 0)).toBe(0);
    expect(Number(await onHand("SKU-RD1"))).toBe(6);
    expect(Number(await onHand("SKU-RD3"))).toBe(9);
    // The removal reached the change feed like any other change.
    const [entry] = await hub.query<{ payload: { onHand: string } }>(
      `SELECT "payload" FROM "ChangeFeedEntry" WHERE "entityKey" = 'SKU-RD2|ATL1' ORDER BY "cursor" DESC LIMIT 1`,
    );
    expect(Number(entry?.payload.onHand)).toBe(0);
  }, 180_000);
});
