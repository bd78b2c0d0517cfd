// The CRM's one Prisma client, bound to the database the server opened and counted by the
// service metrics. Nothing else constructs a PrismaClient; nothing here knows GraphQL.
import { countStatements, prismaLogOptions, type Database, type ServiceMetrics } from "@crossdock/platform";
import { PrismaClient } from "./__generated__/prisma/client.js";

export type CrmPrisma = PrismaClient;

export function createCrmPrisma(db: Database, metrics: ServiceMetrics): CrmPrisma {
  const prisma = new PrismaClient({ adapter: db.adapter, log: [...prismaLogOptions] });
  countStatements(prisma, metrics);
  return prisma;
}
