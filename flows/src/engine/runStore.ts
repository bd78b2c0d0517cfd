// The durable state of every flow: triggers become runs and steps (set-based, inside the feed
// reader's transaction together with its cursor), workers claim steps under a lease and record
// each attempt's outcome. The only module that writes "FlowRun", "FlowStep" and "FlowStepAttempt".
import type { Database, SqlSession } from "@crossdock/platform";
import { runIdOf, type Facts, type Json, type RunTrigger } from "./types.js";

export interface ClaimedStep {
  id: string;
  runId: string;
  name: string;
  kind: string;
  input: Facts;
  attempts: number;
  generation: number;
  flow: string;
  orderNumber: string | null;
  customerNumber: string | null;
  facts: Facts;
  /** The W3C traceparent of the change that caused the step (null when tracing was off). */
  traceparent: string | null;
  claimedAt: Date;
}

export interface FinishedRun {
  id: string;
  flow: string;
  status: string;
  releasedAt: Date | null;
  shippedAt: Date | null;
  deliveredAt: Date | null;
}

const LIVE = `('PENDING', 'RUNNING', 'PARKED')`;
/** Takes a step under a lease ($2 = owner, $3 = lease in ms); shared by the claim and by chaining a run's next step. */
const CLAIM_SET = `"status" = 'RUNNING', "attempts" = s."attempts" + 1, "owner" = $2,
  "leaseUntil" = clock_timestamp() + make_interval(secs => $3::double precision / 1000), "startedAt" = COALESCE(s."startedAt", clock_timestamp())`;
/** The claimed steps (CTE "claimed") with what a worker needs of their runs. */
const CLAIMED_SELECT = `SELECT c."id"::text AS id, c."runId", c."name", c."kind", c."input", c."attempts", c."generation", c."traceparent",
         r."flow", r."orderNumber", r."customerNumber", r."facts"
       FROM claimed c JOIN "FlowRun" r ON r."id" = c."runId" ORDER BY c."id"`;

export function idempotencyKeyOf(runId: string, stepName: string, generation: number): string {
  return `flow:${runId}:${stepName}${generation > 0 ? `:g${generation}` : ""}`;
}

/** Finishes runs that are done (their flow said so) and have no live step left. */
export async function completeFinishedRuns(session: SqlSession, runIds: readonly string[]): Promise<FinishedRun[]> {
  if (runIds.length === 0) return [];
  return session.query<FinishedRun>(
    `UPDATE "FlowRun" r SET "status" = CASE WHEN r."facts"->>'cancelled' = 'true' THEN 'CANCELLED' ELSE 'COMPLETED' END,
       "finishedAt" = now(), "updatedAt" = now()
     WHERE r."id" = ANY($1::text[]) AND r."status" = 'RUNNING' AND r."facts"->>'done' = 'true'
       AND NOT EXISTS (SELECT 1 FROM "FlowStep" s WHERE s."runId" = r."id" AND s."status" IN ${LIVE})
     RETURNING r."id", r."flow", r."status", r."releasedAt", r."shippedAt", r."deliveredAt"`,
    [[...new Set(runIds)]],
  );
}

