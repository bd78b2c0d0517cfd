// The Crossdock gateway: Apollo Server + @apollo/gateway on the committed supergraph (no
// runtime introspection of subgraphs), with request limits, error masking, a principal in
// the context, health and metrics. It owns no data; every field is resolved by a subgraph.
// Subscriptions (graphql-ws and SSE on the same /graphql) are served from the change feed.
// This file only assembles the parts, one concern per file (docs/gateway.md lists them).
import http from "node:http";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from "@apollo/server/plugin/disabled";
import type { GraphQLSchema } from "graphql";
import {
  ChangeFeedReader,
  closeServer,
  createGraphQLRequestListener,
  createLogger,
  createLocalGraphQLHandler,
  createServiceMetrics,
  listen,
  metricsPlugin,
  openDatabase,
  traceLogFields,
  type DestinationStream,
  type HttpRequestInfo,
  type LocalGraphQLHandler,
} from "@crossdock/platform";
import { loadConfig, type GatewayConfig } from "./config.js";
import type { GatewayContext, PrincipalResolver } from "./context.js";
import { authorizingGateway, subscriptionAuthorizer, SupergraphAccessRules } from "./authorization/index.js";
import { createAuthentication } from "./identity/authentication.js";
import { createConsolePages } from "./consolePages.js";
import { createHttpGuard } from "./transportGuard.js";
import { startSubscriptions } from "./subscriptions/index.js";
import { createSubgraphServices } from "./subgraphServices.js";
import { overloadResponsePlugin } from "./plugins/overloadResponse.js";
import { createGatewayErrorFormatter } from "./errors.js";
import { maxDepthRule } from "./limits/queryDepth.js";
import { maxAliasesRule } from "./limits/aliasCount.js";
import { clientMetricsPlugin, createClientIdentifier, UNKNOWN_CLIENT } from "./client-identification/index.js";
import { costLimitPlugin, maxCostRule, OperationCosts, supergraphCostModel } from "./cost/index.js";
import { startPersistedOperations, type ManifestReload } from "./persistedOperations/index.js";
import { createHttpRateLimit, createRateLimiter, PostgresBuckets, wsOperationAdmission, type MemoryBuckets } from "./rateLimit/index.js";

export { loadConfig, type GatewayConfig };
export type { PersistedOperationsConfig, SafelistMode } from "./config.js";
export { MANIFEST_FORMAT, operationId, parseManifest, type ManifestReload, type PersistedOperation } from "./persistedOperations/index.js";
export type { CallerCredentials, PrincipalResolver } from "./context.js";
export { FLOWS_PRINCIPAL } from "./context.js";
export { createDevIssuer, DEV_AUDIENCE, DEV_ISSUER, type DevIssuer, type TokenRequest } from "./identity/devIssuer.js";
export { createTokenVerifier, type TokenVerifier, type VerifiedToken } from "./identity/tokenVerifier.js";
export { DEV_SERVICE_TOKEN } from "./config.js";
export { SLOW_CONSUMER_CLOSE_CODE, SubscriptionErrorCode } from "./subscriptions/index.js";

export interface RunningGateway {
  url: string;
  /** The gateway's /graphql for callers in this process (the embedded hub's flows): same authentication, same pipeline. */
  local: LocalGraphQLHandler;
  /** Swaps in a new supergraph (default: the file again) without dropping open subscriptions. */
  reloadSupergraph(supergraphSdl?: string): Promise<void>;
  /** Reads the persisted operation manifest again now (it is also watched, and reread on SIGHUP). */
  reloadPersistedOperations(): Promise<ManifestReload>;
  stop(): Promise<void>;
}

export interface GatewayDependencies {
  /** The change feed to serve subscriptions from (embedded mode); otherwise HUB_DATABASE_URL is opened. */
  feed?: ChangeFeedReader;
  /** This process's rate-limit buckets (tests inject one with a clock); shared ones live in the hub's Postgres. */
  rateLimitBuckets?: MemoryBuckets;
  /** Authentication for every transport; default: bearer JWTs (config.identity), the flows' token, or anonymous. */
  resolvePrincipal?: PrincipalResolver;
  /**
   * Subgraphs running in this process (the embedded hub), called as functions instead of over
   * loopback HTTP: the same request, headers (signed principal, request id) and answer.
   */
  localSubgraphs?: Record<string, LocalGraphQLHandler | undefined>;
  /** Where the gateway's log lines go instead of stdout (tests read what was logged). */
  logDestination?: DestinationStream;
}

