// Starts the WMS subgraph: opens its own database, applies its migrations, seeds the demo
// slice into an empty database, and serves the SDL on its port. It is the package's public
// face (the launcher imports start and loadConfig from here) and holds no business logic.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  countedSql,
  countedTransactions,
  createLogger,
  createServiceMetrics,
  applyOrVerifyMigrations,
  openDatabase,
  startSubgraphServer,
  type LocalGraphQLHandler,
  type Database,
} from "@crossdock/platform";
import type { WmsConfig } from "./config.js";
import { wmsContextFactory } from "./context.js";
import { createWmsPrisma } from "./db.js";
import { resolvers } from "./resolvers/index.js";
import { isDatabaseEmpty, seedDemoSlice } from "./seed.js";

export { loadConfig, DEFAULT_WMS_PORT } from "./config.js";
export type { WmsConfig } from "./config.js";

export const WMS_MIGRATIONS_DIR = fileURLToPath(new URL("../prisma/migrations", import.meta.url));
const TYPE_DEFS = readFileSync(new URL("./schema.graphql", import.meta.url), "utf8");

export interface RunningWms {
  url: string;
  /** Its /graphql for callers in this process (the embedded hub's gateway). */
  local: LocalGraphQLHandler;
  /** The service's own database, for tests and operator tooling in the same process. */
  database: Database;
  stop(): Promise<void>;
}

export async function start(config: WmsConfig): Promise<RunningWms> {
  const logger = createLogger("wms", config.logLevel);
  const metrics = createServiceMetrics("wms");
  const database = await openDatabase(config.databaseUrl);
  const prisma = createWmsPrisma(database, metrics);
  try {
    const migrations = await applyOrVerifyMigrations(database, WMS_MIGRATIONS_DIR, { service: "wms", mode: config.migrations });
    if (migrations.applied.length > 0) logger.info({ applied: migrations.applied }, "wms migrations applied");
    if (config.seed.enabled && (await isDatabaseEmpty(prisma))) {
      const summary = await seedDemoSlice(prisma, config.seed.scale);
      logger.info({ ...summary, scale: config.seed.scale }, "wms demo data seeded");
    }
    const server = await startSubgraphServer({
      name: "wms",
      typeDefs: TYPE_DEFS,
      resolvers,
      port: config.port,
      host: config.host,
      logger,
      metrics,
      createContext: wmsContextFactory(prisma, countedSql(database, metrics), countedTransactions(database, metrics)),
      // Not ready while its database is away (restart, failover): balancers send work elsewhere.
      isReady: () => database.reachable(),
    });
    return {
      url: server.url,
      local: server.local,
      database,
      async stop() {
        await server.stop();
        await prisma.$disconnect();
        await database.close();
      },
    };
  } catch (error) {
    await prisma.$disconnect().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw error;
  }
}
