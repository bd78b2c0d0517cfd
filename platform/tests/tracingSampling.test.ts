// Tracing on (tracing.ts), in a process of its own (vitest runs each file in its own fork): a span
// continues a sampled traceparent; under an unsampled one no span is made, and the unsampled
// context is what travels on (so nothing downstream is sampled either, at no cost); a request's
// context holds its span's traceparent and its logger the sampled trace's id.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  activeTraceparent,
  createLogger,
  createServiceMetrics,
  startSubgraphServer,
  startTracing,
  traceLogFields,
  traced,
  tracedSync,
  traceparentOf,
  type RequestContextBase,
  type TracingHandle,
} from "../src/index.js";

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
    const seen = await traced("child", { parent: SAMPLED }, async (span, traceparent) => ({ span, traceparent }));
    expect(seen.span).not.toBeNull();
    expect(seen.traceparent).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`));
    expect(seen.traceparent).not.toBe(SAMPLED);
    expect(seen.traceparent).toBe(traceparentOf(seen.span));
    // No context manager without the SDK's instrumentations: nothing is "active", the traceparent is passed.
    expect(activeTraceparent()).toBeNull();
    expect(traceLogFields(seen.traceparent)).toEqual({ trace_id: TRACE });
  });

  it("makes no span under an unsampled parent and passes the parent's context on", async () => {
    const seen = await traced("child", { parent: UNSAMPLED }, async (span, traceparent) => ({ span, traceparent }));
    expect(seen).toEqual({ span: null, traceparent: UNSAMPLED });
    expect(tracedSync("child", { parent: UNSAMPLED }, (span, traceparent) => [span, traceparent])).toEqual([null, UNSAMPLED]);
    // An unsampled trace's lines carry no trace_id: it is never exported.
    expect(traceLogFields(UNSAMPLED)).toEqual({});
  });

  it("starts a trace at a root and passes the root span's traceparent on", async () => {
    const root = await traced("root", {}, async (span, traceparent) => ({ span, traceparent }));
    expect(root.span).not.toBeNull();
    expect(root.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(root.traceparent).toBe(traceparentOf(root.span));
    const child = await traced("child", { parent: root.traceparent }, async (_span, traceparent) => traceparent);
    expect(child!.slice(3, 35)).toBe(root.traceparent!.slice(3, 35));
  });

  it("gives a request's context its span's traceparent and its log lines the sampled trace's id", async () => {
    const lines: Record<string, unknown>[] = [];
    const server = await startSubgraphServer({
      name: "traced",
      typeDefs: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
        type Query { ping: String }`,
      resolvers: {
        Query: {
          ping: (_: unknown, __: unknown, ctx: RequestContextBase) => {
            ctx.logger.info("pinged");
            return ctx.traceparent;
          },
        },
      },
      port: 0,
      logger: createLogger("traced", "info", { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) }),
      metrics: createServiceMetrics("traced"),
      createContext: (base) => base,
    });
    try {
      const ping = async (traceparent: string) => {
        const response = await fetch(server.url, {
          method: "POST",
          headers: { "content-type": "application/json", traceparent },
          body: JSON.stringify({ query: "{ ping }" }),
        });
        return ((await response.json()) as { data: { ping: string } }).data.ping;
      };
      const sampled = await ping(SAMPLED);
      // The request's span continues the caller's trace: same trace id, a span of its own, sampled.
      expect(sampled).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`));
      expect(sampled).not.toBe(SAMPLED);
      expect(lines.filter((line) => line.msg === "pinged").map((line) => line.trace_id)).toEqual([TRACE]);
      // Unsampled: no span, the caller's traceparent passed on, and no trace_id on the line.
      expect(await ping(UNSAMPLED)).toBe(UNSAMPLED);
      expect(lines.filter((line) => line.msg === "pinged").map((line) => line.trace_id)).toEqual([TRACE, undefined]);
    } finally {
      await server.stop();
    }
  });
});
