// cancelFulfillment: withdraws a fulfilment before anything of it has shipped and gives its
// reserved stock back. Cancelling a cancelled fulfilment returns it unchanged (flows retry);
// once any quantity has shipped it refuses, because stock already left the building.
import { crossdockError, Decimal, ErrorCode, toDecimal } from "@crossdock/schema";
import type { WmsContext } from "../context.js";
import type { FulfillmentOrder } from "../__generated__/prisma/client.js";
import { lockFulfillment, lockStock, requireText, runWmsWrite } from "./writeSupport.js";

export async function cancelFulfillment(ctx: WmsContext, fulfillmentId: string, reasonText: string): Promise<FulfillmentOrder> {
  const reason = requireText(reasonText, "reason");

  await runWmsWrite(ctx, {
    operation: "cancelFulfillment",
    decide: async (tx) => {
      if (!(await lockFulfillment(tx, fulfillmentId))) {
        throw crossdockError(ErrorCode.UNKNOWN_FULFILLMENT, `No fulfilment ${fulfillmentId}`, { field: "fulfillmentId" });
      }
      const fulfillment = await tx.fulfillmentOrder.findUniqueOrThrow({ where: { fulfillmentId } });
      if (fulfillment.status === "CANCELLED") return { result: { fulfillmentId }, audit: null };
      const lines = await tx.fulfillmentLine.findMany({ where: { fulfillmentId } });
      if (fulfillment.status === "SHIPPED" || fulfillment.status === "EXCEPTION" || lines.some((line) => toDecimal(line.quantityShipped).gt(0))) {
        throw crossdockError(ErrorCode.INVALID_STATE, `Fulfilment ${fulfillmentId} has already shipped; it can no longer be cancelled`, {
          field: "fulfillmentId",
        });
      }

      const now = new Date();
      await lockStock(
        tx,
        fulfillment.warehouseCode,
        lines.map((line) => line.sku),
      );
      const stock = await tx.stock.findMany({ where: { warehouseCode: fulfillment.warehouseCode, sku: { in: lines.map((line) => line.sku) } } });
      for (const line of lines) {
        const row = stock.find((s) => s.sku === line.sku && s.binCode === line.binCode);
        if (!row) continue;
        const release = toDecimal(line.quantity).minus(toDecimal(line.quantityShipped));
        await tx.stock.update({ where: { id: row.id }, data: { reserved: Decimal.max(0, toDecimal(row.reserved).minus(release)).toFixed(), updatedAt: now } });
      }
      await tx.fulfillmentOrder.update({ where: { fulfillmentId }, data: { status: "CANCELLED", cancelReason: reason } });
      return {
        result: { fulfillmentId },
        audit: { entityType: "Fulfillment", entityKey: fulfillmentId, detail: { reason, previousStatus: fulfillment.status } },
      };
    },
  });
  return ctx.prisma.fulfillmentOrder.findUniqueOrThrow({ where: { fulfillmentId } });
}
