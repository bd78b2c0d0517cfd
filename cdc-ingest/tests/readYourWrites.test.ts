// awaitChangeCursor against a real PGlite whose read model fails while a caller waits: the
// failure reaches that caller as a rejected promise, never as an unhandled rejection that would
// end the process; an applied transaction still ends the wait at once.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@crossdock/platform";
import { awaitChangeCursor } from "../src/ops/readYourWrites.js";
import { FeedBus } from "../src/feed/feedBus.js";

let db: Database;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);

beforeAll(async () => {
  db = await openDatabase("pglite:memory");
});
afterAll(async () => {
  await db?.close();
});
beforeEach(async () => {
  unhandled.length = 0;
  process.on("unhandledRejection", onUnhandled);
  await db.exec(`CREATE TABLE "AppliedTransaction" ("source" TEXT NOT NULL, "txId" TEXT NOT NULL, PRIMARY KEY ("source", "txId"))`);
});
afterEach(async () => {
  process.off("unhandledRejection", onUnhandled);
  await db.exec(`DROP TABLE IF EXISTS "AppliedTransaction"`);
});

describe("awaitChangeCursor", () => {
  it("rejects the waiting caller, and only that caller, when the database fails during the wait", async () => {
    const waiting = awaitChangeCursor(db, new FeedBus(), "erp:42", 900);
    // The first check has run (the table existed); now every later poll and the final check fail.
    await db.exec(`DROP TABLE "AppliedTransaction"`);
    await expect(waiting).rejects.toThrow(/AppliedTransaction/);
    // Give any stray poll a turn of the event loop to surface.
    await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled).toEqual([]);
  });

  it("ends the wait as soon as a poll finds the transaction applied", async () => {
    const waiting = awaitChangeCursor(db, new FeedBus(), "wms:7", 20_000);
    await db.query(`INSERT INTO "AppliedTransaction" ("source", "txId") VALUES ('wms', '7')`);
    const status = await waiting;
    expect(status).toMatchObject({ changeCursor: "wms:7", applied: true });
    expect(status.waitedMs).toBeLessThan(20_000);
    expect(unhandled).toEqual([]);
  });
});
