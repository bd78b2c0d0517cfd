// flows: the process layer. Reads the change feed from its own durable cursor in the hub
// database, runs each business flow as idempotent steps that write through the gateway as a
// service principal, and serves runs, parked runs and operator actions as the `flows` subgraph.
// In embedded mode the launcher hands over the hub database and the in-process feed bus.
import { readFileSync } from "node:fs";
import {
  createLogger,
  createServiceMetrics,
  openDatabase,
  startSubgraphServer,
  verifyMigrations,
  type Database,
  type LocalGraphQLHandler,
} from "@crossdock/platform";
import { loadConfig, type FlowsConfig } from "./config.js";
import { createFlowsLoaders, type FlowsContext } from "./context.js";
import { FlowEngine } from "./engine/flowEngine.js";
import { createFlowMetrics } from "./engine/flowMetrics.js";
import { FLOWS_MIGRATIONS_DIR, migrateFlows } from "./engine/migrateFlows.js";
import { RunQueries } from "./engine/runQueries.js";
import { resolvers } from "./resolvers/index.js";

export { loadConfig, type FlowsConfig };
export { backoffDelayMs } from "./engine/backoff.js";
export { FLOWS_MIGRATIONS_DIR, migrateFlows } from "./engine/migrateFlows.js";

export const FLOWS_TYPE_DEFS = readFileSync(new URL("./schema.graphql", import.meta.url), "utf8");

/** The in-process change-feed bus (cdc-ingest's FeedBus), structurally: flows import no other service. */
export interface FeedNotifications {
  onApplied(listener: () => void): () => void;
}

export interface FlowsDependencies {
  /** The hub database already opened by cdc-ingest (embedded mode); else opened from the config. */
  hub?: Database;
  /** In-process feed notifications; without them the reader LISTENs on the hub database. */
  feed?: FeedNotifications;
  /** The gateway URL when it is only known after this service started (the launcher starts the gateway last). */
  gatewayUrl?: Promise<string>;
  /**
   * The gateway in this process (the embedded hub): the flows' calls go to it as functions, with
   * the same bearer token and the same pipeline as over HTTP, but no loopback socket.
   */
  localGateway?: Promise<LocalGraphQLHandler | undefined>;
}

export interface RunningFlows {
  url: string;
  /** The flows subgraph's /graphql for callers in this process (the embedded hub's gateway). */
  local: LocalGraphQLHandler;
  /** `abrupt` behaves like a crash: in-flight steps are abandoned without recording anything. */
  stop(options?: { abrupt?: boolean }): Promise<void>;
}

export async function start(config: FlowsConfig, deps: FlowsDependencies = {}): Promise<RunningFlows> {
  const logger = createLogger("flows", config.logLevel);
  const metrics = createServiceMetrics("flows");
  const hub = deps.hub ?? (await openDatabase(config.hubDatabaseUrl));
  const ownsHub = deps.hub === undefined;
  let engine: FlowEngine | undefined;
  let server: Awaited<ReturnType<typeof startSubgraphServer>> | undefined;
  try {
    const applied =
      config.migrations === "verify"
        ? (await verifyMigrations(hub, FLOWS_MIGRATIONS_DIR, { service: "flows", table: "_flows_migrations" })).applied
        : await migrateFlows(hub);
    if (applied.length > 0) logger.info({ applied }, "flows migrations applied");
    const flowMetrics = createFlowMetrics(metrics.registry, hub);
    const queries = new RunQueries(hub);
    if (config.engineEnabled) {
      const feed = deps.feed;
      engine = new FlowEngine({
        config,
        hub,
        gatewayUrl: deps.gatewayUrl ?? config.gatewayUrl,
        ...(deps.localGateway ? { localGateway: deps.localGateway } : {}),
        metrics: flowMetrics,
        logger,
        ...(feed
          ? {
              notifier: async (onCommitted: () => void) => {
                const off = feed.onApplied(() => onCommitted());
                return async () => off();
              },
            }
          : {}),
      });
      await engine.start(config.workerId);
    }
    const running = engine;
    server = await startSubgraphServer<FlowsContext>({
      name: "flows",
      typeDefs: FLOWS_TYPE_DEFS,
      resolvers,
      port: config.port,
      host: config.host,
      logger,
      metrics,
      createContext: (base) => ({ ...base, services: { hub, queries, wakeWorkers: () => running?.wake() }, loaders: createFlowsLoaders(queries) }),
      isReady: () => hub.reachable(),
    });
    const http = server;
    return {
      url: http.url,
      local: http.local,
      async stop(options = {}) {
        await running?.stop(options);
        await http.stop();
        if (ownsHub) await hub.close();
      },
    };
  } catch (error) {
    await engine?.stop({ abrupt: true }).catch(() => undefined);
    await server?.stop().catch(() => undefined);
    if (ownsHub) await hub.close().catch(() => undefined);
    throw error;
  }
}
