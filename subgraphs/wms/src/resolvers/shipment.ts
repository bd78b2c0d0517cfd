// The Shipment entity (key: shipmentId). References, milestones and the fulfilment all
// resolve through per-request loaders; the order is a reference for the ERP to fill in.
// Receipts (purchase deliveries and returns) resolve the same way.
import { Decimal, toDecimal } from "@crossdock/schema";
import type { Receipt, Shipment } from "../__generated__/prisma/client.js";
import type { WmsContext } from "../context.js";

export const shipmentResolvers = {
  Shipment: {
    __resolveReference: (reference: { shipmentId: string }, ctx: WmsContext) => ctx.loaders.shipmentById.load(reference.shipmentId),
    order: (shipment: Shipment) => ({ orderNumber: shipment.orderNumber }),
    fulfillment: (shipment: Shipment, _: unknown, ctx: WmsContext) => ctx.loaders.fulfillmentById.load(shipment.fulfillmentId),
    milestones: (shipment: Shipment, _: unknown, ctx: WmsContext) => ctx.loaders.milestonesByShipmentId.load(shipment.shipmentId),
    // What left in this shipment: its SHIPMENT movements, summed per sku (out of the bin, so negated).
    lines: async (shipment: Shipment, _: unknown, ctx: WmsContext) => {
      const movements = await ctx.loaders.shipmentMovementsByShipmentId.load(shipment.shipmentId);
      const bySku = new Map<string, Decimal>();
      for (const m of movements) bySku.set(m.sku, (bySku.get(m.sku) ?? new Decimal(0)).minus(toDecimal(m.quantity)));
      return [...bySku].map(([sku, quantity]) => ({ sku, quantity: quantity.toFixed() }));
    },
  },
  Receipt: {
    warehouse: (receipt: Receipt, _: unknown, ctx: WmsContext) => ctx.loaders.warehouseByCode.load(receipt.warehouseCode),
    order: (receipt: Receipt) => (receipt.orderNumber === null ? null : { orderNumber: receipt.orderNumber }),
    lines: (receipt: Receipt, _: unknown, ctx: WmsContext) => ctx.loaders.receiptLinesByNumber.load(receipt.receiptNumber),
  },
};
