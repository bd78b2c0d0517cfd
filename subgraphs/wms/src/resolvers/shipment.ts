// The Shipment entity (key: shipmentId). References, milestones and the fulfilment all
// resolve through per-request loaders; the order is a reference for the ERP to fill in.
// Receipts (purchase deliveries and returns) resolve the same way.
import { partnerCustomer } from "@crossdock/platform";
import { Decimal, toDecimal } from "@crossdock/schema";
import type { Receipt, Shipment } from "../__generated__/prisma/client.js";
import type { WmsContext } from "../context.js";

/** A shipment's manifest as stored ([{ sku, quantity }]); anything else, even one malformed line, reads as none. */
export function shipmentLines(value: unknown): { sku: string; quantity: string }[] {
  if (!Array.isArray(value)) return [];
  const valid = value.every((line: { sku?: unknown; quantity?: unknown } | null) => typeof line?.sku === "string" && typeof line?.quantity === "string");
  return valid ? (value as { sku: string; quantity: string }[]) : [];
}

export const shipmentResolvers = {
  Shipment: {
    // By key alone the WMS cannot tell whose shipment it is: a partner gets its shipments through its orders.
    __resolveReference: (reference: { shipmentId: string }, ctx: WmsContext) =>
      partnerCustomer(ctx.principal) !== undefined ? null : ctx.loaders.shipmentById.load(reference.shipmentId),
    order: (shipment: Shipment) => ({ orderNumber: shipment.orderNumber }),
    fulfillment: (shipment: Shipment, _: unknown, ctx: WmsContext) => ctx.loaders.fulfillmentById.load(shipment.fulfillmentId),
    milestones: (shipment: Shipment, _: unknown, ctx: WmsContext) => ctx.loaders.milestonesByShipmentId.load(shipment.shipmentId),
    // What left in this shipment: its manifest, written with it; for shipments from before the
    // manifest was kept, its SHIPMENT movements, summed per sku (out of the bin, so negated).
    lines: async (shipment: Shipment, _: unknown, ctx: WmsContext) => {
      const manifest = shipmentLines(shipment.lines);
      if (manifest.length > 0) return manifest;
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
