// The ERP's one Prisma client, bound to the database opened by the platform (PGlite or
// Postgres) and counted statement by statement in the service metrics. Nothing else
// constructs a PrismaClient.
import { countStatements, prismaLogOptions, type Database, type ServiceMetrics } from "@crossdock/platform";
import { PrismaClient } from "./__generated__/prisma/client.js";

export { Prisma } from "./__generated__/prisma/client.js";
export type ErpPrisma = ReturnType<typeof createErpPrisma>;

export function createErpPrisma(db: Database, metrics: ServiceMetrics) {
  const prisma = new PrismaClient({ adapter: db.adapter, log: [...prismaLogOptions] });
  countStatements(prisma, metrics);
  return prisma;
}
