// Flows benchmark (`npm run bench:flows -- [--orders N] [--backend pglite|postgres|both] [--parallel P]`):
// N orders through the whole order-to-cash with simulated warehouse actions (confirmPick,
// shipFulfillment, DELIVERED milestone), all through the gateway, on the embedded hub and on
// Postgres. Prints orders/min, p50/p99 per transition as a client sees it, and stuck runs.
/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL responses are read loosely here; each field is checked where it is used. */
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { startHub, type RunningHub } from "@crossdock/launcher";
import { createTestDatabases, graphql, postgresAvailable } from "@crossdock/test";

const { values: args } = parseArgs({
  options: {
    orders: { type: "string", default: "1000" },
    backend: { type: "string", default: "both" },
    parallel: { type: "string", default: "48" },
    "timeout-s": { type: "string", default: "180" },
  },
});
const ORDERS = Number(args.orders);
const PARALLEL = Number(args.parallel);
const TIMEOUT_MS = Number(args["timeout-s"]) * 1000;
const POLL_MS = 25;
const BATCH = 25;
const TRANSITIONS = ["submit → RELEASED", "release → fulfilment", "ship → ERP invoiced", "delivered → run completed", "submit → completed"] as const;
type Transition = (typeof TRANSITIONS)[number];

async function call<T>(url: string, query: string, variables: Record<string, unknown>): Promise<T> {
  const response = await graphql<T>(url, query, variables);
  if (response.errors?.length || !response.data) throw new Error(JSON.stringify(response.errors));
  return response.data;
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
    for (let i = 0; i < numbers.length; i += BATCH) {
      const chunk = numbers.slice(i, i + BATCH);
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
    this.timer = this.waiting.size > 0 ? setTimeout(() => void this.poll(), POLL_MS) : undefined;
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

async function runBench(label: string, hub: RunningHub): Promise<void> {
  const url = hub.url;
  const world = await prepare(url);
  const samples = new Map<Transition, number[]>(TRANSITIONS.map((t) => [t, []]));
  const record = (t: Transition, ms: number) => samples.get(t)!.push(ms);
  const waiters = waitersFor(url);
  let next = 0;
  let completed = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (next < ORDERS) {
        const n = next++;
        try {
          if (await orderToCash(url, n, world, waiters, record)) completed++;
          else failed++;
        } catch (error) {
          failed++;
          if (failed <= 3) console.error(`  order ${n} failed:`, (error as Error).message.slice(0, 300));
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const metrics = await call<any>(
    url,
    `{ flowMetrics { runs running parked completed feedLag fulfilmentLatency { p50Ms p99Ms } orderCycleTime { p50Ms p99Ms } } }`,
    {},
  );
  const m = metrics.flowMetrics;
  console.log(`\n${label}: ${ORDERS} orders, ${PARALLEL} in parallel, ${seconds.toFixed(1)} s`);
  console.log(`  orders/min end to end: ${((completed / seconds) * 60).toFixed(0)}   completed ${completed}, failed or timed out ${failed}`);
  for (const t of TRANSITIONS) {
    const sorted = samples.get(t)!.sort((a, b) => a - b);
    console.log(
      `  ${t.padEnd(28)} p50 ${percentile(sorted, 50).toFixed(0).padStart(6)} ms   p99 ${percentile(sorted, 99).toFixed(0).padStart(6)} ms   (n=${sorted.length})`,
    );
  }
  // Stuck: runs not finished although their order completed the warehouse side, plus parked ones.
  console.log(
    `  stuck runs: ${failed + m.parked} (parked ${m.parked}; runs ${m.runs}, still running ${m.running} incl. replenishment/exception waits; feed lag ${m.feedLag})`,
  );
  console.log(
    `  flows' own KPIs: fulfilment latency p50 ${m.fulfilmentLatency.p50Ms?.toFixed(0)} ms, order cycle p50 ${m.orderCycleTime.p50Ms?.toFixed(0)} ms`,
  );
  console.log(`  process RSS: ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
}

const quiet = { ...process.env, LOG_LEVEL: "warn", CROSSDOCK_SIMULATE: "0" };
const ports = { erp: 0, crm: 0, wms: 0, ops: 0, flows: 0 };
if (args.backend === "pglite" || args.backend === "both") {
  const hub = await startHub({ port: 0, subgraphPorts: ports, dataDir: "memory", seedScale: 0.05, simulate: false, env: quiet });
  try {
    await runBench("embedded (PGlite, outbox capture)", hub);
  } finally {
    await hub.stop();
  }
}
if ((args.backend === "postgres" || args.backend === "both") && (await postgresAvailable())) {
  const databases = await createTestDatabases(["erp", "crm", "wms", "hub"] as const);
  try {
    const hub = await startHub({
      port: 0,
      subgraphPorts: ports,
      dataDir: "memory",
      seedScale: 0.05,
      simulate: false,
      env: quiet,
      databaseUrls: databases.urls,
      capture: "pg-logical",
    });
    try {
      await runBench("Postgres (pg-logical capture)", hub);
    } finally {
      await hub.stop();
    }
  } finally {
    await databases.drop();
  }
}
