// Queries and mutations that arrive on a subscription transport (graphql-ws allows them) run
// through Apollo Server's full pipeline — limits, plugins, error masking — as over HTTP, with the
// principal the connection authenticated as. The transport held the operation to the trusted
// documents before it got here, so the persisted operations plugin does not count it again.
import { randomUUID } from "node:crypto";
import type { ApolloServer } from "@apollo/server";
import type { Logger, Principal } from "@crossdock/platform";
import type { GatewayContext } from "../../context.js";
import type { EventResponse } from "../resolution/eventShaping.js";

export interface TransportOperation {
  query: string;
  variables?: Readonly<Record<string, unknown>> | null | undefined;
  operationName?: string | null | undefined;
}

export async function executeThroughApollo(
  apollo: ApolloServer<GatewayContext>,
  operation: TransportOperation,
  principal: Principal,
  logger: Logger,
): Promise<EventResponse> {
  const requestId = randomUUID();
  const response = await apollo.executeOperation(
    { query: operation.query, variables: { ...(operation.variables ?? {}) }, ...(operation.operationName ? { operationName: operation.operationName } : {}) },
    { contextValue: { requestId, principal, logger: logger.child({ requestId }), trustedDocumentChecked: true } },
  );
  if (response.body.kind !== "single") return { data: null, errors: [{ message: "Incremental delivery is not supported on this transport" }] };
  const { data, errors } = response.body.singleResult;
  return errors
    ? { data: (data as Record<string, unknown> | null | undefined) ?? null, errors: [...errors] }
    : { data: (data as Record<string, unknown>) ?? null };
}
