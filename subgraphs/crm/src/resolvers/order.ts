// Order (owned by the ERP): the cases and timeline the CRM holds about an order number, newest
// first. The CRM never checks that the order exists in the ERP; it only knows the number. A
// partner sees only the cases and entries of its own customer about it.
import { mayAccessCustomer } from "@crossdock/platform";
import type { Case, TimelineEntry } from "../__generated__/prisma/client.js";
import type { CrmContext } from "../context.js";
import type { OrderReference } from "./references.js";

export const Order = {
  __resolveReference(reference: OrderReference): OrderReference {
    return { orderNumber: reference.orderNumber };
  },
  async cases(order: OrderReference, _args: unknown, ctx: CrmContext): Promise<Case[]> {
    const rows = await ctx.loaders.casesByOrderNumber.load(order.orderNumber);
    return rows.filter((row) => mayAccessCustomer(ctx.principal, row.customerNumber));
  },
  async timeline(order: OrderReference, _args: unknown, ctx: CrmContext): Promise<TimelineEntry[]> {
    const rows = await ctx.loaders.timelineByOrderNumber.load(order.orderNumber);
    return rows.filter((row) => mayAccessCustomer(ctx.principal, row.customerNumber));
  },
};
