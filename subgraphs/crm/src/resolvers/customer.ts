// Customer (owned by the ERP): the CRM's account and open cases for a customer number. A
// reference resolves without touching the database; each field batches through a DataLoader,
// and a customer the CRM has no account for simply has none (null, []). A partner resolves only
// its own customer (another reads as null).
import { visibleTo } from "@crossdock/platform";
import type { Account, Case } from "../__generated__/prisma/client.js";
import type { CrmContext } from "../context.js";
import type { CustomerReference } from "./references.js";

export const Customer = {
  __resolveReference(reference: CustomerReference, ctx: CrmContext): CustomerReference | null {
    return visibleTo(ctx.principal, reference.customerNumber, { customerNumber: reference.customerNumber });
  },
  account(customer: CustomerReference, _args: unknown, ctx: CrmContext): Promise<Account | null> {
    return ctx.loaders.accountByCustomerNumber.load(customer.customerNumber);
  },
  openCases(customer: CustomerReference, _args: unknown, ctx: CrmContext): Promise<Case[]> {
    return ctx.loaders.openCasesByCustomerNumber.load(customer.customerNumber);
  },
};