/** Applies a batch of triggers in a handful of statements, in trigger order. Returns the finished runs. */
export async function applyTriggers(session: SqlSession, triggers: readonly RunTrigger[]): Promise<{ steps: number; finished: FinishedRun[] }> {
  if (triggers.length === 0) return { steps: 0, finished: [] };
  const runs = new Map<string, { id: string; flow: string; key: string; num: string | null; cust: string | null; create: boolean }>();
  const updates = new Map<
    string,
    { id: string; facts: Facts; rel: string | null; shp: string | null; dlv: string | null; cust: string | null; steps: boolean }
  >();
  const steps: { n: number; run: string; name: string; kind: string; input: Facts; at: string | null; tp: string | null }[] = [];
  const skips: { run: string; kinds: string[] }[] = [];
  for (const t of triggers) {
    const id = runIdOf(t.flow, t.subjectKey);
    const known = runs.get(id);
    runs.set(id, {
      id,
      flow: t.flow,
      key: t.subjectKey,
      num: known?.num ?? t.orderNumber ?? null,
      cust: known?.cust ?? t.customerNumber ?? null,
      create: (known?.create ?? false) || t.create,
    });
    const u = updates.get(id) ?? { id, facts: {}, rel: null, shp: null, dlv: null, cust: null, steps: false };
    Object.assign(u.facts, t.facts ?? {});
    u.rel ??= t.milestones?.releasedAt?.toISOString() ?? null;
    u.shp ??= t.milestones?.shippedAt?.toISOString() ?? null;
    u.dlv = t.milestones?.deliveredAt?.toISOString() ?? u.dlv;
    u.cust ??= t.customerNumber ?? null;
    u.steps ||= (t.steps?.length ?? 0) > 0;
    updates.set(id, u);
    for (const step of t.steps ?? [])
      steps.push({ n: steps.length, run: id, name: step.name, kind: step.kind, input: step.input, at: step.notBefore ?? null, tp: t.traceparent ?? null });
    if (t.skipPendingKinds?.length) skips.push({ run: id, kinds: t.skipPendingKinds });
  }
  const creates = [...runs.values()].filter((r) => r.create);
  if (creates.length > 0) {
    await session.query(
      `INSERT INTO "FlowRun" ("id", "flow", "subjectKey", "orderNumber", "customerNumber", "status")
       SELECT x.id, x.flow, x.key, x.num, x.cust, 'RUNNING' FROM jsonb_to_recordset($1::jsonb) AS x(id text, flow text, key text, num text, cust text)
       ON CONFLICT ("id") DO NOTHING`,
      [JSON.stringify(creates)],
    );
  }
  await session.query(
    `UPDATE "FlowRun" r SET "facts" = r."facts" || x.facts, "releasedAt" = COALESCE(r."releasedAt", x.rel), "shippedAt" = COALESCE(r."shippedAt", x.shp),
       "deliveredAt" = COALESCE(x.dlv, r."deliveredAt"), "customerNumber" = COALESCE(r."customerNumber", x.cust), "updatedAt" = now(),
       "status" = CASE WHEN r."status" = 'COMPLETED' AND x.steps THEN 'RUNNING' ELSE r."status" END
     FROM jsonb_to_recordset($1::jsonb) AS x(id text, facts jsonb, rel timestamptz, shp timestamptz, dlv timestamptz, cust text, steps boolean)
     WHERE r."id" = x.id`,
    [JSON.stringify([...updates.values()])],
  );
  let inserted = 0;
  if (steps.length > 0) {
    const rows = await session.query<{ id: string }>(
      `INSERT INTO "FlowStep" ("runId", "name", "kind", "input", "availableAt", "traceparent")
       SELECT x.run, x.name, x.kind, x.input, COALESCE(x.at, now()), x.tp
       FROM jsonb_to_recordset($1::jsonb) AS x(n int, run text, name text, kind text, input jsonb, at timestamptz, tp text)
       JOIN "FlowRun" r ON r."id" = x.run AND r."status" <> 'CANCELLED'
       ORDER BY x.n
       ON CONFLICT ("runId", "name") DO NOTHING RETURNING "id"::text AS id`,
      [JSON.stringify(steps)],
    );
    inserted = rows.length;
  }
  // After the inserts: a cancellation in the same batch as the release still skips its steps.
  if (skips.length > 0) {
    await session.query(
      `UPDATE "FlowStep" s SET "status" = 'SKIPPED', "finishedAt" = now(), "lastError" = 'skipped: superseded by a later event'
       FROM jsonb_to_recordset($1::jsonb) AS x(run text, kinds text[]) WHERE s."runId" = x.run AND s."status" = 'PENDING' AND s."kind" = ANY(x.kinds)`,
      [JSON.stringify(skips)],
    );
  }
  const finished = await completeFinishedRuns(session, [...runs.keys()]);
  return { steps: inserted, finished };
}

/**
 * A step's success in one statement of the success's transaction: the run's row locked first, as
 * the feed reader's transaction takes it (its facts update) before it looks for live steps, and
 * as the operator actions do (run before step, the same lock order everywhere); then the step
 * SUCCEEDED with its attempt, the run's facts merged, and, with $8, the run's next step claimed
 * when it is due (the snapshot still sees this step RUNNING, hence "not this one"; a step the
 * reader adds meanwhile is claimed after its wake-up). A statement that waited for the lock sees
 * the locked row as it is now but everything else as of its start, so what the claimed step needs
 * of its run (facts, customer) comes from the locked row, and "runDone" too. The finished-run
 * check, when the run is done, is the transaction's next statement: it sees every commit.
 * $1 step, $2 owner, $3 lease ms, $4 output, $5 claimed at, $6 run, $7 facts, $8 claim the next step.
 */
