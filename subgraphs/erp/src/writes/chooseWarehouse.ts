// Picks the warehouse an order ships from when the caller named none, from the ERP's own
// ledger: available = onHand − what open orders there still have to ship. It never rejects
// an order for stock (a short warehouse backorders) and never writes. The figures come from
// submitOrder's one read statement (the SQL below is folded into it); the choice is made here.
import { Decimal, toDecimal } from "@crossdock/schema";

export interface WarehouseCandidate {
  warehouseCode: string;
  linesCovered: number;
  totalAvailable: Decimal;
}

export interface AvailabilityRow {
  warehouseCode: string;
  sku: string;
  available: string;
}

/**
 * Available quantity per (warehouse, sku) for the SKUs in `skus` (a text[] parameter), as a JSON
 * array of AvailabilityRow (numerics as text: JSON numbers would lose digits). A subquery, for
 * embedding in a statement that binds `skus`.
 */
export function availabilityJsonSql(skus: string): string {
  return `(SELECT json_agg(json_build_object('warehouseCode', l."warehouseCode", 'sku', l."sku", 'available', (l."onHand" - COALESCE(a."allocated", 0))::text))
    FROM "InventoryLedger" l
    LEFT JOIN (
      SELECT o."warehouseCode", ol."sku", SUM(ol."quantity" - ol."quantityShipped") AS "allocated"
      FROM "SalesOrderLine" ol
      JOIN "SalesOrder" o ON o."id" = ol."orderId"
      WHERE o."status" IN ('RELEASED', 'PARTIALLY_SHIPPED') AND ol."sku" = ANY(${skus})
      GROUP BY o."warehouseCode", ol."sku"
    ) a ON a."warehouseCode" = l."warehouseCode" AND a."sku" = l."sku"
    WHERE l."sku" = ANY(${skus}))`;
}

/**
 * Every warehouse the ledger knows, as a JSON array, but only when it stocks none of `skus`: a
 * warehouse that stocks none of the SKUs only matters when no warehouse stocks any of them.
 */
export function fallbackWarehousesJsonSql(skus: string): string {
  return `(SELECT json_agg(DISTINCT "warehouseCode" ORDER BY "warehouseCode") FROM "InventoryLedger" WHERE NOT EXISTS (SELECT 1 FROM "InventoryLedger" WHERE "sku" = ANY(${skus})))`;
}

/**
 * Ranks warehouses: the most lines fully covered first (all lines covered wins), then the
 * most availability across the order's SKUs, then the code, so the choice is deterministic.
 */
export function rankWarehouses(
  lines: readonly { sku: string; quantity: Decimal }[],
  availability: readonly AvailabilityRow[],
  allWarehouses: readonly string[],
): WarehouseCandidate[] {
  const candidates = new Map<string, WarehouseCandidate>();
  for (const code of allWarehouses) candidates.set(code, { warehouseCode: code, linesCovered: 0, totalAvailable: new Decimal(0) });
  const wanted = new Map(lines.map((line) => [line.sku, line.quantity]));
  for (const row of availability) {
    const quantity = wanted.get(row.sku);
    if (quantity === undefined) continue;
    const candidate = candidates.get(row.warehouseCode) ?? { warehouseCode: row.warehouseCode, linesCovered: 0, totalAvailable: new Decimal(0) };
    const available = toDecimal(row.available);
    if (available.gte(quantity)) candidate.linesCovered++;
    candidate.totalAvailable = candidate.totalAvailable.plus(Decimal.max(available, 0));
    candidates.set(row.warehouseCode, candidate);
  }
  return [...candidates.values()].sort(
    (a, b) =>
      b.linesCovered - a.linesCovered ||
      b.totalAvailable.comparedTo(a.totalAvailable) ||
      (a.warehouseCode < b.warehouseCode ? -1 : a.warehouseCode > b.warehouseCode ? 1 : 0),
  );
}

/** null when the ledger knows no warehouse at all. */
export function chooseWarehouse(
  lines: readonly { sku: string; quantity: Decimal }[],
  availability: readonly AvailabilityRow[],
  fallbackWarehouses: readonly string[],
): string | null {
  return rankWarehouses(lines, availability, fallbackWarehouses)[0]?.warehouseCode ?? null;
}
