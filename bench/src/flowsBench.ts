// Flows benchmark (`npm run bench:flows -- [--orders N] [--warmup W] [--backend pglite|postgres|both] [--parallel P]
// [--postgres-mode launcher|processes|embedded] [--timeout-s S]`): N orders through the whole order-to-cash with
// simulated warehouse actions (confirmPick, shipFulfillment, DELIVERED milestone), all through the gateway, on the
// embedded hub and on Postgres. On Postgres the services run by default in one process of their own (`npm start`
// on Postgres URLs: one process per host, the bench's client in another); --postgres-mode processes runs each
// service from its own entry point in its own process, embedded runs them inside the bench's process. Prints
// orders/min, p50/p99 per transition as a client sees it, where an order's time went (from the timestamps the hub
// database keeps), CPU per process, and stuck runs. BENCH_CPU_PROF_DIR=<dir> profiles the service processes.
/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL responses are read loosely here; each field is checked where it is used. */
import { randomUUID } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import pg from "pg";
import { startHub, type RunningHub } from "@crossdock/launcher";
import { createTestDatabases, postgresAvailable } from "@crossdock/test";
import { cpuSeconds, machineCpuSeconds, postgresCpuSeconds, startHubProcess, startServiceProcesses } from "./support/hubProcess.js";
import { benchIdentityEnv } from "./support/benchIdentity.js";
import { closeKeepAlive, keepAlivePost, type GraphResponse } from "./support/keepAlivePost.js";

const { values: args } = parseArgs({
  options: {
    orders: { type: "string", default: "1000" },
    warmup: { type: "string", default: "100" },
    backend: { type: "string", default: "both" },
    parallel: { type: "string", default: "48" },
    "timeout-s": { type: "string", default: "180" },
    "postgres-mode": { type: "string", default: "launcher" },
  },
});
const ORDERS = Number(args.orders);
/** Orders sent first and not counted: the hub's first burst runs on cold JIT, caches and prepared statements. */
const WARMUP = Number(args.warmup);
const PARALLEL = Number(args.parallel);
const TIMEOUT_MS = Number(args["timeout-s"]) * 1000;
/** How often the client asks about the orders it waits for (BENCH_POLL_MS): its figures include up to one interval. */
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 25);
const BATCH = 25;
const TRANSITIONS = ["submit → RELEASED", "release → fulfilment", "ship → ERP invoiced", "delivered → run completed", "submit → completed"] as const;
type Transition = (typeof TRANSITIONS)[number];

/** Requests the bench had to send again after a transport failure (a connection dropped under load). */
let transportRetries = 0;

async function call<T>(url: string, query: string, variables: Record<string, unknown>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let response: GraphResponse<T>;
    try {
      // node:http on a keep-alive agent: the bench shares the machine with the hub it measures.
      response = await keepAlivePost<T>(url, query, variables);
    } catch (error) {
      // A dropped connection: the request may or may not have reached the hub. Sent again unchanged, as a
      // real client would: every write here carries its idempotency key (setCreditLimit is a plain
      // set), so a second delivery changes nothing.
      if (attempt >= 5)
        throw new Error(`${(error as Error).message} (${String((error as { cause?: unknown }).cause ?? "no cause")}) after ${attempt} attempts`);
      transportRetries++;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      continue;
    }
    if (response.errors?.length || !response.data) throw new Error(JSON.stringify(response.errors));
    return response.data;
  }
}

/**
 * Waits for many orders at once: every POLL_MS one request asks about up to BATCH waiting orders
 * (aliases with variables, so the gateway plans the operation once), instead of one poll per
 * order — the bench must not be what loads the hub.
 */
class BatchWaiter {
  private readonly waiting = new Map<string, { done: (value: any) => boolean; resolve: (value: any) => void; deadline: number }[]>();
  private timer: NodeJS.Timeout | undefined;
  private readonly operation: string;

  constructor(
    private readonly url: string,
    field: string,
    selection: string,
  ) {
    const vars = Array.from({ length: BATCH }, (_, i) => `$o${i}: ID!`).join(", ");
    const aliases = Array.from({ length: BATCH }, (_, i) => `o${i}: ${field}(orderNumber: $o${i}) ${selection}`).join(" ");
    this.operation = `query(${vars}) { ${aliases} }`;
  }

