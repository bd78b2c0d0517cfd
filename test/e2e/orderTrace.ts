// Traces end to end (docs/observability.md, "Traces"), the scenario the tracing test files run: the
// hub (PGlite with outbox capture; in the postgres project, Postgres with pg-logical capture) with
// tracing on, exporting OTLP http/json to a receiver in this process (a plain HTTP server on port 0).
// One submitted order must give one trace that goes from the gateway through the ERP's write, the
// capture's apply, the flow step that reacts, the WMS fulfilment it creates, that change's apply and
// the subscription push.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { instrumentationLoaded, startTracing, traced, traceIdOf, TRACEPARENT, type TracingHandle } from "@crossdock/platform";
import { defaultHeadersFor, graphql } from "../src/index.js";
import { BACKENDS, backendAvailable, eventually, type TestHub } from "./hubHarness.js";
import { activeFulfillments, orderWhen, startFlowsHub, type Seeded } from "./flowsSupport.js";
import { collect, graphqlWsClient, subscribed } from "./subscriptionsClients.js";

interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  attributes: Record<string, unknown>;
  links: { traceId: string; spanId: string }[];
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}

/** An OTLP/HTTP receiver (http/json) on port 0: keeps every span it is sent. */
async function startOtlpReceiver(): Promise<{ url: string; spans: ReceivedSpan[]; requests: number; close(): Promise<void> }> {
  const state = { spans: [] as ReceivedSpan[], requests: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      state.requests++;
      if (req.method !== "POST" || req.url !== "/v1/traces" || !String(req.headers["content-type"]).startsWith("application/json")) {
        res.writeHead(415).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        resourceSpans: { scopeSpans: { spans: (Omit<ReceivedSpan, "attributes"> & { attributes?: { key: string; value: OtlpValue }[] })[] }[] }[];
      };
      for (const resource of body.resourceSpans)
        for (const scope of resource.scopeSpans)
          for (const span of scope.spans) {
            const attributes: Record<string, unknown> = {};
            for (const { key, value } of span.attributes ?? []) attributes[key] = value.stringValue ?? value.intValue ?? value.boolValue ?? value.doubleValue;
            state.spans.push({ ...span, parentSpanId: span.parentSpanId ?? "", links: span.links ?? [], attributes });
          }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get spans() {
      return state.spans;
    },
    get requests() {
      return state.requests;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const ORDER_STATUSES = `subscription Statuses($customerNumber: ID) {
  orderStatusChanged(customerNumber: $customerNumber) { stage order { orderNumber customer { name } } }
}`;

const SUBMIT = `mutation SubmitTracedOrder($input: SubmitOrderInput!) { submitOrder(input: $input) { outcome order { orderNumber } } }`;

/**
 * The scenario, with tracing started in this process from the standard environment plus `env`
 * (a test file calls it once: one provider per process, started before any hub).
 */
export async function describeOrderTrace(env: Record<string, string>): Promise<void> {
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let tracing: TracingHandle;
  const variables = { OTEL_EXPORTER_OTLP_PROTOCOL: "http/json", OTEL_SERVICE_NAME: "crossdock-e2e", OTEL_BSP_SCHEDULE_DELAY: "100", ...env };

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    // The standard environment, set before the SDK starts (it reads it then).
    Object.assign(process.env, variables, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
    tracing = await startTracing("crossdock");
  });
  afterAll(async () => {
    await tracing?.shutdown();
    await receiver?.close();
    for (const name of ["OTEL_EXPORTER_OTLP_ENDPOINT", ...Object.keys(variables)]) delete process.env[name];
  });

  for (const backend of BACKENDS) {
    describe.skipIf(!(await backendAvailable(backend)))(
      `traces (${backend}${env.OTEL_NODE_ENABLED_INSTRUMENTATIONS ? `, instrumentations ${env.OTEL_NODE_ENABLED_INSTRUMENTATIONS}` : ""})`,
      () => {
        let t: TestHub;
        let seeded: Seeded;

        beforeAll(async () => ({ t, seeded } = await startFlowsHub(backend)));
        afterAll(async () => t?.stop());

        it("one submitted order is one trace: gateway → ERP → capture apply → flow step → WMS fulfilment → apply → push", async () => {
          expect(tracing.enabled).toBe(true);
          // A subscriber to the customer's orders, whose selection needs the ERP (the customer's name):
          // the push's resolution is part of the trace too.
          const client = graphqlWsClient(t.url);
          const statuses = collect(client, ORDER_STATUSES, { customerNumber: seeded.customerNumber });
          await subscribed(t.url, 1);
          let traceId = "";
          const submitted = await traced("e2e submit order", {}, async (_span, traceparent) => {
            traceId = traceIdOf(traceparent)!;
            // The client sends its trace context (W3C traceparent): the undici instrumentation adds it to
            // fetch when loaded (OTEL_NODE_ENABLED_INSTRUMENTATIONS), else the client adds it itself.
            const headers = defaultHeadersFor(t.url);
            if (!instrumentationLoaded("undici")) headers[TRACEPARENT] = traceparent!;
            const response = await graphql<any>(
              t.url,
              SUBMIT,
              {
                input: {
                  idempotencyKey: randomUUID(),
                  customerNumber: seeded.customerNumber,
                  warehouseCode: seeded.warehouseCode,
                  lines: [{ sku: seeded.sku, quantity: "1" }],
                },
              },
              headers,
            );
            return response.data!.submitOrder;
          });
          expect(submitted.outcome).toBe("RELEASED");
          expect(traceId).toMatch(/^[0-9a-f]{32}$/);
          const released = await orderWhen(t.url, submitted.order.orderNumber, (o) => activeFulfillments(o).length === 1);
          expect(activeFulfillments(released)).toHaveLength(1);

          const inTrace = () => receiver.spans.filter((span) => span.traceId === traceId);
          const has = (spans: ReceivedSpan[], name: string, attributes: Record<string, unknown> = {}) =>
            spans.some((span) => span.name === name && Object.entries(attributes).every(([key, value]) => span.attributes[key] === value));
          // Spans arrive in batches as they end: wait until the tree is whole (no span's parent missing).
          const orphans = (spans: ReceivedSpan[]) => {
            const ids = new Set(spans.map((span) => span.spanId));
            return spans.filter((span) => span.name !== "e2e submit order" && !ids.has(span.parentSpanId)).map((span) => span.name);
          };
          const complete = (spans: ReceivedSpan[]) =>
            has(spans, "e2e submit order") &&
            has(spans, "cdc-ingest apply", { "crossdock.source": "wms" }) &&
            has(spans, "gateway subscription push") &&
            has(spans, "gateway subscription resolve") &&
            has(spans, "flows step orderToCash.createFulfillment") &&
            orphans(spans).length === 0;
          const spans = await eventually(async () => inTrace(), complete, 30_000);

          // The gateway (its server span and its subgraph calls; with the SDK's instrumentations and their
          // context manager, also @apollo/gateway's own query-plan spans).
          expect(
            has(spans, "gateway graphql", { "crossdock.service": "gateway", "graphql.operation.name": "SubmitTracedOrder", "crossdock.in_process": false }),
          ).toBe(true);
          expect(has(spans, "gateway fetch erp", { "crossdock.subgraph": "erp" })).toBe(true);
          expect(spans.some((span) => span.name.startsWith("gateway."))).toBe(instrumentationLoaded("http"));
          // Without the context manager they are not made at all (not as traces of their own either).
          expect(receiver.spans.some((span) => span.name.startsWith("gateway."))).toBe(instrumentationLoaded("http"));
          // The ERP's write, its capture's apply, the flow step it causes, the WMS write that step makes
          // (through the gateway in process), that change's apply and the subscription push.
          expect(has(spans, "erp graphql", { "crossdock.service": "erp" })).toBe(true);
          expect(has(spans, "cdc-ingest apply", { "crossdock.service": "cdc-ingest", "crossdock.source": "erp" })).toBe(true);
          expect(has(spans, "flows step orderToCash.createFulfillment", { "crossdock.service": "flows" })).toBe(true);
          expect(has(spans, "gateway graphql", { "crossdock.service": "gateway", "crossdock.in_process": true })).toBe(true);
          expect(has(spans, "wms graphql", { "crossdock.service": "wms" })).toBe(true);
          expect(has(spans, "cdc-ingest apply", { "crossdock.source": "wms" })).toBe(true);
          expect(has(spans, "gateway subscription push", { "crossdock.service": "gateway" })).toBe(true);

          // One tree: every span but the test's root has its parent in the trace.
          expect(orphans(spans)).toEqual([]);
          // The step descends from the ERP's apply, and the WMS write from the step.
          const byId = new Map(spans.map((span) => [span.spanId, span]));
          const ancestors = (span: ReceivedSpan) => {
            const names: string[] = [];
            for (let at = byId.get(span.parentSpanId); at; at = byId.get(at.parentSpanId)) names.push(at.name);
            return names;
          };
          // The submit's own federated reads call the WMS too; the fulfilment write is the WMS call under the step.
          const wmsCalls = spans.filter((span) => span.name === "wms graphql").map(ancestors);
          const chain = ["flows step orderToCash.createFulfillment", "cdc-ingest apply", "erp graphql", "e2e submit order"];
          expect(wmsCalls.filter((names) => chain.every((name) => names.includes(name)))).toHaveLength(1);

          // The subscriber's resolution: a child of a push, fetching the customer's name from the ERP.
          const resolves = spans.filter((span) => span.name === "gateway subscription resolve");
          expect(resolves.length).toBeGreaterThan(0);
          expect(resolves.every((span) => byId.get(span.parentSpanId)?.name === "gateway subscription push")).toBe(true);
          expect(spans.some((span) => span.name === "gateway fetch erp" && ancestors(span).includes("gateway subscription resolve"))).toBe(true);
          const [event] = await statuses.waitFor(1);
          expect(event.orderStatusChanged.order.customer.name).toEqual(expect.any(String));
          statuses.unsubscribe();
          await client.dispose();
        });
      },
    );
  }
}
