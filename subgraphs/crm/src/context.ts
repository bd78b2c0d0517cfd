// What every CRM resolver receives: the request's principal, id and logger (from the platform),
// the shared Prisma client and this request's own DataLoaders. It holds no request state
// beyond that, so nothing leaks between callers.
import type { RequestContextBase, SqlQuery } from "@crossdock/platform";
import type { CrmPrisma } from "./db.js";
import { createLoaders, type CrmLoaders } from "./loaders.js";

export interface CrmContext extends RequestContextBase {
  prisma: CrmPrisma;
  /** Plain SQL, counted like Prisma's statements, for the hottest write (a timeline entry in one statement). */
  sql: SqlQuery;
  loaders: CrmLoaders;
}

export function createCrmContext(prisma: CrmPrisma, sql: SqlQuery): (base: RequestContextBase) => CrmContext {
  return (base) => ({ ...base, prisma, sql, loaders: createLoaders(prisma, sql) });
}
