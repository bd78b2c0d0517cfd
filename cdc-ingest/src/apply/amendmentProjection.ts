// OrderAmended events for the change feed: each new ERP OrderAmendment row (amendOrder accepted
// a change of an order's lines or warehouse) becomes one entry with the order as it was and as
// it became — all the flows need to adjust the WMS fulfilment. Amendments are never updated.
import type { FeedEntryInput } from "../feed/feedTypes.js";
import type { MirrorWrite } from "./mirrorChanges.js";

export const AMENDMENT_SOURCE_TABLE = "OrderAmendment";

/** JSON columns arrive as structures from the outbox and as text from pgoutput. */
function jsonValue(value: unknown): unknown {
  if (typeof value !== "string") return value ?? null;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return null;
  }
}

export function projectAmendmentEvents(writes: readonly MirrorWrite[]): FeedEntryInput[] {
  return writes
    .filter((w) => w.table === AMENDMENT_SOURCE_TABLE && !w.deleted && w.images.length === 1)
    .map((write) => {
      const d = write.data;
      const amendmentNumber = String(d["amendmentNumber"]);
      return {
        entityType: "OrderAmended",
        entityKey: amendmentNumber,
        changeKind: "CREATED",
        occurredAt: write.committedAt,
        payload: {
          amendmentNumber,
          orderNumber: d["orderNumber"] ?? null,
          customerNumber: d["customerNumber"] ?? null,
          status: d["status"] ?? null,
          previousStatus: d["previousStatus"] ?? null,
          warehouseCode: d["warehouseCode"] ?? null,
          previousWarehouseCode: d["previousWarehouseCode"] ?? null,
          lines: jsonValue(d["lines"]),
          previousLines: jsonValue(d["previousLines"]),
          reason: d["reason"] ?? null,
          revertsAmendment: d["revertsAmendment"] ?? null,
        },
      };
    });
}
