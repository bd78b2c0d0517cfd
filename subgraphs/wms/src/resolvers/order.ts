// The WMS's share of the ERP-owned Order: its fulfilment orders. Any order number resolves;
// one the WMS never received has no fulfilments. The gateway brings the ERP's customerNumber
// (@requires): a partner sees the fulfilments of its own customer's orders only.
import { mayAccessCustomer } from "@crossdock/platform";
import type { WmsContext } from "../context.js";

interface OrderReference {
  orderNumber: string;
  customerNumber?: string;
}

export const orderResolvers = {
  Order: {
    __resolveReference: (reference: OrderReference) => reference,
    fulfillments: (order: OrderReference, _: unknown, ctx: WmsContext) =>
      mayAccessCustomer(ctx.principal, order.customerNumber) ? ctx.loaders.fulfillmentsByOrderNumber.load(order.orderNumber) : [],
  },
};
