// @apollo/gateway on the committed supergraph, with each subgraph called through the Crossdock
// data source (subgraphDataSource.ts: headers, coalescing, load shedding, deadline, transport).
// Owns the supergraph's loading and reloading, and the data sources' shutdown.
import { ApolloGateway } from "@apollo/gateway";
import { loadSupergraphSdl } from "@crossdock/schema";
import type { LocalGraphQLHandler, Logger, Registry } from "@crossdock/platform";
import type { GatewayConfig } from "./config.js";
import { withSecurityEnforcedByTheGateway } from "./authorization/index.js";
import { CrossdockSubgraphDataSource } from "./subgraphDataSource.js";
import { loadShedding, loadSheddingMetrics } from "./subgraph-calls/loadShedding.js";

export interface SubgraphServicesOptions {
  config: GatewayConfig;
  logger: Logger;
  registry: Registry;
  /** Subgraphs running in this process, called as functions (the embedded hub). */
  localSubgraphs?: Record<string, LocalGraphQLHandler | undefined> | undefined;
}

export interface SubgraphServices {
  gateway: ApolloGateway;
  /** Swaps in a new supergraph (default: the file again). */
  reload(supergraphSdl?: string): void;
  /** Closes every data source's pooled connections. */
  close(): Promise<void>;
}

export function createSubgraphServices(options: SubgraphServicesOptions): SubgraphServices {
  const { config, logger } = options;
  let supergraphUpdate: ((sdl: string) => void) | undefined;
  const dataSources: CrossdockSubgraphDataSource[] = [];
  const sheddingMetrics = loadSheddingMetrics(options.registry);
  const { overload } = config;
  const gateway = new ApolloGateway({
    // A function, not a string, so reload() can hand @apollo/gateway a new supergraph.
    supergraphSdl: async ({ update }) => {
      supergraphUpdate = update;
      return { supergraphSdl: withSecurityEnforcedByTheGateway(loadSupergraphSdl(config.supergraphPath)) };
    },
    buildService({ name, url }) {
      const configured = config.subgraphUrls[name];
      if (!configured) throw new Error(`No URL configured for subgraph "${name}" (set ${name.toUpperCase()}_URL)`);
      logger.debug({ name, url: configured, placeholder: url }, "subgraph route");
      const local = options.localSubgraphs?.[name];
      const dataSource = new CrossdockSubgraphDataSource({
        name,
        url: configured,
        timeoutMs: config.subgraphTimeoutMs,
        coalesceEntityFetches: config.coalesceEntityFetches,
        principalSecret: config.principalSecret,
        layers: [
          loadShedding({
            subgraph: name,
            maxConcurrent: overload.maxConcurrentPerSubgraph,
            retryAfterSeconds: overload.retryAfterSeconds,
            metrics: sheddingMetrics,
          }),
        ],
        ...(local ? { local } : {}),
      });
      dataSources.push(dataSource);
      return dataSource;
    },
    logger,
  });
  return {
    gateway,
    reload(supergraphSdl) {
      if (!supergraphUpdate) throw new Error("the gateway has not loaded its supergraph yet");
      supergraphUpdate(withSecurityEnforcedByTheGateway(supergraphSdl ?? loadSupergraphSdl(config.supergraphPath)));
    },
    async close() {
      await Promise.all(dataSources.map((dataSource) => dataSource.close()));
    },
  };
}
