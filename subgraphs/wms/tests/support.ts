// Test helpers for the WMS suites: start the real subgraph on port 0 with an in-memory
// PGlite, talk GraphQL over HTTP, and read the SQL statement counter from /metrics.
import { start, type RunningWms } from "../src/server.js";
import { principalHeaders } from "@crossdock/test";

// Test assertions walk response shapes freely; typing every query's result would add nothing.
type AnyData = Record<string, any>;

export interface GraphQLResponse<T = AnyData> {
  data?: T;
  errors?: { message: string; path?: string[]; extensions?: { code?: string; field?: string; [key: string]: unknown } }[];
}

export async function startTestWms(): Promise<RunningWms> {
  return start({ port: 0, host: "127.0.0.1", databaseUrl: "pglite:memory", seed: { enabled: true, scale: 0.05 }, logLevel: "silent" });
}

export function graphqlClient(url: string) {
  return async function gql<T = AnyData>(query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse<T>> {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...principalHeaders() },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLResponse<T>;
  };
}

/** Sums crossdock_sql_statements_total per "model:operation" from the Prometheus text. */
export async function sqlStatementCounts(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(new URL("/metrics", url))).text();
  const counts = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^crossdock_sql_statements_total\{([^}]*)\}\s+([0-9.e+]+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...match[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const key = `${labels.model}:${labels.operation}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(match[2]));
  }
  return counts;
}

/** Statements per "model:operation" issued between two snapshots (zero entries dropped). */
export function statementDelta(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [key, value] of after) {
    const diff = value - (before.get(key) ?? 0);
    if (diff !== 0) delta[key] = diff;
  }
  return delta;
}

export function errorCode(response: GraphQLResponse): string | undefined {
  return response.errors?.[0]?.extensions?.code;
}

/** Row counts of every WMS table plus the stock totals: equal snapshots mean nothing was written. */
export async function writeFootprint(wms: RunningWms): Promise<Record<string, string>> {
  const tables = ["Stock", "StockMovement", "FulfillmentOrder", "FulfillmentLine", "PickTask", "Shipment", "ShipmentMilestone", "IdempotencyKey", "AuditEntry"];
  const counts = await wms.database.query<Record<string, string>>(
    `SELECT ${tables.map((t) => `(SELECT count(*) FROM "${t}")::text AS "${t}"`).join(", ")},
            (SELECT sum("onHand")::text FROM "Stock") AS "onHand", (SELECT sum(reserved)::text FROM "Stock") AS "reserved",
            (SELECT string_agg(status::text, ',' ORDER BY id) FROM "FulfillmentOrder") AS "fulfillmentStatuses",
            (SELECT sum("quantityPicked" + "quantityShipped")::text FROM "FulfillmentLine") AS "lineProgress",
            (SELECT string_agg(status::text, ',' ORDER BY id) FROM "Shipment") AS "shipmentStatuses"`,
  );
  return counts[0]!;
}

/** Stock rows whose onHand differs from the sum of their movements (must always be 0). */
export async function unexplainedStockRows(wms: RunningWms): Promise<number> {
  const [row] = await wms.database.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "Stock" s WHERE s."onHand" <> (SELECT coalesce(sum(m.quantity), 0) FROM "StockMovement" m
      WHERE m.sku = s.sku AND m."warehouseCode" = s."warehouseCode" AND m."binCode" = s."binCode")`,
  );
  return row!.n;
}
