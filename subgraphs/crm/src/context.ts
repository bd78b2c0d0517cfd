// What every CRM resolver receives: the request's principal, id and logger (from the platform),
// the shared Prisma client and this request's own DataLoaders. It holds no request state
// beyond that, so nothing leaks between callers.
import type { RequestContextBase, SqlQuery } from "@crossdock/platform";
import type { CaseWorkConfig } from "./caseSla.js";
import type { CrmPrisma } from "./db.js";
import { createLoaders, type CrmLoaders } from "./loaders.js";

export interface CrmContext extends RequestContextBase {
  prisma: CrmPrisma;
  /** Plain SQL, counted like Prisma's statements, for the hottest write (a timeline entry in one statement). */
  sql: SqlQuery;
  loaders: CrmLoaders;
  /** SLA per priority and the escalation owner (the CRM's config). */
  caseWork: CaseWorkConfig;
}

export function createCrmContext(prisma: CrmPrisma, sql: SqlQuery, caseWork: CaseWorkConfig): (base: RequestContextBase) => CrmContext {
  return (base) => ({ ...base, prisma, sql, caseWork, loaders: createLoaders(prisma, sql) });
}
