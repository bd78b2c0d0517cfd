// createFulfillment: opens a fulfilment order for a released ERP order and reserves its stock:
// each sku from the bins with the most free stock first, across as many bins as it takes (one
// fulfilment line per bin). Reserving changes no onHand, so it writes no movement; it never
// reserves more than a bin has free, and refuses a sku the warehouse does not have enough of.
import { idempotencyCaller } from "@crossdock/platform";
import { crossdockError, Decimal, ErrorCode, toDecimal } from "@crossdock/schema";
import type { WmsContext } from "../context.js";
import type { FulfillmentOrder } from "../__generated__/prisma/client.js";
import {
  documentNumberSql,
  lockedStock,
  positiveQuantity,
  rejectDuplicateSkus,
  requireText,
  runWmsSqlWrite,
  skuEverStocked,
  type LockedStockRow,
} from "./writeSupport.js";

export interface CreateFulfillmentInput {
  orderNumber: string;
  warehouseCode: string;
  lines: { sku: string; quantity: string }[];
  idempotencyKey: string;
}

const free = (row: LockedStockRow) => toDecimal(row.onHand).minus(toDecimal(row.reserved));

// The fulfilment, its lines and the bins' reservations in one statement; returns the new fulfilment.
// $1 order, $2 warehouse, $3 externalKey, $4 now, $5-$8 the allocations (sku, bin, quantity, stock row id),
// $9 the creator (the idempotency caller: the externalKey is unique per creator).
const CREATE_SQL = `
WITH fo AS (
  INSERT INTO "FulfillmentOrder" ("fulfillmentId", "orderNumber", "warehouseCode", "status", "externalKey", "createdBy", "createdAt", "updatedAt")
  VALUES (${documentNumberSql("FF")}, $1, $2, 'RELEASED', $3, $9, $4, $4)
  RETURNING *
), a AS (
  SELECT * FROM unnest($5::text[], $6::text[], $7::numeric[], $8::int[]) AS a("sku", "binCode", "quantity", "stockId")
), lines AS (
  INSERT INTO "FulfillmentLine" ("fulfillmentId", "sku", "binCode", "quantity", "quantityPicked", "quantityShipped")
  SELECT fo."fulfillmentId", a."sku", a."binCode", a."quantity", 0, 0 FROM fo, a
), reserve AS (
  UPDATE "Stock" AS s SET "reserved" = s."reserved" + a."quantity", "updatedAt" = $4 FROM a WHERE s."id" = a."stockId"
)
SELECT * FROM fo`;

// Plain SQL (runWmsSqlWrite): one of the writes every order makes, so it spends as few statements
// as it can: the stock rows locked and read in one, the writes in another.
export async function createFulfillment(ctx: WmsContext, input: CreateFulfillmentInput): Promise<FulfillmentOrder> {
  const orderNumber = requireText(input.orderNumber, "orderNumber");
  if (input.lines.length === 0) throw crossdockError(ErrorCode.BAD_USER_INPUT, "lines must not be empty", { field: "lines" });
  rejectDuplicateSkus(input.lines);
  const wanted = input.lines.map((line, index) => ({ sku: line.sku, index, quantity: positiveQuantity(line.quantity, `lines.${index}.quantity`) }));
  const { warehouseCode } = input;

  // The fulfilment this call created; unset when the key was a replay.
  const {
    result: { fulfillmentId },
    written: created,
  } = await runWmsSqlWrite<{ fulfillmentId: string }, FulfillmentOrder>(ctx, {
    operation: "createFulfillment",
    idempotency: { key: input.idempotencyKey, request: input },
    decide: async (tx) => {
      const stock = await lockedStock(
        tx,
        warehouseCode,
        wanted.map((line) => line.sku),
      );
      // A stock row implies its warehouse; without one for some sku, first make sure the warehouse exists.
      if (wanted.some((line) => !stock.some((row) => row.sku === line.sku))) {
        const warehouse = await tx.query(`SELECT 1 FROM "Warehouse" WHERE "code" = $1`, [warehouseCode]);
        if (warehouse.length === 0) throw crossdockError(ErrorCode.UNKNOWN_WAREHOUSE, `No warehouse ${warehouseCode}`, { field: "warehouseCode" });
      }
      const allocations: { sku: string; quantity: Decimal; row: LockedStockRow }[] = [];
      for (const line of wanted) {
        const rows = stock.filter((row) => row.sku === line.sku);
        if (rows.length === 0 && !(await skuEverStocked(tx, line.sku))) {
          throw crossdockError(ErrorCode.UNKNOWN_SKU, `The WMS has never stocked ${line.sku}`, { field: `lines.${line.index}.sku` });
        }
        // Most free first (fewest bins to visit), then by bin code so equal bins split the same way.
        const bins = rows.filter((row) => free(row).gt(0)).sort((a, b) => free(b).comparedTo(free(a)) || a.binCode.localeCompare(b.binCode));
        const available = bins.reduce((sum, row) => sum.plus(free(row)), new Decimal(0));
        if (available.lt(line.quantity)) {
          throw crossdockError(
            ErrorCode.INSUFFICIENT_STOCK,
            `${warehouseCode} has ${available.toFixed()} of ${line.sku} free, not ${line.quantity.toFixed()}`,
            {
              field: `lines.${line.index}.quantity`,
              detail: { available: available.toFixed() },
            },
          );
        }
        let left = line.quantity;
        for (const row of bins) {
          if (left.lte(0)) break;
          const take = Decimal.min(left, free(row));
          allocations.push({ sku: line.sku, quantity: take, row });
          left = left.minus(take);
        }
      }

      const [row] = await tx.query<FulfillmentOrder>(CREATE_SQL, [
        orderNumber,
        warehouseCode,
        input.idempotencyKey,
        new Date(),
        allocations.map((a) => a.sku),
        allocations.map((a) => a.row.binCode),
        allocations.map((a) => a.quantity.toFixed()),
        allocations.map((a) => a.row.id),
        idempotencyCaller(ctx.principal),
      ]);
      const created = row!;
      return {
        result: { fulfillmentId: created.fulfillmentId },
        written: created,
        audit: {
          entityType: "Fulfillment",
          entityKey: created.fulfillmentId,
          detail: { orderNumber, warehouseCode, lines: allocations.map((a) => ({ sku: a.sku, binCode: a.row.binCode, quantity: a.quantity.toFixed() })) },
        },
      };
    },
  });
  return created ?? ctx.prisma.fulfillmentOrder.findUniqueOrThrow({ where: { fulfillmentId } });
}
