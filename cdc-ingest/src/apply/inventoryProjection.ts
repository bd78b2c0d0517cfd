// InventoryPosition (sku x warehouse): onHand from WMS stock over all bins, allocated from
// open ERP order lines at that warehouse not yet shipped (kept as typed "OpenAllocation" rows),
// available = onHand - allocated, and the WMS's reorder point and safety stock with what follows
// from them (availableToPromise, lowStock). Recomputed for exactly the keys a batch touched.
import type { SqlSession } from "@crossdock/platform";
import type { FeedEntryInput } from "../feed/feedTypes.js";

export interface InventoryKey {
  sku: string;
  warehouseCode: string;
  committedAt: Date;
}

const OPEN_ORDER_STATUSES = "('RELEASED', 'PARTIALLY_SHIPPED')";

/**
 * Rewrites the open allocations of the given ERP orders from the mirror: one row per line of
 * an open order with quantity left to ship. Run for every order a batch touched (its own row
 * or any of its lines) before positions are recomputed. Returned as CTEs (named alloc_*) over
 * the order-id array parameter `ids`, so the caller runs them in a statement it makes anyway:
 * the fresh rows upserted, the orders' rows that are no longer open deleted (disjoint from the
 * fresh ones, so no row is touched twice). Driven from the id list: one index probe per order.
 */
export function openAllocationRefreshCtes(ids: string): string {
  return `alloc_ids AS (SELECT DISTINCT unnest(${ids}::text[]) AS id),
     alloc_open AS (
       SELECT l."sourceId" AS "lineId", o."sourceId" AS "orderId", l."data"->>'sku' AS sku, o."data"->>'warehouseCode' AS wh,
              (l."data"->>'quantity')::numeric - COALESCE((l."data"->>'quantityShipped')::numeric, 0) AS open
       FROM alloc_ids
       JOIN "SourceRow" o ON o."source" = 'erp' AND o."tableName" = 'SalesOrder' AND o."sourceId" = alloc_ids.id AND NOT o."deleted"
         AND o."data"->>'status' IN ${OPEN_ORDER_STATUSES}
       JOIN "SourceRow" l ON l."source" = 'erp' AND l."tableName" = 'SalesOrderLine' AND l."data"->>'orderId' = alloc_ids.id AND NOT l."deleted"
       WHERE (l."data"->>'quantity')::numeric - COALESCE((l."data"->>'quantityShipped')::numeric, 0) > 0),
     alloc_upserted AS (
       INSERT INTO "OpenAllocation" ("lineId", "orderId", "sku", "warehouseCode", "openQuantity")
       SELECT "lineId", "orderId", sku, wh, open FROM alloc_open
       ON CONFLICT ("lineId") DO UPDATE SET "orderId" = excluded."orderId", "sku" = excluded."sku",
         "warehouseCode" = excluded."warehouseCode", "openQuantity" = excluded."openQuantity"
       RETURNING 1),
     alloc_closed AS (
       DELETE FROM "OpenAllocation" a USING alloc_ids
       WHERE a."orderId" = alloc_ids.id AND NOT EXISTS (SELECT 1 FROM alloc_open WHERE alloc_open."lineId" = a."lineId")
       RETURNING 1)`;
}

interface ProjectedPosition {
  sku: string;
  warehouseCode: string;
  onHand: string;
  allocated: string;
  available: string;
  reorderPoint: string | null;
  safetyStock: string;
  availableToPromise: string;
  lowStock: boolean;
  sourceCommittedAt: Date;
  previousAvailable: string | null;
  previousOnHand: string | null;
  previousLowStock: boolean | null;
  stockChanged: boolean;
}

