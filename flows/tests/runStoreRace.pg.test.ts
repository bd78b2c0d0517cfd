// The run store on Postgres, where transactions really interleave (PGlite serialises them).
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@crossdock/platform";
import { postgresAdminUrl, postgresAvailable } from "@crossdock/test";
import { migrateFlows } from "../src/engine/migrateFlows.js";
import { applyTriggers, RunStore } from "../src/engine/runStore.js";
import type { RunTrigger } from "../src/engine/types.js";

const release = (order: string): RunTrigger => ({
  flow: "orderToCash",
  subjectKey: order,
  orderNumber: order,
  create: true,
  steps: [
    { name: "createFulfillment", kind: "createFulfillment", input: {} },
    { name: "timelineReleased", kind: "timelineReleased", input: {} },
  ],
});

// Postgres: a worker recording a run's last step and the feed reader setting the run's `done`
// run side by side in separate transactions. Whichever commits second must see the other's
// commit and finish the run (run row locked first by both); otherwise it stays RUNNING forever.
const adminUrl = postgresAdminUrl;

// Skipped only without a server; with CROSSDOCK_REQUIRE_POSTGRES=1 (CI) postgresAvailable() throws instead.
describe.skipIf(!(await postgresAvailable()))("run store (postgres)", () => {
  const name = `crossdock_test_flowsrace_${randomBytes(4).toString("hex")}`;
  let pg: Database;
  let pgStore: RunStore;

  beforeAll(async () => {
    const admin = await openDatabase(adminUrl);
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.close();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    pg = await openDatabase(url.toString());
    await migrateFlows(pg);
    pgStore = new RunStore(pg);
  });
  afterAll(async () => {
    await pg?.close();
    const admin = await openDatabase(adminUrl);
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.close();
  });

  it("a step's success while the reader is marking its run done still finishes the run", async () => {
    await pg.transaction((s) => applyTriggers(s, [{ ...release("SO-9"), steps: [{ name: "last", kind: "timelineReleased", input: {} }] }]));
    const [step] = await pgStore.claim(1, "w9", 60_000);
    let release9: () => void = () => undefined;
    let readerHolds: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release9 = resolve));
    const holding = new Promise<void>((resolve) => (readerHolds = resolve));
    // The reader's transaction: `done` set, the step still live in its view; held open until the worker waits.
    const reader = pg.transaction(async (s) => {
      await applyTriggers(s, [{ flow: "orderToCash", subjectKey: "SO-9", create: false, facts: { done: true } }]);
      readerHolds();
      await gate;
    });
    await holding;
    let workerDone = false;
    const worker = pgStore.succeed(step!, "w9", null, {}, { leaseMs: 60_000 });
    void worker.then(() => (workerDone = true));
    // The worker queues behind the reader's row lock (or, without that lock, commits before the reader).
    await eventuallyTrue(
      async () => workerDone || (await pg.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).length > 0,
    );
    release9();
    await reader;
    expect((await worker).recorded).toBe(true);
    expect(await runStatus(pg, "orderToCash:SO-9")).toBe("COMPLETED");
  });

  it("a success that waited for the reader hands the run's next step the facts the reader added", async () => {
    await pg.transaction((s) => applyTriggers(s, [release("SO-10")]));
    const [first] = (await pgStore.claim(10, "w10", 60_000)).filter((c) => c.runId === "orderToCash:SO-10");
    let open: () => void = () => undefined;
    let readerHolds: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const holding = new Promise<void>((resolve) => (readerHolds = resolve));
    const reader = pg.transaction(async (s) => {
      await applyTriggers(s, [{ flow: "orderToCash", subjectKey: "SO-10", create: false, facts: { caseNumber: "CS-000010" }, customerNumber: "C-10" }]);
      readerHolds();
      await gate;
    });
    await holding;
    const worker = pgStore.succeed(first!, "w10", { fulfillmentId: "FF-10" }, { fulfillmentId: "FF-10" }, { leaseMs: 60_000 });
    await eventuallyTrue(
      async () => (await pg.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).length > 0,
    );
    open();
    await reader;
    const { next } = await worker;
    expect(next).toMatchObject({ name: "timelineReleased", customerNumber: "C-10", facts: { caseNumber: "CS-000010", fulfillmentId: "FF-10" } });
  });
});

async function runStatus(database: Database, id: string): Promise<string | null> {
  const [row] = await database.query<{ status: string }>(`SELECT "status" FROM "FlowRun" WHERE "id" = $1`, [id]);
  return row?.status ?? null;
}

async function eventuallyTrue(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("condition never held");
}
