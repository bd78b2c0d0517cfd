// Turns whatever a resolver threw into what a client may see: registry errors pass through
// with their code; anything else (a driver error, a bug) becomes a bare INTERNAL_SERVER_ERROR
// and is logged here with its detail. No stack or SQL text ever leaves the service.
import type { GraphQLFormattedError } from "graphql";
import { GraphQLError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import type { Logger } from "./logger.js";

const PASS_THROUGH = new Set([
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_USER_INPUT",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "OPERATION_RESOLUTION_FAILURE",
  "BAD_REQUEST",
]);

export function createErrorFormatter(logger: Logger): (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError {
  return (formatted, error) => {
    const original = unwrapResolverError(error);
    const code = formatted.extensions?.code;
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    // Duck-typed rather than instanceof: a second copy of graphql must not unmask anything.
    const originalCode = (original as GraphQLError | undefined)?.extensions?.code;
    if ((original instanceof GraphQLError || (original as Error | undefined)?.name === "GraphQLError") && typeof originalCode === "string") {
      return { ...formatted, extensions: { ...extensions } };
    }
    if (typeof code === "string" && PASS_THROUGH.has(code)) return { ...formatted, extensions: { ...extensions } };
    logger.error({ err: original, path: formatted.path }, "unexpected error in a resolver");
    return {
      message: "Internal server error",
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: "INTERNAL_SERVER_ERROR" },
    };
  };
}
