// Starts the ERP subgraph: open its own database, apply migrations, seed the demo slice into
// an empty database, and serve the SDL over HTTP. It is the package's public face (start,
// loadConfig, ErpConfig); it never reaches into another service.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  countedTransactions,
  createLogger,
  createServiceMetrics,
  applyOrVerifyMigrations,
  openDatabase,
  startSubgraphServer,
  type Database,
  type LocalGraphQLHandler,
} from "@crossdock/platform";
import type { ErpConfig } from "./config.js";
import { erpContextFactory } from "./context.js";
import { createErpPrisma } from "./db.js";
import { resolvers } from "./resolvers/index.js";
import { isErpDatabaseEmpty, seedErp } from "./seed.js";

export { loadConfig, DEFAULT_ERP_PORT } from "./config.js";
export type { ErpConfig } from "./config.js";

export const ERP_MIGRATIONS_DIR = fileURLToPath(new URL("../prisma/migrations", import.meta.url));
export const ERP_TYPE_DEFS = readFileSync(new URL("./schema.graphql", import.meta.url), "utf8");

// Two ERP processes starting on one empty Postgres database must not both seed it.
const SEED_ADVISORY_LOCK = 4101_0001;

export interface RunningErp {
  url: string;
  /** Its /graphql for callers in this process (the embedded hub's gateway). */
  local: LocalGraphQLHandler;
  /** The service's own database; the embedded launcher hands it to cdc-ingest for capture. */
  database: Database;
  stop(): Promise<void>;
}

export async function start(config: ErpConfig): Promise<RunningErp> {
  const logger = createLogger("erp", config.logLevel);
  const metrics = createServiceMetrics("erp");
  const db = await openDatabase(config.databaseUrl);
  let prisma: ReturnType<typeof createErpPrisma> | undefined;
  try {
    const migrations = await applyOrVerifyMigrations(db, ERP_MIGRATIONS_DIR, { service: "erp", mode: config.migrations });
    if (migrations.applied.length > 0) logger.info({ applied: migrations.applied }, "erp migrations applied");
    prisma = createErpPrisma(db, metrics);
    const client = prisma;
    if (config.seed.enabled) {
      await db.withSession(async (session) => {
        await session.query("SELECT pg_advisory_lock($1)", [SEED_ADVISORY_LOCK]);
        try {
          if (await isErpDatabaseEmpty(client)) {
            const summary = await seedErp(client, { scale: config.seed.scale });
            logger.info({ ...summary, scale: config.seed.scale }, "erp demo data seeded");
          }
        } finally {
          await session.query("SELECT pg_advisory_unlock($1)", [SEED_ADVISORY_LOCK]);
        }
      });
    }
    const server = await startSubgraphServer({
      name: "erp",
      typeDefs: ERP_TYPE_DEFS,
      resolvers,
      port: config.port,
      host: config.host,
      logger,
      metrics,
      createContext: erpContextFactory(client, countedTransactions(db, metrics)),
      // Not ready while its database is away (restart, failover): balancers send work elsewhere.
      isReady: () => db.reachable(),
    });
    return {
      url: server.url,
      local: server.local,
      database: db,
      async stop() {
        await server.stop();
        await client.$disconnect();
        await db.close();
      },
    };
  } catch (error) {
    await prisma?.$disconnect().catch(() => undefined);
    await db.close().catch(() => undefined);
    throw error;
  }
}
