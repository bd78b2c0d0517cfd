// Contact: a person at a customer's CRM account. An entity so that other subgraphs can refer to
// one by id (the ops subgraph's search hits); its fields map straight onto the row.
import { loadVisible } from "@crossdock/platform";
import type { CrmContext } from "../context.js";
import type { ContactWithCustomer } from "../loaders.js";

export const Contact = {
  __resolveReference(reference: { contactId: string }, ctx: CrmContext): Promise<ContactWithCustomer | null> {
    // A partner resolves only its own customer's contacts; another's reads as null (not found).
    return loadVisible(ctx.principal, ctx.loaders.contactByContactId.load(reference.contactId), (row) => row.customerNumber);
  },
};
