// auditLog: the merged audit log, newest first. The systems' entries arrive by change-data-capture
// ("AuditLog", systems erp, crm and wms), the ops read model's operator actions are written there
// directly (system ops), and the flows' operator actions live in "FlowAuditEntry" in the same hub
// database (system flows; the table exists once the flows service has migrated the hub).
import { requireScopes, Scope, type Principal, type SqlSession } from "@crossdock/platform";
import { decodeCursor, encodeCursor, pageSize } from "@crossdock/schema";

export interface AuditLogArgs {
  first?: number | null;
  after?: string | null;
  subject?: string | null;
  entityKey?: string | null;
  system?: string | null;
}

interface AuditLogRow {
  at: Date;
  atText: string;
  system: string;
  id: string;
  subject: string;
  subjectKind: string;
  operation: string;
  entityType: string;
  entityKey: string;
  requestId: string;
}

const COLUMNS = `"at", "at"::text AS "atText", "id"::text AS "id", "subject", "subjectKind", "operation", "entityType", "entityKey", "requestId"`;
// $1 subject, $2 entity key, $3 system (each null = any).
const FILTER = `($1::text IS NULL OR "subject" = $1) AND ($2::text IS NULL OR "entityKey" = $2)`;

let flowsAuditKnown = false;

/** Whether the flows' audit table is in this database (checked until it is, then remembered). */
async function hasFlowsAudit(hub: SqlSession): Promise<boolean> {
  if (flowsAuditKnown) return true;
  const [row] = await hub.query<{ exists: boolean }>(`SELECT to_regclass('"FlowAuditEntry"') IS NOT NULL AS "exists"`);
  flowsAuditKnown = row?.exists === true;
  return flowsAuditKnown;
}

export async function readAuditLog(hub: SqlSession, principal: Principal, args: AuditLogArgs) {
  requireScopes(principal, [[Scope.AUDIT_READ]], "auditLog");
  const first = pageSize(args.first);
  const after = args.after ? (decodeCursor(args.after, 3) as [string, string, string]) : null;
  const flows = (args.system === null || args.system === undefined || args.system === "flows") && (await hasFlowsAudit(hub));
  const sources = [
    `SELECT ${COLUMNS}, "system" FROM "AuditLog" WHERE ${FILTER} AND ($3::text IS NULL OR "system" = $3)`,
    ...(flows ? [`SELECT ${COLUMNS}, 'flows' AS "system" FROM "FlowAuditEntry" WHERE ${FILTER}`] : []),
  ];
  // Keyset pagination over (at, system, id), newest first; the cursor keeps "at" as Postgres
  // printed it, so microseconds survive the round trip.
  const rows = await hub.query<AuditLogRow>(
    `SELECT * FROM (${sources.join(" UNION ALL ")}) e
     WHERE $4::timestamptz IS NULL OR ("at", "system", "id"::bigint) < ($4::timestamptz, $5::text, $6::bigint)
     ORDER BY "at" DESC, "system" DESC, "id"::bigint DESC LIMIT $7`,
    [args.subject ?? null, args.entityKey ?? null, args.system ?? null, after?.[0] ?? null, after?.[1] ?? null, after?.[2] ?? null, first + 1],
  );
  const edges = rows.slice(0, first).map((row) => ({
    cursor: encodeCursor([row.atText, row.system, row.id]),
    node: {
      at: row.at,
      system: row.system,
      subject: row.subject,
      subjectKind: row.subjectKind,
      operation: row.operation,
      entityType: row.entityType,
      entityKey: row.entityKey,
      requestId: row.requestId === "" ? null : row.requestId,
    },
  }));
  return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
}
