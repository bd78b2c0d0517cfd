// Case events for the change feed: a CRM case opened, or its status changed (resolved), becomes
// one entry. Operations see exceptions open and close here; the flows lift billing holds on it.
import type { FeedEntryInput } from "../feed/feedTypes.js";
import type { MirrorWrite } from "./mirrorChanges.js";

export async function projectCaseEvents(writes: readonly MirrorWrite[]): Promise<FeedEntryInput[]> {
  const entries: FeedEntryInput[] = [];
  for (const write of writes) {
    if (write.table !== "Case" || write.deleted) continue;
    const first = write.images[0];
    const created = write.images.length === 1;
    const previousStatus = created ? null : (first?.["status"] ?? null);
    const status = write.data["status"] ?? null;
    // Edits that leave the status alone (a changed description) are not events for anyone.
    if (!created && previousStatus === status) continue;
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
      },
    });
  }
  return entries;
}
