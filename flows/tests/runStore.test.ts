// The durable engine state on a real (PGlite) database: triggers are idempotent, a run's steps
// are claimed one at a time in order, failures back off, abandoned leases are reclaimed, parking
// stops the run, and an operator's retry re-runs a compensated step under a new key.
import { createHash } from "node:crypto";
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
  expect(await migrateFlows(db)).toEqual(["0001_init", "0002_operator_audit", "0003_audit_chain", "0004_trace_context"]);
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

  it("chains the operator entries: each links to the hash of the one before, and its hash covers its contents", async () => {
    const chain = await db.query<Record<string, string | null>>(
      `SELECT "prevHash", "hash", ((extract(epoch FROM "at") * 1000000)::bigint)::text AS "atMicros", "subject", "subjectKind", "requestId",
         "operation", "entityType", "entityKey", "detail"::text AS "detail" FROM "FlowAuditEntry" ORDER BY "FlowAuditEntry"."id"`,
    );
    expect(chain.map((row) => row.operation)).toEqual(["retryFlowRun", "cancelFlowRun"]);
    // The encoding of docs/security.md (Audit log integrity): system flows, no source id.
    const field = (value: string | null) => (value === null ? "-" : `${Buffer.byteLength(value)}:${value}`);
    chain.forEach((row, n) => {
      expect(row.prevHash).toBe(n === 0 ? null : chain[n - 1]!.hash);
      const fields = [
        row.prevHash,
        "flows",
        null,
        row.atMicros,
        row.subject,
        row.subjectKind,
        row.requestId,
        row.operation,
        row.entityType,
        row.entityKey,
        row.detail,
      ];
      expect(
        createHash("sha256")
          .update(`crossdock-audit-v1${fields.map((v) => field(v ?? null)).join("")}`)
          .digest("hex"),
      ).toBe(row.hash);
    });
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
