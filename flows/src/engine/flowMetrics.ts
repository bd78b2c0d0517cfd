// Prometheus figures of the process layer: step latency and failures per flow and step kind,
// runs finished, the parked (dead-letter) count, and the business KPIs — order cycle time,
// fulfilment latency, release to fulfilment recorded (the SLO's figure) and manual touch rate.
// Gauges read the hub database when scraped.
import { Counter, Gauge, Histogram, type Database, type Registry } from "@crossdock/platform";
import type { ClaimedStep, FinishedRun } from "./runStore.js";
import type { Json } from "./types.js";

const SECONDS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600, 86_400];

export interface FlowMetrics {
  stepDuration: Histogram<"flow" | "step" | "outcome">;
  stepFailures: Counter<"flow" | "step" | "code">;
  runsFinished: Counter<"flow" | "status">;
  orderCycleTime: Histogram<never>;
  fulfilmentLatency: Histogram<never>;
  /** Order released (its ERP commit) to the WMS fulfilment recorded (the step's success committed). */
  releaseToFulfilment: Histogram<never>;
  /** Re-scans of the read model after retention expired the flows' feed cursor. */
  rescans: Counter<never>;
  observeFinished(runs: readonly FinishedRun[]): void;
  /** A step's success, recorded at `recordedAt`: the order-to-cash fulfilment observes release → fulfilment. */
  observeSucceeded(step: Pick<ClaimedStep, "flow" | "kind" | "input">, output: Json | undefined, recordedAt: Date): void;
}

export function createFlowMetrics(registry: Registry, hub: Database): FlowMetrics {
  const orderCycleTime = new Histogram({
    name: "crossdock_flow_order_cycle_seconds",
    help: "Order cycle time: release (the submit that released it) to delivered",
    buckets: SECONDS,
    registers: [registry],
  });
  const fulfilmentLatency = new Histogram({
    name: "crossdock_flow_fulfilment_latency_seconds",
    help: "Fulfilment latency: order released to first shipment",
    buckets: SECONDS,
    registers: [registry],
  });
  const releaseToFulfilment = new Histogram({
    name: "crossdock_flow_release_to_fulfilment_seconds",
    help: "Order released in the ERP (its commit) to the WMS fulfilment recorded by the order-to-cash flow",
    buckets: SECONDS,
    registers: [registry],
  });
  const runsFinished = new Counter({
    name: "crossdock_flow_runs_finished_total",
    help: "Flow runs finished",
    labelNames: ["flow", "status"],
    registers: [registry],
  });
  new Gauge({
    name: "crossdock_flow_parked_runs",
    help: "Flow runs parked in the dead-letter queue",
    registers: [registry],
    async collect() {
      const [row] = await hub.query<{ n: number }>(`SELECT count(*)::int AS n FROM "FlowRun" WHERE "status" = 'PARKED'`);
      this.set(row?.n ?? 0);
    },
  });
  new Gauge({
    name: "crossdock_flow_manual_touch_rate",
    help: "Share of flow runs that needed an operator (retry, skip, cancel)",
    registers: [registry],
    async collect() {
      const [row] = await hub.query<{ rate: number | null }>(
        `SELECT (count(*) FILTER (WHERE "operatorActions" > 0))::float / NULLIF(count(*), 0) AS rate FROM "FlowRun"`,
      );
      this.set(row?.rate ?? 0);
    },
  });
  return {
    rescans: new Counter({
      name: "crossdock_flow_feed_rescans_total",
      help: "Times the flows re-scanned the read model because retention expired their feed cursor",
      registers: [registry],
    }),
    stepDuration: new Histogram({
      name: "crossdock_flow_step_duration_seconds",
      help: "Flow step attempt latency by flow, step kind and outcome",
      labelNames: ["flow", "step", "outcome"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
      registers: [registry],
    }),
    stepFailures: new Counter({
      name: "crossdock_flow_step_failures_total",
      help: "Failed flow step attempts by flow, step kind and error code",
      labelNames: ["flow", "step", "code"],
      registers: [registry],
    }),
    runsFinished,
    orderCycleTime,
    fulfilmentLatency,
    releaseToFulfilment,
    observeSucceeded(step, output, recordedAt) {
      if (step.flow !== "orderToCash" || step.kind !== "createFulfillment") return;
      // A fulfilment skipped (the order was cancelled meanwhile) records nothing.
      const fulfilled = output !== null && typeof output === "object" && !Array.isArray(output) && typeof output["fulfillmentId"] === "string";
      const releasedAt = typeof step.input["occurredAt"] === "string" ? Date.parse(step.input["occurredAt"]) : Number.NaN;
      if (!fulfilled || Number.isNaN(releasedAt)) return;
      releaseToFulfilment.observe(Math.max(0, (recordedAt.getTime() - releasedAt) / 1000));
    },
    observeFinished(runs) {
      for (const run of runs) {
        runsFinished.inc({ flow: run.flow, status: run.status });
        if (run.flow !== "orderToCash" || run.status !== "COMPLETED" || !run.releasedAt) continue;
        const released = new Date(run.releasedAt).getTime();
        if (run.deliveredAt) orderCycleTime.observe((new Date(run.deliveredAt).getTime() - released) / 1000);
        if (run.shippedAt) fulfilmentLatency.observe((new Date(run.shippedAt).getTime() - released) / 1000);
      }
    },
  };
}
