// The one feed tail over the real hub schema (PGlite): a durable consumer reads every entry in
// cursor order, payloads are checked against the feed contract where they are read (a breach is
// reported and not delivered, and the stream goes on past it), and its cursor is recorded.
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChangeFeedReader, createLogger, DurableFeedCursor, FeedTail, migrate, openDatabase, type ChangeFeedRecord, type Database } from "@crossdock/platform";

const MIGRATIONS_DIR = fileURLToPath(new URL("../prisma/migrations", import.meta.url));

describe("feed tail", () => {
  let hub: Database;
  beforeAll(async () => {
    hub = await openDatabase("pglite:memory");
    await migrate(hub, MIGRATIONS_DIR);
  });
  afterAll(async () => hub?.close());

  const append = (key: string, payload: Record<string, unknown>) =>
    hub.query(
      `INSERT INTO "ChangeFeedEntry" ("entityType", "entityKey", "changeKind", "occurredAt", "source", "sourcePosition", "payload")
       VALUES ('InventoryPosition', $1, 'UPDATED', now(), 'wms', '1', $2::jsonb)`,
      [key, JSON.stringify(payload)],
    );
  const position = (sku: string, onHand: unknown) => ({ sku, warehouseCode: "ATL1", onHand, allocated: "0", available: "1" });

  it("delivers valid entries in order, reports a contract breach once, and records its cursor past it", async () => {
    await append("SKU-T1|ATL1", position("SKU-T1", "3"));
    await append("SKU-T2|ATL1", position("SKU-T2", 12.5)); // a number where the contract says exact decimal string
    await append("SKU-T3|ATL1", position("SKU-T3", "4.500"));
    const refused: string[] = [];
    const reader = new ChangeFeedReader({ database: hub, onInvalidEntry: (_entry, problem) => refused.push(problem) });
    const handled: ChangeFeedRecord[] = [];
    const tail = new FeedTail({
      reader,
      cursor: new DurableFeedCursor(hub, "test-consumer"),
      logger: createLogger("test", "silent"),
      pageSize: 2,
      pollIntervalMs: 60_000,
      startFrom: "earliest",
      handle: (page) => void handled.push(...page),
      onExpired: () => Promise.reject(new Error("not expired here")),
    });
    await tail.start();
    await tail.settle();
    await tail.stop();
    expect(handled.map((r) => r.entityKey)).toEqual(["SKU-T1|ATL1", "SKU-T3|ATL1"]);
    expect(refused).toEqual(["InventoryPosition.onHand: Invalid input: expected string, received number"]);
    const head = await reader.headCursor();
    expect(tail.cursor).toBe(head);
    expect(await new DurableFeedCursor(hub, "test-consumer").load()).toEqual({ cursor: head, expired: false });
  });
});
