// Order, the ERP-owned entity keyed by orderNumber (a SalesOrder row): customer, lines and
// invoice are relations resolved through per-request loaders, one statement per batch.
import type { GraphQLResolveInfo } from "graphql";
import { loadVisible } from "@crossdock/platform";
import type { SalesOrder } from "../__generated__/prisma/client.js";
import type { ErpContext } from "../context.js";
import { selectsOnlyKey } from "./keyOnly.js";
import { moneyToString } from "@crossdock/schema";
import { moneyFields } from "./money.js";

export const Order = {
  ...moneyFields("total"),
  // A partner resolves only its own customer's orders; another's reads as null (not found).
  __resolveReference: (reference: { orderNumber: string }, ctx: ErpContext) =>
    loadVisible(ctx.principal, ctx.loaders.orderByNumber.load(reference.orderNumber), (order) => order.customerNumber),
  customer: (order: SalesOrder, _: unknown, ctx: ErpContext, info: GraphQLResolveInfo) =>
    selectsOnlyKey(info, "customerNumber") ? { customerNumber: order.customerNumber } : ctx.loaders.customerByNumber.load(order.customerNumber),
  lines: (order: SalesOrder, _: unknown, ctx: ErpContext) => ctx.loaders.linesByOrderId.load(order.id),
  invoice: (order: SalesOrder, _: unknown, ctx: ErpContext) => ctx.loaders.invoiceByOrderId.load(order.id),
  creditMemos: (order: SalesOrder, _: unknown, ctx: ErpContext) => ctx.loaders.creditMemosByOrderNumber.load(order.orderNumber),
  async paidAmount(order: SalesOrder, _: unknown, ctx: ErpContext) {
    const invoice = await ctx.loaders.invoiceByOrderId.load(order.id);
    return moneyToString(invoice?.paidAmount ?? 0);
  },
};
