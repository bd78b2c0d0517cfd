// The subscription side of the gateway, wired together: the feed tail and fan-out (service),
// batched federated resolution through the gateway's executor, and the two transports on the
// gateway's HTTP server. `stop()` drains: queued events go out before connections close.
import type http from "node:http";
import type { GraphQLFormattedError, GraphQLError, GraphQLSchema, ValidationRule } from "graphql";
import type { ApolloServer } from "@apollo/server";
import type { ApolloGateway } from "@apollo/gateway";
import { requestUrl, type ChangeFeedReader, type Logger, type Registry } from "@crossdock/platform";
import type { SubscriptionAuthorizer } from "../authorization/index.js";
import type { GatewayConfig } from "../config.js";
import type { GatewayContext, PrincipalResolver } from "../context.js";
import type { TrustedDocuments } from "../persistedOperations/index.js";
import { createGraphExecutor } from "./resolution/graphExecution.js";
import { createSseTransport, isSseRequest } from "./transports/sseTransport.js";
import { createSubscriptionMetrics } from "./subscriptionMetrics.js";
import { SubscriptionService } from "./subscriptionService.js";
import { attachWsTransport, type OperationAdmission } from "./transports/wsTransport.js";

export { SLOW_CONSUMER_CLOSE_CODE, SubscriptionErrorCode } from "./subscriptionErrors.js";

export interface SubscriptionsOptions {
  httpServer: http.Server;
  apollo: ApolloServer<GatewayContext>;
  gateway: ApolloGateway;
  schema: () => GraphQLSchema;
  feed: ChangeFeedReader | undefined;
  config: GatewayConfig;
  resolvePrincipal: PrincipalResolver;
  formatError: (error: GraphQLError) => GraphQLFormattedError;
  validationRules: readonly ValidationRule[];
  logger: Logger;
  registry: Registry;
  /** Refuses subscriptions the caller may not read (the gateway's authorization). */
  authorize?: SubscriptionAuthorizer;
  /** Trusted documents, applied to every operation either transport carries. */
  documents?: TrustedDocuments | undefined;
  /** Checked before each graphql-ws operation (the rate limit; SSE is checked at the HTTP door). */
  admitWsOperation?: OperationAdmission;
}

export async function startSubscriptions(options: SubscriptionsOptions) {
  const { config, logger, formatError } = options;
  const limits = config.subscriptions;
  const metrics = createSubscriptionMetrics(options.registry);
  const executor = createGraphExecutor({
    gateway: options.gateway,
    logger,
    schema: options.schema,
    onAnsweredFromPayloads: () => metrics.answeredFromPayloads.inc(),
    onSubgraphFetch: (subgraph, ms) => metrics.subgraphFetches.observe({ subgraph }, ms / 1000),
  });
  const service = new SubscriptionService({
    reader: options.feed,
    executor,
    formatError,
    validationRules: options.validationRules,
    hideSuggestions: config.environment !== "development",
    logger,
    metrics,
    ...(options.authorize ? { authorize: options.authorize } : {}),
    limits: {
      maxQueuedEvents: limits.maxQueuedEvents,
      stallTimeoutMs: limits.stallTimeoutMs,
      maxHeldEvents: limits.maxHeldEvents,
      batchSize: limits.batchSize,
      maxConcurrentResolutions: limits.maxConcurrentResolutions,
      maxInitialEntities: limits.maxInitialEntities,
      feedPageSize: 500,
      feedPollIntervalMs: limits.feedPollIntervalMs,
    },
  });
  await service.start();
  const common = { apollo: options.apollo, service, resolvePrincipal: options.resolvePrincipal, formatError, logger, metrics, documents: options.documents };
  const ws = attachWsTransport({
    ...common,
    httpServer: options.httpServer,
    path: "/graphql",
    keepAliveMs: limits.keepAliveMs,
    allowedOrigins: config.allowedOrigins,
    maxPayloadBytes: config.limits.maxBodyBytes,
    ...(options.admitWsOperation ? { admitOperation: options.admitWsOperation } : {}),
  });
  const sse = createSseTransport({ ...common, maxBodyBytes: config.limits.maxBodyBytes });
  return {
    handlesHttp: (req: http.IncomingMessage) => isSseRequest(req) && requestUrl(req)?.pathname === "/graphql",
    handleHttp: (req: http.IncomingMessage, res: http.ServerResponse) =>
      sse.handle(req, res).catch((error: unknown) => {
        logger.warn({ err: error }, "SSE request failed");
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      }),
    async stop() {
      await service.drain(limits.drainTimeoutMs);
      await ws.close();
      sse.close();
    },
  };
}