const SUCCEED_SQL = `
WITH run AS (
  SELECT "flow", "orderNumber", "customerNumber", "facts", ("facts"->>'done') = 'true' AS "done" FROM "FlowRun" WHERE "id" = $6 FOR UPDATE
), done AS (
  UPDATE "FlowStep" SET "status" = 'SUCCEEDED', "output" = $4::jsonb, "finishedAt" = now(), "leaseUntil" = NULL, "lastError" = NULL, "lastErrorCode" = NULL
  WHERE "id" = $1::bigint AND "status" = 'RUNNING' AND "owner" = $2 AND EXISTS (SELECT 1 FROM run) RETURNING "id", "attempts", "generation"
), attempt AS (
  INSERT INTO "FlowStepAttempt" ("stepId", "attempt", "generation", "outcome", "startedAt")
  SELECT "id", "attempts", "generation", 'SUCCEEDED', $5::timestamptz FROM done
), facts AS (
  UPDATE "FlowRun" SET "facts" = "facts" || $7::jsonb, "updatedAt" = now()
  WHERE "id" = $6 AND $7::jsonb <> '{}'::jsonb AND EXISTS (SELECT 1 FROM done)
), head AS (
  SELECT s."id", s."status", s."availableAt" FROM "FlowStep" s
  WHERE s."runId" = $6 AND s."status" IN ${LIVE} AND s."id" <> $1::bigint AND $8::boolean AND EXISTS (SELECT 1 FROM done)
  ORDER BY s."id" LIMIT 1
), claimed AS (
  UPDATE "FlowStep" s SET ${CLAIM_SET}
  FROM head h WHERE s."id" = h."id" AND h."status" = 'PENDING' AND h."availableAt" <= clock_timestamp() AND s."status" = 'PENDING'
  RETURNING s.*
)
SELECT EXISTS (SELECT 1 FROM done) AS "recorded", COALESCE((SELECT "done" FROM run), false) AS "runDone", c."id"::text AS id, c."runId", c."name", c."kind", c."input", c."attempts", c."generation", c."traceparent",
       r."flow", r."orderNumber", r."customerNumber", r."facts" || $7::jsonb AS "facts"
FROM (SELECT 1) AS one LEFT JOIN claimed c ON true LEFT JOIN run r ON c."id" IS NOT NULL`;

export class RunStore {
  constructor(private readonly db: Database) {}

  /**
   * Claims up to `limit` steps: per run only its first live step, and only when it is due
   * (PENDING and available) or abandoned (RUNNING past its lease). The conditional update
   * makes two workers racing for one step (Postgres replicas) end with one winner.
   */
  async claim(limit: number, owner: string, leaseMs: number): Promise<ClaimedStep[]> {
    const rows = await this.db.query<Omit<ClaimedStep, "claimedAt">>(
      `WITH heads AS (
         SELECT DISTINCT ON (s."runId") s."id", s."status", s."availableAt", s."leaseUntil"
         FROM "FlowStep" s WHERE s."status" IN ${LIVE} ORDER BY s."runId", s."id"),
       picked AS (
         SELECT h."id" FROM heads h
         WHERE (h."status" = 'PENDING' AND h."availableAt" <= clock_timestamp()) OR (h."status" = 'RUNNING' AND h."leaseUntil" < clock_timestamp())
         ORDER BY h."availableAt", h."id" LIMIT $1),
       claimed AS (
         UPDATE "FlowStep" s SET ${CLAIM_SET}
         FROM picked p WHERE s."id" = p."id" AND (s."status" = 'PENDING' OR s."leaseUntil" < clock_timestamp())
         RETURNING s.*)
       ${CLAIMED_SELECT}`,
      [limit, owner, leaseMs],
    );
    const claimedAt = new Date();
    return rows.map((row) => ({ ...row, claimedAt }));
  }

  /** After a crash: this worker's own in-flight steps are due again now, not when their lease runs out. */
  async releaseOwnLeases(owner: string): Promise<number> {
    const rows = await this.db.query(
      `UPDATE "FlowStep" SET "leaseUntil" = now() - interval '1 millisecond' WHERE "status" = 'RUNNING' AND "owner" = $1 RETURNING 1`,
      [owner],
    );
    return rows.length;
  }

