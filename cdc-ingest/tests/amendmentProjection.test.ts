// OrderAmended feed entries from captured ERP OrderAmendment rows: one per new row, carrying the
// order before and after (JSON columns as the outbox delivers them, and as text as pgoutput
// does); updates, deletes and other tables add nothing.
import { describe, expect, it } from "vitest";
import { projectAmendmentEvents } from "../src/apply/amendmentProjection.js";
import type { MirrorWrite } from "../src/apply/mirrorChanges.js";

const committedAt = new Date();
const row = {
  id: 7,
  amendmentNumber: "AM-000007",
  orderNumber: "SO-100001",
  customerNumber: "C-10001",
  status: "RELEASED",
  previousStatus: "RELEASED",
  warehouseCode: "WH-B",
  previousWarehouseCode: "WH-A",
  lines: [{ sku: "SKU-1", quantity: "3", unitPrice: "9.50" }],
  previousLines: [{ sku: "SKU-1", quantity: "2", unitPrice: "9.50" }],
  reason: "Customer phoned",
  revertsAmendment: null,
};
const write = (data: Record<string, unknown>, overrides: Partial<MirrorWrite> = {}): MirrorWrite =>
  ({ table: "OrderAmendment", sourceId: "7", data, deleted: false, position: "1", committedAt, images: [data], ...overrides }) as MirrorWrite;

describe("projectAmendmentEvents", () => {
  it("turns a new amendment row into one OrderAmended entry with the order before and after", () => {
    expect(projectAmendmentEvents([write(row)])).toEqual([
      {
        entityType: "OrderAmended",
        entityKey: "AM-000007",
        changeKind: "CREATED",
        occurredAt: committedAt,
        payload: {
          amendmentNumber: "AM-000007",
          orderNumber: "SO-100001",
          customerNumber: "C-10001",
          status: "RELEASED",
          previousStatus: "RELEASED",
          warehouseCode: "WH-B",
          previousWarehouseCode: "WH-A",
          lines: row.lines,
          previousLines: row.previousLines,
          reason: "Customer phoned",
          revertsAmendment: null,
        },
      },
    ]);
  });

  it("reads JSON columns delivered as text", () => {
    const [entry] = projectAmendmentEvents([write({ ...row, lines: JSON.stringify(row.lines), previousLines: JSON.stringify(row.previousLines) })]);
    expect(entry!.payload).toMatchObject({ lines: row.lines, previousLines: row.previousLines });
  });

  it("adds nothing for updates, deletes and other tables", () => {
    expect(projectAmendmentEvents([write(row, { images: [row, row] }), write(row, { deleted: true }), write(row, { table: "SalesOrder" })])).toEqual([]);
  });
});
