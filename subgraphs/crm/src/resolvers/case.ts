// Case: a service case. Its order and customer are references to ERP entities built from the
// numbers stored on the case, so they cost no SQL here.
import type { Case as CaseRow } from "../__generated__/prisma/client.js";
import type { CrmContext } from "../context.js";
import { customerReference, orderReference, type CustomerReference, type OrderReference } from "./references.js";

export const Case = {
  __resolveReference(reference: { caseNumber: string }, ctx: CrmContext): Promise<CaseRow | null> {
    return ctx.loaders.caseByCaseNumber.load(reference.caseNumber);
  },
  order(row: CaseRow): OrderReference | null {
    return orderReference(row.orderNumber);
  },
  customer(row: CaseRow): CustomerReference {
    return customerReference(row.customerNumber);
  },
};
