// Case: a service case. Its order and customer are references to ERP entities built from the
// numbers stored on the case, so they cost no SQL here.
import { loadVisible } from "@crossdock/platform";
import type { Case as CaseRow, TimelineEntry as TimelineEntryRow } from "../__generated__/prisma/client.js";
import type { CrmContext } from "../context.js";
import { customerReference, orderReference, type CustomerReference, type OrderReference } from "./references.js";

export const Case = {
  __resolveReference(reference: { caseNumber: string }, ctx: CrmContext): Promise<CaseRow | null> {
    // A partner resolves only its own customer's cases; another's reads as null (not found).
    return loadVisible(ctx.principal, ctx.loaders.caseByCaseNumber.load(reference.caseNumber), (row) => row.customerNumber);
  },
  order(row: CaseRow): OrderReference | null {
    return orderReference(row.orderNumber);
  },
  customer(row: CaseRow): CustomerReference {
    return customerReference(row.customerNumber);
  },
  timeline(row: CaseRow, _args: unknown, ctx: CrmContext): Promise<TimelineEntryRow[]> {
    return ctx.loaders.timelineByCaseNumber.load(row.caseNumber);
  },
};
