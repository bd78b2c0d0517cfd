// createFulfillment: opens a fulfilment order for a released ERP order and reserves its stock:
// each sku from the bins with the most free stock first, across as many bins as it takes (one
// fulfilment line per bin). Reserving changes no onHand, so it writes no movement; it never
// reserves more than a bin has free, and refuses a sku the warehouse does not have enough of.
import { crossdockError, Decimal, ErrorCode, toDecimal } from "@crossdock/schema";
import type { WmsContext } from "../context.js";
import type { FulfillmentOrder, Stock } from "../__generated__/prisma/client.js";
import { lockStock, nextDocumentNumber, positiveQuantity, rejectDuplicateSkus, requireText, runWmsWrite, skuEverStocked } from "./writeSupport.js";

export interface CreateFulfillmentInput {
  orderNumber: string;
  warehouseCode: string;
  lines: { sku: string; quantity: string }[];
  idempotencyKey: string;
}

const free = (row: Stock) => toDecimal(row.onHand).minus(toDecimal(row.reserved));

export async function createFulfillment(ctx: WmsContext, input: CreateFulfillmentInput): Promise<FulfillmentOrder> {
  const orderNumber = requireText(input.orderNumber, "orderNumber");
  if (input.lines.length === 0) throw crossdockError(ErrorCode.BAD_USER_INPUT, "lines must not be empty", { field: "lines" });
  rejectDuplicateSkus(input.lines);
  const wanted = input.lines.map((line, index) => ({ sku: line.sku, index, quantity: positiveQuantity(line.quantity, `lines.${index}.quantity`) }));
  const { warehouseCode } = input;

  const { fulfillmentId } = await runWmsWrite(ctx, {
    operation: "createFulfillment",
    idempotency: { key: input.idempotencyKey, request: input },
    execute: async (tx) => {
      const warehouse = await tx.warehouse.findUnique({ where: { code: warehouseCode } });
      if (!warehouse) throw crossdockError(ErrorCode.UNKNOWN_WAREHOUSE, `No warehouse ${warehouseCode}`, { field: "warehouseCode" });
      const skus = wanted.map((line) => line.sku);
      await lockStock(tx, warehouseCode, skus);
      const stock = await tx.stock.findMany({ where: { warehouseCode, sku: { in: skus } }, orderBy: { binCode: "asc" } });
      const allocations: { sku: string; quantity: Decimal; row: Stock }[] = [];
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

      const now = new Date();
      const fulfillmentId = await nextDocumentNumber(tx, "FF");
      await tx.fulfillmentOrder.create({
        data: { fulfillmentId, orderNumber, warehouseCode, status: "RELEASED", externalKey: input.idempotencyKey, createdAt: now, updatedAt: now },
      });
      await tx.fulfillmentLine.createMany({
        data: allocations.map((a) => ({
          fulfillmentId,
          sku: a.sku,
          binCode: a.row.binCode,
          quantity: a.quantity.toFixed(),
          quantityPicked: "0",
          quantityShipped: "0",
        })),
      });
      for (const allocation of allocations) {
        await tx.stock.update({
          where: { id: allocation.row.id },
          data: { reserved: toDecimal(allocation.row.reserved).plus(allocation.quantity).toFixed(), updatedAt: now },
        });
      }
      return {
        result: { fulfillmentId },
        audit: {
          entityType: "Fulfillment",
          entityKey: fulfillmentId,
          detail: { orderNumber, warehouseCode, lines: allocations.map((a) => ({ sku: a.sku, binCode: a.row.binCode, quantity: a.quantity.toFixed() })) },
        },
      };
    },
  });
  return ctx.prisma.fulfillmentOrder.findUniqueOrThrow({ where: { fulfillmentId } });
}
