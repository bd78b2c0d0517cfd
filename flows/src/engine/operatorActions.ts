// What an operator can do with a run through the graph: retry it (from its parked step, or from
// any named step — compensated steps get a new generation, hence a new idempotency key, so they
// really run again), skip a step, or cancel the run. Each counts as a manual touch and is
// audited in "FlowAuditEntry" (platform write frame) with the operator who did it.
import { databaseWriteTransactions, runWrite, type Database, type SqlSession, type WriteActor } from "@crossdock/platform";
import { crossdockError, ErrorCode } from "@crossdock/schema";
import { completeFinishedRuns } from "./runStore.js";

interface LockedRun {
  status: string;
}

export const FLOW_AUDIT_TABLE = "FlowAuditEntry";

/** One operator action in the write frame: decide under the run's lock, audited with the actor. */
async function operatorAction(
  db: Database,
  actor: WriteActor,
  operation: string,
  runId: string,
  act: (session: SqlSession) => Promise<Record<string, unknown> | null>,
): Promise<void> {
  await runWrite(databaseWriteTransactions(db), {
    actor,
    operation,
    auditTable: FLOW_AUDIT_TABLE,
    decide: async (tx) => {
      const detail = await act(tx);
      return { result: null, audit: detail === null ? null : { entityType: "FlowRun", entityKey: runId, detail } };
    },
  });
}

async function lockRun(session: SqlSession, runId: string): Promise<LockedRun> {
  const [run] = await session.query<LockedRun>(`SELECT "status" FROM "FlowRun" WHERE "id" = $1 FOR UPDATE`, [runId]);
  if (!run) throw crossdockError(ErrorCode.NOT_FOUND, `No flow run ${runId}`, { field: "runId" });
  return run;
}

async function touch(session: SqlSession, runId: string, status: string, note: string | null): Promise<void> {
  await session.query(
    `UPDATE "FlowRun" SET "status" = $2, "operatorActions" = "operatorActions" + 1, "lastError" = $3, "updatedAt" = now(),
       "parkedAt" = CASE WHEN $2 = 'PARKED' THEN "parkedAt" END, "finishedAt" = CASE WHEN $2 = 'CANCELLED' THEN now() END
     WHERE "id" = $1`,
    [runId, status, note],
  );
}

export async function retryRun(db: Database, actor: WriteActor, runId: string, fromStep: string | null): Promise<void> {
  await operatorAction(db, actor, "retryFlowRun", runId, async (session) => {
    const run = await lockRun(session, runId);
    if (run.status !== "PARKED")
      throw crossdockError(ErrorCode.INVALID_STATE, `Run ${runId} is ${run.status}; only PARKED runs are retried`, { field: "runId" });
    const steps = await session.query<{ id: string; name: string; status: string }>(
      `SELECT "id"::text AS id, "name", "status" FROM "FlowStep" WHERE "runId" = $1 ORDER BY "id"`,
      [runId],
    );
    // Without a named step: from the first compensated step (its effect was undone), else the parked one.
    const start = fromStep
      ? steps.find((s) => s.name === fromStep)
      : (steps.find((s) => s.status === "COMPENSATED") ?? steps.find((s) => s.status === "PARKED"));
    if (!start) throw crossdockError(ErrorCode.BAD_USER_INPUT, `Run ${runId} has no step ${fromStep ?? "to retry"}`, { field: "fromStep" });
    await session.query(
      `UPDATE "FlowStep" SET "status" = 'PENDING', "attempts" = 0, "availableAt" = now(), "leaseUntil" = NULL, "lastError" = NULL, "lastErrorCode" = NULL,
         "finishedAt" = NULL, "generation" = "generation" + CASE WHEN "status" = 'COMPENSATED' THEN 1 ELSE 0 END, "compensatedAt" = NULL
       WHERE "runId" = $1 AND "id" >= $2::bigint AND "status" IN ('SUCCEEDED', 'COMPENSATED', 'PARKED')`,
      [runId, start.id],
    );
    await touch(session, runId, "RUNNING", null);
    return { fromStep: start.name };
  });
}

export async function skipStep(db: Database, actor: WriteActor, runId: string, stepName: string): Promise<void> {
  await operatorAction(db, actor, "skipFlowStep", runId, async (session) => {
    const run = await lockRun(session, runId);
    if (run.status === "COMPLETED" || run.status === "CANCELLED") {
      throw crossdockError(ErrorCode.INVALID_STATE, `Run ${runId} is ${run.status}; nothing to skip`, { field: "runId" });
    }
    const skipped = await session.query(
      `UPDATE "FlowStep" SET "status" = 'SKIPPED', "finishedAt" = now(), "leaseUntil" = NULL, "lastError" = 'skipped by an operator'
       WHERE "runId" = $1 AND "name" = $2 AND "status" IN ('PENDING', 'PARKED') RETURNING 1`,
      [runId, stepName],
    );
    if (skipped.length === 0) throw crossdockError(ErrorCode.BAD_USER_INPUT, `Run ${runId} has no pending or parked step ${stepName}`, { field: "step" });
    const [parked] = await session.query<{ n: number }>(`SELECT count(*)::int AS n FROM "FlowStep" WHERE "runId" = $1 AND "status" = 'PARKED'`, [runId]);
    await touch(session, runId, parked && parked.n > 0 ? "PARKED" : "RUNNING", null);
    await completeFinishedRuns(session, [runId]);
    return { step: stepName, previousStatus: run.status };
  });
}

export async function cancelRun(db: Database, actor: WriteActor, runId: string, reason: string): Promise<void> {
  const why = reason.trim();
  if (why === "") throw crossdockError(ErrorCode.BAD_USER_INPUT, "A cancellation needs a reason", { field: "reason" });
  await operatorAction(db, actor, "cancelFlowRun", runId, async (session) => {
    const run = await lockRun(session, runId);
    if (run.status === "CANCELLED") return null;
    if (run.status === "COMPLETED") throw crossdockError(ErrorCode.INVALID_STATE, `Run ${runId} is already COMPLETED`, { field: "runId" });
    // A worker still executing a step finds it no longer RUNNING and records nothing.
    await session.query(
      `UPDATE "FlowStep" SET "status" = 'SKIPPED', "finishedAt" = now(), "leaseUntil" = NULL, "lastError" = 'run cancelled by an operator'
       WHERE "runId" = $1 AND "status" IN ('PENDING', 'RUNNING', 'PARKED')`,
      [runId],
    );
    await touch(session, runId, "CANCELLED", `cancelled by an operator: ${why}`);
    return { reason: why, previousStatus: run.status };
  });
}
