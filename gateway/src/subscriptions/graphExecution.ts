// Runs a query through the gateway's own execution path (query planning, subgraph fetches with
// the caller's principal in the headers) without Apollo Server's HTTP request pipeline: the
// subscription service builds trusted, already-validated documents and batches many of them.
import { createHash, randomUUID } from "node:crypto";
import type { DocumentNode, GraphQLError, GraphQLSchema, OperationDefinitionNode } from "graphql";
import type { ApolloGateway } from "@apollo/gateway";
import type { Logger, Principal } from "@crossdock/platform";
import type { GatewayContext } from "../context.js";

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
  execute(query: GraphQuery, principal: Principal): Promise<GraphResult>;
}

type GatewayExecutorFn = (requestContext: unknown) => Promise<GraphResult>;

export function createGraphExecutor(options: { gateway: ApolloGateway; logger: Logger; schema: () => GraphQLSchema }): GraphExecutor {
  const hashes = new Map<string, string>();
  const queryHash = (source: string) => {
    let hash = hashes.get(source);
    if (!hash) {
      if (hashes.size > 5000) hashes.clear();
      hash = createHash("sha256").update(source).digest("hex");
      hashes.set(source, hash);
    }
    return hash;
  };
  return {
    schema: options.schema,
    async execute(query, principal) {
      const executor = (options.gateway as unknown as { executor: GatewayExecutorFn }).executor;
      const requestId = randomUUID();
      const context: GatewayContext = { requestId, principal, logger: options.logger.child({ requestId }) };
      // The fields ApolloGateway's executor reads from Apollo Server's request context.
      return executor({
        request: { query: query.source, variables: query.variables, operationName: query.operationName },
        document: query.document,
        operation: query.operation,
        operationName: query.operationName,
        source: query.source,
        queryHash: queryHash(query.source),
        schema: options.schema(),
        context,
        logger: context.logger,
        metrics: {},
        overallCachePolicy: undefined,
      });
    },
  };
}
