// Tracing off (tracing.ts): without the OTEL_* environment nothing is loaded or registered, and
// every helper is a plain call; which variables turn it on. Tracing on is tested end to end
// against an OTLP receiver (test/e2e/tracing.test.ts).
import { context, trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import {
  activeTraceparent,
  contextFrom,
  injectTraceContext,
  instrumentationsFrom,
  spanContextOf,
  startTracing,
  traced,
  tracedSync,
  traceparentOf,
  tracingConfigured,
  tracingEnabled,
} from "../src/index.js";

const TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

describe("tracing", () => {
  it("is configured only by an OTLP endpoint or a traces exporter, and OTEL_SDK_DISABLED wins", () => {
    expect(tracingConfigured({})).toBe(false);
    expect(tracingConfigured({ OTEL_SERVICE_NAME: "erp", OTEL_TRACES_SAMPLER: "always_on", OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" })).toBe(false);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" })).toBe(true);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://collector:4318/v1/traces" })).toBe(true);
    expect(tracingConfigured({ OTEL_TRACES_EXPORTER: "console" })).toBe(true);
    expect(tracingConfigured({ OTEL_TRACES_EXPORTER: "none", OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" })).toBe(false);
    expect(tracingConfigured({ OTEL_SDK_DISABLED: "true", OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" })).toBe(false);
  });

  it("loads no instrumentation unless the environment names some (or all), less those it takes out", () => {
    expect([...instrumentationsFrom({})]).toEqual([]);
    expect([...instrumentationsFrom({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: "none" })]).toEqual([]);
    expect([...instrumentationsFrom({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: "all" })]).toEqual(["http", "undici", "pg"]);
    expect([...instrumentationsFrom({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: "all", OTEL_NODE_DISABLED_INSTRUMENTATIONS: "pg" })]).toEqual(["http", "undici"]);
    expect([...instrumentationsFrom({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: " HTTP, pg ,unknown" })]).toEqual(["http", "pg"]);
    expect([...instrumentationsFrom({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: "http,undici,pg", OTEL_NODE_DISABLED_INSTRUMENTATIONS: "pg" })]).toEqual([
      "http",
      "undici",
    ]);
  });

  it("without the OTEL environment starts nothing: no provider, no context, helpers only run the work", async () => {
    const handle = await startTracing("erp", {});
    expect(handle.enabled).toBe(false);
    expect(tracingEnabled()).toBe(false);
    // The API's global provider is still the no-op proxy with no SDK delegate behind it.
    const provider = trace.getTracerProvider() as { getDelegate?: () => unknown };
    expect(provider.constructor.name).toBe("ProxyTracerProvider");
    expect((provider.getDelegate?.() as object).constructor.name).toBe("NoopTracerProvider");
    // The SDK was never loaded.
    expect(
      Object.keys(await import("node:module").then((m) => m.createRequire(import.meta.url).cache)).some((file) => file.includes("@opentelemetry/sdk-node")),
    ).toBe(false);

    const seen: unknown[] = [];
    expect(await traced("work", { parent: TRACEPARENT, links: [TRACEPARENT] }, async (span) => (seen.push(span), 7))).toBe(7);
    expect(tracedSync("work", { parent: TRACEPARENT }, (span) => (seen.push(span), 8))).toBe(8);
    expect(seen).toEqual([null, null]);
    expect(await traced("work", {}, async (span, traceparent) => [span, traceparent])).toEqual([null, null]);
    expect(traceparentOf(null)).toBeNull();
    const headers: Record<string, string> = {};
    injectTraceContext(headers);
    expect(headers).toEqual({});
    expect(activeTraceparent()).toBeNull();
    expect(spanContextOf(TRACEPARENT)).toBeNull();
    expect(contextFrom(TRACEPARENT)).toBe(context.active());
    await handle.shutdown();
  });
});
