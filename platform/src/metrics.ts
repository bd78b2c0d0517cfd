// Prometheus metrics. Each service owns one registry (so several services can live in one
// embedded process without clashing) and serves it at /metrics.
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { processFaults } from "./processGuards.js";

export { Counter, Histogram, Registry };
export { Gauge } from "prom-client";

export interface ServiceMetrics {
  registry: Registry;
  sqlStatements: Counter<"model" | "operation">;
  graphqlRequests: Counter<"operation" | "outcome">;
  graphqlDuration: Histogram<"operation">;
}

let processMetricsRegistered = false;

export function createServiceMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  // Process-wide like the default metrics, but on every registry: each service's /metrics shows it.
  registry.registerMetric(processFaults);
  if (!processMetricsRegistered) {
    // Process-wide figures (CPU, memory, event loop) once per process, on the first registry.
    collectDefaultMetrics({ register: registry });
    processMetricsRegistered = true;
  }
  return {
    registry,
    sqlStatements: new Counter({
      name: "crossdock_sql_statements_total",
      help: "SQL statements sent to the service's database, by Prisma model and operation",
      labelNames: ["model", "operation"],
      registers: [registry],
    }),
    graphqlRequests: new Counter({
      name: "crossdock_graphql_requests_total",
      help: "GraphQL operations handled, by operation name and outcome (ok; client_error: the caller's own mistake; error: the hub failed)",
      labelNames: ["operation", "outcome"],
      registers: [registry],
    }),
    graphqlDuration: new Histogram({
      name: "crossdock_graphql_duration_seconds",
      help: "GraphQL operation latency",
      labelNames: ["operation"],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
  };
}
