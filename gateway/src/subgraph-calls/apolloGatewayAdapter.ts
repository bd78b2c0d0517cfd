// The one place that reaches into @apollo/gateway's internals for subgraph calls: the request
// kind enum (its value is not re-exported from the package root, only its type), the process
// options' shapes, and the operation's cache policy the gateway bounds by each subgraph's answer.
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { GraphQLDataSourceRequestKind } from "@apollo/gateway/dist/datasources/types.js";
import type { GatewayContext } from "../context.js";

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
