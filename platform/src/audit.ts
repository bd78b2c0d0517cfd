// The audit log: every write records who did what to which entity, in the same
// transaction as the write itself, in the owning service's "AuditEntry" table.
import type { Principal } from "./principal.js";
import type { RawSqlTransaction } from "./idempotency.js";

export interface AuditRecord {
  principal: Principal;
  requestId: string;
  operation: string;
  entityType: string;
  entityKey: string;
  detail?: unknown;
}

/** The audit INSERT with its six parameters from `$first` on, to run alone or as a CTE of another statement. */
export function auditInsertSql(first = 1): string {
  const [principal, requestId, operation, entityType, entityKey, detail] = Array.from({ length: 6 }, (_, i) => `$${first + i}`);
  return `INSERT INTO "AuditEntry" ("principal", "requestId", "operation", "entityType", "entityKey", "detail") VALUES (${principal}, ${requestId}, ${operation}, ${entityType}, ${entityKey}, ${detail}::jsonb)`;
}

export function auditParameters(record: AuditRecord): unknown[] {
  return [
    `${record.principal.kind}:${record.principal.subject}`,
    record.requestId,
    record.operation,
    record.entityType,
    record.entityKey,
    JSON.stringify(record.detail ?? null),
  ];
}

export async function recordAudit(tx: RawSqlTransaction, record: AuditRecord): Promise<void> {
  await tx.$queryRawUnsafe(auditInsertSql(), ...auditParameters(record));
}

/** The SQL each service's first migration includes for the shared write bookkeeping. */
export const WRITE_BOOKKEEPING_SQL = `
CREATE TABLE "IdempotencyKey" (
  "scope" TEXT NOT NULL,
  "key" TEXT NOT NULL,
  "requestHash" TEXT NOT NULL,
  "response" JSONB,
  "createdAt" TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT "IdempotencyKey_pkey" PRIMARY KEY ("scope", "key")
);
CREATE TABLE "AuditEntry" (
  "id" BIGSERIAL PRIMARY KEY,
  "at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "principal" TEXT NOT NULL,
  "requestId" TEXT NOT NULL,
  "operation" TEXT NOT NULL,
  "entityType" TEXT NOT NULL,
  "entityKey" TEXT NOT NULL,
  "detail" JSONB
);
CREATE INDEX "AuditEntry_entity_idx" ON "AuditEntry" ("entityType", "entityKey");
`;
