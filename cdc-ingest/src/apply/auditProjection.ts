// The merged audit log's captured half: each system's "AuditEntry" rows (captured as transaction
// markers, never mirrored) become "AuditLog" rows of that system, in the batch's own statement.
// Only inserts count: the source table is append-only. Redelivery adds nothing (system, sourceId).
import type { DebeziumRowChange } from "../debezium/index.js";
import { plainRow, type PlainValue } from "./mirrorChanges.js";

export const AUDIT_SOURCE_TABLE = "AuditEntry";

export interface CapturedAuditEntry {
  system: string;
  sourceId: string;
  at: string;
  subject: string;
  subjectKind: string;
  requestId: string;
  operation: string;
  entityType: string;
  entityKey: string;
  /** The write's W3C traceparent (null before tracing, or with it off); not stored in "AuditLog". */
  traceparent: string | null;
}

const text = (value: PlainValue | undefined): string => (value === null || value === undefined ? "" : String(value));

/** The audit entry a captured change inserted, or null (another table, an update or delete, no id). */
export function capturedAuditEntry(system: string, change: DebeziumRowChange): CapturedAuditEntry | null {
  if (change.table.table !== AUDIT_SOURCE_TABLE || (change.op !== "c" && change.op !== "r")) return null;
  const row = plainRow(change.after);
  if (!row || row["id"] === undefined || row["id"] === null) return null;
  // Rows written before the write-attribution migration name the caller as "<kind>:<subject>".
  const legacy = text(row["principal"]);
  const legacyKind = legacy.includes(":") ? legacy.slice(0, legacy.indexOf(":")) : "anonymous";
  const at = typeof row["at"] === "string" && !Number.isNaN(Date.parse(row["at"])) ? row["at"] : new Date(change.source.tsMs).toISOString();
  return {
    system,
    sourceId: text(row["id"]),
    at,
    subject: text(row["subject"] ?? legacy.slice(legacy.indexOf(":") + 1)),
    subjectKind: text(row["subjectKind"] ?? legacyKind),
    requestId: text(row["requestId"]),
    operation: text(row["operation"]),
    entityType: text(row["entityType"]),
    entityKey: text(row["entityKey"]),
    traceparent: typeof row["traceparent"] === "string" ? row["traceparent"] : null,
  };
}

/** An update or delete of a captured audit entry: the source's append-only rule was bypassed. */
export function isAuditTampering(change: DebeziumRowChange): boolean {
  return change.table.table === AUDIT_SOURCE_TABLE && (change.op === "u" || change.op === "d");
}

/** The INSERT of a batch's captured audit entries (a CTE body); `$entries` is auditEntriesParam's JSON. */
export function auditEntriesInsertSql(entries: string): string {
  return `INSERT INTO "AuditLog" ("system", "sourceId", "at", "subject", "subjectKind", "requestId", "operation", "entityType", "entityKey")
     SELECT x.system, x."sourceId", x.at, x.subject, x."subjectKind", x."requestId", x.operation, x."entityType", x."entityKey"
     FROM jsonb_to_recordset(${entries}::jsonb) AS x(system text, "sourceId" text, at timestamptz, subject text, "subjectKind" text, "requestId" text,
       operation text, "entityType" text, "entityKey" text)
     ON CONFLICT ("system", "sourceId") DO NOTHING`;
}

export function auditEntriesParam(entries: readonly CapturedAuditEntry[]): string {
  return JSON.stringify(entries);
}
