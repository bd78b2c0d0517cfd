// How the gateway calls a subgraph: the request id and the authenticated principal travel
// in headers, so subgraph logs and authorization see the same caller as the gateway. A
// subgraph's coded rejection (e.g. a Decimal variable it cannot parse, answered with HTTP
// 400) reaches the client with its own code and message, not as an opaque HTTP failure.
import { GraphQLError } from "graphql";
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { encodePrincipal, PRINCIPAL_HEADER, REQUEST_ID_HEADER } from "@crossdock/platform";
import type { GatewayContext } from "./context.js";

interface SubgraphErrorBody {
  errors?: { message?: unknown; extensions?: { code?: unknown; [key: string]: unknown } }[];
}

type DataSourceConfig = ConstructorParameters<typeof RemoteGraphQLDataSource<GatewayContext>>[0];

/**
 * Node's built-in fetch keeps connections to each subgraph alive and pools them; the gateway's
 * default fetcher opens a new TCP connection per subgraph call, which dominates small queries.
 * Every call has a deadline, so a hung subgraph fails the request instead of holding it.
 */
function keepAliveFetcher(timeoutMs: number): NonNullable<DataSourceConfig>["fetcher"] {
  return ((url: string, init?: RequestInit) =>
    fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) })) as unknown as NonNullable<DataSourceConfig>["fetcher"];
}

export class CrossdockSubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(config: DataSourceConfig & { timeoutMs?: number }) {
    const { timeoutMs = 30_000, ...rest } = config;
    super({ fetcher: keepAliveFetcher(timeoutMs), ...rest });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if (!request.http) return;
    if (context?.requestId) request.http.headers.set(REQUEST_ID_HEADER, context.requestId);
    if (context?.principal) request.http.headers.set(PRINCIPAL_HEADER, encodePrincipal(context.principal));
  }

  override async errorFromResponse(response: Parameters<RemoteGraphQLDataSource["errorFromResponse"]>[0]): Promise<GraphQLError> {
    const generic = await super.errorFromResponse(response);
    const body = (generic.extensions.response as { body?: SubgraphErrorBody } | undefined)?.body;
    const first = typeof body === "object" && body !== null ? body.errors?.[0] : undefined;
    if (response.status === 400 && first && typeof first.message === "string" && typeof first.extensions?.code === "string") {
      const { code, ...rest } = first.extensions;
      return new GraphQLError(first.message, { extensions: { ...rest, code } });
    }
    return generic;
  }
}
