// The business KPIs the flows export, with values: the real engine (feed reader, run store, step
// workers, operator retry) on a real hub database (PGlite, the hub's and the flows' migrations)
// reads change-feed entries whose commit times the test chose, and the figures it exports are
// the ones those times give. Behind the gateway client, a handler answers as the gateway would
// (the end-to-end suites run the same flows against the real gateway).
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger, migrate, openDatabase, Registry, type Database, type LocalGraphQLHandler } from "@crossdock/platform";
import { metricSum } from "@crossdock/test";
import { loadConfig } from "../src/config.js";
import { FlowEngine } from "../src/engine/flowEngine.js";
import { createFlowMetrics } from "../src/engine/flowMetrics.js";
import { migrateFlows } from "../src/engine/migrateFlows.js";
import { retryRun } from "../src/engine/operatorActions.js";

const HUB_MIGRATIONS = fileURLToPath(new URL("../../cdc-ingest/prisma/migrations", import.meta.url));
const LINES = [{ sku: "SKU-1", quantity: "2.000" }];

let hub: Database;
let engine: FlowEngine;
const registry = new Registry();
/** Orders whose next createFulfillment the "gateway" refuses (the warehouse said no). */
const refuseFulfilment = new Set<string>();

/** Answers the flows' operations as the gateway would: one root field per operation. */
const gateway: LocalGraphQLHandler = async (request) => {
  const { query, variables } = request.body as { query: string; variables: Record<string, Record<string, unknown> | string> };
  const field = /\{\s*(\w+)/.exec(query)![1]!;
  const input = variables["input"] as Record<string, unknown> | undefined;
  const answer = (data: unknown) => ({ status: 200, headers: {}, body: JSON.stringify({ data: { [field]: data } }) });
  switch (field) {
    case "createFulfillment": {
      const orderNumber = String(input!["orderNumber"]);
      if (refuseFulfilment.delete(orderNumber)) {
        const errors = [{ message: `order ${orderNumber} cannot be fulfilled now`, extensions: { code: "INVALID_STATE" } }];
        return { status: 200, headers: {}, body: JSON.stringify({ data: null, errors }) };
      }
      return answer({ fulfillmentId: `FF-${orderNumber}` });
    }
    case "order":
      return answer({
        status: "RELEASED",
        warehouseCode: "ATL1",
        customer: { customerNumber: "C-1" },
        lines: [{ quantity: "2.000", product: { sku: "SKU-1" } }],
      });
    case "recordShipment":
      return answer({ order: { status: "INVOICED" }, invoice: { invoiceNumber: "INV-1" } });
    case "addTimelineEntry":
      return answer({ kind: String(input!["kind"]) });
    default:
      throw new Error(`the test gateway does not answer ${field}`);
  }
};

/** Appends a change-feed entry committed at `occurredAt`, as cdc-ingest would. */
async function appendFeed(entityType: string, entityKey: string, changeKind: string, occurredAt: Date, payload: Record<string, unknown>): Promise<void> {
  await hub.query(
    `INSERT INTO "ChangeFeedEntry" ("entityType", "entityKey", "changeKind", "occurredAt", "source", "sourcePosition", "payload")
     VALUES ($1, $2, $3, $4, 'test', '0', $5::jsonb)`,
    [entityType, entityKey, changeKind, occurredAt.toISOString(), JSON.stringify(payload)],
  );
  engine.reader.wake();
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const runStatus = async (orderNumber: string) =>
  (await hub.query<{ status: string }>(`SELECT "status" FROM "FlowRun" WHERE "id" = $1`, [`orderToCash:${orderNumber}`]))[0]?.status ?? "none";
const stepStatus = async (orderNumber: string, step: string) =>
  (await hub.query<{ status: string }>(`SELECT "status" FROM "FlowStep" WHERE "runId" = $1 AND "name" = $2`, [`orderToCash:${orderNumber}`, step]))[0]
    ?.status ?? "none";
const metrics = async () => registry.metrics();

beforeAll(async () => {
  hub = await openDatabase("pglite:memory");
  await migrate(hub, HUB_MIGRATIONS);
  await migrateFlows(hub);
  const config = {
    ...loadConfig({ FLOWS_START_FROM: "earliest", FLOWS_POLL_MS: "20", FLOWS_BACKOFF_BASE_MS: "10", FLOWS_BACKOFF_MAX_MS: "50", LOG_LEVEL: "silent" }),
    workerId: "kpi-worker",
  };
  engine = new FlowEngine({
    config,
    hub,
    gatewayUrl: "http://127.0.0.1:1/graphql",
    localGateway: Promise.resolve(gateway),
    metrics: createFlowMetrics(registry, hub),
    logger: createLogger("flows", "silent"),
  });
  await engine.start(config.workerId);
});

afterAll(async () => {
  await engine?.stop();
  await hub?.close();
});

describe("flow KPIs", () => {
  it("observe order cycle time, fulfilment latency and release to fulfilment from the runs' commit times; manual touch rate after a retry", async () => {
    // Commit times chosen by the test, relative to now: released two hours ago, shipped half an
    // hour later, delivered an hour after that.
    const released = new Date(Math.floor(Date.now() / 1000) * 1000 - 2 * 3600_000);
    const shipped = new Date(released.getTime() + 1800_000);
    const delivered = new Date(released.getTime() + 5400_000);
    const releasedB = new Date(released.getTime() + 60_000);
    const firstPickUp = Date.now();

    const release = (orderNumber: string) => ({
      orderNumber,
      customerNumber: "C-1",
      stage: "RELEASED",
      erpStatus: "RELEASED",
      warehouseCode: "ATL1",
      lines: LINES,
    });
    refuseFulfilment.add("SO-B");
    await appendFeed("OrderStatus", "SO-A", "CREATED", released, release("SO-A"));
    await appendFeed("OrderStatus", "SO-B", "CREATED", releasedB, release("SO-B"));
    await appendFeed("Shipment", "SH-A", "CREATED", shipped, {
      shipmentId: "SH-A",
      orderNumber: "SO-A",
      status: "CREATED",
      carrier: "UPS",
      trackingNumber: "1Z1",
      lines: LINES,
      milestone: { code: "CREATED", occurredAt: shipped.toISOString() },
    });
    await appendFeed("OrderStatus", "SO-A", "UPDATED", delivered, { orderNumber: "SO-A", stage: "DELIVERED", previousStage: "SHIPPED", erpStatus: "INVOICED" });

    // SO-A runs through; SO-B's fulfilment is refused (a permanent error): the run parks.
    await until(
      () => runStatus("SO-A"),
      (status) => status === "COMPLETED",
      "SO-A completed",
    );
    await until(
      () => runStatus("SO-B"),
      (status) => status === "PARKED",
      "SO-B parked",
    );
    const firstFulfilled = Date.now();
    let text = await metrics();
    expect(metricSum(text, "crossdock_flow_order_cycle_seconds_count")).toBe(1);
    expect(metricSum(text, "crossdock_flow_order_cycle_seconds_sum")).toBe(5400);
    expect(metricSum(text, "crossdock_flow_fulfilment_latency_seconds_count")).toBe(1);
    expect(metricSum(text, "crossdock_flow_fulfilment_latency_seconds_sum")).toBe(1800);
    // 5400 s lands in the 3600 s bucket's next one (86 400 s), not in 3600.
    expect(metricSum(text, "crossdock_flow_order_cycle_seconds_bucket", { le: "3600" })).toBe(0);
    expect(metricSum(text, "crossdock_flow_order_cycle_seconds_bucket", { le: "86400" })).toBe(1);
    // Release to fulfilment recorded: SO-A's commit to its createFulfillment success, measured
    // when it was recorded (between the test's first append and now). SO-B's refusal records nothing.
    expect(metricSum(text, "crossdock_flow_release_to_fulfilment_seconds_count")).toBe(1);
    const soA = metricSum(text, "crossdock_flow_release_to_fulfilment_seconds_sum");
    expect(soA).toBeGreaterThanOrEqual((firstPickUp - released.getTime()) / 1000);
    expect(soA).toBeLessThanOrEqual((firstFulfilled - released.getTime()) / 1000);
    // No operator has touched a run yet.
    expect(metricSum(text, "crossdock_flow_manual_touch_rate")).toBe(0);

    // An operator retries SO-B: the warehouse takes it now. One of the two runs needed a person.
    const operator = { principal: { kind: "user" as const, subject: "olga", scopes: ["ops:admin"] }, requestId: "req-kpi-retry" };
    const retried = Date.now();
    await retryRun(hub, operator, "orderToCash:SO-B", null);
    engine.wake();
    await until(
      () => stepStatus("SO-B", "createFulfillment"),
      (status) => status === "SUCCEEDED",
      "SO-B fulfilled after the retry",
    );
    const secondFulfilled = Date.now();
    text = await metrics();
    expect(metricSum(text, "crossdock_flow_manual_touch_rate")).toBe(0.5);
    expect(metricSum(text, "crossdock_flow_release_to_fulfilment_seconds_count")).toBe(2);
    const soB = metricSum(text, "crossdock_flow_release_to_fulfilment_seconds_sum") - soA;
    expect(soB).toBeGreaterThanOrEqual((retried - releasedB.getTime()) / 1000);
    expect(soB).toBeLessThanOrEqual((secondFulfilled - releasedB.getTime()) / 1000);
    // Both fulfilments were recorded more than an hour after release: above the 3600 s bucket.
    expect(metricSum(text, "crossdock_flow_release_to_fulfilment_seconds_bucket", { le: "3600" })).toBe(0);
    // Still one finished run: SO-B has not been delivered, so it adds no cycle time.
    expect(metricSum(text, "crossdock_flow_order_cycle_seconds_count")).toBe(1);
  });
});
