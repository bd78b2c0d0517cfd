// What every ERP resolver receives: the request's identity (from the platform), the one
// Prisma client, counted plain-SQL transactions for the hottest writes, and this request's own
// DataLoaders. Loaders are never reused across requests.
import type { RequestContextBase, SqlTransactionRunner } from "@crossdock/platform";
import type { ErpPrisma } from "./db.js";
import { createErpLoaders, type ErpLoaders } from "./loaders.js";
import { erpWrites, type ErpWrites } from "./writes/transaction.js";

export interface ErpContext extends RequestContextBase {
  prisma: ErpPrisma;
  /** Counted plain-SQL transactions for submitOrder and recordShipment (see writes/submitOrder.ts). */
  transaction: SqlTransactionRunner;
  /** The transactions the write frame runs ERP writes in. */
  writes: ErpWrites;
  loaders: ErpLoaders;
}

export function erpContextFactory(prisma: ErpPrisma, transaction: SqlTransactionRunner): (base: RequestContextBase) => ErpContext {
  const writes = erpWrites(prisma, transaction);
  return (base) => ({ ...base, prisma, transaction, writes, loaders: createErpLoaders(prisma) });
}