export async function projectInventoryPositions(session: SqlSession, keys: readonly InventoryKey[]): Promise<FeedEntryInput[]> {
  if (keys.length === 0) return [];
  const rows = await session.query<ProjectedPosition>(
    `WITH k AS (
       SELECT DISTINCT ON (sku, wh) sku, wh, ts FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS x(sku, wh, ts) ORDER BY sku, wh, ts DESC),
     stock AS (
       SELECT k.sku, k.wh, COALESCE(SUM((r."data"->>'onHand')::numeric), 0) AS on_hand, COUNT(r."sourceId") AS rows
       FROM k LEFT JOIN "SourceRow" r ON r."source" = 'wms' AND r."tableName" = 'Stock' AND NOT r."deleted"
         AND r."data"->>'sku' = k.sku AND r."data"->>'warehouseCode' = k.wh
       GROUP BY k.sku, k.wh),
     alloc AS (
       SELECT k.sku, k.wh, SUM(a."openQuantity") AS allocated
       FROM k JOIN "OpenAllocation" a ON a."sku" = k.sku AND a."warehouseCode" = k.wh
       GROUP BY k.sku, k.wh),
     rp AS (
       SELECT DISTINCT ON (k.sku, k.wh) k.sku, k.wh, (r."data"->>'reorderPoint')::numeric AS point, COALESCE((r."data"->>'safetyStock')::numeric, 0) AS safety
       FROM k JOIN "SourceRow" r ON r."source" = 'wms' AND r."tableName" = 'ReorderPoint' AND NOT r."deleted"
         AND r."data"->>'sku' = k.sku AND r."data"->>'warehouseCode' = k.wh
       ORDER BY k.sku, k.wh, r."position" DESC),
     prev AS (SELECT p.* FROM "InventoryPosition" p JOIN k ON p."sku" = k.sku AND p."warehouseCode" = k.wh),
     computed AS (
       SELECT k.sku, k.wh, k.ts, s.on_hand, COALESCE(a.allocated, 0) AS allocated, rp.point, COALESCE(rp.safety, 0) AS safety
       FROM k JOIN stock s ON s.sku = k.sku AND s.wh = k.wh LEFT JOIN alloc a ON a.sku = k.sku AND a.wh = k.wh LEFT JOIN rp ON rp.sku = k.sku AND rp.wh = k.wh
       WHERE s.rows > 0 OR COALESCE(a.allocated, 0) > 0 OR rp.point IS NOT NULL
         OR EXISTS (SELECT 1 FROM prev WHERE prev."sku" = k.sku AND prev."warehouseCode" = k.wh)),
     up AS (
       INSERT INTO "InventoryPosition" ("sku", "warehouseCode", "onHand", "allocated", "available", "updatedAt", "sourceCommittedAt",
                                        "reorderPoint", "safetyStock", "availableToPromise", "lowStock")
       SELECT sku, wh, on_hand, allocated, on_hand - allocated, now(), ts, point, safety, on_hand - allocated - safety,
              COALESCE(on_hand - allocated <= point, false)
       FROM computed
       ON CONFLICT ("sku", "warehouseCode") DO UPDATE SET
         "onHand" = excluded."onHand", "allocated" = excluded."allocated", "available" = excluded."available",
         "updatedAt" = excluded."updatedAt", "sourceCommittedAt" = GREATEST("InventoryPosition"."sourceCommittedAt", excluded."sourceCommittedAt"),
         "reorderPoint" = excluded."reorderPoint", "safetyStock" = excluded."safetyStock",
         "availableToPromise" = excluded."availableToPromise", "lowStock" = excluded."lowStock"
       WHERE ("InventoryPosition"."onHand", "InventoryPosition"."allocated", "InventoryPosition"."reorderPoint", "InventoryPosition"."safetyStock")
         IS DISTINCT FROM (excluded."onHand", excluded."allocated", excluded."reorderPoint", excluded."safetyStock")
       RETURNING *)
     SELECT up."sku", up."warehouseCode", trim_scale(up."onHand")::text AS "onHand", trim_scale(up."allocated")::text AS "allocated",
            trim_scale(up."available")::text AS "available", trim_scale(up."reorderPoint")::text AS "reorderPoint",
            trim_scale(up."safetyStock")::text AS "safetyStock", trim_scale(up."availableToPromise")::text AS "availableToPromise",
            up."lowStock", up."sourceCommittedAt",
            trim_scale(prev."available")::text AS "previousAvailable", trim_scale(prev."onHand")::text AS "previousOnHand",
            prev."lowStock" AS "previousLowStock",
            (prev."sku" IS NULL OR (prev."onHand", prev."allocated") IS DISTINCT FROM (up."onHand", up."allocated")) AS "stockChanged"
     FROM up LEFT JOIN prev ON prev."sku" = up."sku" AND prev."warehouseCode" = up."warehouseCode"
     ORDER BY up."sku", up."warehouseCode"`,
    [keys.map((k) => k.sku), keys.map((k) => k.warehouseCode), keys.map((k) => k.committedAt.toISOString())],
  );
  return rows.flatMap((row) => positionEntries(row));
}

/**
 * The feed entries of one recomputed position: an InventoryPosition change when its stock moved
 * (a changed reorder point alone is not an inventory change), and a LowStock crossing when
 * available went from above its reorder point to at or below it, or back (a new position counts
 * as coming from above; a removed point as going back above).
 */
function positionEntries(row: ProjectedPosition): FeedEntryInput[] {
  const entries: FeedEntryInput[] = [];
  const occurredAt = new Date(row.sourceCommittedAt);
  const entityKey = `${row.sku}|${row.warehouseCode}`;
  const values = {
    sku: row.sku,
    warehouseCode: row.warehouseCode,
    onHand: row.onHand,
    allocated: row.allocated,
    available: row.available,
    reorderPoint: row.reorderPoint,
    availableToPromise: row.availableToPromise,
  };
  if (row.stockChanged) {
    entries.push({
      entityType: "InventoryPosition",
      entityKey,
      changeKind: row.previousAvailable === null ? "CREATED" : "UPDATED",
      occurredAt,
      payload: { ...values, previousAvailable: row.previousAvailable, previousOnHand: row.previousOnHand },
    });
  }
  if (row.lowStock !== (row.previousLowStock ?? false)) {
    entries.push({ entityType: "LowStock", entityKey, changeKind: "UPDATED", occurredAt, payload: { ...values, below: row.lowStock } });
  }
  return entries;
}
