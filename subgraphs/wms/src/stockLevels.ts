// Turns per-bin Stock rows into the StockLevel the graph shows (one per sku × warehouse,
// summed over bins, with the bin detail kept). Pure: it never queries, so the same rows
// from a loader or a transaction give the same answer.
import { Decimal, toDecimal } from "@crossdock/schema";
import type { Stock } from "./__generated__/prisma/client.js";

export interface BinStockValue {
  binCode: string;
  onHand: Decimal;
  reserved: Decimal;
}

export interface StockLevelValue {
  sku: string;
  warehouseCode: string;
  onHand: Decimal;
  reserved: Decimal;
  bins: BinStockValue[];
}

/** A per-bin stock row as Prisma returns it (Decimal) or as plain SQL does (exact decimal text). */
export type StockRowLike = Pick<Stock, "sku" | "warehouseCode" | "binCode"> & { onHand: Stock["onHand"] | string; reserved: Stock["reserved"] | string };

export function aggregateStockLevels(rows: readonly StockRowLike[]): StockLevelValue[] {
  const levels = new Map<string, StockLevelValue>();
  for (const row of rows) {
    const key = `${row.sku}\u0000${row.warehouseCode}`;
    let level = levels.get(key);
    if (!level) {
      level = { sku: row.sku, warehouseCode: row.warehouseCode, onHand: new Decimal(0), reserved: new Decimal(0), bins: [] };
      levels.set(key, level);
    }
    const onHand = toDecimal(row.onHand);
    const reserved = toDecimal(row.reserved);
    level.onHand = level.onHand.plus(onHand);
    level.reserved = level.reserved.plus(reserved);
    level.bins.push({ binCode: row.binCode, onHand, reserved });
  }
  return [...levels.values()].sort((a, b) => (a.warehouseCode < b.warehouseCode ? -1 : a.warehouseCode > b.warehouseCode ? 1 : 0));
}

/** The level of one sku at one warehouse; zero with no bins when nothing is stocked there. */
export function stockLevelAt(rows: readonly StockRowLike[], sku: string, warehouseCode: string): StockLevelValue {
  const [level] = aggregateStockLevels(rows.filter((row) => row.sku === sku && row.warehouseCode === warehouseCode));
  return level ?? { sku, warehouseCode, onHand: new Decimal(0), reserved: new Decimal(0), bins: [] };
}
