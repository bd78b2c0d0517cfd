// Prometheus figures of the subscription engine, on the gateway's own registry (/metrics):
// active subscriptions and groups, the feed head, events read and delivered, resolution time,
// delivery latency (source commit to the client's connection), slow consumers closed and
// expired cursors refused.
import { Counter, Gauge, Histogram, type Registry } from "@crossdock/platform";

interface Snapshot {
  active: number;
  groups: number;
  head: bigint;
}

export interface SubscriptionMetrics {
  events: Counter<"kind">;
  resolutions: Histogram<"keys">;
  /** Source commit -> this gateway read the entry from the feed (capture, apply, notify, read). */
  feedLag: Histogram;
  /** Source commit -> a live event's payload handed to the client's transport (graphql-ws socket write, SSE stream). */
  delivery: Histogram;
  /** One subgraph call of a batched resolution (where resolution time goes). */
  subgraphFetches: Histogram<"subgraph">;
  /** Batch root fetches answered from the feed payloads instead of their subgraph. */
  answeredFromPayloads: Counter;
  slowConsumers: Counter;
  cursorExpired: Counter;
  connections: Gauge<"transport">;
  /** Registers the source of the gauges read at scrape time. */
  collect(read: () => Snapshot): void;
}

export function createSubscriptionMetrics(registry: Registry): SubscriptionMetrics {
  let read: () => Snapshot = () => ({ active: 0, groups: 0, head: 0n });
  new Gauge({
    name: "crossdock_subscriptions_active",
    help: "Subscriptions currently open on this gateway",
    registers: [registry],
    collect() {
      this.set(read().active);
    },
  });
  new Gauge({
    name: "crossdock_subscription_groups",
    help: "Distinct (principal, selection) groups: each change is resolved once per group",
    registers: [registry],
    collect() {
      this.set(read().groups);
    },
  });
  new Gauge({
    name: "crossdock_subscription_feed_head",
    help: "Newest change-feed cursor this gateway has dispatched",
    registers: [registry],
    collect() {
      this.set(Number(read().head));
    },
  });
  return {
    events: new Counter({
      name: "crossdock_subscription_events_total",
      help: "Feed entries read (feed) and events handed to subscribers (delivered)",
      labelNames: ["kind"],
      registers: [registry],
    }),
    resolutions: new Histogram({
      name: "crossdock_subscription_resolution_seconds",
      help: "Time of one batched entity resolution through the graph",
      labelNames: ["keys"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    feedLag: new Histogram({
      name: "crossdock_subscription_feed_lag_seconds",
      help: "Source commit to the gateway reading the change-feed entry (before resolution and fan-out)",
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    delivery: new Histogram({
      name: "crossdock_subscription_delivery_seconds",
      help: "Source commit to a live subscription event handed to the client's connection (graphql-ws send, SSE write)",
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    subgraphFetches: new Histogram({
      name: "crossdock_subscription_subgraph_fetch_seconds",
      help: "One subgraph call made while resolving a batch of subscription events",
      labelNames: ["subgraph"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    answeredFromPayloads: new Counter({
      name: "crossdock_subscription_payload_answers_total",
      help: "Batched root fetches answered from change-feed payloads instead of a subgraph call",
      registers: [registry],
    }),
    slowConsumers: new Counter({
      name: "crossdock_subscription_slow_consumers_total",
      help: "Subscribers closed because their queue overflowed",
      registers: [registry],
    }),
    cursorExpired: new Counter({
      name: "crossdock_subscription_cursor_expired_total",
      help: "Resumes refused because the cursor was past retention",
      registers: [registry],
    }),
    connections: new Gauge({
      name: "crossdock_subscription_connections",
      help: "Open subscription connections",
      labelNames: ["transport"],
      registers: [registry],
    }),
    collect(source) {
      read = source;
    },
  };
}
