// Per-request DataLoaders for every CRM entity fetch and relation: N keys in one request cost
// one SQL statement per loader. Created fresh in createContext; never shared across requests
// (a shared cache would serve one caller's stale rows to another).
import { groupLoader, uniqueLoader, type DataLoader } from "@crossdock/platform";
import type { Account, Case, Contact, Owner, TimelineEntry } from "./__generated__/prisma/client.js";
import type { CrmPrisma } from "./db.js";

export interface CrmLoaders {
  accountByCustomerNumber: DataLoader<string, Account | null>;
  accountByAccountId: DataLoader<string, Account | null>;
  ownerById: DataLoader<string, Owner | null>;
  contactsByAccountId: DataLoader<string, Contact[]>;
  caseByCaseNumber: DataLoader<string, Case | null>;
  /** Cases not yet RESOLVED, newest first. */
  openCasesByCustomerNumber: DataLoader<string, Case[]>;
  /** Every case that refers to the order, newest first. */
  casesByOrderNumber: DataLoader<string, Case[]>;
  /** Newest first, as the account team reads it. */
  timelineByOrderNumber: DataLoader<string, TimelineEntry[]>;
}

const NEWEST_CASE_FIRST = [{ openedAt: "desc" as const }, { caseNumber: "desc" as const }];
const NEWEST_ENTRY_FIRST = [{ occurredAt: "desc" as const }, { id: "desc" as const }];

export function createLoaders(prisma: CrmPrisma): CrmLoaders {
  return {
    accountByCustomerNumber: uniqueLoader(
      (keys: readonly string[]) => prisma.account.findMany({ where: { customerNumber: { in: [...keys] } } }),
      (row) => row.customerNumber,
    ),
    accountByAccountId: uniqueLoader(
      (keys: readonly string[]) => prisma.account.findMany({ where: { accountId: { in: [...keys] } } }),
      (row) => row.accountId,
    ),
    ownerById: uniqueLoader(
      (keys: readonly string[]) => prisma.owner.findMany({ where: { ownerId: { in: [...keys] } } }),
      (row) => row.ownerId,
    ),
    contactsByAccountId: groupLoader(
      (keys: readonly string[]) => prisma.contact.findMany({ where: { accountId: { in: [...keys] } }, orderBy: { contactId: "asc" } }),
      (row) => row.accountId,
    ),
    caseByCaseNumber: uniqueLoader(
      (keys: readonly string[]) => prisma.case.findMany({ where: { caseNumber: { in: [...keys] } } }),
      (row) => row.caseNumber,
    ),
    openCasesByCustomerNumber: groupLoader(
      (keys: readonly string[]) =>
        prisma.case.findMany({ where: { customerNumber: { in: [...keys] }, status: { not: "RESOLVED" } }, orderBy: NEWEST_CASE_FIRST }),
      (row) => row.customerNumber,
    ),
    casesByOrderNumber: groupLoader(
      (keys: readonly string[]) => prisma.case.findMany({ where: { orderNumber: { in: [...keys] } }, orderBy: NEWEST_CASE_FIRST }),
      // orderNumber is never null here: the filter above only matches rows that have one.
      (row) => row.orderNumber ?? "",
    ),
    timelineByOrderNumber: groupLoader(
      (keys: readonly string[]) => prisma.timelineEntry.findMany({ where: { orderNumber: { in: [...keys] } }, orderBy: NEWEST_ENTRY_FIRST }),
      (row) => row.orderNumber ?? "",
    ),
  };
}
