// What every ERP resolver receives: the request's identity (from the platform), the one
// Prisma client, counted plain-SQL transactions for the hottest writes, and this request's own
// DataLoaders. Loaders are never reused across requests.
import type { RequestContextBase, SqlTransactionRunner } from "@crossdock/platform";
import type { ErpPrisma } from "./db.js";
import { createErpLoaders, type ErpLoaders } from "./loaders.js";

export interface ErpContext extends RequestContextBase {
  prisma: ErpPrisma;
  /** Counted plain-SQL transactions for submitOrder and recordShipment (see commands/submitOrder.ts). */
  transaction: SqlTransactionRunner;
  loaders: ErpLoaders;
}

export function erpContextFactory(prisma: ErpPrisma, transaction: SqlTransactionRunner): (base: RequestContextBase) => ErpContext {
  return (base) => ({ ...base, prisma, transaction, loaders: createErpLoaders(prisma) });
}
