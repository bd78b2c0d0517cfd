// The durable engine state on a real (PGlite) database: triggers are idempotent, a run's steps
// are claimed one at a time in order, failures back off, abandoned leases are reclaimed, parking
// stops the run, and an operator's retry re-runs a compensated step under a new key.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@crossdock/platform";
import { migrateFlows } from "../src/engine/migrateFlows.js";
import { cancelRun, retryRun, skipStep } from "../src/engine/operatorActions.js";
import { applyTriggers, idempotencyKeyOf, RunStore } from "../src/engine/runStore.js";
import type { RunTrigger } from "../src/engine/types.js";

let db: Database;
let store: RunStore;
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
const statuses = async (runId: string) =>
  (await db.query<{ name: string; status: string }>(`SELECT "name", "status" FROM "FlowStep" WHERE "runId" = $1 ORDER BY "id"`, [runId])).map(
    (r) => `${r.name}:${r.status}`,
  );

beforeAll(async () => {
  db = await openDatabase("pglite:memory");
  expect(await migrateFlows(db)).toEqual(["0001_init", "0002_operator_audit"]);
  expect(await migrateFlows(db)).toEqual([]);
  store = new RunStore(db);
});
afterAll(async () => db?.close());

describe("run store", () => {
  it("applies a trigger once however often it is replayed", async () => {
    await db.transaction((s) => applyTriggers(s, [release("SO-1"), release("SO-1")]));
    await db.transaction((s) => applyTriggers(s, [release("SO-1")]));
    expect(await statuses("orderToCash:SO-1")).toEqual(["createFulfillment:PENDING", "timelineReleased:PENDING"]);
  });

  it("claims only the first live step of each run, then the next once it succeeded", async () => {
    await db.transaction((s) => applyTriggers(s, [release("SO-2")]));
    const first = await store.claim(10, "w1", 60_000);
    expect(first.map((c) => `${c.runId}/${c.name}`).sort()).toEqual(["orderToCash:SO-1/createFulfillment", "orderToCash:SO-2/createFulfillment"]);
    expect(await store.claim(10, "w1", 60_000)).toEqual([]);
    const one = first.find((c) => c.runId === "orderToCash:SO-1")!;
    expect((await store.succeed(one, "w1", { fulfillmentId: "FF-1" }, { fulfillmentId: "FF-1" })).recorded).toBe(true);
    const [next] = await store.claim(10, "w1", 60_000);
    expect(next).toMatchObject({ name: "timelineReleased", facts: { fulfillmentId: "FF-1" } });
    await store.retryLater(next!, "w1", { code: "SERVICE_UNAVAILABLE", message: "down" }, 60_000);
    expect(await store.claim(10, "w1", 60_000)).toEqual([]);
  });

  it("a crashed worker's steps come back at once on its restart; a stale worker can no longer record", async () => {
    const other = (await db.query<{ id: string }>(`SELECT "id"::text AS id FROM "FlowStep" WHERE "runId" = 'orderToCash:SO-2' AND "status" = 'RUNNING'`))[0]!;
    expect(other).toBeDefined();
    expect(await store.releaseOwnLeases("w1")).toBe(1);
    const [again] = await store.claim(10, "w2", 60_000);
    expect(again).toMatchObject({ runId: "orderToCash:SO-2", name: "createFulfillment", attempts: 2 });
    expect((await store.succeed({ ...again!, attempts: 1 }, "w1", null, {})).recorded).toBe(false);
    expect((await store.succeed(again!, "w2", { fulfillmentId: "FF-2" }, {})).recorded).toBe(true);
  });

  it("parks a run, and a retry re-runs the compensated step under a new idempotency key", async () => {
    const [step] = await store.claim(1, "w2", 60_000);
    expect(step!.runId).toBe("orderToCash:SO-2");
    const [created] = await store.compensable("orderToCash:SO-2");
    await store.markCompensated(created!.id);
    await store.park(step!, "w2", { code: "SERVICE_UNAVAILABLE", message: "crm down" }, "gave up");
    expect(await statuses("orderToCash:SO-2")).toEqual(["createFulfillment:COMPENSATED", "timelineReleased:PARKED"]);
    expect(await store.claim(10, "w2", 60_000)).toEqual([]);
    const operator = { principal: { kind: "user" as const, subject: "olga", scopes: ["ops:admin"] }, requestId: "req-retry-1" };
    await retryRun(db, operator, "orderToCash:SO-2", null);
    const [rerun] = await store.claim(10, "w2", 60_000);
    expect(rerun).toMatchObject({ name: "createFulfillment", generation: 1 });
    expect(idempotencyKeyOf(rerun!.runId, rerun!.name, rerun!.generation)).toBe("flow:orderToCash:SO-2:createFulfillment:g1");
    const [run] = await db.query<{ status: string; operatorActions: number }>(
      `SELECT "status", "operatorActions" FROM "FlowRun" WHERE "id" = 'orderToCash:SO-2'`,
    );
    expect(run).toEqual({ status: "RUNNING", operatorActions: 1 });
    // The operator's action is audited with the verified subject, and the audit log is append-only.
    const audit = await db.query(`SELECT "subject", "subjectKind", "requestId", "operation", "entityType", "entityKey", "detail" FROM "FlowAuditEntry"`);
    expect(audit).toEqual([
      {
        subject: "olga",
        subjectKind: "user",
        requestId: "req-retry-1",
        operation: "retryFlowRun",
        entityType: "FlowRun",
        entityKey: "orderToCash:SO-2",
        detail: { fromStep: "createFulfillment" },
      },
    ]);
    await expect(db.query(`UPDATE "FlowAuditEntry" SET "subject" = 'mallory'`)).rejects.toThrow(/append-only/);
    await expect(db.query(`DELETE FROM "FlowAuditEntry"`)).rejects.toThrow(/append-only/);
    expect(await db.query(`SELECT "subject", "operation" FROM "FlowAuditEntry"`)).toEqual([{ subject: "olga", operation: "retryFlowRun" }]);
  });

  it("audits skip and cancel with the operator; a refused action or a no-op writes no entry", async () => {
    const operator = { principal: { kind: "service" as const, subject: "ops-bot", scopes: ["ops:admin"] }, requestId: "req-ops-2" };
    const entries = async () => db.query<{ operation: string; subject: string }>(`SELECT "operation", "subject" FROM "FlowAuditEntry" ORDER BY "id"`);
    const before = await entries();
    await expect(skipStep(db, operator, "orderToCash:SO-2", "noSuchStep")).rejects.toMatchObject({ extensions: { code: "BAD_USER_INPUT" } });
    expect(await entries()).toEqual(before);
    await cancelRun(db, operator, "orderToCash:SO-2", "customer withdrew");
    await cancelRun(db, operator, "orderToCash:SO-2", "again");
    expect(await entries()).toEqual([...before, { operation: "cancelFlowRun", subject: "ops-bot" }]);
    const [entry] = await db.query(`SELECT "subjectKind", "requestId", "detail" FROM "FlowAuditEntry" WHERE "operation" = 'cancelFlowRun'`);
    expect(entry).toEqual({ subjectKind: "service", requestId: "req-ops-2", detail: { reason: "customer withdrew", previousStatus: "RUNNING" } });
  });

  it("finishes a run that is done once no step is live, as CANCELLED when it was cancelled", async () => {
    await db.transaction((s) =>
      applyTriggers(s, [
        release("SO-3"),
        {
          flow: "orderToCash",
          subjectKey: "SO-3",
          create: false,
          skipPendingKinds: ["createFulfillment", "timelineReleased"],
          facts: { cancelled: true, done: true },
        },
      ]),
    );
    const [run] = await db.query<{ status: string }>(`SELECT "status" FROM "FlowRun" WHERE "id" = 'orderToCash:SO-3'`);
    expect(run!.status).toBe("CANCELLED");
    expect(await statuses("orderToCash:SO-3")).toEqual(["createFulfillment:SKIPPED", "timelineReleased:SKIPPED"]);
  });

  it("a success can take the run's next step in the same transaction, only when it is due, and never a finished run's", async () => {
    await db.transaction((s) => applyTriggers(s, [release("SO-4")]));
    const [first] = (await store.claim(10, "w3", 60_000)).filter((c) => c.runId === "orderToCash:SO-4");
    const chained = await store.succeed(first!, "w3", { fulfillmentId: "FF-4" }, { fulfillmentId: "FF-4" }, { leaseMs: 60_000 });
    expect(chained.next).toMatchObject({ runId: "orderToCash:SO-4", name: "timelineReleased", attempts: 1, facts: { fulfillmentId: "FF-4" } });
    expect(await statuses("orderToCash:SO-4")).toEqual(["createFulfillment:SUCCEEDED", "timelineReleased:RUNNING"]);
    // Taken by the chain: no other claim sees it.
    expect((await store.claim(10, "w4", 60_000)).filter((c) => c.runId === "orderToCash:SO-4")).toEqual([]);
    // A step waiting out a backoff is not due: the chain leaves it to the claim.
    await store.retryLater(chained.next!, "w3", { code: "SERVICE_UNAVAILABLE", message: "down" }, 0);
    await db.transaction((s) =>
      applyTriggers(s, [{ flow: "orderToCash", subjectKey: "SO-4", create: false, steps: [{ name: "later", kind: "timelineMilestone", input: {} }] }]),
    );
    await db.query(`UPDATE "FlowStep" SET "availableAt" = now() + interval '1 hour' WHERE "runId" = 'orderToCash:SO-4' AND "name" = 'later'`);
    const [again] = (await store.claim(10, "w3", 60_000)).filter((c) => c.runId === "orderToCash:SO-4");
    expect(again).toMatchObject({ name: "timelineReleased", attempts: 2 });
    const last = await store.succeed(again!, "w3", null, {}, { leaseMs: 60_000 });
    expect(last).toMatchObject({ recorded: true, next: null });
    expect(await statuses("orderToCash:SO-4")).toEqual(["createFulfillment:SUCCEEDED", "timelineReleased:SUCCEEDED", "later:PENDING"]);
  });
});

// Postgres: a worker recording a run's last step and the feed reader setting the run's `done`
// run side by side in separate transactions. Whichever commits second must see the other's
// commit and finish the run (run row locked first by both); otherwise it stays RUNNING forever.
const adminUrl = process.env.CROSSDOCK_TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const postgresUp = await openDatabase(adminUrl).then(
  async (admin) => (await admin.close(), true),
  (error: unknown) => {
    if (process.env.CROSSDOCK_REQUIRE_POSTGRES === "1") throw error;
    return false;
  },
);

describe.skipIf(!postgresUp)("run store (postgres)", () => {
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
