// The ingest's Prometheus metrics, registered on the ops service's registry. The per-source
// health gauges (lag, up, pending changes, retained WAL) are set by sourceHealth.ts; a scrape
// first has every source checked (a fresh reading is reused), so they are never stale.
import { Counter, Gauge, Histogram, type Registry } from "@crossdock/platform";

export interface IngestMetrics {
  eventsApplied: Counter<"source" | "table">;
  eventsSkipped: Counter<"source" | "reason">;
  applyLatency: Histogram<"source">;
  lagSeconds: Gauge<"source">;
  sourceUp: Gauge<"source">;
  pendingChanges: Gauge<"source">;
  retainedWalBytes: Gauge<"source" | "slot">;
  deadLetters: Counter<"source" | "reason">;
  batches: Counter<"source" | "outcome">;
  /** Health checks a scrape runs first (each ingestor adds its source's while it exists). */
  healthChecks: Set<() => Promise<unknown>>;
  standby: Gauge<"source">;
}

export function createIngestMetrics(registry: Registry): IngestMetrics {
  const healthChecks = new Set<() => Promise<unknown>>();
  // prom-client collects the gauges side by side: each waits for the same (shared) checks.
  const checkSources = async () => {
    await Promise.all([...healthChecks].map((check) => check().catch(() => undefined)));
  };
  return {
    healthChecks,
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
      help: "Age of the oldest change committed at the source and not yet applied (0 only when caught up with the source's head)",
      labelNames: ["source"],
      registers: [registry],
      collect: checkSources,
    }),
    sourceUp: new Gauge({
      name: "crossdock_cdc_source_up",
      help: "1 when the capture source can be reached and its capture runs, 0 when it is DOWN",
      labelNames: ["source"],
      registers: [registry],
      collect: checkSources,
    }),
    pendingChanges: new Gauge({
      name: "crossdock_cdc_pending_changes",
      help: "Changes committed at the source and not yet applied, where the source can count them (outbox rows, Kafka offsets)",
      labelNames: ["source"],
      registers: [registry],
      collect: checkSources,
    }),
    retainedWalBytes: new Gauge({
      name: "crossdock_cdc_replication_slot_retained_wal_bytes",
      help: "WAL the source server keeps for the capture's replication slot (pg-logical)",
      labelNames: ["source", "slot"],
      registers: [registry],
      collect: checkSources,
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
