// Account: a CRM account, its owning sales rep (read with the account, or through the ownerById loader) and contacts.
// Every relation goes through a DataLoader; an account always links to exactly one customer.
import { loadVisible } from "@crossdock/platform";
import type { Account as AccountRow, Contact, Owner } from "../__generated__/prisma/client.js";
import type { CrmContext } from "../context.js";
import { customerReference, type CustomerReference } from "./references.js";

async function ownerOf(account: AccountRow & { owner?: Owner }, ctx: CrmContext): Promise<Owner> {
  // Accounts from the account loaders come with their owner; others (lists, writes) look it up.
  if (account.owner) return account.owner;
  const owner = await ctx.loaders.ownerById.load(account.ownerId);
  // The foreign key makes a missing owner impossible; fail loudly rather than invent one.
  if (!owner) throw new Error(`account ${account.accountId} has no owner row ${account.ownerId}`);
  return owner;
}

export const Account = {
  __resolveReference(reference: { accountId: string }, ctx: CrmContext): Promise<AccountRow | null> {
    // A partner resolves only its own customer's account.
    return loadVisible(ctx.principal, ctx.loaders.accountByAccountId.load(reference.accountId), (account) => account.customerNumber);
  },
  async owner(account: AccountRow, _args: unknown, ctx: CrmContext): Promise<string> {
    return (await ownerOf(account, ctx)).name;
  },
  async ownerEmail(account: AccountRow, _args: unknown, ctx: CrmContext): Promise<string> {
    return (await ownerOf(account, ctx)).email;
  },
  contacts(account: AccountRow, _args: unknown, ctx: CrmContext): Promise<Contact[]> {
    return ctx.loaders.contactsByAccountId.load(account.accountId);
  },
  customer(account: AccountRow): CustomerReference {
    return customerReference(account.customerNumber);
  },
};
