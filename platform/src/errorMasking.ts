// Turns whatever a resolver threw into what a client may see. An error that carries an
// explicit code (the registry's, GraphQL's own validation codes, or a subgraph's coded error
// relayed by the gateway) passes through; a database that is away becomes SERVICE_UNAVAILABLE
// (retryable); anything else (a driver error, a bug) becomes a bare INTERNAL_SERVER_ERROR and is
// logged here. No stack or SQL text ever leaves the service.
import type { GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import { databaseUnavailableError, isDatabaseUnavailable } from "./databaseAvailability.js";
import type { Logger } from "./logger.js";

export function createErrorFormatter(logger: Logger): (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError {
  return (formatted, error) => {
    const code = formatted.extensions?.code;
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    if (typeof code === "string" && code !== "INTERNAL_SERVER_ERROR") return { ...formatted, extensions };
    const original = unwrapResolverError(error);
    const where = {
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
    };
    if (isDatabaseUnavailable(original)) {
      logger.warn({ error: original instanceof Error ? original.message : formatted.message, path: formatted.path }, "database unavailable");
      const unavailable = databaseUnavailableError();
      return { message: unavailable.message, ...where, extensions: unavailable.extensions };
    }
    logger.error({ error: original instanceof Error ? original.message : formatted.message, path: formatted.path }, "unexpected error in a resolver");
    return { message: "Internal server error", ...where, extensions: { code: "INTERNAL_SERVER_ERROR" } };
  };
}
