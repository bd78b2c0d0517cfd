// What every ERP resolver receives: the request's identity (from the platform), the one
// Prisma client and this request's own DataLoaders. Loaders are never reused across requests.
import type { RequestContextBase } from "@crossdock/platform";
import type { ErpPrisma } from "./db.js";
import { createErpLoaders, type ErpLoaders } from "./loaders.js";

export interface ErpContext extends RequestContextBase {
  prisma: ErpPrisma;
  loaders: ErpLoaders;
}

export function erpContextFactory(prisma: ErpPrisma): (base: RequestContextBase) => ErpContext {
  return (base) => ({ ...base, prisma, loaders: createErpLoaders(prisma) });
}
