// recordShipmentMilestone: appends a carrier milestone and makes its code the shipment's
// status (DELIVERED also stamps deliveredAt). An EXCEPTION puts the fulfilment into
// EXCEPTION; a later milestone clears it. Carrier feeds deliver scans late and out of order:
// a milestone older than the shipment's latest one joins the history without moving the
// status back. Nothing may happen after DELIVERED, and a shipment is delivered once.
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
      const occurredAt = input.occurredAt ?? new Date();
      if (shipment.status === "DELIVERED" && (code === "DELIVERED" || !shipment.deliveredAt || occurredAt > shipment.deliveredAt)) {
        throw crossdockError(ErrorCode.INVALID_STATE, `Shipment ${shipmentId} is already DELIVERED; no milestone may follow`, { field: "shipmentId" });
      }
      const later = await tx.shipmentMilestone.findFirst({ where: { shipmentId, occurredAt: { gt: occurredAt } }, select: { id: true } });
      await tx.shipmentMilestone.create({ data: { shipmentId, code, location, note, occurredAt } });
      if (later) {
        // A late scan: history only; the shipment and its fulfilment stay where the newer milestones put them.
        return {
          result: { shipmentId },
          audit: { entityType: "Shipment", entityKey: shipmentId, detail: { code, location, note, occurredAt: occurredAt.toISOString(), late: true } },
        };
      }
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
