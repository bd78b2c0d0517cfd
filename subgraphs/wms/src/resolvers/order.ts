// The WMS's share of the ERP-owned Order: its fulfilment orders. Any order number resolves;
// one the WMS never received has no fulfilments.
import type { WmsContext } from "../context.js";

interface OrderReference {
  orderNumber: string;
}

export const orderResolvers = {
  Order: {
    __resolveReference: (reference: OrderReference) => ({ orderNumber: reference.orderNumber }),
    fulfillments: (order: OrderReference, _: unknown, ctx: WmsContext) => ctx.loaders.fulfillmentsByOrderNumber.load(order.orderNumber),
  },
};
