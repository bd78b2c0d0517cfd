// shipFulfillment: everything picked and not yet shipped leaves as one new shipment. Stock
// leaves the bins (onHand and reserved both fall, with a SHIPMENT movement per line) in the
// same transaction. It never ships unpicked quantities and never ships nothing.
import { crossdockError, Decimal, ErrorCode, toDecimal } from "@crossdock/schema";
import type { WmsContext } from "../context.js";
import type { Shipment } from "../__generated__/prisma/client.js";
import { lockFulfillment, lockStock, nextDocumentNumber, requireText, runWmsWrite } from "./writeSupport.js";

export interface ShipFulfillmentInput {
  fulfillmentId: string;
  carrier: string;
  trackingNumber: string;
  idempotencyKey: string;
}

const SHIPPABLE = new Set(["PICKING", "PICKED"]);

export async function shipFulfillment(ctx: WmsContext, input: ShipFulfillmentInput): Promise<Shipment> {
  const carrier = requireText(input.carrier, "carrier");
  const trackingNumber = requireText(input.trackingNumber, "trackingNumber");
  const { fulfillmentId } = input;

  const { shipmentId } = await runWmsWrite(ctx, {
    operation: "shipFulfillment",
    idempotency: { key: input.idempotencyKey, request: input },
    execute: async (tx) => {
      if (!(await lockFulfillment(tx, fulfillmentId))) {
        throw crossdockError(ErrorCode.UNKNOWN_FULFILLMENT, `No fulfilment ${fulfillmentId}`, { field: "fulfillmentId" });
      }
      const fulfillment = await tx.fulfillmentOrder.findUniqueOrThrow({ where: { fulfillmentId } });
      if (!SHIPPABLE.has(fulfillment.status)) {
        throw crossdockError(ErrorCode.INVALID_STATE, `Fulfilment ${fulfillmentId} is ${fulfillment.status}; only PICKING or PICKED fulfilments ship`, {
          field: "fulfillmentId",
        });
      }
      const lines = await tx.fulfillmentLine.findMany({ where: { fulfillmentId }, orderBy: { id: "asc" } });
      const toShip = lines
        .map((line) => ({ line, quantity: toDecimal(line.quantityPicked).minus(toDecimal(line.quantityShipped)) }))
        .filter((entry) => entry.quantity.gt(0));
      if (toShip.length === 0) {
        throw crossdockError(ErrorCode.INVALID_STATE, `Fulfilment ${fulfillmentId} has nothing picked that is not shipped yet`, { field: "fulfillmentId" });
      }

      const warehouseCode = fulfillment.warehouseCode;
      await lockStock(
        tx,
        warehouseCode,
        toShip.map((entry) => entry.line.sku),
      );
      const stock = await tx.stock.findMany({ where: { warehouseCode, sku: { in: toShip.map((entry) => entry.line.sku) } } });
      const stockChanges = toShip.map(({ line, quantity }) => {
        const row = stock.find((s) => s.sku === line.sku && s.binCode === line.binCode);
        if (!row || toDecimal(row.onHand).lt(quantity)) {
          throw crossdockError(
            ErrorCode.INSUFFICIENT_STOCK,
            `Bin ${line.binCode} at ${warehouseCode} holds less ${line.sku} than the ${quantity.toFixed()} to ship`,
            {
              field: "fulfillmentId",
            },
          );
        }
        // Reserved never goes negative even if it drifted; what ships was reserved by this fulfilment.
        return { row, quantity, reserved: Decimal.max(0, toDecimal(row.reserved).minus(quantity)) };
      });

      const now = new Date();
      const shipmentId = await nextDocumentNumber(tx, "SH");
      await tx.shipment.create({
        data: { shipmentId, fulfillmentId, orderNumber: fulfillment.orderNumber, carrier, trackingNumber, status: "CREATED", shippedAt: now },
      });
      await tx.shipmentMilestone.create({ data: { shipmentId, code: "CREATED", location: warehouseCode, occurredAt: now } });
      for (const { line, quantity } of toShip) {
        await tx.fulfillmentLine.update({ where: { id: line.id }, data: { quantityShipped: toDecimal(line.quantityShipped).plus(quantity).toFixed() } });
      }
      for (const change of stockChanges) {
        await tx.stock.update({
          where: { id: change.row.id },
          data: { onHand: toDecimal(change.row.onHand).minus(change.quantity).toFixed(), reserved: change.reserved.toFixed(), updatedAt: now },
        });
      }
      await tx.stockMovement.createMany({
        data: stockChanges.map((change) => ({
          sku: change.row.sku,
          warehouseCode,
          binCode: change.row.binCode,
          quantity: change.quantity.negated().toFixed(),
          reason: "SHIPMENT",
          reference: shipmentId,
          occurredAt: now,
        })),
      });
      const shippedQuantities = new Map(toShip.map((entry) => [entry.line.id, entry.quantity]));
      const fullyShipped = lines.every((line) =>
        toDecimal(line.quantityShipped)
          .plus(shippedQuantities.get(line.id) ?? 0)
          .eq(toDecimal(line.quantity)),
      );
      const status = fullyShipped ? "SHIPPED" : "PICKING";
      await tx.fulfillmentOrder.update({ where: { fulfillmentId }, data: { status } });
      return {
        result: { shipmentId },
        audit: {
          entityType: "Shipment",
          entityKey: shipmentId,
          detail: {
            fulfillmentId,
            carrier,
            trackingNumber,
            fulfillmentStatus: status,
            lines: toShip.map((e) => ({ sku: e.line.sku, quantity: e.quantity.toFixed() })),
          },
        },
      };
    },
  });
  return ctx.prisma.shipment.findUniqueOrThrow({ where: { shipmentId } });
}
