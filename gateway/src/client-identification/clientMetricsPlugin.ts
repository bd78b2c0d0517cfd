// Per-client figures as an Apollo Server plugin: operations by client, client version,
// operation name and outcome (ok, client_error, error: requestOutcome), and field usage by client
// (fieldUsage.ts). The caller's identity comes from the context (server.ts reads the headers once,
// for logs as well).
import type { ApolloServerPlugin } from "@apollo/server";
import { Counter, operationLabeler, requestOutcome, type Registry } from "@crossdock/platform";
import type { GatewayContext } from "../context.js";
import { UNKNOWN_CLIENT } from "./clientIdentity.js";
import { FieldUsage } from "./fieldUsage.js";

export function clientMetricsPlugin(registry: Registry): ApolloServerPlugin<GatewayContext> {
  const operations = new Counter({
    name: "crossdock_client_operations_total",
    help: "Operations by client (apollographql-client-name/-version), operation name and outcome",
    labelNames: ["client", "client_version", "operation", "outcome"],
    registers: [registry],
  });
  const fieldUsage = new FieldUsage(registry);
  const label = operationLabeler();
  return {
    async requestDidStart() {
      return {
        async executionDidStart({ schema, document, operationName, contextValue }) {
          fieldUsage.record({ schema, document, operationName, client: (contextValue.client ?? UNKNOWN_CLIENT).name });
        },
        async willSendResponse({ operationName, operation, errors, response, contextValue }) {
          const client = contextValue.client ?? UNKNOWN_CLIENT;
          const name = label(operationName ?? operation?.name?.value);
          // As crossdock_graphql_requests_total counts it: from the errors the client receives (masked codes).
          const sent = response.body.kind === "single" ? response.body.singleResult.errors : response.body.initialResult.errors;
          const outcome = requestOutcome(sent ?? errors);
          operations.inc({ client: client.name, client_version: client.version, operation: name, outcome });
          contextValue.logger.debug({ operation: name, client: client.name, clientVersion: client.version, outcome }, "operation");
        },
      };
    },
  };
}
