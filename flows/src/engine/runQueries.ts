// Read side of the flow state for the GraphQL API: runs by order and by id, the parked runs
// (the flows' dead-letter queue), steps and attempts in batches for the loaders, and the
// figures behind flowMetrics. It never writes.
import { ChangeFeedReader, listFeedConsumers, type Database } from "@crossdock/platform";
import { FLOWS_CURSOR } from "./feedReader.js";

export interface RunRow {
  id: string;
  flow: string;
  subjectKey: string;
  orderNumber: string | null;
  customerNumber: string | null;
  status: string;
  facts: Record<string, unknown>;
  operatorActions: number;
  lastError: string | null;
  releasedAt: Date | null;
  shippedAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  parkedAt: Date | null;
  finishedAt: Date | null;
}

export interface StepRow {
  id: string;
  runId: string;
  name: string;
  kind: string;
  status: string;
  attempts: number;
  generation: number;
  output: unknown;
  lastError: string | null;
  lastErrorCode: string | null;
  availableAt: Date;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  compensatedAt: Date | null;
}

export interface AttemptRow {
  stepId: string;
  attempt: number;
  generation: number;
  outcome: string;
  errorCode: string | null;
  error: string | null;
  startedAt: Date;
  finishedAt: Date;
}

export class RunQueries {
  constructor(private readonly db: Database) {}

  runsOfOrders(orderNumbers: readonly string[]): Promise<RunRow[]> {
    return this.db.query<RunRow>(`SELECT * FROM "FlowRun" WHERE "orderNumber" = ANY($1::text[]) ORDER BY "createdAt", "id"`, [[...orderNumbers]]);
  }

  async run(runId: string): Promise<RunRow | null> {
    const [row] = await this.db.query<RunRow>(`SELECT * FROM "FlowRun" WHERE "id" = $1`, [runId]);
    return row ?? null;
  }

  parked(limit: number): Promise<RunRow[]> {
    return this.db.query<RunRow>(`SELECT * FROM "FlowRun" WHERE "status" = 'PARKED' ORDER BY "parkedAt", "id" LIMIT $1`, [limit]);
  }

  stepsOfRuns(runIds: readonly string[]): Promise<StepRow[]> {
    return this.db.query<StepRow>(
      `SELECT "id"::text AS id, "runId", "name", "kind", "status", "attempts", "generation", "output", "lastError", "lastErrorCode",
              "availableAt", "createdAt", "startedAt", "finishedAt", "compensatedAt"
       FROM "FlowStep" WHERE "runId" = ANY($1::text[]) ORDER BY "id"`,
      [[...runIds]],
    );
  }

  attemptsOfSteps(stepIds: readonly string[]): Promise<AttemptRow[]> {
    return this.db.query<AttemptRow>(
      `SELECT "stepId"::text AS "stepId", "attempt", "generation", "outcome", "errorCode", "error", "startedAt", "finishedAt"
       FROM "FlowStepAttempt" WHERE "stepId" = ANY($1::bigint[]) ORDER BY "id"`,
      [[...stepIds]],
    );
  }

  async metrics(): Promise<Record<string, unknown>> {
    const [runs] = await this.db.query<Record<string, number | null>>(
      `SELECT count(*)::int AS runs,
         count(*) FILTER (WHERE "status" = 'RUNNING')::int AS running, count(*) FILTER (WHERE "status" = 'PARKED')::int AS parked,
         count(*) FILTER (WHERE "status" = 'COMPLETED')::int AS completed, count(*) FILTER (WHERE "status" = 'CANCELLED')::int AS cancelled,
         COALESCE((count(*) FILTER (WHERE "operatorActions" > 0))::float / NULLIF(count(*), 0), 0) AS "manualTouchRate"
       FROM "FlowRun"`,
    );
    const durations = await this.db.query<{ metric: string; count: number; p50: number | null; p99: number | null; avg: number | null }>(
      `WITH d AS (
         SELECT 'cycle' AS metric, extract(epoch FROM "deliveredAt" - "releasedAt") * 1000 AS ms FROM "FlowRun"
           WHERE "flow" = 'orderToCash' AND "deliveredAt" IS NOT NULL AND "releasedAt" IS NOT NULL
         UNION ALL
         SELECT 'fulfilment', extract(epoch FROM "shippedAt" - "releasedAt") * 1000 FROM "FlowRun"
           WHERE "flow" = 'orderToCash' AND "shippedAt" IS NOT NULL AND "releasedAt" IS NOT NULL)
       SELECT metric, count(*)::int AS count, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::float AS p50,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::float AS p99, avg(ms)::float AS avg
       FROM d GROUP BY metric`,
    );
    const steps = await this.db.query<Record<string, unknown>>(
      `SELECT r."flow", s."kind",
         count(*) FILTER (WHERE a."outcome" = 'SUCCEEDED')::int AS succeeded, count(*) FILTER (WHERE a."outcome" = 'FAILED')::int AS "failedAttempts",
         count(*) FILTER (WHERE a."outcome" = 'PARKED')::int AS parked,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM a."finishedAt" - a."startedAt") * 1000)::float AS "p50Ms",
         percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM a."finishedAt" - a."startedAt") * 1000)::float AS "p99Ms"
       FROM "FlowStepAttempt" a JOIN "FlowStep" s ON s."id" = a."stepId" JOIN "FlowRun" r ON r."id" = s."runId"
       GROUP BY r."flow", s."kind" ORDER BY r."flow", s."kind"`,
    );
    const summary = (metric: string) => {
      const row = durations.find((d) => d.metric === metric);
      return { count: row?.count ?? 0, p50Ms: row?.p50 ?? null, p99Ms: row?.p99 ?? null, avgMs: row?.avg ?? null };
    };
    // The feed's head through its one reader; the flows' cursor from the consumer registry.
    const [head, [consumer]] = await Promise.all([
      new ChangeFeedReader({ database: this.db }).headCursor(),
      listFeedConsumers(this.db).then((all) => all.filter((c) => c.name === FLOWS_CURSOR)),
    ]);
    const lag = !consumer ? head : head > consumer.cursor ? head - consumer.cursor : 0n;
    return { ...runs, orderCycleTime: summary("cycle"), fulfilmentLatency: summary("fulfilment"), steps, feedLag: lag.toString() };
  }
}
