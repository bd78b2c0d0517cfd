// The one place that reaches into @apollo/gateway's internals. For subgraph calls: the request
// kind enum (its value is not re-exported from the package root, only its type), the process
// options' shapes, and the operation's cache policy the gateway bounds by each subgraph's answer.
// For the subscriptions' own executions: the loaded gateway's planner, schemas and data sources,
// and its plan executor, run without Apollo Server's request pipeline.
import type { DocumentNode, GraphQLSchema, OperationDefinitionNode } from "graphql";
import {
  buildOperationContext,
  executeQueryPlan,
  type ApolloGateway,
  type GraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
  type ServiceMap,
} from "@apollo/gateway";
import { GraphQLDataSourceRequestKind } from "@apollo/gateway/dist/datasources/types.js";
import { operationFromDocument, type Schema } from "@apollo/federation-internals";
import type { QueryPlan, QueryPlanner } from "@apollo/query-planner";
import type { GatewayGraphQLRequestContext } from "@apollo/server-gateway-interface";
import type { GatewayContext } from "./context.js";

export { GraphQLDataSourceRequestKind };

export type ProcessOptions = GraphQLDataSourceProcessOptions<GatewayContext>;
export type GatewayResponse = Awaited<ReturnType<GraphQLDataSource["process"]>>;

/** The client operation a subgraph call serves, when it serves one (not a health check or a schema load). */
export interface IncomingOperation {
  context: GatewayContext;
  /** Bounds the operation's cache policy by a subgraph answer's cache-control header. */
  restrictCachePolicy(cacheControl: string | string[] | undefined): void;
}

export function incomingOperation(options: ProcessOptions): IncomingOperation | undefined {
  if (options.kind !== GraphQLDataSourceRequestKind.INCOMING_OPERATION) return undefined;
  const policy = options.incomingRequestContext.overallCachePolicy as { restrict?: (hint: { maxAge?: number; scope?: string }) => void } | undefined;
  return {
    context: options.context,
    restrictCachePolicy(header) {
      if (!policy?.restrict) return;
      policy.restrict(cacheHintOf(header));
    },
  };
}

/** As @apollo/gateway does: a subgraph's cache-control as a cache hint (no max-age: not cacheable). */
function cacheHintOf(header: string | string[] | undefined): { maxAge: number; scope?: string } {
  const value = Array.isArray(header) ? header.join(",") : (header ?? "");
  const maxAge = /(?:^|,)\s*max-age=(\d+)/.exec(value)?.[1];
  const hint: { maxAge: number; scope?: string } = { maxAge: maxAge ? Number(maxAge) : 0 };
  if (/(?:^|,)\s*private\b/.test(value)) hint.scope = "PRIVATE";
  else if (/(?:^|,)\s*public\b/.test(value)) hint.scope = "PUBLIC";
  return hint;
}

/** The parts of ApolloGateway's loaded state its own executor uses (not public API, stable across 2.x). */
interface GatewayInternals {
  apiSchema?: Schema;
  supergraphSchema?: GraphQLSchema;
  queryPlanner?: QueryPlanner;
  serviceMap: Record<string, { dataSource: GraphQLDataSource<Record<string, unknown>> }>;
  config: { telemetry?: Parameters<typeof executeQueryPlan>[6] };
}

export type { QueryPlan, Schema as FederationSchema };

/** What a query plan is built and run with: the gateway's loaded state, undefined before it has loaded. */
export interface LoadedGateway {
  apiSchema: Schema;
  supergraphSchema: GraphQLSchema;
  planner: QueryPlanner;
  /** The gateway's data source per subgraph. */
  dataSources(): [string, GraphQLDataSource<Record<string, unknown>>][];
  telemetry: Parameters<typeof executeQueryPlan>[6];
}

export function loadedGateway(gateway: ApolloGateway): LoadedGateway | undefined {
  const internals = gateway as unknown as GatewayInternals;
  const { apiSchema, supergraphSchema, queryPlanner } = internals;
  if (!apiSchema || !supergraphSchema || !queryPlanner) return undefined;
  return {
    apiSchema,
    supergraphSchema,
    planner: queryPlanner,
    dataSources: () => Object.entries(internals.serviceMap).map(([name, { dataSource }]) => [name, dataSource]),
    telemetry: internals.config.telemetry,
  };
}

export function buildQueryPlan(loaded: LoadedGateway, document: DocumentNode, operationName: string): QueryPlan {
  return loaded.planner.buildQueryPlan(operationFromDocument(loaded.apiSchema, document, { operationName }));
}

export interface QueryPlanRun {
  plan: QueryPlan;
  serviceMap: ServiceMap;
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  source: string;
  operationName: string;
  variables: Record<string, unknown>;
  context: GatewayContext;
}

/** Runs a plan with @apollo/gateway's executor, handing it the request-context fields it reads. */
export function runQueryPlan(loaded: LoadedGateway, run: QueryPlanRun) {
  const operationContext = buildOperationContext({ schema: run.schema, operationDocument: run.document, operationName: run.operationName });
  const requestContext = {
    request: { query: run.source, variables: run.variables, operationName: run.operationName },
    document: run.document,
    operation: run.operation,
    operationName: run.operationName,
    source: run.source,
    schema: run.schema,
    context: run.context,
    logger: run.context.logger,
    metrics: {},
    overallCachePolicy: undefined,
  } as unknown as GatewayGraphQLRequestContext;
  return executeQueryPlan(run.plan, run.serviceMap, requestContext, operationContext, loaded.supergraphSchema, loaded.apiSchema, loaded.telemetry);
}
