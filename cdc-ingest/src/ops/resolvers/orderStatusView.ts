// OrderStatusView and the Order.statusView field the ops subgraph contributes to the order. A
// partner sees the status of its own customer's orders only (another's is null).
import { loadVisible } from "@crossdock/platform";
import type { OrderStatusView } from "../../__generated__/prisma/client.js";
import type { OpsContext } from "../context.js";

export const orderStatusViewResolvers = {
  OrderStatusView: {
    order: (view: OrderStatusView) => ({ __typename: "Order", orderNumber: view.orderNumber }),
  },
  Order: {
    __resolveReference: (ref: { orderNumber: string }) => ({ orderNumber: ref.orderNumber }),
    statusView: (order: { orderNumber: string }, _args: unknown, ctx: OpsContext) =>
      loadVisible(ctx.principal, ctx.loaders.orderStatusByNumber.load(order.orderNumber), (view) => view.customerNumber),
  },
};
