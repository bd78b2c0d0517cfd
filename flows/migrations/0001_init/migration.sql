-- The process layer's state in the hub database: the feed reader's durable cursor, one row
-- per flow run and per step (unique per run, so a replayed trigger adds nothing), and every
-- attempt of every step. Recorded in "_flows_migrations", apart from cdc-ingest's migrations.
CREATE TABLE "FlowCursor" (
  "name" TEXT PRIMARY KEY,
  "cursor" BIGINT NOT NULL,
  "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);

CREATE TABLE "FlowRun" (
  "id" TEXT PRIMARY KEY,
  "flow" TEXT NOT NULL,
  "subjectKey" TEXT NOT NULL,
  "orderNumber" TEXT,
  "customerNumber" TEXT,
  -- RUNNING (working or waiting for events), PARKED, COMPLETED, CANCELLED
  "status" TEXT NOT NULL,
  "facts" JSONB NOT NULL DEFAULT '{}',
  "operatorActions" INTEGER NOT NULL DEFAULT 0,
  "lastError" TEXT,
  "releasedAt" TIMESTAMPTZ(3),
  "shippedAt" TIMESTAMPTZ(3),
  "deliveredAt" TIMESTAMPTZ(3),
  "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "parkedAt" TIMESTAMPTZ(3),
  "finishedAt" TIMESTAMPTZ(3)
);
CREATE INDEX "FlowRun_orderNumber_idx" ON "FlowRun" ("orderNumber");
CREATE INDEX "FlowRun_status_idx" ON "FlowRun" ("status", "updatedAt");
CREATE INDEX "FlowRun_exception_case_idx" ON "FlowRun" (("facts"->>'caseNumber')) WHERE "flow" = 'shipmentException';
CREATE INDEX "FlowRun_exception_shipment_idx" ON "FlowRun" (("facts"->>'shipmentId')) WHERE "flow" = 'shipmentException';

CREATE TABLE "FlowStep" (
  "id" BIGSERIAL PRIMARY KEY,
  "runId" TEXT NOT NULL REFERENCES "FlowRun" ("id") ON DELETE CASCADE,
  "name" TEXT NOT NULL,
  "kind" TEXT NOT NULL,
  "input" JSONB NOT NULL,
  -- PENDING, RUNNING, SUCCEEDED, PARKED, SKIPPED, COMPENSATED
  "status" TEXT NOT NULL DEFAULT 'PENDING',
  "attempts" INTEGER NOT NULL DEFAULT 0,
  -- Bumped when an operator re-runs a compensated step: a new generation is a new idempotency key.
  "generation" INTEGER NOT NULL DEFAULT 0,
  "availableAt" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "leaseUntil" TIMESTAMPTZ(3),
  "owner" TEXT,
  "output" JSONB,
  "lastError" TEXT,
  "lastErrorCode" TEXT,
  "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "startedAt" TIMESTAMPTZ(3),
  "finishedAt" TIMESTAMPTZ(3),
  "compensatedAt" TIMESTAMPTZ(3),
  CONSTRAINT "FlowStep_run_name_key" UNIQUE ("runId", "name")
);
-- The worker's claim scans only live steps, in run order.
CREATE INDEX "FlowStep_live_idx" ON "FlowStep" ("runId", "id") WHERE "status" IN ('PENDING', 'RUNNING', 'PARKED');

CREATE TABLE "FlowStepAttempt" (
  "id" BIGSERIAL PRIMARY KEY,
  "stepId" BIGINT NOT NULL REFERENCES "FlowStep" ("id") ON DELETE CASCADE,
  "attempt" INTEGER NOT NULL,
  "generation" INTEGER NOT NULL,
  "outcome" TEXT NOT NULL,
  "errorCode" TEXT,
  "error" TEXT,
  "startedAt" TIMESTAMPTZ(3) NOT NULL,
  "finishedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);
CREATE INDEX "FlowStepAttempt_step_idx" ON "FlowStepAttempt" ("stepId");
