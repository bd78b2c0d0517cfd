// The Crossdock gateway: Apollo Server + @apollo/gateway on the committed supergraph (no
// runtime introspection of subgraphs), with request limits, error masking, a principal in
// the context, health and metrics. It owns no data; every field is resolved by a subgraph.
import http from "node:http";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { ApolloGateway } from "@apollo/gateway";
import { loadSupergraphSdl } from "@crossdock/schema";
import { closeServer, createGraphQLRequestListener, createLogger, createServiceMetrics, listen, metricsPlugin } from "@crossdock/platform";
import { loadConfig, type GatewayConfig } from "./config.js";
import { resolvePrincipal, type GatewayContext } from "./context.js";
import { CrossdockSubgraphDataSource } from "./subgraphDataSource.js";
import { createGatewayErrorFormatter } from "./errors.js";
import { maxDepthRule } from "./limits/queryDepth.js";
import { maxAliasesRule } from "./limits/aliasCount.js";

export { loadConfig, type GatewayConfig };

export interface RunningGateway {
  url: string;
  stop(): Promise<void>;
}

export async function start(config: GatewayConfig): Promise<RunningGateway> {
  const logger = createLogger("gateway", config.logLevel);
  const metrics = createServiceMetrics("gateway");
  const supergraphSdl = loadSupergraphSdl(config.supergraphPath);
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService({ name, url }) {
      const configured = config.subgraphUrls[name];
      if (!configured) throw new Error(`No URL configured for subgraph "${name}" (set ${name.toUpperCase()}_URL)`);
      logger.debug({ name, url: configured, placeholder: url }, "subgraph route");
      return new CrossdockSubgraphDataSource({ url: configured });
    },
    logger,
  });
  const httpServer = http.createServer();
  let ready = false;
  const development = config.environment === "development";
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    csrfPrevention: true,
    allowBatchedHttpRequests: config.limits.allowBatchedRequests,
    includeStacktraceInErrorResponses: development,
    introspection: true,
    validationRules: [maxDepthRule(config.limits.maxDepth), maxAliasesRule(config.limits.maxAliases)],
    formatError: createGatewayErrorFormatter(logger, config.environment),
    logger,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      development ? ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }) : ApolloServerPluginLandingPageDisabled(),
      metricsPlugin(metrics),
    ],
  });
  await apollo.start();
  httpServer.on(
    "request",
    createGraphQLRequestListener<GatewayContext>({
      apollo,
      registry: metrics.registry,
      isReady: () => ready,
      maxBodyBytes: config.limits.maxBodyBytes,
      context: async ({ req, requestId }) => ({ requestId, principal: resolvePrincipal(req), logger: logger.child({ requestId }) }),
    }),
  );
  const base = await listen(httpServer, config.port, config.host);
  ready = true;
  logger.info({ url: `${base}/graphql`, environment: config.environment }, "gateway listening");
  return {
    url: `${base}/graphql`,
    async stop() {
      ready = false;
      await apollo.stop();
      if (httpServer.listening) await closeServer(httpServer);
    },
  };
}
