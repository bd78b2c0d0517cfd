// The Shipment entity (key: shipmentId). References, milestones and the fulfilment all
// resolve through per-request loaders; the order is a reference for the ERP to fill in.
import type { Shipment } from "../__generated__/prisma/client.js";
import type { WmsContext } from "../context.js";

export const shipmentResolvers = {
  Shipment: {
    __resolveReference: (reference: { shipmentId: string }, ctx: WmsContext) => ctx.loaders.shipmentById.load(reference.shipmentId),
    order: (shipment: Shipment) => ({ orderNumber: shipment.orderNumber }),
    fulfillment: (shipment: Shipment, _: unknown, ctx: WmsContext) => ctx.loaders.fulfillmentById.load(shipment.fulfillmentId),
    milestones: (shipment: Shipment, _: unknown, ctx: WmsContext) => ctx.loaders.milestonesByShipmentId.load(shipment.shipmentId),
  },
};
