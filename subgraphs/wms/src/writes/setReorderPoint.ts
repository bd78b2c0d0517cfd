// setReorderPoint: the WMS's master data for replenishment, per sku x warehouse: the reorder point
// (at or below it, available stock is low) and the safety stock held back from promising. One row
// per position, written in the platform's write frame; the hub projects it onto InventoryPosition.
import { crossdockError, ErrorCode } from "@crossdock/schema";
import type { WmsContext } from "../context.js";
import { parseQuantity, requireText, runWmsSqlWrite } from "./writeSupport.js";

export interface SetReorderPointArgs {
  sku: string;
  warehouseCode: string;
  reorderPoint: string;
  /** Absent: keep the position's safety stock (0 for a new row). */
  safetyStock?: string | null;
  idempotencyKey?: string | null;
}

/** The position as a reference: the hub's read model (ops) resolves its fields. */
export interface PositionReference {
  __typename: "InventoryPosition";
  sku: string;
  warehouseCode: string;
}

function notNegative(text: string, field: string) {
  const value = parseQuantity(text, field);
  if (value.isNegative()) throw crossdockError(ErrorCode.INVALID_QUANTITY, `${field} must not be negative`, { field });
  return value;
}

export async function setReorderPoint(ctx: WmsContext, args: SetReorderPointArgs): Promise<PositionReference> {
  const sku = requireText(args.sku, "sku");
  const warehouseCode = requireText(args.warehouseCode, "warehouseCode");
  const reorderPoint = notNegative(args.reorderPoint, "reorderPoint").toFixed();
  const safetyStock = args.safetyStock === null || args.safetyStock === undefined ? null : notNegative(args.safetyStock, "safetyStock").toFixed();
  const key = args.idempotencyKey?.trim() || null;

  await runWmsSqlWrite<{ sku: string; warehouseCode: string }>(ctx, {
    operation: "setReorderPoint",
    ...(key ? { idempotency: { key, request: { sku, warehouseCode, reorderPoint, safetyStock } } } : {}),
    decide: async (tx) => {
      const warehouse = await tx.query(`SELECT 1 FROM "Warehouse" WHERE "code" = $1`, [warehouseCode]);
      if (warehouse.length === 0) throw crossdockError(ErrorCode.UNKNOWN_WAREHOUSE, `No warehouse ${warehouseCode}`, { field: "warehouseCode" });
      // A reorder point only makes sense where the warehouse keeps the sku (a stock row, even at 0).
      const stocked = await tx.query(`SELECT 1 FROM "Stock" WHERE "sku" = $1 AND "warehouseCode" = $2 LIMIT 1`, [sku, warehouseCode]);
      if (stocked.length === 0) throw crossdockError(ErrorCode.UNKNOWN_SKU, `Warehouse ${warehouseCode} does not stock ${sku}`, { field: "sku" });
      // Setting the values a position already has changes nothing and audits nothing.
      const [row] = await tx.query<{ previous: { reorderPoint: string; safetyStock: string } | null; changed: boolean }>(
        `WITH prev AS (SELECT "reorderPoint", "safetyStock" FROM "ReorderPoint" WHERE "sku" = $1 AND "warehouseCode" = $2 FOR UPDATE),
         up AS (
           INSERT INTO "ReorderPoint" ("sku", "warehouseCode", "reorderPoint", "safetyStock", "updatedAt")
           VALUES ($1, $2, $3::numeric, COALESCE($4::numeric, 0), now())
           ON CONFLICT ("sku", "warehouseCode") DO UPDATE SET "reorderPoint" = excluded."reorderPoint",
             "safetyStock" = COALESCE($4::numeric, "ReorderPoint"."safetyStock"), "updatedAt" = excluded."updatedAt"
           WHERE ("ReorderPoint"."reorderPoint", "ReorderPoint"."safetyStock") IS DISTINCT FROM ($3::numeric, COALESCE($4::numeric, "ReorderPoint"."safetyStock"))
           RETURNING 1)
         SELECT (SELECT json_build_object('reorderPoint', trim_scale("reorderPoint")::text, 'safetyStock', trim_scale("safetyStock")::text) FROM prev) AS previous,
                EXISTS (SELECT 1 FROM up) AS changed`,
        [sku, warehouseCode, reorderPoint, safetyStock],
      );
      return {
        result: { sku, warehouseCode },
        audit: row?.changed
          ? { entityType: "ReorderPoint", entityKey: `${sku}@${warehouseCode}`, detail: { reorderPoint, safetyStock, previous: row.previous } }
          : null,
      };
    },
  });
  return { __typename: "InventoryPosition", sku, warehouseCode };
}
