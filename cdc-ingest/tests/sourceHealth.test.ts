// Honest lag for an outbox source on PGlite: while the ingest applies nothing, changes committed
// at the source make it behind (pendingChanges counts them), its lag (dated by the oldest outbox
// row) grows from one reading to the next and it turns STALLED; once applied it is UP, lag 0.
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger, migrate, openDatabase, Registry, type Database } from "@crossdock/platform";
import { Ingestor, type SourceStatus } from "../src/apply/ingestor.js";
import { createIngestMetrics } from "../src/apply/ingestMetrics.js";
import { FeedBus } from "../src/feed/feedBus.js";
import { OutboxSource } from "../src/sources/outboxSource.js";

const HUB_MIGRATIONS = fileURLToPath(new URL("../prisma/migrations", import.meta.url));
const WMS_MIGRATIONS = fileURLToPath(new URL("../../subgraphs/wms/prisma/migrations", import.meta.url));

/** Reads until `condition` holds or the deadline passes; returns the value that held. */
async function waitFor<T>(what: string, read: () => Promise<T>, condition: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (!condition(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
    last = await read();
  }
  return last;
}

describe("outbox source health", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  });

  it("shows a stalled ingest behind with a growing lag, then UP with lag 0 once applied", async () => {
    const wms: Database = await openDatabase("pglite:memory");
    cleanup.push(() => wms.close());
    await migrate(wms, WMS_MIGRATIONS);
    // Not captured tables: the stock rows below need their warehouse and bins.
    await wms.query(`INSERT INTO "Warehouse" ("code", "name", "region") VALUES ('ATL1', 'Atlanta', 'US-SE')`);
    await wms.query(`INSERT INTO "Bin" ("warehouseCode", "code") VALUES ('ATL1', 'A-1'), ('ATL1', 'A-2')`);
    const hub: Database = await openDatabase("pglite:memory");
    cleanup.push(() => hub.close());
    await migrate(hub, HUB_MIGRATIONS);
    const registry = new Registry();
    const source = new OutboxSource("wms", wms, { resnapshot: true });
    await source.start();
    const ingestor = new Ingestor({
      source,
      hub,
      bus: new FeedBus(),
      metrics: createIngestMetrics(registry),
      logger: createLogger("test", "silent"),
      health: { stalledAfterMs: 300 },
    });
    cleanup.push(() => ingestor.stop());
    const status = () => ingestor.checkStatus(true);
    const pendingGauge = async () =>
      (await registry.getSingleMetric("crossdock_cdc_pending_changes")!.get()).values.find((v) => v.labels.source === "wms")?.value;

    await ingestor.drain();
    expect(await status()).toMatchObject({ state: "UP", lagMs: 0, pendingChanges: 0, retainedWal: null, downReason: null });

    // Committed at the source; the ingest applies nothing (its loop is not running).
    await wms.query(`INSERT INTO "Stock" ("sku", "warehouseCode", "binCode", "onHand") VALUES ('SKU-LAG1', 'ATL1', 'A-1', 4), ('SKU-LAG2', 'ATL1', 'A-2', 2)`);
    const behind = await status();
    expect(behind.state).toBe("CATCHING_UP");
    expect(behind.pendingChanges).toBe(2);
    const stalled = await waitFor("STALLED with a larger lag", status, (s: SourceStatus) => s.state === "STALLED" && s.lagMs > behind.lagMs);
    expect(stalled.pendingChanges).toBe(2);
    expect(stalled.lagMs).toBeGreaterThan(behind.lagMs);
    expect(await pendingGauge()).toBe(2);
    expect((await registry.getSingleMetric("crossdock_cdc_lag_seconds")!.get()).values[0]!.value).toBeGreaterThan(0);

    // Applied: caught up with the head again.
    expect(await ingestor.drain()).toBe(2);
    expect(await status()).toMatchObject({ state: "UP", lagMs: 0, pendingChanges: 0 });
    expect(await pendingGauge()).toBe(0);
    const [position] = await hub.query<{ onHand: string }>(`SELECT "onHand"::text AS "onHand" FROM "InventoryPosition" WHERE "sku" = 'SKU-LAG1'`);
    expect(Number(position?.onHand)).toBe(4);
  }, 120_000);
});
