// Case events for the change feed: a CRM case opened, or a change to what case work watches
// (status, priority, owner, escalation level, SLA due time), becomes one entry. Operations see
// exceptions open and close here; the flows lift billing holds and run the SLA watch on it.
import type { FeedEntryInput } from "../feed/feedTypes.js";
import type { MirrorWrite } from "./mirrorChanges.js";

/** The fields whose change is an event; edits elsewhere (a changed description) are not. */
const WATCHED = ["status", "priority", "owner", "escalationLevel", "slaDueAt"] as const;

/** A captured timestamp as ISO-8601 UTC: text from the outbox and Debezium, or epoch micro/milliseconds. */
function isoInstant(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const date = typeof value === "number" ? new Date(value > 1e14 ? value / 1000 : value) : new Date(String(value));
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export async function projectCaseEvents(writes: readonly MirrorWrite[]): Promise<FeedEntryInput[]> {
  const entries: FeedEntryInput[] = [];
  for (const write of writes) {
    if (write.table !== "Case" || write.deleted) continue;
    const first = write.images[0];
    const created = write.images.length === 1;
    const previousStatus = created ? null : (first?.["status"] ?? null);
    const status = write.data["status"] ?? null;
    const changed = (field: (typeof WATCHED)[number]) =>
      field === "slaDueAt" ? isoInstant(first?.[field]) !== isoInstant(write.data[field]) : (first?.[field] ?? null) !== (write.data[field] ?? null);
    if (!created && !WATCHED.some(changed)) continue;
    const caseNumber = String(write.data["caseNumber"]);
    entries.push({
      entityType: "Case",
      entityKey: caseNumber,
      changeKind: created ? "CREATED" : "UPDATED",
      occurredAt: write.committedAt,
      payload: {
        caseNumber,
        orderNumber: write.data["orderNumber"] ?? null,
        customerNumber: write.data["customerNumber"] ?? null,
        status,
        previousStatus,
        priority: write.data["priority"] ?? null,
        subject: write.data["subject"] ?? null,
        owner: write.data["owner"] ?? null,
        escalationLevel: Number(write.data["escalationLevel"] ?? 0),
        slaDueAt: isoInstant(write.data["slaDueAt"]),
      },
    });
  }
  return entries;
}
