// Runs a query through the gateway's own query planner and plan executor (subgraph fetches with
// the caller's principal in the headers) without Apollo Server's HTTP request pipeline: the
// subscription service builds trusted, already-validated documents and batches many of them.
// A batch's root fetch can be answered from the change-feed payloads (entitiesAtChange); every
// other fetch goes to its subgraph exactly as for any query.
import { randomUUID } from "node:crypto";
import type { DocumentNode, GraphQLError, GraphQLSchema, OperationDefinitionNode } from "graphql";
import type { ApolloGateway, GraphQLDataSource, ServiceMap } from "@apollo/gateway";
import type { Logger, Principal } from "@crossdock/platform";
import type { GatewayContext } from "../../context.js";
import { buildQueryPlan, loadedGateway, runQueryPlan, type FederationSchema, type LoadedGateway, type QueryPlan } from "../../apolloGatewayAdapter.js";
import { answeringFromPayloads, type EntitiesAtChange } from "./entitiesAtChange.js";

export type { EntitiesAtChange } from "./entitiesAtChange.js";

export interface GraphQuery {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  source: string;
  operationName: string;
  variables: Record<string, unknown>;
}

export interface GraphResult {
  data?: Record<string, unknown> | null;
  errors?: readonly GraphQLError[];
}

export interface GraphExecutor {
  /** The current API schema (changes when the supergraph is reloaded). */
  schema(): GraphQLSchema;
  /**
   * Executes `query`; `atChange` lets the batch's root fetch be answered from feed payloads; its
   * subgraph calls continue `traceparent` when given.
   */
  execute(query: GraphQuery, principal: Principal, atChange?: EntitiesAtChange, traceparent?: string | null): Promise<GraphResult>;
}

export interface GraphExecutorOptions {
  gateway: ApolloGateway;
  logger: Logger;
  schema: () => GraphQLSchema;
  /** Called when a root fetch was answered from the feed payloads instead of its subgraph. */
  onAnsweredFromPayloads?: () => void;
  /** Called after each subgraph call of a batch resolution, with its duration. */
  onSubgraphFetch?: (subgraph: string, ms: number) => void;
}

const MAX_PLANS = 500;

export function createGraphExecutor(options: GraphExecutorOptions): GraphExecutor {
  // Plans per API schema (a supergraph reload brings a new one) and query text.
  const plans = new WeakMap<FederationSchema, Map<string, QueryPlan>>();
  const planFor = (loaded: LoadedGateway, query: GraphQuery): QueryPlan => {
    let perSchema = plans.get(loaded.apiSchema);
    if (!perSchema) plans.set(loaded.apiSchema, (perSchema = new Map()));
    let plan = perSchema.get(query.source);
    if (!plan) {
      plan = buildQueryPlan(loaded, query.document, query.operationName);
      if (perSchema.size >= MAX_PLANS) perSchema.delete(perSchema.keys().next().value!);
      perSchema.set(query.source, plan);
    }
    return plan;
  };
  const timed = (name: string, source: GraphQLDataSource<Record<string, unknown>>): GraphQLDataSource<Record<string, unknown>> =>
    options.onSubgraphFetch
      ? {
          async process(processOptions) {
            const started = performance.now();
            try {
              return await source.process(processOptions);
            } finally {
              options.onSubgraphFetch?.(name, performance.now() - started);
            }
          },
        }
      : source;
  return {
    schema: options.schema,
    async execute(query, principal, atChange, traceparent = null) {
      const loaded = loadedGateway(options.gateway);
      if (!loaded) throw new Error("the gateway has not loaded a supergraph yet");
      const requestId = randomUUID();
      const context: GatewayContext = { requestId, principal, logger: options.logger.child({ requestId }), traceparent };
      const serviceMap: ServiceMap = Object.create(null) as ServiceMap;
      for (const [name, dataSource] of loaded.dataSources()) {
        serviceMap[name] = atChange ? answeringFromPayloads(timed(name, dataSource), atChange, () => options.onAnsweredFromPayloads?.()) : dataSource;
      }
      return runQueryPlan(loaded, { ...query, plan: planFor(loaded, query), serviceMap, schema: options.schema(), context });
    },
  };
}
