// recordShipmentMilestone: appends a carrier milestone and makes its code the shipment's
// status (DELIVERED also stamps deliveredAt). An EXCEPTION puts the fulfilment into
// EXCEPTION; a later milestone clears it. Nothing may follow DELIVERED.
import { crossdockError, ErrorCode, toDecimal } from "@crossdock/schema";
import type { WmsContext } from "../context.js";
import type { Shipment, ShipmentStatus } from "../__generated__/prisma/client.js";
import { lockFulfillment, lockShipment, runWmsWrite } from "./writeSupport.js";

export interface ShipmentMilestoneInput {
  shipmentId: string;
  code: ShipmentStatus;
  location?: string | null;
  occurredAt?: Date | null;
  note?: string | null;
  idempotencyKey: string;
}

export async function recordShipmentMilestone(ctx: WmsContext, input: ShipmentMilestoneInput): Promise<Shipment> {
  const { shipmentId, code } = input;
  const location = input.location?.trim() || null;
  const note = input.note?.trim() || null;

  await runWmsWrite(ctx, {
    operation: "recordShipmentMilestone",
    // The stored request keeps occurredAt as the client sent it, so a retry without it still matches.
    idempotency: { key: input.idempotencyKey, request: { ...input, occurredAt: input.occurredAt?.toISOString() ?? null } },
    execute: async (tx) => {
      if (!(await lockShipment(tx, shipmentId))) {
        throw crossdockError(ErrorCode.UNKNOWN_SHIPMENT, `No shipment ${shipmentId}`, { field: "shipmentId" });
      }
      const shipment = await tx.shipment.findUniqueOrThrow({ where: { shipmentId } });
      if (shipment.status === "DELIVERED") {
        throw crossdockError(ErrorCode.INVALID_STATE, `Shipment ${shipmentId} is already DELIVERED; no milestone may follow`, { field: "shipmentId" });
      }
      const occurredAt = input.occurredAt ?? new Date();
      await tx.shipmentMilestone.create({ data: { shipmentId, code, location, note, occurredAt } });
      await tx.shipment.update({ where: { shipmentId }, data: { status: code, ...(code === "DELIVERED" ? { deliveredAt: occurredAt } : {}) } });

      const { fulfillmentId } = shipment;
      await lockFulfillment(tx, fulfillmentId);
      const fulfillment = await tx.fulfillmentOrder.findUniqueOrThrow({ where: { fulfillmentId } });
      let fulfillmentStatus = fulfillment.status;
      if (code === "EXCEPTION") {
        fulfillmentStatus = "EXCEPTION";
      } else if (fulfillment.status === "EXCEPTION" && (await tx.shipment.count({ where: { fulfillmentId, status: "EXCEPTION" } })) === 0) {
        // Every shipment of the fulfilment has moved on, so the exception is over: back to where
        // the lines say it is. (Another shipment still in EXCEPTION keeps the fulfilment there.)
        const lines = await tx.fulfillmentLine.findMany({ where: { fulfillmentId } });
        fulfillmentStatus = lines.every((line) => toDecimal(line.quantityShipped).eq(toDecimal(line.quantity))) ? "SHIPPED" : "PICKING";
      }
      if (fulfillmentStatus !== fulfillment.status) await tx.fulfillmentOrder.update({ where: { fulfillmentId }, data: { status: fulfillmentStatus } });
      return {
        result: { shipmentId },
        audit: { entityType: "Shipment", entityKey: shipmentId, detail: { code, location, note, occurredAt: occurredAt.toISOString(), fulfillmentStatus } },
      };
    },
  });
  return ctx.prisma.shipment.findUniqueOrThrow({ where: { shipmentId } });
}
