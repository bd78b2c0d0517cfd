// adjustInventory: books a counted difference at one warehouse as ADJUSTMENT movements and
// changes onHand by exactly those movements. It never lets onHand fall below what open
// fulfilments have reserved, and never touches reserved itself.
import { crossdockError, Decimal, ErrorCode, toDecimal } from "@crossdock/schema";
import type { WmsContext } from "../context.js";
import type { Stock } from "../__generated__/prisma/client.js";
import { stockLevelAt, type StockLevelValue } from "../stockLevels.js";
import { lockStock, parseQuantity, requireText, runWmsWrite, skuEverStocked } from "./writeSupport.js";

export interface AdjustInventoryInput {
  sku: string;
  warehouseCode: string;
  quantityDelta: string;
  reason: string;
  idempotencyKey: string;
}

interface BinChange {
  binCode: string;
  stockId: number | null;
  delta: Decimal;
}

const free = (row: Stock) => Decimal.max(0, toDecimal(row.onHand).minus(toDecimal(row.reserved)));

/** Takes a decrease from the bins with the most free stock first, never below a bin's reserved. */
function planDecrease(rows: readonly Stock[], amount: Decimal): BinChange[] {
  const changes: BinChange[] = [];
  let remaining = amount;
  const byFree = [...rows].sort((a, b) => free(b).comparedTo(free(a)) || (a.binCode < b.binCode ? -1 : 1));
  for (const row of byFree) {
    if (remaining.lte(0)) break;
    const take = Decimal.min(free(row), remaining);
    if (take.lte(0)) continue;
    changes.push({ binCode: row.binCode, stockId: row.id, delta: take.negated() });
    remaining = remaining.minus(take);
  }
  return changes;
}

export async function adjustInventory(ctx: WmsContext, input: AdjustInventoryInput): Promise<StockLevelValue> {
  const delta = parseQuantity(input.quantityDelta, "quantityDelta");
  if (delta.isZero()) throw crossdockError(ErrorCode.INVALID_QUANTITY, "quantityDelta must not be 0", { field: "quantityDelta" });
  const reason = requireText(input.reason, "reason");
  const { sku, warehouseCode } = input;

  await runWmsWrite(ctx, {
    operation: "adjustInventory",
    idempotency: { key: input.idempotencyKey, request: input },
    execute: async (tx) => {
      const warehouse = await tx.warehouse.findUnique({ where: { code: warehouseCode } });
      if (!warehouse) throw crossdockError(ErrorCode.UNKNOWN_WAREHOUSE, `No warehouse ${warehouseCode}`, { field: "warehouseCode" });
      await lockStock(tx, warehouseCode, [sku]);
      let rows = await tx.stock.findMany({ where: { sku, warehouseCode }, orderBy: { binCode: "asc" } });
      if (rows.length === 0) {
        // No stock row to lock yet: two first adjustments of a sku new to this warehouse would both
        // insert one. The warehouse row lock orders them; the second then sees the first's row.
        await tx.$queryRaw`SELECT 1 FROM "Warehouse" WHERE "code" = ${warehouseCode} FOR UPDATE`;
        rows = await tx.stock.findMany({ where: { sku, warehouseCode }, orderBy: { binCode: "asc" } });
      }
      const level = stockLevelAt(rows, sku, warehouseCode);

      let changes: BinChange[];
      if (delta.isNegative()) {
        if (rows.length === 0 && !(await skuEverStocked(tx, sku))) {
          throw crossdockError(ErrorCode.UNKNOWN_SKU, `The WMS has never stocked ${sku}`, { field: "sku" });
        }
        const available = level.onHand.minus(level.reserved);
        if (available.plus(delta).isNegative()) {
          throw crossdockError(ErrorCode.INSUFFICIENT_STOCK, `Only ${available.toFixed()} of ${sku} is available at ${warehouseCode}`, {
            field: "quantityDelta",
            detail: { onHand: level.onHand.toFixed(), reserved: level.reserved.toFixed(), available: available.toFixed() },
          });
        }
        changes = planDecrease(rows, delta.negated());
      } else {
        // A found quantity goes to the bin already holding most of the sku; a sku new to the
        // warehouse goes to its first bin (by code) until someone relocates it.
        const holding = [...rows].sort((a, b) => toDecimal(b.onHand).comparedTo(toDecimal(a.onHand)) || (a.binCode < b.binCode ? -1 : 1))[0];
        if (holding) {
          changes = [{ binCode: holding.binCode, stockId: holding.id, delta }];
        } else {
          const firstBin = await tx.bin.findFirst({ where: { warehouseCode }, orderBy: { code: "asc" } });
          if (!firstBin) throw crossdockError(ErrorCode.INVALID_STATE, `Warehouse ${warehouseCode} has no bins`, { field: "warehouseCode" });
          changes = [{ binCode: firstBin.code, stockId: null, delta }];
        }
      }

      const now = new Date();
      for (const change of changes) {
        if (change.stockId === null) {
          await tx.stock.create({ data: { sku, warehouseCode, binCode: change.binCode, onHand: change.delta.toFixed(), reserved: "0", updatedAt: now } });
        } else {
          await tx.stock.update({ where: { id: change.stockId }, data: { onHand: { increment: change.delta.toFixed() }, updatedAt: now } });
        }
      }
      await tx.stockMovement.createMany({
        data: changes.map((change) => ({
          sku,
          warehouseCode,
          binCode: change.binCode,
          quantity: change.delta.toFixed(),
          reason: "ADJUSTMENT",
          reference: reason,
          occurredAt: now,
        })),
      });
      return {
        result: { sku, warehouseCode },
        audit: {
          entityType: "StockLevel",
          entityKey: `${sku}@${warehouseCode}`,
          detail: { quantityDelta: delta.toFixed(), reason, bins: changes.map((c) => ({ binCode: c.binCode, delta: c.delta.toFixed() })) },
        },
      };
    },
  });

  const rows = await ctx.prisma.stock.findMany({ where: { sku, warehouseCode }, orderBy: { binCode: "asc" } });
  return stockLevelAt(rows, sku, warehouseCode);
}