  wait<T>(orderNumber: string, done: (value: T) => boolean, deadline: number): Promise<T | null> {
    return new Promise((resolve) => {
      const list = this.waiting.get(orderNumber) ?? [];
      list.push({ done, resolve, deadline });
      this.waiting.set(orderNumber, list);
      this.timer ??= setTimeout(() => void this.poll(), POLL_MS);
    });
  }

  private async poll(): Promise<void> {
    const numbers = [...this.waiting.keys()];
    const chunks = Array.from({ length: Math.ceil(numbers.length / BATCH) }, (_, i) => numbers.slice(i * BATCH, (i + 1) * BATCH));
    // The chunks side by side: one poll round costs one round trip however many orders wait.
    await Promise.all(chunks.map((chunk) => this.pollChunk(chunk)));
    this.timer = this.waiting.size > 0 ? setTimeout(() => void this.poll(), POLL_MS) : undefined;
  }

  private async pollChunk(chunk: string[]): Promise<void> {
    const variables = Object.fromEntries(Array.from({ length: BATCH }, (_, j) => [`o${j}`, chunk[j] ?? chunk[0]]));
    const data = await call<Record<string, any>>(this.url, this.operation, variables).catch(() => ({}) as Record<string, any>);
    chunk.forEach((orderNumber, j) => {
      const value = data[`o${j}`];
      const list = this.waiting.get(orderNumber) ?? [];
      const left = list.filter((w) => {
        if (value !== undefined && w.done(value)) w.resolve(value);
        else if (Date.now() > w.deadline) w.resolve(null);
        else return true;
        return false;
      });
      if (left.length === 0) this.waiting.delete(orderNumber);
      else this.waiting.set(orderNumber, left);
    });
  }
}

/** Customers with room on their credit and one well-stocked sku per warehouse. */
async function prepare(url: string): Promise<{ customers: string[]; stock: { sku: string; warehouseCode: string }[] }> {
  const data = await call<any>(
    url,
    `{ customers(status: ACTIVE, first: 100) { edges { node { customerNumber account { accountId } } } } products(first: 20) { edges { node { sku stock { warehouse { code } } } } } }`,
    {},
  );
  const customers = data.customers.edges
    .map((e: any) => e.node)
    .filter((c: any) => c.account)
    .map((c: any) => c.customerNumber)
    .slice(0, 20);
  for (const c of customers) await call(url, `mutation($c: ID!) { setCreditLimit(customerNumber: $c, creditLimit: "100000000") { customerNumber } }`, { c });
  const stock = data.products.edges.flatMap((e: any) => e.node.stock.map((s: any) => ({ sku: e.node.sku, warehouseCode: s.warehouse.code }))).slice(0, 20);
  for (const s of stock) {
    await call(url, `mutation($i: AdjustInventoryInput!) { adjustInventory(input: $i) { onHand } }`, {
      i: { ...s, quantityDelta: String(ORDERS * 2), reason: "bench: receive stock", idempotencyKey: randomUUID() },
    });
  }
  return { customers, stock };
}

interface Waiters {
  fulfilment: BatchWaiter;
  status: BatchWaiter;
  runs: BatchWaiter;
}

function waitersFor(url: string): Waiters {
  return {
    fulfilment: new BatchWaiter(url, "order", "{ fulfillments { fulfillmentId lines { sku quantity } } }"),
    status: new BatchWaiter(url, "order", "{ status }"),
    runs: new BatchWaiter(url, "flowRuns", "{ flow status }"),
  };
}

