// Query root fields the ERP owns: single lookups go through the request's loaders; lists are
// keyset-paged connections. A partner sees only its own customer: single reads of another
// customer's rows answer null, lists filter in SQL. It never writes.
import { customerFilterFor, EMPTY_PAGE, loadVisible, visibleTo } from "@crossdock/platform";
import { decodeCursor, encodeCursor, pageSize } from "@crossdock/schema";
import type { CustomerStatus, OrderStatus } from "../__generated__/prisma/client.js";
import { toConnection } from "../connection.js";
import type { ErpContext } from "../context.js";
import { decodeOrderCursor, findOrderPage, orderCursor } from "../orderPages.js";
import { daysSalesOutstanding, decodeOverdueCursor, findOverdueInvoices, overdueCursor } from "../receivables.js";

interface PageArgs {
  first?: number | null;
  after?: string | null;
}

function afterKey(after: string | null | undefined): string | null {
  if (after === null || after === undefined) return null;
  return String(decodeCursor(after, 1)[0]);
}

export const Query = {
  order: (_: unknown, args: { orderNumber: string }, ctx: ErpContext) =>
    loadVisible(ctx.principal, ctx.loaders.orderByNumber.load(args.orderNumber), (order) => order.customerNumber),
  customer: (_: unknown, args: { customerNumber: string }, ctx: ErpContext) =>
    visibleTo(ctx.principal, args.customerNumber, ctx.loaders.customerByNumber.load(args.customerNumber)),
  product: (_: unknown, args: { sku: string }, ctx: ErpContext) => ctx.loaders.productBySku.load(args.sku),

  async orders(_: unknown, args: PageArgs & { customerNumber?: string | null; status?: OrderStatus | null }, ctx: ErpContext) {
    const size = pageSize(args.first);
    const customers = customerFilterFor(ctx.principal, args.customerNumber);
    if (!customers) return EMPTY_PAGE;
    const rows = await findOrderPage(ctx.prisma, {
      customerNumber: customers.customerNumber ?? null,
      status: args.status ?? null,
      size,
      after: decodeOrderCursor(args.after),
    });
    for (const row of rows) ctx.loaders.orderByNumber.prime(row.orderNumber, row);
    return toConnection(rows, size, orderCursor);
  },

  purchaseSuggestions(
    _: unknown,
    args: { sku?: string | null; warehouseCode?: string | null; status?: string | null; first?: number | null },
    ctx: ErpContext,
  ) {
    return ctx.prisma.purchaseSuggestion.findMany({
      where: {
        ...(args.sku ? { sku: args.sku } : {}),
        ...(args.warehouseCode ? { warehouseCode: args.warehouseCode } : {}),
        ...(args.status ? { status: args.status } : {}),
      },
      orderBy: { id: "desc" },
      take: pageSize(args.first),
    });
  },

  async overdueInvoices(_: unknown, args: PageArgs, ctx: ErpContext) {
    const size = pageSize(args.first);
    const customers = customerFilterFor(ctx.principal, undefined);
    if (!customers) return EMPTY_PAGE;
    const rows = await findOverdueInvoices(ctx.prisma, { customerNumber: customers.customerNumber, size, after: decodeOverdueCursor(args.after) });
    return toConnection(rows, size, overdueCursor);
  },

  async daysSalesOutstanding(_: unknown, __: unknown, ctx: ErpContext) {
    const customers = customerFilterFor(ctx.principal, undefined);
    if (!customers) return null;
    if (customers.customerNumber !== undefined) return ctx.loaders.daysSalesOutstanding.load(customers.customerNumber);
    return (await daysSalesOutstanding(ctx.prisma, null)).get("") ?? null;
  },

  async customers(_: unknown, args: PageArgs & { status?: CustomerStatus | null }, ctx: ErpContext) {
    const size = pageSize(args.first);
    const after = afterKey(args.after);
    const customers = customerFilterFor(ctx.principal, undefined);
    if (!customers) return EMPTY_PAGE;
    const rows = await ctx.prisma.customer.findMany({
      where: {
        ...(args.status ? { status: args.status } : {}),
        customerNumber: { ...(after !== null ? { gt: after } : {}), ...(customers.customerNumber !== undefined ? { equals: customers.customerNumber } : {}) },
      },
      orderBy: { customerNumber: "asc" },
      take: size + 1,
    });
    for (const row of rows) ctx.loaders.customerByNumber.prime(row.customerNumber, row);
    return toConnection(rows, size, (row) => encodeCursor([row.customerNumber]));
  },

  async products(_: unknown, args: PageArgs & { search?: string | null }, ctx: ErpContext) {
    const size = pageSize(args.first);
    const after = afterKey(args.after);
    const search = args.search?.trim();
    const rows = await ctx.prisma.product.findMany({
      where: {
        ...(after !== null ? { sku: { gt: after } } : {}),
        ...(search
          ? { OR: [{ sku: { contains: search, mode: "insensitive" as const } }, { description: { contains: search, mode: "insensitive" as const } }] }
          : {}),
      },
      orderBy: { sku: "asc" },
      take: size + 1,
    });
    for (const row of rows) ctx.loaders.productBySku.prime(row.sku, row);
    return toConnection(rows, size, (row) => encodeCursor([row.sku]));
  },
};
