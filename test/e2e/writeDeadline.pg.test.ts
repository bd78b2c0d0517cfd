// The plain-SQL writes' deadline on Postgres (countedTransactions): a statement that waits past it
// is cancelled and the write rolled back; a write whose process stalls between statements loses
// its connection at the deadline, so its locks go with it; either way the pool keeps serving.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countedTransactions, createServiceMetrics, openDatabase, type Database } from "@crossdock/platform";
import { createTestDatabases, postgresAvailable } from "../src/index.js";

// Skipped only without a server; with CROSSDOCK_REQUIRE_POSTGRES=1 (CI) postgresAvailable() throws instead.
describe.skipIf(!(await postgresAvailable()))("plain-SQL write deadline (Postgres)", () => {
  let db: Database;
  let drop: () => Promise<void>;
  const metrics = createServiceMetrics("deadline-test");
  const balance = async () => (await db.query<{ n: number }>(`SELECT "n" FROM "Balance" WHERE "id" = 1`))[0]!.n;

  beforeAll(async () => {
    const databases = await createTestDatabases(["deadline"]);
    drop = databases.drop;
    db = await openDatabase(databases.urls.deadline);
    await db.exec(`CREATE TABLE "Balance" ("id" INTEGER PRIMARY KEY, "n" INTEGER NOT NULL); INSERT INTO "Balance" VALUES (1, 0);`);
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  it("cancels a statement that waits past the deadline and rolls the write back", async () => {
    const write = countedTransactions(db, metrics, 300);
    const started = Date.now();
    await expect(
      write(async (tx) => {
        await tx.query(`UPDATE "Balance" SET "n" = "n" + 1 WHERE "id" = 1`);
        await tx.query(`SELECT pg_sleep(5)`);
      }),
    ).rejects.toThrow(/statement timeout/);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await balance()).toBe(0);
    // The next write on the same pool goes through.
    await write(async (tx) => tx.query(`UPDATE "Balance" SET "n" = "n" + 1 WHERE "id" = 1`));
    expect(await balance()).toBe(1);
  });

  it("ends a write that stalls between statements: its row lock is free again at the deadline", async () => {
    const write = countedTransactions(db, metrics, 300);
    let lockFreedAfterMs = -1;
    const stalled = write(async (tx) => {
      await tx.query(`SELECT "n" FROM "Balance" WHERE "id" = 1 FOR UPDATE`);
      const waitedFrom = Date.now();
      // Another writer waits for the row; it gets it once the server has ended the stalled transaction.
      const other = countedTransactions(
        db,
        metrics,
        10_000,
      )(async (tx2) => {
        await tx2.query(`UPDATE "Balance" SET "n" = "n" + 10 WHERE "id" = 1`);
        lockFreedAfterMs = Date.now() - waitedFrom;
      });
      await new Promise((resolve) => setTimeout(resolve, 2000));
      await other;
      await tx.query(`UPDATE "Balance" SET "n" = "n" + 100 WHERE "id" = 1`);
    });
    await expect(stalled).rejects.toThrow();
    expect(lockFreedAfterMs).toBeGreaterThanOrEqual(250);
    expect(lockFreedAfterMs).toBeLessThan(1900);
    // The other writer's change stands, the stalled one's does not; the pool still serves.
    expect(await balance()).toBe(11);
    for (let i = 0; i < 12; i++) await countedTransactions(db, metrics)(async (tx) => tx.query(`SELECT 1`));
  });
});