async function orderToCash(
  url: string,
  n: number,
  world: Awaited<ReturnType<typeof prepare>>,
  waiters: Waiters,
  record: (t: Transition, ms: number) => void,
  onSubmitted: (orderNumber: string) => void,
): Promise<boolean> {
  const deadline = Date.now() + TIMEOUT_MS;
  const line = world.stock[n % world.stock.length]!;
  const t0 = performance.now();
  const submitted = await call<any>(url, `mutation($i: SubmitOrderInput!) { submitOrder(input: $i) { outcome order { orderNumber } } }`, {
    i: {
      idempotencyKey: randomUUID(),
      customerNumber: world.customers[n % world.customers.length],
      warehouseCode: line.warehouseCode,
      lines: [{ sku: line.sku, quantity: "1" }],
    },
  });
  if (submitted.submitOrder.outcome !== "RELEASED") throw new Error(`order ${n} was ${submitted.submitOrder.outcome}`);
  const t1 = performance.now();
  record("submit → RELEASED", t1 - t0);
  const orderNumber = submitted.submitOrder.order.orderNumber;
  onSubmitted(orderNumber);
  const fulfilments = (await waiters.fulfilment.wait<any>(orderNumber, (o) => o.fulfillments.length > 0, deadline))?.fulfillments;
  if (!fulfilments) return false;
  const t2 = performance.now();
  record("release → fulfilment", t2 - t1);
  const fulfilment = fulfilments[0];
  await call(url, `mutation($i: ConfirmPickInput!) { confirmPick(input: $i) { status } }`, {
    i: { fulfillmentId: fulfilment.fulfillmentId, lines: fulfilment.lines, idempotencyKey: randomUUID() },
  });
  const shipped = await call<any>(url, `mutation($i: ShipFulfillmentInput!) { shipFulfillment(input: $i) { shipmentId } }`, {
    i: { fulfillmentId: fulfilment.fulfillmentId, carrier: "UPS", trackingNumber: `1Z${n}`, idempotencyKey: randomUUID() },
  });
  const t3 = performance.now();
  if (!(await waiters.status.wait<any>(orderNumber, (o) => o.status === "INVOICED", deadline))) return false;
  const t4 = performance.now();
  record("ship → ERP invoiced", t4 - t3);
  await call(url, `mutation($i: ShipmentMilestoneInput!) { recordShipmentMilestone(input: $i) { status } }`, {
    i: { shipmentId: shipped.shipFulfillment.shipmentId, code: "DELIVERED", location: "Customer dock", idempotencyKey: randomUUID() },
  });
  const t5 = performance.now();
  const completed = (runs: any[]) => runs.some((r) => r.flow === "orderToCash" && r.status === "COMPLETED");
  if (!(await waiters.runs.wait<any[]>(orderNumber, completed, deadline))) return false;
  const t6 = performance.now();
  record("delivered → run completed", t6 - t5);
  record("submit → completed", t6 - t0);
  return true;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** A running hub as the bench sees it: its gateway, its hub database (for the time breakdown) and its processes. */
interface Target {
  label: string;
  url: string;
  hubQuery<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Processes whose CPU time is reported (the bench's own process when everything runs in it). */
  processes: { name: string; pid: number }[];
  /** Each service's base URL, whose /metrics gives SQL statements and GraphQL operations (processes mode). */
  metricsUrls: Record<string, string>;
  /** Whether Postgres shares the machine (its CPU is reported). */
  postgres: boolean;
  stop(): Promise<void>;
}

/** The counters that say how much work an order costs, per service and series: SQL statements (by model and operation) and GraphQL operations. */
async function workCounters(target: Target): Promise<Map<string, Map<string, number>>> {
  const counts = new Map<string, Map<string, number>>();
  for (const [name, base] of Object.entries(target.metricsUrls)) {
    const text = await fetch(`${base}/metrics`)
      .then((response) => response.text())
      .catch(() => "");
    const series = new Map<string, number>();
    for (const line of text.split("\n")) {
      if (
        line.startsWith("crossdock_sql_statements_total") ||
        line.startsWith("crossdock_graphql_requests_total") ||
        line.startsWith("nodejs_eventloop_lag_")
      ) {
        series.set(line.slice(0, line.lastIndexOf(" ")), Number(line.slice(line.lastIndexOf(" ") + 1)));
      }
    }
    counts.set(name, series);
  }
  return counts;
}

/** Per completed order, what each service handled; BENCH_WORK_DETAIL=1 adds its busiest series. */
function workPerOrder(before: Map<string, Map<string, number>>, after: Map<string, Map<string, number>>, orders: number): string[] {
  const lines: string[] = [];
  for (const [name, series] of after) {
    const delta = [...series].map(([key, value]) => [key, (value - (before.get(name)?.get(key) ?? 0)) / Math.max(1, orders)] as const);
    const total = (prefix: string) => delta.filter(([key]) => key.startsWith(prefix)).reduce((sum, [, value]) => sum + value, 0);
    lines.push(`${name} ${total("crossdock_sql_statements_total").toFixed(1)} SQL / ${total("crossdock_graphql_requests_total").toFixed(1)} GraphQL`);
    if (process.env.BENCH_WORK_DETAIL === "1") {
      for (const [key, value] of delta.filter(([key, value]) => value >= 0.05 && key.startsWith("crossdock_")).sort((a, b) => b[1] - a[1]))
        lines.push(`      ${name} ${value.toFixed(2)} ${key}`);
    }
  }
  return lines;
}

const ms = (from: unknown, to: unknown): number | null =>
  from === null || to === null || from === undefined || to === undefined ? null : new Date(to as string).getTime() - new Date(from as string).getTime();

function summary(values: (number | null)[]): string {
  const sorted = values.filter((v): v is number => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return "n=0";
  return `p50 ${percentile(sorted, 50).toFixed(0).padStart(6)} ms   p99 ${percentile(sorted, 99).toFixed(0).padStart(6)} ms   (n=${sorted.length})`;
}

/**
 * Where an order's time went, from the timestamps the hub database keeps: the source commit
 * (the feed entry's occurredAt), the feed append (cdc-ingest), the step's creation (the flows'
 * feed reader), its claim (a worker took it) and its end (its gateway calls returned and the
 * outcome was recorded). Precision is the columns' millisecond.
 */
async function timeBreakdown(target: Target, orderNumbers: string[]): Promise<void> {
  type FeedRow = { orderNumber: string; type: string; kind: string; stage: string | null; occurredAt: string; appendedAt: string };
  type StepRow = { orderNumber: string; kind: string; createdAt: string; startedAt: string | null; finishedAt: string | null; attempts: number };
  const feed = await target.hubQuery<FeedRow>(
    `SELECT "payload"->>'orderNumber' AS "orderNumber", "entityType" AS type, "changeKind" AS kind, "payload"->>'stage' AS stage, "occurredAt", "appendedAt"
     FROM "ChangeFeedEntry" WHERE "entityType" IN ('OrderStatus', 'Shipment') AND "payload"->>'orderNumber' = ANY($1::text[]) ORDER BY "cursor"`,
    [orderNumbers],
  );
  const steps = await target.hubQuery<StepRow>(
    `SELECT r."orderNumber", s."kind", s."createdAt", s."startedAt", s."finishedAt", s."attempts" FROM "FlowStep" s JOIN "FlowRun" r ON r."id" = s."runId"
     WHERE r."flow" = 'orderToCash' AND r."orderNumber" = ANY($1::text[]) ORDER BY s."id"`,
    [orderNumbers],
  );
  const runs = await target.hubQuery<{ orderNumber: string; finishedAt: string | null }>(
    `SELECT "orderNumber", "finishedAt" FROM "FlowRun" WHERE "flow" = 'orderToCash' AND "orderNumber" = ANY($1::text[])`,
    [orderNumbers],
  );
  const group = <R extends { orderNumber: string }>(list: R[]) => {
    const map = new Map<string, R[]>();
    for (const row of list) map.set(row.orderNumber, [...(map.get(row.orderNumber) ?? []), row]);
    return map;
  };
  const feedOf = group(feed);
  const stepsOf = group(steps);
  const rows = new Map<string, (number | null)[]>();
  const add = (name: string, value: number | null) => rows.set(name, [...(rows.get(name) ?? []), value]);
  for (const run of runs) {
    const entries = feedOf.get(run.orderNumber) ?? [];
    const released = entries.find((e) => e.type === "OrderStatus" && e.stage === "RELEASED");
    const shipped = entries.find((e) => e.type === "Shipment");
    const delivered = entries.find((e) => e.type === "OrderStatus" && e.stage === "DELIVERED");
    const own = stepsOf.get(run.orderNumber) ?? [];
    const create = own.find((s) => s.kind === "createFulfillment");
    const record = own.find((s) => s.kind === "recordShipment");
    add("release → fulfilment: ERP commit → createFulfillment recorded", ms(released?.occurredAt, create?.finishedAt));
    add("ship → ERP invoiced: WMS commit → recordShipment recorded", ms(shipped?.occurredAt, record?.finishedAt));
    add("release: ERP commit → feed append (capture + apply)", ms(released?.occurredAt, released?.appendedAt));
    add("release: feed append → steps created (flows reader)", ms(released?.appendedAt, create?.createdAt));
    add("release: createFulfillment created → claimed", ms(create?.createdAt, create?.startedAt));
    add("release: createFulfillment claimed → done (1 gateway call)", ms(create?.startedAt, create?.finishedAt));
    add("ship: WMS commit → feed append (capture + apply)", ms(shipped?.occurredAt, shipped?.appendedAt));
    add("ship: feed append → steps created (flows reader)", ms(shipped?.appendedAt, record?.createdAt));
    add("ship: recordShipment created → claimed", ms(record?.createdAt, record?.startedAt));
    add("ship: recordShipment claimed → done (1 gateway call)", ms(record?.startedAt, record?.finishedAt));
    add("delivered: WMS commit → DELIVERED stage appended", ms(delivered?.occurredAt, delivered?.appendedAt));
    add("delivered: stage appended → run finished", ms(delivered?.appendedAt, run.finishedAt));
    for (const step of own) {
      if (step.kind.startsWith("timeline")) add("timeline steps: claimed → done (1 gateway call)", ms(step.startedAt, step.finishedAt));
      if (step.attempts > 1) add("steps needing a retry (value = attempts)", step.attempts);
    }
  }
  console.log("  where the time went (hub database timestamps):");
  for (const [name, values] of rows) console.log(`    ${name.padEnd(62)} ${summary(values)}`);
}

/** Runs that did not complete, with their live steps: what a stuck run was waiting for. */
async function explainStuck(target: Target): Promise<void> {
  const stuck = await target.hubQuery<{ id: string; status: string; facts: unknown; steps: unknown }>(
    `SELECT r."id", r."status", r."facts", (SELECT json_agg(json_build_object('name', s."name", 'status', s."status", 'attempts', s."attempts", 'error', s."lastErrorCode", 'message', left(s."lastError", 160))
       ORDER BY s."id") FROM "FlowStep" s WHERE s."runId" = r."id" AND s."status" <> 'SUCCEEDED') AS steps
     FROM "FlowRun" r WHERE r."flow" = 'orderToCash' AND r."status" <> 'COMPLETED' ORDER BY r."createdAt" LIMIT 5`,
  );
  for (const run of stuck) console.log(`    not completed: ${run.id} ${run.status} facts ${JSON.stringify(run.facts)} live steps ${JSON.stringify(run.steps)}`);
}

async function runBench(target: Target): Promise<void> {
  const url = target.url;
  const world = await prepare(url);
  console.log(`${target.label}: hub up, ${WARMUP} warm-up orders, then ${ORDERS} measured`);
  const samples = new Map<Transition, number[]>(TRANSITIONS.map((t) => [t, []]));
  const record = (t: Transition, ms: number) => samples.get(t)!.push(ms);
  const waiters = waitersFor(url);
  const orderNumbers: string[] = [];
  let next = 0;
  let completed = 0;
  let failed = 0;
  let warmupFailed = 0;
  // The measured window opens when the first measured order is taken: the warm-up orders still in
  // flight keep the hub as busy as it will stay, so the window starts in the steady state.
  let cpuBefore: number[] = [];
  let postgresBefore = 0;
  let machineBefore = { busy: 0, total: 0 };
  let workBefore = new Map<string, Map<string, number>>();
  let started = 0;
  const openWindow = async () => {
    cpuBefore = target.processes.map((p) => cpuSeconds(p.pid));
    postgresBefore = postgresCpuSeconds();
    machineBefore = machineCpuSeconds();
    started = performance.now();
    workBefore = await workCounters(target);
  };
  // Measured orders start only once the window is open (its counters read), so none of their work falls before it.
  let window: Promise<void> | undefined;
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (next < WARMUP + ORDERS) {
        const n = next++;
        const measured = n >= WARMUP;
        if (measured) await (window ??= openWindow());
        const done = await orderToCash(url, n, world, waiters, measured ? record : () => undefined, (orderNumber) => {
          if (measured) orderNumbers.push(orderNumber);
        }).catch((error: unknown) => {
          if (failed + warmupFailed < 3) console.error(`  order ${n} failed:`, (error as Error).message.slice(0, 300));
          return false;
        });
        if (!measured) warmupFailed += done ? 0 : 1;
        else if (done) completed++;
        else failed++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = target.processes.map((p, i) => {
    const used = cpuSeconds(p.pid) - cpuBefore[i]!;
    return `${p.name} ${(used / seconds).toFixed(2)} (${((used * 1000) / Math.max(1, completed)).toFixed(0)} ms/order)`;
  });
  if (target.postgres) {
    const used = postgresCpuSeconds() - postgresBefore;
    cpu.push(`postgres ${(used / seconds).toFixed(2)} (${((used * 1000) / Math.max(1, completed)).toFixed(0)} ms/order)`);
  }
  const machineAfter = machineCpuSeconds();
  const busy = (machineAfter.busy - machineBefore.busy) / Math.max(1e-9, machineAfter.total - machineBefore.total);
  const workAfter = await workCounters(target);
  const perOrder = workPerOrder(workBefore, workAfter, completed);
  const metrics = await call<any>(
    url,
    `{ flowMetrics { runs running parked completed feedLag fulfilmentLatency { p50Ms p99Ms } orderCycleTime { p50Ms p99Ms } } }`,
    {},
  );
  const m = metrics.flowMetrics;
  console.log(`\n${target.label}: ${ORDERS} orders measured after ${WARMUP} warm-up orders, ${PARALLEL} in parallel, ${seconds.toFixed(1)} s`);
  console.log(
    `  orders/min end to end: ${((completed / seconds) * 60).toFixed(0)}   completed ${completed}, failed or timed out ${failed} (warm-up: ${warmupFailed} of ${WARMUP}); requests sent again after a transport failure (whole run): ${transportRetries}`,
  );
  for (const t of TRANSITIONS) {
    const sorted = samples.get(t)!.sort((a, b) => a - b);
    console.log(
      `  ${t.padEnd(28)} p50 ${percentile(sorted, 50).toFixed(0).padStart(6)} ms   p99 ${percentile(sorted, 99).toFixed(0).padStart(6)} ms   (n=${sorted.length})`,
    );
  }
  // Stuck: runs not finished although their order completed the warehouse side, plus parked ones.
  console.log(
    `  stuck runs: ${failed + warmupFailed + m.parked} (parked ${m.parked}; runs ${m.runs}, still running ${m.running} incl. replenishment/exception waits; feed lag ${m.feedLag})`,
  );
  if (failed + m.parked > 0) await explainStuck(target);
  console.log(
    `  flows' own KPIs (every run, warm-up included): fulfilment latency p50 ${m.fulfilmentLatency.p50Ms?.toFixed(0)} ms, order cycle p50 ${m.orderCycleTime.p50Ms?.toFixed(0)} ms`,
  );
  await timeBreakdown(target, orderNumbers);
  console.log(`  CPU cores used per process over the run (CPU time per completed order): ${cpu.join(", ")}`);
  console.log(`  machine busy over the run: ${(busy * 100).toFixed(0)}% of ${cpus().length} cores`);
  if (perOrder.length > 0) console.log(`  per completed order, SQL statements / GraphQL operations each service handled:\n    ${perOrder.join("\n    ")}`);
  for (const [name, series] of workAfter) {
    // prom-client's event-loop delay, reset by every scrape: the one at the window's start and this one bound it.
    // A process reports it once, on its first service's registry (the ERP's when the hub is one process).
    const lag = (stat: string) => [...series].find(([key]) => key.startsWith(`nodejs_eventloop_lag_${stat}_seconds`))?.[1];
    if (lag("p99") === undefined) continue;
    const label = target.processes.length === 2 ? "the hub process" : `the ${name} process`;
    console.log(
      `  event-loop delay of ${label} over the run: p50 ${(1000 * lag("p50")!).toFixed(0)} ms, p99 ${(1000 * lag("p99")!).toFixed(0)} ms, max ${(1000 * lag("max")!).toFixed(0)} ms`,
    );
  }
  console.log(
    `  load average: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")} on ${cpus().length} cores`,
  );
  console.log(`  bench process RSS: ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
}

const quiet = { ...process.env, LOG_LEVEL: "warn", CROSSDOCK_SIMULATE: "0" };
const ports = { erp: 0, crm: 0, wms: 0, ops: 0, flows: 0 };

/** The whole hub in this process (`npm start`'s launcher): the bench shares its event loop. */
async function inProcess(label: string, options: Parameters<typeof startHub>[0]): Promise<Target> {
  const hub: RunningHub = await startHub({
    port: 0,
    subgraphPorts: ports,
    dataDir: "memory",
    seedScale: 0.05,
    simulate: false,
    env: { ...quiet, ...(await benchIdentityEnv()) },
    ...options,
  });
  const database = hub.subscriptionFeed.database;
  return {
    label,
    url: hub.url,
    hubQuery: (sql, params) => database.query(sql, params),
    processes: [{ name: "bench + hub", pid: process.pid }],
    metricsUrls: {},
    postgres: options?.databaseUrls !== undefined,
    stop: () => hub.stop(),
  };
}

type DatabaseUrls = Record<"erp" | "crm" | "wms" | "hub", string>;

/** What every Postgres topology is started with: pg-logical capture on the given databases, fresh secrets. */
function postgresEnv(urls: DatabaseUrls): Record<string, string> {
  return {
    CROSSDOCK_SIMULATE: "0",
    CROSSDOCK_SERVICE_TOKEN: randomUUID(),
    CROSSDOCK_PRINCIPAL_SECRET: randomUUID(),
    CROSSDOCK_CAPTURE: "pg-logical",
    ERP_DATABASE_URL: urls.erp,
    CRM_DATABASE_URL: urls.crm,
    WMS_DATABASE_URL: urls.wms,
    HUB_DATABASE_URL: urls.hub,
  };
}

/** A Postgres topology running in child processes, with the hub database read directly for the time breakdown. */
function childTarget(
  label: string,
  urls: DatabaseUrls,
  started: { gatewayUrl: string; serviceBaseUrls: Record<string, string>; stop(): Promise<void> },
  processes: { name: string; pid: number }[],
): Target {
  const hub = new pg.Pool({ connectionString: urls.hub, max: 2 });
  return {
    label,
    url: started.gatewayUrl,
    hubQuery: async (sql, params) => (await hub.query(sql, params)).rows,
    processes: [...processes, { name: "bench", pid: process.pid }],
    metricsUrls: started.serviceBaseUrls,
    postgres: true,
    async stop() {
      await hub.end();
      await started.stop();
    },
  };
}

/**
 * Postgres the way ARCHITECTURE.md's scaled-out topology runs it: each service its own process, started from
 * its own entry point (`<package>/src/index.ts`) with its environment, like the README's standalone commands.
 */
async function separateProcesses(label: string, urls: DatabaseUrls): Promise<Target> {
  const services = await startServiceProcesses({ seedScale: 0.05, env: postgresEnv(urls) });
  return childTarget(
    label,
    urls,
    services,
    Object.entries(services.servicePids).map(([name, pid]) => ({ name, pid })),
  );
}

/** Postgres with every service in one process (`npm start` on Postgres URLs with pg-logical capture): one process per host. */
async function launcherProcess(label: string, urls: DatabaseUrls): Promise<Target> {
  const launched = await startHubProcess({ seedScale: 0.05, env: postgresEnv(urls) });
  return childTarget(label, urls, launched, [{ name: "hub", pid: launched.child.pid! }]);
}

async function measure(start: () => Promise<Target>): Promise<void> {
  const target = await start();
  try {
    await runBench(target);
  } finally {
    await target.stop();
  }
}

if (args.backend === "pglite" || args.backend === "both") {
  await measure(() => inProcess("embedded (PGlite, outbox capture, one process)", {}));
}
if ((args.backend === "postgres" || args.backend === "both") && (await postgresAvailable())) {
  const databases = await createTestDatabases(["erp", "crm", "wms", "hub"] as const);
  try {
    if (args["postgres-mode"] === "embedded") {
      await measure(() => inProcess("Postgres (pg-logical capture, one process with the bench)", { databaseUrls: databases.urls, capture: "pg-logical" }));
    } else if (args["postgres-mode"] === "processes") {
      await measure(() => separateProcesses("Postgres (pg-logical capture, a process per service)", databases.urls));
    } else {
      await measure(() => launcherProcess("Postgres (pg-logical capture, every service in one process)", databases.urls));
    }
  } finally {
    await databases.drop();
  }
}
closeKeepAlive();
