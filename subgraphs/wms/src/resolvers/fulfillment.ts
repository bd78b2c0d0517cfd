// A fulfilment order: the warehouse's work for (part of) one ERP order. Every relation goes
// through the request's loaders; the order is only a reference the gateway resolves at the ERP.
import type { FulfillmentOrder } from "../__generated__/prisma/client.js";
import type { WmsContext } from "../context.js";

export const fulfillmentResolvers = {
  Fulfillment: {
    order: (fulfillment: FulfillmentOrder) => ({ orderNumber: fulfillment.orderNumber }),
    warehouse: (fulfillment: FulfillmentOrder, _: unknown, ctx: WmsContext) => ctx.loaders.warehouseByCode.load(fulfillment.warehouseCode),
    lines: (fulfillment: FulfillmentOrder, _: unknown, ctx: WmsContext) => ctx.loaders.linesByFulfillmentId.load(fulfillment.fulfillmentId),
    shipments: (fulfillment: FulfillmentOrder, _: unknown, ctx: WmsContext) => ctx.loaders.shipmentsByFulfillmentId.load(fulfillment.fulfillmentId),
  },
};
