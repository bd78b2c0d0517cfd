// Load shedding per subgraph: at most `maxConcurrent` calls to one subgraph are in flight; a
// call past that fails at once with OVERLOADED instead of queueing behind calls that are already
// slow, so when a subgraph (or its database) falls behind the offered load, callers learn it in
// milliseconds (HTTP 503, Retry-After: overloadResponse.ts) rather than when everything times out.
import { crossdockError, ErrorCode } from "@crossdock/schema";
import { Counter, Gauge, type Registry } from "@crossdock/platform";
import type { TransportLayer } from "./subgraphCall.js";

export interface LoadSheddingOptions {
  subgraph: string;
  /** Calls in flight to this subgraph at most; 0 = unlimited. */
  maxConcurrent: number;
  /** What the refusal tells the caller to wait before trying again. */
  retryAfterSeconds: number;
  metrics: LoadSheddingMetrics;
}

export interface LoadSheddingMetrics {
  inFlight: Gauge<"subgraph">;
  shed: Counter<"subgraph">;
}

export function loadSheddingMetrics(registry: Registry): LoadSheddingMetrics {
  return {
    inFlight: new Gauge({
      name: "crossdock_subgraph_calls_in_flight",
      help: "Calls from the gateway to a subgraph now in flight",
      labelNames: ["subgraph"],
      registers: [registry],
    }),
    shed: new Counter({
      name: "crossdock_subgraph_calls_shed_total",
      help: "Subgraph calls refused OVERLOADED (the subgraph had its most calls in flight)",
      labelNames: ["subgraph"],
      registers: [registry],
    }),
  };
}

export function overloadedError(subgraph: string, retryAfterSeconds: number) {
  return crossdockError(ErrorCode.OVERLOADED, `The gateway is shedding load: subgraph "${subgraph}" is answering slower than requests arrive; retry later`, {
    detail: { retryAfterSeconds },
  });
}

export function loadShedding(options: LoadSheddingOptions): TransportLayer {
  let inFlight = 0;
  const labels = { subgraph: options.subgraph };
  return (next) => ({
    async send(call) {
      if (options.maxConcurrent > 0 && inFlight >= options.maxConcurrent) {
        options.metrics.shed.inc(labels);
        throw overloadedError(options.subgraph, options.retryAfterSeconds);
      }
      inFlight++;
      options.metrics.inFlight.inc(labels);
      try {
        return await next.send(call);
      } finally {
        inFlight--;
        options.metrics.inFlight.dec(labels);
      }
    },
    close: () => next.close(),
  });
}
