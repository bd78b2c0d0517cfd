// Test helpers for talking to a running CRM subgraph over HTTP: GraphQL POSTs and the SQL
// statement counter from /metrics. Tests only; the service never imports this. Calls carry a
// signed principal holding every scope, as the gateway would send (principalHeaders).
import { principalHeaders } from "@crossdock/test";

export interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; field?: string } }[];
}

export async function graphql<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...principalHeaders(), ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResponse<T>;
}

/** Runs an operation that must succeed and returns its data. */
export async function data<T = Record<string, unknown>>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const result = await graphql<T>(url, query, variables);
  if (result.errors?.length || !result.data) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
  return result.data;
}

/** The error codes of an operation that must fail. */
export async function errorCodes(url: string, query: string, variables: Record<string, unknown> = {}): Promise<(string | undefined)[]> {
  const result = await graphql(url, query, variables);
  return (result.errors ?? []).map((e) => e.extensions?.code);
}

export type StatementCounts = Map<string, number>;

/** crossdock_sql_statements_total summed per "model operation" and per model ("model *"). */
export async function sqlStatements(graphqlUrl: string): Promise<StatementCounts> {
  const text = await (await fetch(graphqlUrl.replace(/\/graphql$/, "/metrics"))).text();
  const counts: StatementCounts = new Map();
  for (const line of text.split("\n")) {
    if (!line.startsWith("crossdock_sql_statements_total{")) continue;
    const model = /model="([^"]*)"/.exec(line)?.[1] ?? "?";
    const operation = /operation="([^"]*)"/.exec(line)?.[1] ?? "?";
    const value = Number(line.slice(line.lastIndexOf(" ") + 1));
    for (const key of [`${model} ${operation}`, `${model} *`]) counts.set(key, (counts.get(key) ?? 0) + value);
  }
  return counts;
}

export function statementDelta(before: StatementCounts, after: StatementCounts, key: string): number {
  return (after.get(key) ?? 0) - (before.get(key) ?? 0);
}
