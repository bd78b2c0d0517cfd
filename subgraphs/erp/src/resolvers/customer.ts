// Customer, the ERP-owned entity keyed by customerNumber: resolved by reference through the
// batched loader; its orders page comes from one windowed statement per batch of customers.
// A partner resolves only its own customer (another reads as null).
import { EMPTY_PAGE, mayAccessCustomer, visibleTo } from "@crossdock/platform";
import { pageSize } from "@crossdock/schema";
import type { Customer as CustomerRow } from "../__generated__/prisma/client.js";
import { toConnection } from "../connection.js";
import type { ErpContext } from "../context.js";
import { MAX_PAYMENTS_PAGE } from "../loaders.js";
import { decodeOrderCursor, orderCursor } from "../orderPages.js";
import { moneyFields } from "./money.js";

export const Customer = {
  ...moneyFields("creditLimit", "openBalance"),
  __resolveReference: (reference: { customerNumber: string }, ctx: ErpContext) =>
    visibleTo(ctx.principal, reference.customerNumber, ctx.loaders.customerByNumber.load(reference.customerNumber)),

  async orders(customer: CustomerRow, args: { first?: number | null; after?: string | null }, ctx: ErpContext) {
    if (!mayAccessCustomer(ctx.principal, customer.customerNumber)) return EMPTY_PAGE;
    const size = pageSize(args.first);
    const rows = await ctx.loaders.ordersOfCustomer.load({ customerNumber: customer.customerNumber, size, after: decodeOrderCursor(args.after) });
    for (const row of rows) ctx.loaders.orderByNumber.prime(row.orderNumber, row);
    return toConnection(rows, size, orderCursor);
  },

  daysSalesOutstanding: (customer: CustomerRow, _: unknown, ctx: ErpContext) =>
    mayAccessCustomer(ctx.principal, customer.customerNumber) ? ctx.loaders.daysSalesOutstanding.load(customer.customerNumber) : null,

  async payments(customer: CustomerRow, args: { first?: number | null }, ctx: ErpContext) {
    if (!mayAccessCustomer(ctx.principal, customer.customerNumber)) return [];
    const payments = await ctx.loaders.paymentsOfCustomer.load(customer.customerNumber);
    return payments.slice(0, pageSize(args.first, MAX_PAYMENTS_PAGE));
  },
};
