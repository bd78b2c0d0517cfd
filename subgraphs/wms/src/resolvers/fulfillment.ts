// A fulfilment order: the warehouse's work for (part of) one ERP order. Every relation goes
// through the request's loaders; the order is only a reference the gateway resolves at the ERP.
import type { FulfillmentOrder } from "../__generated__/prisma/client.js";
import type { WmsContext } from "../context.js";
import type { WarehouseParent } from "./warehouse.js";

export const fulfillmentResolvers = {
  Fulfillment: {
    order: (fulfillment: FulfillmentOrder) => ({ orderNumber: fulfillment.orderNumber }),
    // The key only: the Warehouse resolvers read the row when more than the code is selected.
    warehouse: (fulfillment: FulfillmentOrder): WarehouseParent => ({ code: fulfillment.warehouseCode }),
    lines: (fulfillment: FulfillmentOrder, _: unknown, ctx: WmsContext) => ctx.loaders.linesByFulfillmentId.load(fulfillment.fulfillmentId),
    shipments: (fulfillment: FulfillmentOrder, _: unknown, ctx: WmsContext) => ctx.loaders.shipmentsByFulfillmentId.load(fulfillment.fulfillmentId),
  },
};
