// The ingest's Prometheus metrics, registered on the ops service's registry.
import { Counter, Gauge, Histogram, type Registry } from "@crossdock/platform";

export interface IngestMetrics {
  eventsApplied: Counter<"source" | "table">;
  eventsSkipped: Counter<"source" | "reason">;
  applyLatency: Histogram<"source">;
  lagSeconds: Gauge<"source">;
  deadLetters: Counter<"source" | "reason">;
  batches: Counter<"source" | "outcome">;
  standby: Gauge<"source">;
}

export function createIngestMetrics(registry: Registry): IngestMetrics {
  return {
    eventsApplied: new Counter({
      name: "crossdock_cdc_events_applied_total",
      help: "Change events applied to the read model",
      labelNames: ["source", "table"],
      registers: [registry],
    }),
    eventsSkipped: new Counter({
      name: "crossdock_cdc_events_skipped_total",
      help: "Change events not applied (tombstones, heartbeats, other tables)",
      labelNames: ["source", "reason"],
      registers: [registry],
    }),
    applyLatency: new Histogram({
      name: "crossdock_cdc_apply_latency_seconds",
      help: "Source commit to read-model commit",
      labelNames: ["source"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    lagSeconds: new Gauge({
      name: "crossdock_cdc_lag_seconds",
      help: "Age of the newest applied change while a backlog remains (0 when caught up)",
      labelNames: ["source"],
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: "crossdock_cdc_dead_letters_total",
      help: "Change events parked in the dead-letter queue",
      labelNames: ["source", "reason"],
      registers: [registry],
    }),
    batches: new Counter({ name: "crossdock_cdc_batches_total", help: "Apply batches by outcome", labelNames: ["source", "outcome"], registers: [registry] }),
    standby: new Gauge({
      name: "crossdock_cdc_capture_standby",
      help: "1 while this ingest stands by for a source another ingest captures, 0 while it captures it",
      labelNames: ["source"],
      registers: [registry],
    }),
  };
}
