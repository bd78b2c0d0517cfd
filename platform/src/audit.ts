// The audit log: every write records who did what to which entity, in the same
// transaction as the write itself, in the owning service's "AuditEntry" table. The subject is
// always the verified principal's, never anything the caller sent; the table is append-only
// (a trigger refuses UPDATE, DELETE and TRUNCATE). A system's entry also keeps the write's W3C
// traceparent (null when tracing is off): captured with the transaction, it carries the trace on
// to the read-model apply and whatever the change causes (cdc-ingest, flows, subscriptions).
import type { Principal } from "./principal.js";
import type { RawSqlTransaction } from "./idempotency.js";

export interface AuditRecord {
  principal: Principal;
  requestId: string;
  operation: string;
  entityType: string;
  entityKey: string;
  detail?: unknown;
  /** The write's trace (its request's traceparent); absent or null when untraced. */
  traceparent?: string | null;
}

const AUDIT_PARAMETER_COUNT = 7;

/** Where a service keeps its audit entries: "AuditEntry", except in the hub database (see cdc-ingest and flows). */
export const AUDIT_TABLE = "AuditEntry";

/** Only the systems' captured "AuditEntry" has the traceparent column (the hub's audit tables are not captured). */
const carriesTrace = (table: string) => table === AUDIT_TABLE;

/**
 * The audit INSERT with its parameters from `$first` on (seven, eight with the traceparent of a
 * system's "AuditEntry"; auditParameters gives as many), to run alone or as a CTE of another statement.
 */
export function auditInsertSql(first = 1, table = AUDIT_TABLE): string {
  const p = Array.from({ length: AUDIT_PARAMETER_COUNT + (carriesTrace(table) ? 1 : 0) }, (_, i) => `$${first + i}`);
  const columns = `"subject", "subjectKind", "requestId", "operation", "entityType", "entityKey", "detail"${carriesTrace(table) ? `, "traceparent"` : ""}`;
  return `INSERT INTO "${table}" (${columns}) VALUES (${p.slice(0, 6).join(", ")}, ${p
    .slice(6)
    .map((v, i) => (i === 0 ? `${v}::jsonb` : v))
    .join(", ")})`;
}

/** The values of auditInsertSql's parameters, in order; the write's traceparent last for a system's "AuditEntry". */
export function auditParameters(record: AuditRecord, table = AUDIT_TABLE): unknown[] {
  const values: unknown[] = [
    record.principal.subject,
    record.principal.kind,
    record.requestId,
    record.operation,
    record.entityType,
    record.entityKey,
    JSON.stringify(record.detail ?? null),
  ];
  if (carriesTrace(table)) values.push(record.traceparent ?? null);
  return values;
}

export async function recordAudit(tx: RawSqlTransaction, record: AuditRecord, table = AUDIT_TABLE): Promise<void> {
  await tx.$queryRawUnsafe(auditInsertSql(1, table), ...auditParameters(record, table));
}

/**
 * The trigger that keeps "AuditEntry" append-only, as each service's write-attribution migration
 * creates it (the migration files hold the same text; tests use this copy). It refuses row
 * updates and deletes and TRUNCATE, for every role that does not own the table's trigger.
 */
export const AUDIT_APPEND_ONLY_SQL = `
CREATE OR REPLACE FUNCTION "AuditEntry_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'AuditEntry is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER "AuditEntry_append_only" BEFORE UPDATE OR DELETE ON "AuditEntry" FOR EACH ROW EXECUTE FUNCTION "AuditEntry_refuse_change"();
CREATE TRIGGER "AuditEntry_no_truncate" BEFORE TRUNCATE ON "AuditEntry" FOR EACH STATEMENT EXECUTE FUNCTION "AuditEntry_refuse_change"();
`;

/** The shared write bookkeeping as the services' migrations leave it (for tests of the platform alone). */
export const WRITE_BOOKKEEPING_SQL = `
CREATE TABLE "IdempotencyKey" (
  "caller" TEXT NOT NULL DEFAULT '',
  "scope" TEXT NOT NULL,
  "key" TEXT NOT NULL,
  "requestHash" TEXT NOT NULL,
  "response" JSONB,
  "createdAt" TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT "IdempotencyKey_pkey" PRIMARY KEY ("caller", "scope", "key")
);
CREATE TABLE "AuditEntry" (
  "id" BIGSERIAL PRIMARY KEY,
  "at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "subject" TEXT NOT NULL,
  "subjectKind" TEXT NOT NULL,
  "requestId" TEXT NOT NULL,
  "operation" TEXT NOT NULL,
  "entityType" TEXT NOT NULL,
  "entityKey" TEXT NOT NULL,
  "detail" JSONB,
  "traceparent" TEXT
);
CREATE INDEX "AuditEntry_entity_idx" ON "AuditEntry" ("entityType", "entityKey");
${AUDIT_APPEND_ONLY_SQL}`;
