// The WMS's one Prisma client, bound to the database the platform opened (PGlite or
// Postgres) and counted statement by statement in the service metrics. Nothing else in
// the package constructs a PrismaClient.
import { countStatements, prismaLogOptions, type Database, type ServiceMetrics } from "@crossdock/platform";
import { PrismaClient } from "./__generated__/prisma/client.js";

export { Prisma } from "./__generated__/prisma/client.js";
export type WmsPrisma = ReturnType<typeof createWmsPrisma>;
/** The client handed to a `$transaction` callback. */
export type WmsTransaction = Parameters<Parameters<WmsPrisma["$transaction"]>[0]>[0];

export function createWmsPrisma(db: Database, metrics: ServiceMetrics) {
  const prisma = new PrismaClient({ adapter: db.adapter, log: [...prismaLogOptions] });
  countStatements(prisma, metrics);
  return prisma;
}
