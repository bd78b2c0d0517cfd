// How the gateway calls a subgraph: the request id and the authenticated principal travel
// in headers, so subgraph logs and authorization see the same caller as the gateway.
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { encodePrincipal, PRINCIPAL_HEADER, REQUEST_ID_HEADER } from "@crossdock/platform";
import type { GatewayContext } from "./context.js";

export class CrossdockSubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if (!request.http) return;
    if (context?.requestId) request.http.headers.set(REQUEST_ID_HEADER, context.requestId);
    if (context?.principal) request.http.headers.set(PRINCIPAL_HEADER, encodePrincipal(context.principal));
  }
}
