// Picks the warehouse an order ships from when the caller named none, from the ERP's own
// ledger: available = onHand − what open orders there still have to ship. It never rejects
// an order for stock (a short warehouse backorders) and never writes.
import { Decimal, toDecimal } from "@crossdock/schema";
import { Prisma } from "../db.js";
import type { ErpTransaction } from "./transaction.js";

export interface WarehouseCandidate {
  warehouseCode: string;
  linesCovered: number;
  totalAvailable: Decimal;
}

interface AvailabilityRow {
  warehouseCode: string;
  sku: string;
  available: string;
}

/** Available quantity per (warehouse, sku) for the given SKUs, in one statement. */
export async function availabilityFor(tx: ErpTransaction, skus: readonly string[]): Promise<AvailabilityRow[]> {
  return tx.$queryRaw<AvailabilityRow[]>`
    SELECT l."warehouseCode", l."sku", (l."onHand" - COALESCE(a."allocated", 0))::text AS "available"
    FROM "InventoryLedger" l
    LEFT JOIN (
      SELECT o."warehouseCode", ol."sku", SUM(ol."quantity" - ol."quantityShipped") AS "allocated"
      FROM "SalesOrderLine" ol
      JOIN "SalesOrder" o ON o."id" = ol."orderId"
      WHERE o."status" IN ('RELEASED', 'PARTIALLY_SHIPPED') AND ol."sku" IN (${Prisma.join(skus)})
      GROUP BY o."warehouseCode", ol."sku"
    ) a ON a."warehouseCode" = l."warehouseCode" AND a."sku" = l."sku"
    WHERE l."sku" IN (${Prisma.join(skus)})`;
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

export async function listLedgerWarehouses(tx: ErpTransaction): Promise<string[]> {
  const rows = await tx.$queryRaw<{ warehouseCode: string }[]>`SELECT DISTINCT "warehouseCode" FROM "InventoryLedger" ORDER BY "warehouseCode"`;
  return rows.map((row) => row.warehouseCode);
}

/** null when the ledger knows no warehouse at all. */
export async function chooseWarehouse(tx: ErpTransaction, lines: readonly { sku: string; quantity: Decimal }[]): Promise<string | null> {
  const availability = await availabilityFor(
    tx,
    lines.map((line) => line.sku),
  );
  // A warehouse that stocks none of the SKUs only matters when no warehouse stocks any of them.
  const warehouses = availability.length > 0 ? [] : await listLedgerWarehouses(tx);
  return rankWarehouses(lines, availability, warehouses)[0]?.warehouseCode ?? null;
}
