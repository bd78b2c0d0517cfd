// Per-request DataLoaders for every CRM entity fetch and relation: N keys in one request cost
// one SQL statement per loader. Created fresh in createContext; never shared across requests
// (a shared cache would serve one caller's stale rows to another).
import { groupLoader, uniqueLoader, type DataLoader, type SqlQuery } from "@crossdock/platform";
import type { Account, Case, Contact, Owner, TimelineEntry } from "./__generated__/prisma/client.js";
import type { CrmPrisma } from "./db.js";

/** A contact with its account's customer (whose it is, for partner confinement). */
export type ContactWithCustomer = Contact & { customerNumber: string };

/** An account with its owner, read in one statement (the graph nearly always asks for both). */
export type AccountWithOwner = Account & { owner: Owner };

export interface CrmLoaders {
  accountByCustomerNumber: DataLoader<string, AccountWithOwner | null>;
  accountByAccountId: DataLoader<string, AccountWithOwner | null>;
  ownerById: DataLoader<string, Owner | null>;
  contactsByAccountId: DataLoader<string, Contact[]>;
  contactByContactId: DataLoader<string, ContactWithCustomer | null>;
  caseByCaseNumber: DataLoader<string, Case | null>;
  /** Cases not yet RESOLVED, newest first. */
  openCasesByCustomerNumber: DataLoader<string, Case[]>;
  /** Every case that refers to the order, newest first. */
  casesByOrderNumber: DataLoader<string, Case[]>;
  /** Newest first, as the account team reads it. */
  timelineByOrderNumber: DataLoader<string, TimelineEntry[]>;
  /** Oldest first: the steps of the case in the order they happened. */
  timelineByCaseNumber: DataLoader<string, TimelineEntry[]>;
}

const NEWEST_CASE_FIRST = [{ openedAt: "desc" as const }, { caseNumber: "desc" as const }];
const NEWEST_ENTRY_FIRST = [{ occurredAt: "desc" as const }, { id: "desc" as const }];

const ACCOUNTS_WITH_OWNER = `SELECT a."id", a."accountId", a."customerNumber", a."name", a."segment", a."ownerId",
  json_build_object('id', o."id", 'ownerId', o."ownerId", 'name', o."name", 'email', o."email") AS "owner"
  FROM "Account" a JOIN "Owner" o ON o."ownerId" = a."ownerId"`;

export function createLoaders(prisma: CrmPrisma, sql: SqlQuery): CrmLoaders {
  return {
    accountByCustomerNumber: uniqueLoader(
      (keys: readonly string[]) => sql<AccountWithOwner>(`${ACCOUNTS_WITH_OWNER} WHERE a."customerNumber" = ANY($1::text[])`, [[...keys]]),
      (row) => row.customerNumber,
    ),
    accountByAccountId: uniqueLoader(
      (keys: readonly string[]) => sql<AccountWithOwner>(`${ACCOUNTS_WITH_OWNER} WHERE a."accountId" = ANY($1::text[])`, [[...keys]]),
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
    contactByContactId: uniqueLoader(
      (keys: readonly string[]) =>
        sql<ContactWithCustomer>(
          `SELECT c."id", c."contactId", c."accountId", c."name", c."email", c."phone", c."role", a."customerNumber"
           FROM "Contact" c JOIN "Account" a ON a."accountId" = c."accountId" WHERE c."contactId" = ANY($1::text[])`,
          [[...keys]],
        ),
      (row) => row.contactId,
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
    timelineByCaseNumber: groupLoader(
      (keys: readonly string[]) => prisma.timelineEntry.findMany({ where: { caseNumber: { in: [...keys] } }, orderBy: [{ occurredAt: "asc" }, { id: "asc" }] }),
      (row) => row.caseNumber ?? "",
    ),
  };
}
