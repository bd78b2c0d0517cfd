// Order, the ERP-owned entity keyed by orderNumber (a SalesOrder row): customer, lines and
// invoice are relations resolved through per-request loaders, one statement per batch.
import type { GraphQLResolveInfo } from "graphql";
import type { SalesOrder } from "../__generated__/prisma/client.js";
import type { ErpContext } from "../context.js";
import { selectsOnlyKey } from "./keyOnly.js";
import { moneyFields } from "./money.js";

export const Order = {
  ...moneyFields("total"),
  __resolveReference: (reference: { orderNumber: string }, ctx: ErpContext) => ctx.loaders.orderByNumber.load(reference.orderNumber),
  customer: (order: SalesOrder, _: unknown, ctx: ErpContext, info: GraphQLResolveInfo) =>
    selectsOnlyKey(info, "customerNumber") ? { customerNumber: order.customerNumber } : ctx.loaders.customerByNumber.load(order.customerNumber),
  lines: (order: SalesOrder, _: unknown, ctx: ErpContext) => ctx.loaders.linesByOrderId.load(order.id),
  invoice: (order: SalesOrder, _: unknown, ctx: ErpContext) => ctx.loaders.invoiceByOrderId.load(order.id),
  creditMemos: (order: SalesOrder, _: unknown, ctx: ErpContext) => ctx.loaders.creditMemosByOrderNumber.load(order.orderNumber),
};
