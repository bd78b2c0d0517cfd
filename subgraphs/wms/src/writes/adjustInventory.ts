// adjustInventory: books a counted difference at one warehouse as ADJUSTMENT movements and
// changes onHand by exactly those movements. It never lets onHand fall below what open
// fulfilments have reserved, and never touches reserved itself.
import { crossdockError, Decimal, ErrorCode, toDecimal } from "@crossdock/schema";
import type { WmsContext } from "../context.js";
import type { SqlTransaction } from "@crossdock/platform";
import { stockLevelAt, type StockLevelValue, type StockRowLike } from "../stockLevels.js";
import { parseQuantity, requireText, runWmsSqlWrite, skuEverStocked } from "./writeSupport.js";

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

type LockedStockRow = StockRowLike & { id: number };

const free = (row: LockedStockRow) => Decimal.max(0, toDecimal(row.onHand).minus(toDecimal(row.reserved)));

/** Takes a decrease from the bins with the most free stock first, never below a bin's reserved. */
function planDecrease(rows: readonly LockedStockRow[], amount: Decimal): BinChange[] {
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

/** The sku's rows at the warehouse, locked (in id order, as every write locks stock) and read in one statement. */
async function lockedStockRows(tx: SqlTransaction, sku: string, warehouseCode: string): Promise<LockedStockRow[]> {
  const rows = await tx.query<LockedStockRow>(
    `SELECT "id", "sku", "warehouseCode", "binCode", "onHand"::text AS "onHand", "reserved"::text AS "reserved"
     FROM "Stock" WHERE "sku" = $1 AND "warehouseCode" = $2 ORDER BY "id" FOR UPDATE`,
    [sku, warehouseCode],
  );
  return rows.sort((a, b) => (a.binCode < b.binCode ? -1 : a.binCode > b.binCode ? 1 : 0));
}

/** Where a found quantity goes when the warehouse holds none of the sku: its first bin (by code). */
async function firstBin(tx: SqlTransaction, warehouseCode: string): Promise<string> {
  const [bin] = await tx.query<{ code: string }>(`SELECT "code" FROM "Bin" WHERE "warehouseCode" = $1 ORDER BY "code" LIMIT 1`, [warehouseCode]);
  if (!bin) throw crossdockError(ErrorCode.INVALID_STATE, `Warehouse ${warehouseCode} has no bins`, { field: "warehouseCode" });
  return bin.code;
}

// Plain SQL (runWmsSqlWrite): the hottest write of the graph, so it saves every statement and
// every Prisma layer it can (the README's "Layout" section says how writes run).
export async function adjustInventory(ctx: WmsContext, input: AdjustInventoryInput): Promise<StockLevelValue> {
  const delta = parseQuantity(input.quantityDelta, "quantityDelta");
  if (delta.isZero()) throw crossdockError(ErrorCode.INVALID_QUANTITY, "quantityDelta must not be 0", { field: "quantityDelta" });
  const reason = requireText(input.reason, "reason");
  const { sku, warehouseCode } = input;

  // The level this write left behind, computed under its locks; unset when the key was a replay.
  const { written: after } = await runWmsSqlWrite<{ sku: string; warehouseCode: string }, StockLevelValue>(ctx, {
    operation: "adjustInventory",
    idempotency: { key: input.idempotencyKey, request: input },
    decide: async (tx) => {
      let rows = await lockedStockRows(tx, sku, warehouseCode);
      if (rows.length === 0) {
        // No stock row to lock yet (a stock row implies its warehouse exists): two first adjustments of
        // a sku new to this warehouse would both insert one. The warehouse row lock orders them; the
        // second then sees the first's row.
        const warehouse = await tx.query(`SELECT 1 FROM "Warehouse" WHERE "code" = $1 FOR UPDATE`, [warehouseCode]);
        if (warehouse.length === 0) throw crossdockError(ErrorCode.UNKNOWN_WAREHOUSE, `No warehouse ${warehouseCode}`, { field: "warehouseCode" });
        rows = await lockedStockRows(tx, sku, warehouseCode);
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
        changes = [holding ? { binCode: holding.binCode, stockId: holding.id, delta } : { binCode: await firstBin(tx, warehouseCode), stockId: null, delta }];
      }

      // The bins' new onHand (an update, or the sku's first row at this warehouse) and their ledger rows, in one statement.
      const now = new Date();
      await tx.query(
        `WITH c AS (SELECT * FROM unnest($1::int[], $2::text[], $3::numeric[]) AS c("id", "binCode", "delta")),
         updated AS (
           UPDATE "Stock" AS s SET "onHand" = s."onHand" + c."delta", "updatedAt" = $4 FROM c WHERE s."id" = c."id" RETURNING s."id"),
         created AS (
           INSERT INTO "Stock" ("sku", "warehouseCode", "binCode", "onHand", "reserved", "updatedAt")
           SELECT $5, $6, c."binCode", c."delta", 0, $4 FROM c WHERE c."id" IS NULL RETURNING "id")
         INSERT INTO "StockMovement" ("sku", "warehouseCode", "binCode", "quantity", "reason", "reference", "occurredAt")
         SELECT $5, $6, c."binCode", c."delta", 'ADJUSTMENT', $7, $4 FROM c`,
        [changes.map((c) => c.stockId), changes.map((c) => c.binCode), changes.map((c) => c.delta.toFixed()), now, sku, warehouseCode, reason],
      );
      const deltas = new Map(changes.map((change) => [change.binCode, change.delta]));
      const updated = rows.map((row) => ({
        ...row,
        onHand: toDecimal(row.onHand)
          .plus(deltas.get(row.binCode) ?? 0)
          .toFixed(),
      }));
      const created = changes
        .filter((c) => c.stockId === null)
        .map((c) => ({ sku, warehouseCode, binCode: c.binCode, onHand: c.delta.toFixed(), reserved: "0" }));
      const after = stockLevelAt([...updated, ...created], sku, warehouseCode);
      return {
        result: { sku, warehouseCode },
        written: after,
        audit: {
          entityType: "StockLevel",
          entityKey: `${sku}@${warehouseCode}`,
          detail: { quantityDelta: delta.toFixed(), reason, bins: changes.map((c) => ({ binCode: c.binCode, delta: c.delta.toFixed() })) },
        },
      };
    },
  });
  if (after) return after;
  const rows = await ctx.prisma.stock.findMany({ where: { sku, warehouseCode }, orderBy: { binCode: "asc" } });
  return stockLevelAt(rows, sku, warehouseCode);
}
