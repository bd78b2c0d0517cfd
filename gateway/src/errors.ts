// The gateway's error formatting: limit rules' own codes (QUERY_TOO_DEEP, TOO_MANY_ALIASES)
// survive Apollo's generic GRAPHQL_VALIDATION_FAILED wrapping, and everything unexpected is
// masked by the platform formatter. Stack traces only ever appear in development.
import type { GraphQLFormattedError } from "graphql";
import { GraphQLError } from "graphql";
import { createErrorFormatter, type Logger } from "@crossdock/platform";

export function createGatewayErrorFormatter(logger: Logger, environment: "development" | "production") {
  const mask = createErrorFormatter(logger);
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = error instanceof GraphQLError ? error.originalError : undefined;
    const ownCode = original instanceof GraphQLError ? original.extensions.code : undefined;
    const withCode =
      typeof ownCode === "string" && ownCode !== formatted.extensions?.code
        ? { ...formatted, extensions: { ...formatted.extensions, code: ownCode } }
        : formatted;
    const result = mask(withCode, error);
    if (environment === "development" && formatted.extensions?.stacktrace && result.extensions?.code === "INTERNAL_SERVER_ERROR") {
      return { ...result, extensions: { ...result.extensions, stacktrace: formatted.extensions.stacktrace } };
    }
    return result;
  };
}
