// addTimelineEntry: how the flows (and anyone else writing history) add to an account's
// timeline. Idempotent on externalKey: the same key returns the first entry and writes nothing;
// the same key about a different customer, order or kind is IDEMPOTENCY_KEY_REUSED.
import { recordAudit } from "@crossdock/platform";
import { crossdockError, ErrorCode } from "@crossdock/schema";
import type { TimelineEntry } from "../__generated__/prisma/client.js";
import type { CrmContext } from "../context.js";
import { WRITE_TRANSACTION } from "./transaction.js";
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

  return ctx.prisma.$transaction(async (tx) => {
    const existing = await tx.timelineEntry.findUnique({ where: { externalKey: entry.externalKey } });
    if (existing) {
      if (!sameEvent(existing, entry)) throw conflict();
      return existing;
    }
    const account = await tx.account.findUnique({ where: { customerNumber: entry.customerNumber } });
    if (!account) {
      throw crossdockError(ErrorCode.UNKNOWN_CUSTOMER, `The CRM has no account for customer ${entry.customerNumber}`, { field: "customerNumber" });
    }
    // ON CONFLICT DO NOTHING: a concurrent writer of the same key (Postgres) makes this a no-op
    // instead of aborting the transaction with a unique violation.
    const { count } = await tx.timelineEntry.createMany({
      data: [{ ...entry, accountId: account.accountId, occurredAt, source: `${ctx.principal.kind}:${ctx.principal.subject}` }],
      skipDuplicates: true,
    });
    const stored = await tx.timelineEntry.findUniqueOrThrow({ where: { externalKey: entry.externalKey } });
    if (count === 0) {
      if (!sameEvent(stored, entry)) throw conflict();
      return stored;
    }
    await recordAudit(tx, {
      principal: ctx.principal,
      requestId: ctx.requestId,
      operation: "addTimelineEntry",
      entityType: "TimelineEntry",
      entityKey: entry.externalKey,
      detail: { customerNumber: entry.customerNumber, orderNumber: entry.orderNumber, kind: entry.kind },
    });
    return stored;
  }, WRITE_TRANSACTION);
}
