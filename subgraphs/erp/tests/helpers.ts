// Test helpers for the ERP suites: a tiny GraphQL-over-HTTP client for a started subgraph
// and a reader of the Prometheus SQL statement counter. No assertions live here.
export interface GraphQLResponse<T> {
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; field?: string } }[];
}

export function graphqlClient(url: string) {
  // Responses are read loosely on purpose: each test asserts the exact shape it expects.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return async function gql<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse<T>> {
    const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
    return (await response.json()) as GraphQLResponse<T>;
  };
}

/** crossdock_sql_statements_total summed per model label. */
export async function sqlStatementsByModel(graphqlUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(graphqlUrl.replace(/\/graphql$/, "/metrics"))).text();
  const counts = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^crossdock_sql_statements_total\{([^}]*)\}\s+(\S+)$/.exec(line);
    if (!match) continue;
    const model = /model="([^"]*)"/.exec(match[1]!)?.[1] ?? "none";
    counts.set(model, (counts.get(model) ?? 0) + Number(match[2]));
  }
  return counts;
}

export function statementDelta(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [model, count] of after) {
    const change = count - (before.get(model) ?? 0);
    if (change !== 0) delta[model] = change;
  }
  return delta;
}

export function errorCodes(response: GraphQLResponse<unknown>): (string | undefined)[] {
  return (response.errors ?? []).map((error) => error.extensions?.code);
}
