// Test helpers for the ERP suites: the database a suite runs on, a tiny GraphQL-over-HTTP
// client for a started subgraph, a reader of the Prometheus SQL statement counter and of the
// rows a write leaves in the ERP's own database. No assertions live here.
import { type Database } from "@crossdock/platform";
import { createTestDatabases, preferPostgres, principalHeaders } from "@crossdock/test";

/**
 * The database a suite's ERP runs on: PGlite in memory, or a fresh database on the test Postgres
 * server when this run covers Postgres (the `postgres` project; row locks and concurrent
 * transactions only really interleave there). `drop` removes it after the suite.
 */
export async function erpTestDatabase(): Promise<{ url: string; kind: "pglite" | "postgres"; drop(): Promise<void> }> {
  if (!preferPostgres()) return { url: "pglite:memory", kind: "pglite", drop: async () => undefined };
  const { urls, drop } = await createTestDatabases(["erp"] as const);
  return { url: urls.erp, kind: "postgres", drop };
}

/** Rows in the tables an ERP order write touches, read from the ERP's own database. */
export interface WrittenRows {
  orders: number;
  lines: number;
  invoices: number;
  audits: number;
  keys: number;
}

export async function writtenRows(database: Database): Promise<WrittenRows> {
  const [rows] = await database.query<WrittenRows>(
    `SELECT (SELECT count(*) FROM "SalesOrder")::int AS orders, (SELECT count(*) FROM "SalesOrderLine")::int AS lines,
       (SELECT count(*) FROM "Invoice")::int AS invoices, (SELECT count(*) FROM "AuditEntry")::int AS audits,
       (SELECT count(*) FROM "IdempotencyKey")::int AS keys`,
  );
  return rows!;
}

export function rowDelta(before: WrittenRows, after: WrittenRows): WrittenRows {
  return {
    orders: after.orders - before.orders,
    lines: after.lines - before.lines,
    invoices: after.invoices - before.invoices,
    audits: after.audits - before.audits,
    keys: after.keys - before.keys,
  };
}
export interface GraphQLResponse<T> {
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; field?: string } }[];
}

/** `headers`: e.g. principalHeaders(…) from @crossdock/test, to call as a signed principal. */
export function graphqlClient(url: string, headers: Record<string, string> = {}) {
  // Responses are read loosely on purpose: each test asserts the exact shape it expects.
  return async function gql<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse<T>> {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...principalHeaders(), ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLResponse<T>;
  };
}

/** crossdock_sql_statements_total summed over all labels: every statement the service sent. */
export async function sqlStatementTotal(graphqlUrl: string): Promise<number> {
  let total = 0;
  for (const count of (await sqlStatementsByModel(graphqlUrl)).values()) total += count;
  return total;
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