  /**
   * Records success; `recorded` is false when the lease was lost (another worker owns the step
   * now). With `claimNext`, the run's next step is claimed in the same transaction when it is
   * due, so the worker goes on with the run at once (no claim round, no wait for a wake-up).
   */
  async succeed(
    step: ClaimedStep,
    owner: string,
    output: Json,
    facts: Facts,
    claimNext?: { leaseMs: number },
  ): Promise<{ recorded: boolean; finished: FinishedRun[]; next: ClaimedStep | null }> {
    return this.db.transaction(async (session) => {
      const [row] = await session.query<Omit<ClaimedStep, "claimedAt" | "id"> & { recorded: boolean; runDone: boolean; id: string | null }>(SUCCEED_SQL, [
        step.id,
        owner,
        claimNext?.leaseMs ?? 0,
        JSON.stringify(output ?? null),
        step.claimedAt.toISOString(),
        step.runId,
        JSON.stringify(facts),
        claimNext !== undefined,
      ]);
      if (!row?.recorded) return { recorded: false, finished: [], next: null };
      // Only a run its flow has said is done can finish (`done` as the SQL reads it: true or "true").
      const done = row.runDone || String(facts["done"]) === "true";
      const finished = done ? await completeFinishedRuns(session, [step.runId]) : [];
      const { recorded: _recorded, runDone: _runDone, ...next } = row;
      return { recorded: true, finished, next: next.id === null || finished.length > 0 ? null : { ...next, id: next.id, claimedAt: new Date() } };
    });
  }

  /** A failed attempt that will be tried again after `delayMs`. */
  async retryLater(step: ClaimedStep, owner: string, error: { code: string; message: string }, delayMs: number): Promise<void> {
    await this.db.query(
      `WITH failed AS (
         UPDATE "FlowStep" SET "status" = 'PENDING', "leaseUntil" = NULL, "lastError" = $3, "lastErrorCode" = $4,
           "availableAt" = clock_timestamp() + make_interval(secs => $5::double precision / 1000)
         WHERE "id" = $1::bigint AND "status" = 'RUNNING' AND "owner" = $2 RETURNING "id", "attempts", "generation")
       INSERT INTO "FlowStepAttempt" ("stepId", "attempt", "generation", "outcome", "errorCode", "error", "startedAt")
       SELECT "id", "attempts", "generation", 'FAILED', $4, $3, $6::timestamptz FROM failed`,
      [step.id, owner, error.message.slice(0, 2000), error.code, delayMs, step.claimedAt.toISOString()],
    );
  }

  /** The step cannot complete: it and its run go to the dead-letter queue (status PARKED). */
  async park(step: ClaimedStep, owner: string, error: { code: string; message: string }, runNote: string): Promise<void> {
    await this.db.transaction(async (session) => {
      await session.query(`SELECT 1 FROM "FlowRun" WHERE "id" = $1 FOR UPDATE`, [step.runId]);
      const parked = await session.query(
        `WITH parked AS (
           UPDATE "FlowStep" SET "status" = 'PARKED', "leaseUntil" = NULL, "lastError" = $3, "lastErrorCode" = $4, "finishedAt" = now()
           WHERE "id" = $1::bigint AND "status" = 'RUNNING' AND "owner" = $2 RETURNING "id", "attempts", "generation")
         INSERT INTO "FlowStepAttempt" ("stepId", "attempt", "generation", "outcome", "errorCode", "error", "startedAt")
         SELECT "id", "attempts", "generation", 'PARKED', $4, $3, $5::timestamptz FROM parked RETURNING 1`,
        [step.id, owner, error.message.slice(0, 2000), error.code, step.claimedAt.toISOString()],
      );
      if (parked.length === 0) return;
      await session.query(`UPDATE "FlowRun" SET "status" = 'PARKED', "parkedAt" = now(), "updatedAt" = now(), "lastError" = $2 WHERE "id" = $1`, [
        step.runId,
        runNote.slice(0, 2000),
      ]);
    });
  }

  /** Steps of a run that succeeded and are not compensated yet, newest first (the order to undo them in). */
  async compensable(runId: string): Promise<{ id: string; name: string; kind: string; input: Facts; output: Json; generation: number }[]> {
    return this.db.query(
      `SELECT "id"::text AS id, "name", "kind", "input", "output", "generation" FROM "FlowStep" WHERE "runId" = $1 AND "status" = 'SUCCEEDED' ORDER BY "id" DESC`,
      [runId],
    );
  }

  async markCompensated(stepId: string): Promise<void> {
    await this.db.query(`UPDATE "FlowStep" SET "status" = 'COMPENSATED', "compensatedAt" = now() WHERE "id" = $1::bigint AND "status" = 'SUCCEEDED'`, [stepId]);
  }
}