/** Seconds in which the slowest limited bucket refills completely: an older untouched bucket is full. */
function fullRefillSeconds(config: GatewayConfig): number {
  const limited = [config.rateLimit.callers, config.rateLimit.services].filter((policy) => policy.perMinute > 0);
  return Math.max(60, ...limited.map((policy) => Math.ceil((policy.burst * 60) / policy.perMinute)));
}

export async function start(config: GatewayConfig, deps: GatewayDependencies = {}): Promise<RunningGateway> {
  const logger = createLogger("gateway", config.logLevel, deps.logDestination);
  const metrics = createServiceMetrics("gateway");
  let apiSchema: GraphQLSchema | undefined;
  const services = createSubgraphServices({ config, logger, registry: metrics.registry, localSubgraphs: deps.localSubgraphs });
  const { gateway } = services;
  const { overload } = config;
  gateway.onSchemaLoadOrUpdate(({ apiSchema: next }) => {
    apiSchema = next;
  });
  const httpServer = http.createServer();
  let ready = false;
  const development = config.environment === "development";
  const access = new SupergraphAccessRules(gateway);
  const costLimit = {
    costs: new OperationCosts({ model: supergraphCostModel(gateway), defaultListSize: config.limits.cost.defaultListSize }),
    maxCost: config.limits.cost.maxCost,
  };
  const persisted = await startPersistedOperations({ config: config.persistedOperations, logger, registry: metrics.registry });
  const apollo = new ApolloServer<GatewayContext>({
    // Authorization before planning: fields the caller may not select never reach a subgraph.
    gateway: authorizingGateway(gateway, access),
    csrfPrevention: true,
    // The process entry stops every service in order on SIGINT/SIGTERM; Apollo's own handlers would
    // stop only this server and then re-raise the signal, killing the process mid-shutdown.
    stopOnTerminationSignals: false,
    allowBatchedHttpRequests: config.limits.allowBatchedRequests,
    includeStacktraceInErrorResponses: development,
    // No "Did you mean …?" outside development: suggestions map the schema for anyone who asks.
    hideSchemaDetailsFromClientErrors: !development,
    // Schema discovery is for developers (Sandbox); production clients use the published supergraph.
    introspection: development || config.allowIntrospection,
    validationRules: [maxDepthRule(config.limits.maxDepth), maxAliasesRule(config.limits.maxAliases)],
    formatError: createGatewayErrorFormatter(logger, config.environment),
    logger,
    // With a manifest, ids are the manifest's: Apollo's automatic persisted queries would let any caller add to it.
    ...(persisted ? { persistedQueries: false as const } : {}),
    plugins: [
      ...(persisted ? [persisted.plugin] : []),
      costLimitPlugin({ ...costLimit, registry: metrics.registry }),
      clientMetricsPlugin(metrics.registry),
      overloadResponsePlugin(overload.retryAfterSeconds),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      development
        ? ApolloServerPluginLandingPageLocalDefault({
            embed: true,
            includeCookies: false,
            ...(config.identity.sandboxHeaders ? { headers: config.identity.sandboxHeaders } : {}),
          })
        : ApolloServerPluginLandingPageDisabled(),
      metricsPlugin(metrics),
      // Usage and schema reports to Apollo's hosted services stay off, even where APOLLO_KEY is set.
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
    ],
  });
  await apollo.start();
  const { resolvePrincipal: principalResolver, principalOf } = createAuthentication({ config, logger, resolvePrincipal: deps.resolvePrincipal });
  const formatError = createGatewayErrorFormatter(logger, config.environment);
  const clientOf = createClientIdentifier();
  let feed = deps.feed;
  const ownsFeed = !feed && config.subscriptions.hubDatabaseUrl !== undefined;
  if (!feed && config.subscriptions.hubDatabaseUrl) {
    feed = new ChangeFeedReader({ database: await openDatabase(config.subscriptions.hubDatabaseUrl), ownsDatabase: true });
  }
  if (!feed) logger.warn("no change feed (HUB_DATABASE_URL is not a Postgres URL and none was injected): subscriptions are refused");
  const rateLimiter = createRateLimiter({
    config: config.rateLimit,
    logger,
    registry: metrics.registry,
    ...(deps.rateLimitBuckets ? { local: deps.rateLimitBuckets } : {}),
    // Replicas on one hub Postgres share the buckets; PGlite has one gateway, which keeps its own.
    ...(feed?.database.kind === "postgres" ? { store: new PostgresBuckets({ database: feed.database, forgetAfterSeconds: fullRefillSeconds(config) }) } : {}),
  });
  const subscriptions = await startSubscriptions({
    httpServer,
    apollo,
    gateway,
    schema: () => apiSchema!,
    feed,
    config,
    resolvePrincipal: principalResolver,
    formatError: (error) => formatError(error.toJSON(), error),
    validationRules: [maxDepthRule(config.limits.maxDepth), maxAliasesRule(config.limits.maxAliases), maxCostRule(costLimit)],
    logger,
    registry: metrics.registry,
    authorize: subscriptionAuthorizer(() => apiSchema!, access),
    documents: persisted?.documents,
    admitWsOperation: wsOperationAdmission(rateLimiter, config.rateLimit.trustedProxyHops),
  });
  const handlerOptions = {
    apollo,
    service: "gateway",
    registry: metrics.registry,
    // Not ready before it listens, while it drains, or while its change feed's database is away.
    isReady: async () => ready && ((await feed?.database.reachable()) ?? true),
    maxBodyBytes: config.limits.maxBodyBytes,
    context: async ({ headers, requestId, traceparent }: HttpRequestInfo): Promise<GatewayContext> => {
      const client = clientOf(headers);
      const labels = client === UNKNOWN_CLIENT ? { requestId } : { requestId, client: client.name, clientVersion: client.version };
      return { requestId, principal: await principalOf(headers), client, logger: logger.child({ ...labels, ...traceLogFields(traceparent) }), traceparent };
    },
  };
  const graphqlListener = createGraphQLRequestListener<GatewayContext>(handlerOptions);
  const guard = createHttpGuard({ allowedOrigins: config.allowedOrigins });
  const rateLimit = createHttpRateLimit({ limiter: rateLimiter, principalOf, trustedProxyHops: config.rateLimit.trustedProxyHops });
  const consolePages = config.console ? createConsolePages(config.console) : undefined;
  if (consolePages?.unavailable)
    logger.warn({ reason: consolePages.unavailable }, "the ops console is not served (/console answers 503); the gateway starts without it");
  httpServer.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    // The console's files are static and public (its data is not): served before rate limits.
    if (consolePages?.handles(req)) return consolePages.serve(req, res);
    guard(req, res, () =>
      rateLimit(req, res, () => {
        if (subscriptions.handlesHttp(req)) return void subscriptions.handleHttp(req, res);
        graphqlListener(req, res);
      }),
    );
  });
  const base = await listen(httpServer, config.port, config.host);
  ready = true;
  logger.info({ url: `${base}/graphql`, environment: config.environment, subscriptions: feed ? "on" : "off" }, "gateway listening");
  return {
    url: `${base}/graphql`,
    local: createLocalGraphQLHandler<GatewayContext>(handlerOptions),
    async reloadSupergraph(supergraphSdl) {
      services.reload(supergraphSdl);
      logger.info("supergraph reloaded");
    },
    async reloadPersistedOperations() {
      if (!persisted) throw new Error("no persisted operation manifest is configured (CROSSDOCK_PERSISTED_OPERATIONS)");
      return persisted.reload();
    },
    async stop() {
      ready = false;
      // Drain first: queued events go out, then sockets close with 1001 and clients resume elsewhere.
      await subscriptions.stop();
      await apollo.stop();
      if (httpServer.listening) await closeServer(httpServer);
      await services.close();
      if (ownsFeed) await feed?.close();
      persisted?.close();
    },
  };
}
