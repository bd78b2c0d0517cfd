// Receipt events for the change feed: each new WMS receipt (purchase delivery or customer
// return) becomes one entry with its lines, read from the mirror the same batch just wrote.
import type { SqlSession } from "@crossdock/platform";
import type { FeedEntryInput } from "../feed/feedTypes.js";
import type { MirrorWrite } from "./mirrorChanges.js";

export async function projectReceiptEvents(session: SqlSession, writes: readonly MirrorWrite[]): Promise<FeedEntryInput[]> {
  // Receipts are written once and never updated, so only a first image is an event.
  const receipts = writes.filter((w) => w.table === "Receipt" && !w.deleted && w.images.length === 1);
  if (receipts.length === 0) return [];
  const numbers = receipts.map((w) => String(w.data["receiptNumber"]));
  const lines = await session.query<{ receiptNumber: string; sku: string; quantity: string }>(
    `SELECT "data"->>'receiptNumber' AS "receiptNumber", "data"->>'sku' AS sku, "data"->>'quantity' AS quantity
     FROM "SourceRow" WHERE "source" = 'wms' AND "tableName" = 'ReceiptLine' AND NOT "deleted" AND "data"->>'receiptNumber' = ANY($1::text[])
     ORDER BY "sourceId"`,
    [numbers],
  );
  return receipts.map((write) => {
    const receiptNumber = String(write.data["receiptNumber"]);
    return {
      entityType: "Receipt",
      entityKey: receiptNumber,
      changeKind: "CREATED",
      occurredAt: write.committedAt,
      payload: {
        receiptNumber,
        warehouseCode: write.data["warehouseCode"] ?? null,
        kind: write.data["kind"] ?? null,
        orderNumber: write.data["orderNumber"] ?? null,
        lines: lines.filter((l) => l.receiptNumber === receiptNumber).map((l) => ({ sku: l.sku, quantity: l.quantity })),
      },
    };
  });
}
