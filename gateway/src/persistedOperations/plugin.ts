// Trusted documents as an Apollo Server plugin. Apollo reads the request's query and its
// persistedQuery extension only after every requestDidStart, so this swaps an id for its listed
// body there and removes the extension (Apollo's own APQ is off: the manifest is the only list).
// Apollo answers a plugin's error cleanly only from didResolveOperation on, so a refused request
// carries a stand-in document that is parsed instead of the caller's and never executes.
import { GraphQLError } from "graphql";
import { HeaderMap, type ApolloServerPlugin, type GraphQLRequest } from "@apollo/server";
import type { GatewayContext } from "../context.js";
import type { TrustedDocuments } from "./trustedDocuments.js";

/** Parsed and validated in place of a refused caller's document (valid against any schema). */
const STAND_IN = "{ __typename }";

export function persistedOperationsPlugin(documents: TrustedDocuments): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ request, contextValue }) {
      // graphql-ws held its queries and mutations to the list already (wsTransport).
      if (contextValue.trustedDocumentChecked) return;
      const admission = documents.admit(request, contextValue.principal, "http");
      withoutPersistedQueryExtension(request);
      if (admission.ok) {
        if (admission.query !== undefined) request.query = admission.query;
        return;
      }
      request.query = STAND_IN;
      delete request.operationName;
      const refusal = withHttpStatus(admission.error);
      return {
        async didResolveOperation() {
          throw refusal;
        },
      };
    },
  };
}

function withoutPersistedQueryExtension(request: GraphQLRequest): void {
  if (request.extensions?.persistedQuery === undefined) return;
  const { persistedQuery: _resolved, ...rest } = request.extensions;
  request.extensions = rest;
}

/**
 * Apollo's conventions: PERSISTED_QUERY_NOT_FOUND is a 200 that is never cached, so Apollo
 * Client's persisted query link retries with the body; other refusals are the client's fault.
 */
function withHttpStatus(error: GraphQLError): GraphQLError {
  const notFound = error.extensions.code === "PERSISTED_QUERY_NOT_FOUND";
  const http = notFound ? { status: 200, headers: new HeaderMap([["cache-control", "private, no-cache, must-revalidate"]]) } : { status: 400 };
  return new GraphQLError(error.message, { extensions: { ...error.extensions, http } });
}
