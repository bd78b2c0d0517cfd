// Starts the CRM subgraph: opens its own database, applies its migrations, seeds the demo slice
// on an empty database, and serves the SDL on its port. It is the only place that wires the
// service together; it must never reach into another service's database.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  countedSql,
  createLogger,
  createServiceMetrics,
  applyOrVerifyMigrations,
  openDatabase,
  startSubgraphServer,
  type Database,
  type LocalGraphQLHandler,
} from "@crossdock/platform";
import { DEFAULT_CASE_WORK } from "./caseSla.js";
import { loadConfig, type CrmConfig } from "./config.js";
import { createCrmContext } from "./context.js";
import { createCrmPrisma } from "./db.js";
import { resolvers } from "./resolvers/index.js";
import { seedDemoWorld } from "./seed.js";

export { loadConfig, type CrmConfig };

export const SERVICE_NAME = "crm";
const SDL_PATH = fileURLToPath(new URL("./schema.graphql", import.meta.url));
export const CRM_MIGRATIONS_DIR = fileURLToPath(new URL("../prisma/migrations", import.meta.url));

export interface RunningCrm {
  url: string;
  /** Its /graphql for callers in this process (the embedded hub's gateway). */
  local: LocalGraphQLHandler;
  /** The service's own database; the embedded launcher hands it to cdc-ingest for capture. */
  database: Database;
  stop(): Promise<void>;
}

export async function start(config: CrmConfig): Promise<RunningCrm> {
  const logger = createLogger(SERVICE_NAME, config.logLevel);
  const metrics = createServiceMetrics(SERVICE_NAME);
  const db = await openDatabase(config.databaseUrl);
  try {
    const migrations = await applyOrVerifyMigrations(db, CRM_MIGRATIONS_DIR, { service: SERVICE_NAME, mode: config.migrations });
    logger.info({ database: db.displayUrl, applied: migrations.applied }, "crm database ready");
    const prisma = createCrmPrisma(db, metrics);
    try {
      if (config.seed.enabled) {
        const seeded = await seedDemoWorld(prisma, { scale: config.seed.scale });
        if (seeded.seeded) logger.info(seeded, "crm demo data seeded");
      }
      const server = await startSubgraphServer({
        name: SERVICE_NAME,
        typeDefs: readFileSync(SDL_PATH, "utf8"),
        resolvers,
        port: config.port,
        host: config.host,
        logger,
        metrics,
        createContext: createCrmContext(prisma, countedSql(db, metrics), config.caseWork ?? DEFAULT_CASE_WORK),
        // Not ready while its database is away (restart, failover): balancers send work elsewhere.
        isReady: () => db.reachable(),
      });
      return {
        url: server.url,
        local: server.local,
        database: db,
        async stop() {
          await server.stop();
          await prisma.$disconnect();
          await db.close();
        },
      };
    } catch (error) {
      await prisma.$disconnect();
      throw error;
    }
  } catch (error) {
    await db.close();
    throw error;
  }
}
