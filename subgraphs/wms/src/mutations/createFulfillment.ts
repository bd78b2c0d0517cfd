// createFulfillment: opens a fulfilment order for a released ERP order and reserves its stock,
// each line on the warehouse's bin with the most free stock of that sku. Reserving changes
// no onHand, so it writes no movement; it never reserves more than is free in one bin.
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
        const best = [...rows].sort((a, b) => free(b).comparedTo(free(a)))[0];
        if (!best || free(best).lt(line.quantity)) {
          throw crossdockError(ErrorCode.INSUFFICIENT_STOCK, `No bin at ${warehouseCode} has ${line.quantity.toFixed()} of ${line.sku} free`, {
            field: `lines.${line.index}.quantity`,
            detail: { available: best ? Decimal.max(0, free(best)).toFixed() : "0" },
          });
        }
        allocations.push({ sku: line.sku, quantity: line.quantity, row: best });
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
