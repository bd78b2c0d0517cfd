// addTimelineEntry: how the flows (and anyone else writing history) add to an account's
// timeline. Idempotent on externalKey, which belongs to its writer (the verified principal): the
// same writer's key again returns the first entry and writes nothing; the same writer's key about
// a different customer, order or kind is IDEMPOTENCY_KEY_REUSED. Another writer's keys are never
// seen: the same key from someone else is a key of their own.
import { requireCustomerAccess } from "@crossdock/platform";
import { crossdockError, ErrorCode } from "@crossdock/schema";
import type { TimelineEntry } from "../__generated__/prisma/client.js";
import type { CrmContext } from "../context.js";
import { LIMITS, optionalText, requiredText } from "./inputRules.js";

export interface AddTimelineEntryInput {
  customerNumber: string;
  orderNumber?: string | null;
  kind: string;
  summary: string;
  occurredAt?: Date | null;
  externalKey: string;
}

function sameEvent(entry: TimelineEntry, input: { customerNumber: string; orderNumber: string | null; kind: string }): boolean {
  // The summary wording and the timestamp may legitimately differ between retries of one event.
  return entry.customerNumber === input.customerNumber && entry.orderNumber === input.orderNumber && entry.kind === input.kind;
}

export async function addTimelineEntry(ctx: CrmContext, input: AddTimelineEntryInput): Promise<TimelineEntry> {
  const entry = {
    customerNumber: requiredText(input.customerNumber, "customerNumber", LIMITS.key),
    orderNumber: optionalText(input.orderNumber, "orderNumber", LIMITS.key),
    kind: requiredText(input.kind, "kind", LIMITS.kind),
    summary: requiredText(input.summary, "summary", LIMITS.summary),
    externalKey: requiredText(input.externalKey, "externalKey", LIMITS.externalKey),
  };
  const occurredAt = input.occurredAt ?? new Date();

  const conflict = () =>
    crossdockError(ErrorCode.IDEMPOTENCY_KEY_REUSED, `externalKey "${entry.externalKey}" was already used for a different timeline event`, {
      field: "externalKey",
    });

  requireCustomerAccess(ctx.principal, entry.customerNumber);
  // One statement, no transaction (the write frame would add BEGIN and COMMIT around it; the key
  // here is the business key externalKey, not an idempotency key): insert unless the key exists (ON CONFLICT also covers a
  // concurrent writer of the same key), the audit entry only with a new row, and the stored entry
  // returned either way. No row back: the customer has no account, or a concurrent writer's row
  // was not yet visible to this statement's snapshot (asked again below).
  const source = `${ctx.principal.kind}:${ctx.principal.subject}`;
  const rows = await ctx.sql<TimelineEntry & { inserted: boolean }>(ADD_ENTRY_SQL, [
    entry.customerNumber,
    entry.orderNumber,
    entry.kind,
    entry.summary,
    occurredAt,
    source,
    entry.externalKey,
    ctx.requestId,
    ctx.principal.subject,
    ctx.principal.kind,
    JSON.stringify({ customerNumber: entry.customerNumber, orderNumber: entry.orderNumber, kind: entry.kind }),
    ctx.traceparent,
  ]);
  let stored: TimelineEntry | undefined = rows[0];
  if (!stored) {
    [stored] = await ctx.sql<TimelineEntry>(`SELECT * FROM "TimelineEntry" WHERE "source" = $1 AND "externalKey" = $2`, [source, entry.externalKey]);
    if (!stored) throw crossdockError(ErrorCode.UNKNOWN_CUSTOMER, `The CRM has no account for customer ${entry.customerNumber}`, { field: "customerNumber" });
  }
  if (!rows[0]?.inserted && !sameEvent(stored, entry)) throw conflict();
  return toEntry(stored);
}

// $1 customer, $2 order, $3 kind, $4 summary, $5 occurredAt, $6 source ("<kind>:<subject>"), $7 externalKey, $8 request id,
// $9 and $10 the verified subject and its kind (the audit columns of platform auditInsertSql), $11 audit detail,
// $12 the write's traceparent (null when tracing is off).
const ADD_ENTRY_SQL = `
WITH account AS (
  SELECT "accountId" FROM "Account" WHERE "customerNumber" = $1
), inserted AS (
  INSERT INTO "TimelineEntry" ("accountId", "customerNumber", "orderNumber", "kind", "summary", "occurredAt", "source", "externalKey")
  SELECT "accountId", $1, $2, $3, $4, $5, $6, $7 FROM account
  ON CONFLICT ("source", "externalKey") DO NOTHING
  RETURNING *
), audit AS (
  INSERT INTO "AuditEntry" ("subject", "subjectKind", "requestId", "operation", "entityType", "entityKey", "detail", "traceparent")
  SELECT $9, $10, $8, 'addTimelineEntry', 'TimelineEntry', $7, $11::jsonb, $12 FROM inserted
)
SELECT *, true AS "inserted" FROM inserted
UNION ALL
SELECT *, false AS "inserted" FROM "TimelineEntry" WHERE "source" = $6 AND "externalKey" = $7 AND NOT EXISTS (SELECT 1 FROM inserted)`;

/** The row as Prisma would return it (plain SQL gives the same columns; the timestamp may come back as text). */
function toEntry(row: TimelineEntry & { inserted?: boolean }): TimelineEntry {
  const { inserted: _inserted, ...entry } = row;
  return { ...entry, occurredAt: row.occurredAt instanceof Date ? row.occurredAt : new Date(row.occurredAt) };
}
