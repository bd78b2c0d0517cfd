// Order (owned by the ERP): the cases and timeline the CRM holds about an order number, newest
// first. The CRM never checks that the order exists in the ERP; it only knows the number.
import type { Case, TimelineEntry } from "../__generated__/prisma/client.js";
import type { CrmContext } from "../context.js";
import type { OrderReference } from "./references.js";

export const Order = {
  __resolveReference(reference: OrderReference): OrderReference {
    return { orderNumber: reference.orderNumber };
  },
  cases(order: OrderReference, _args: unknown, ctx: CrmContext): Promise<Case[]> {
    return ctx.loaders.casesByOrderNumber.load(order.orderNumber);
  },
  timeline(order: OrderReference, _args: unknown, ctx: CrmContext): Promise<TimelineEntry[]> {
    return ctx.loaders.timelineByOrderNumber.load(order.orderNumber);
  },
};
