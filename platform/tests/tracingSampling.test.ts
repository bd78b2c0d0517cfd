// Tracing on (tracing.ts), in a process of its own (vitest runs each file in its own fork): a span
// continues a sampled traceparent; under an unsampled one no span is made, and the unsampled
// context is what travels on (so nothing downstream is sampled either, at no cost).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activeTraceparent, startTracing, traced, tracedSync, type TracingHandle } from "../src/index.js";

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const SAMPLED = `00-${TRACE}-b7ad6b7169203331-01`;
const UNSAMPLED = `00-${TRACE}-b7ad6b7169203331-00`;

describe("tracing on", () => {
  let handle: TracingHandle;
  beforeAll(async () => {
    // The SDK's console exporter (the SDK reads process.env): spans are printed, nothing is sent.
    process.env.OTEL_TRACES_EXPORTER = "console";
    handle = await startTracing("sampling-test");
  });
  afterAll(async () => {
    await handle?.shutdown();
    delete process.env.OTEL_TRACES_EXPORTER;
  });

  it("continues a sampled parent in a span of its own", async () => {
    expect(handle.enabled).toBe(true);
    const seen = await traced("child", { parent: SAMPLED }, async (span) => ({ span, traceparent: activeTraceparent() }));
    expect(seen.span).not.toBeNull();
    expect(seen.traceparent).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`));
    expect(seen.traceparent).not.toBe(SAMPLED);
  });

  it("makes no span under an unsampled parent and passes the parent's context on", async () => {
    const seen = await traced("child", { parent: UNSAMPLED }, async (span) => ({ span, traceparent: activeTraceparent() }));
    expect(seen).toEqual({ span: null, traceparent: UNSAMPLED });
    expect(tracedSync("child", { parent: UNSAMPLED }, (span) => [span, activeTraceparent()])).toEqual([null, UNSAMPLED]);
  });
});
