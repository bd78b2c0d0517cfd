// What every WMS resolver receives: the request's identity (from the platform), the one
// Prisma client and this request's own DataLoaders. Loaders are never reused across requests.
import type { RequestContextBase, SqlQuery, SqlTransactionRunner } from "@crossdock/platform";
import type { WmsPrisma } from "./db.js";
import { createWmsLoaders, type WmsLoaders } from "./loaders.js";

export interface WmsContext extends RequestContextBase {
  prisma: WmsPrisma;
  /** Counted plain SQL for the hottest reads (see loaders.ts). */
  sql: SqlQuery;
  /** Counted plain-SQL transactions for the hottest writes (see writes/writeSupport.ts). */
  transaction: SqlTransactionRunner;
  loaders: WmsLoaders;
}

export function wmsContextFactory(prisma: WmsPrisma, sql: SqlQuery, transaction: SqlTransactionRunner): (base: RequestContextBase) => WmsContext {
  return (base) => ({ ...base, prisma, sql, transaction, loaders: createWmsLoaders(prisma, sql) });
}
