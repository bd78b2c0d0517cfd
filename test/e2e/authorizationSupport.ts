// For the authorization suites: a gateway on the test hub's subgraphs whose callers say who
// they are in a test header (the principal, base64 JSON), so a suite can try every scope set,
// partners and anonymous callers without a token issuer; the subgraphs still receive the
// principal signed, as from any gateway. Plus principals by scope and the hub's sample keys.
import { loadConfig, start, type RunningGateway } from "@crossdock/gateway";
import { ALL_SCOPES, ANONYMOUS, decodePrincipal, encodePrincipal, type Principal } from "@crossdock/platform";
import { graphql, type GraphQLResponse } from "../src/index.js";
import type { TestHub } from "./hubHarness.js";

export const TEST_PRINCIPAL_HEADER = "x-test-principal";

export async function startTestPrincipalGateway(t: TestHub): Promise<RunningGateway> {
  const base = loadConfig({ ...process.env, LOG_LEVEL: "warn", NODE_ENV: "development" });
  return start(
    { ...base, port: 0, host: "127.0.0.1", subgraphUrls: { ...base.subgraphUrls, ...t.hub.subgraphUrls, flows: t.hub.flows.url } },
    {
      feed: t.hub.subscriptionFeed,
      resolvePrincipal: (credentials) => {
        const header = credentials[TEST_PRINCIPAL_HEADER];
        return header ? decodePrincipal(header) : ANONYMOUS;
      },
    },
  );
}

export function user(subject: string, scopes: readonly string[]): Principal {
  return { kind: "user", subject, scopes: [...scopes] };
}

export function partner(customerNumber: string, scopes: readonly string[] = ALL_SCOPES): Principal {
  return { kind: "partner", subject: `partner-${customerNumber}`, scopes: [...scopes], customerNumber };
}

export const EVERY_SCOPE = user("every-scope", ALL_SCOPES);

export function allBut(scope: string): Principal {
  return user(
    `all-but-${scope}`,
    ALL_SCOPES.filter((s) => s !== scope),
  );
}

export function headersFor(principal: Principal | undefined): Record<string, string> {
  return principal ? { [TEST_PRINCIPAL_HEADER]: encodePrincipal(principal) } : {};
}

export function callAs(url: string, principal: Principal | undefined) {
  return <T = any>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>> => graphql<T>(url, query, variables, headersFor(principal));
}

export type ErrorSummary = { code: string | undefined; path: string };

export function errorSummary(response: GraphQLResponse<unknown>): ErrorSummary[] {
  return (response.errors ?? []).map((e) => ({ code: e.extensions?.code, path: (e.path ?? []).join(".") }));
}
