// Starts one federated subgraph: SDL + resolvers -> buildSubgraphSchema -> Apollo Server on
// its own HTTP port, with error masking, metrics and health routes. Each system of record
// (erp, crm, wms), the ops read model and the flows start through here, each enforcing the
// access its SDL declares (schemaAuthorization).
import http from "node:http";
import { ApolloServer, type ApolloServerPlugin, type BaseContext } from "@apollo/server";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from "@apollo/server/plugin/disabled";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap.js";
import { parse } from "graphql";
import type { Logger } from "./logger.js";
import type { ServiceMetrics } from "./metrics.js";
import { createErrorFormatter } from "./errorMasking.js";
import { requestOutcome } from "./requestOutcome.js";
import { closeServer, createGraphQLRequestListener, createLocalGraphQLHandler, listen, type HttpRequestInfo, type LocalGraphQLHandler } from "./httpServer.js";
import { applySchemaAuthorization } from "./schemaAuthorization.js";
import { principalSecretFrom, PRINCIPAL_HEADER, verifyPrincipal, type Principal } from "./principal.js";
import { traceLogFields } from "./tracing.js";

export interface RequestContextBase extends BaseContext {
  requestId: string;
  principal: Principal;
  logger: Logger;
  /** The request's trace (W3C traceparent), for the writes it makes; null when tracing is off. */
  traceparent: string | null;
}

export interface SubgraphServerOptions<TContext extends RequestContextBase> {
  name: string;
  typeDefs: string;
  // Resolver maps are loosely typed by nature; each subgraph types its own resolvers.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  resolvers: GraphQLResolverMap<any>;
  port: number;
  host?: string;
  logger: Logger;
  metrics: ServiceMetrics;
  createContext: (base: RequestContextBase) => TContext | Promise<TContext>;
  isReady?: () => boolean | Promise<boolean>;
  maxBodyBytes?: number;
  /** Verifies the gateway's principal header; default CROSSDOCK_PRINCIPAL_SECRET (or the development secret). */
  principalSecret?: string;
}

export interface RunningServer {
  url: string;
  /** The same /graphql for callers in this process (the embedded hub's gateway). */
  local: LocalGraphQLHandler;
  stop(): Promise<void>;
}

/**
 * Operation names come from clients, so they are bounded before they become metric labels:
 * well-formed names up to a fixed number of distinct ones, everything else is "other".
 */
export function operationLabeler(limit = 200): (name: string | null | undefined) => string {
  const seen = new Set<string>();
  return (name) => {
    if (!name) return "anonymous";
    if (seen.has(name)) return name;
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name) || seen.size >= limit) return "other";
    seen.add(name);
    return name;
  };
}

export function metricsPlugin(metrics: ServiceMetrics): ApolloServerPlugin<BaseContext> {
  const label = operationLabeler();
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse(ctx) {
          const operation = label(ctx.operationName ?? ctx.operation?.name?.value);
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          // The errors as the client receives them (formatted: masked codes), else as raised.
          const body = ctx.response.body;
          const sent = body.kind === "single" ? body.singleResult.errors : body.initialResult.errors;
          metrics.graphqlRequests.inc({ operation, outcome: requestOutcome(sent ?? ctx.errors) });
          metrics.graphqlDuration.observe({ operation }, seconds);
        },
      };
    },
  };
}

export async function startSubgraphServer<TContext extends RequestContextBase>(options: SubgraphServerOptions<TContext>): Promise<RunningServer> {
  const typeDefs = parse(options.typeDefs);
  // Every subgraph enforces its own @authenticated / @requiresScopes from the signed principal.
  const schema = applySchemaAuthorization(buildSubgraphSchema([{ typeDefs, resolvers: options.resolvers }]), typeDefs);
  // Refuses to start in production without a secret of its own (principalSecretFrom throws).
  const secret = options.principalSecret ?? principalSecretFrom(process.env).secret;
  const apollo = new ApolloServer<TContext>({
    schema,
    // The process entry stops every service in order on SIGINT/SIGTERM; Apollo's own handlers would
    // stop only this server and then re-raise the signal, killing the process mid-shutdown.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    formatError: createErrorFormatter(options.logger),
    // Subgraphs sit behind the gateway; CSRF prevention stays on for anyone calling directly.
    csrfPrevention: true,
    // Nothing caches subgraph answers and no usage reporting asks for federated traces, so the
    // per-field hooks of the cache-control and inline-trace plugins (installed by default) are off.
    plugins: [
      metricsPlugin(options.metrics) as ApolloServerPlugin<TContext>,
      ApolloServerPluginCacheControlDisabled() as ApolloServerPlugin<TContext>,
      ApolloServerPluginInlineTraceDisabled() as ApolloServerPlugin<TContext>,
      // Nothing goes to Apollo's hosted services, even where APOLLO_KEY happens to be set.
      ApolloServerPluginUsageReportingDisabled() as ApolloServerPlugin<TContext>,
      ApolloServerPluginSchemaReportingDisabled() as ApolloServerPlugin<TContext>,
    ],
    logger: options.logger,
  });
  await apollo.start();
  const handlerOptions = {
    apollo,
    service: options.name,
    registry: options.metrics.registry,
    isReady: options.isReady ?? (() => true),
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    context: async ({ headers, requestId, traceparent }: HttpRequestInfo) => {
      const principal = verifyPrincipal(headers[PRINCIPAL_HEADER] as string | undefined, secret);
      return options.createContext({ requestId, principal, logger: options.logger.child({ requestId, ...traceLogFields(traceparent) }), traceparent });
    },
  };
  const server = http.createServer(createGraphQLRequestListener<TContext>(handlerOptions));
  server.keepAliveTimeout = 65_000;
  const url = `${await listen(server, options.port, options.host ?? "127.0.0.1")}/graphql`;
  options.logger.info({ url }, `${options.name} subgraph listening`);
  return {
    url,
    local: createLocalGraphQLHandler<TContext>(handlerOptions),
    async stop() {
      await closeServer(server);
      await apollo.stop();
    },
  };
}
