// Fault: the administrator restarts Postgres (`pg_ctlcluster … restart`, a fast shutdown) under
// the whole hub on pg-logical capture, once idle and once while clients submit orders and retry
// refused ones with the same idempotency key. The restart must not hang on the hub, the hub must
// recover by itself, every acknowledged order must exist once and reach its fulfilment, and
// /readyz must say the truth throughout. Runs on the suite's own cluster, never the shared server.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ensurePostgresCluster,
  graphql,
  graphqlData,
  postgresClusterToolsAvailable,
  postgresRequired,
  type PostgresCluster,
  type PostgresRestart,
} from "../src/index.js";
import { startTestHub, type TestHub } from "../e2e/hubHarness.js";
import { seededCustomerAndStock, SUBMIT, type Seeded } from "../e2e/flowsSupport.js";

const runnable = (await postgresClusterToolsAvailable()) || postgresRequired;
if (!runnable) console.warn("postgres restart fault tests skipped: no pg_ctlcluster or not root (CROSSDOCK_REQUIRE_POSTGRES=1 fails instead)");

/**
 * A restart held up by a walsender's client lasts pg_ctl's 60 s; a healthy one a few seconds. The
 * hub may add a little (its connections close), not more: within this of the restart with nothing connected.
 */
const RESTART_SLACK_MS = 5_000;
const RECOVERY_BOUND_MS = 20_000;

interface Submitted {
  key: string;
  orderNumber: string;
  outcome: string;
}

/** Waits until every /readyz answers 200, or the deadline passes (the assertions then say which did not). */
async function readyAgain(urls: string[], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const ready = async () =>
    (
      await Promise.all(
        urls.map((url) =>
          fetch(url).then(
            (r) => r.status,
            () => 0,
          ),
        ),
      )
    ).every((status) => status === 200);
  while (!(await ready()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** Samples a /readyz while a fault happens: which answers it gave, in order. */
function watchReadiness(url: string): { stop(): Promise<number[]> } {
  const statuses: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const status = await fetch(url, { signal: AbortSignal.timeout(3000) }).then(
        (response) => response.status,
        () => 0,
      );
      if (statuses.at(-1) !== status) statuses.push(status);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return statuses;
    },
  };
}

async function sql<T>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

describe.skipIf(!runnable)("Postgres restart under the hub (pg-logical capture)", () => {
  let cluster: PostgresCluster;
  let t: TestHub;
  let seeded: Seeded;
  let unloaded: PostgresRestart;
  const readyzOf = (graphqlUrl: string) => graphqlUrl.replace(/\/graphql$/, "/readyz");

  const submit = (key: string) =>
    graphql<any>(t.url, SUBMIT, {
      input: { idempotencyKey: key, customerNumber: seeded.customerNumber, warehouseCode: seeded.warehouseCode, lines: [{ sku: seeded.sku, quantity: "1" }] },
    });

  /** Submits one order until it is acknowledged, with the same key every time (what a client must do). */
  async function submitUntilAcknowledged(key: string, codes: Map<string, number>, deadlineMs: number): Promise<Submitted> {
    for (;;) {
      const response = await submit(key).catch((error: unknown) => ({ status: 0, errors: [{ message: String(error), extensions: { code: "FETCH_FAILED" } }] }));
      const payload = (response as any).data?.submitOrder;
      if (payload) return { key, orderNumber: payload.order.orderNumber, outcome: payload.outcome };
      const code = String(response.errors?.[0]?.extensions?.code ?? `HTTP_${response.status}`);
      codes.set(code, (codes.get(code) ?? 0) + 1);
      if (Date.now() > deadlineMs) throw new Error(`order ${key} still refused (${code}) at the deadline`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** From the end of a restart until a fresh order is acknowledged. */
  async function timeToWrite(): Promise<number> {
    const started = Date.now();
    await submitUntilAcknowledged(randomUUID(), new Map(), started + RECOVERY_BOUND_MS);
    return Date.now() - started;
  }

  /** Each acknowledged order once in the ERP under its key, and one fulfilment for it in the WMS (through the flows). */
  async function expectOnceAndFulfilled(orders: readonly Submitted[]): Promise<void> {
    const urls = t.databaseUrls!;
    const keys = orders.map((o) => o.key);
    const stored = await sql<{ idempotencyKey: string; orderNumber: string }>(
      urls.erp,
      `SELECT "idempotencyKey", "orderNumber" FROM "SalesOrder" WHERE "idempotencyKey" = ANY($1::text[]) ORDER BY "orderNumber"`,
      [keys],
    );
    expect(stored.map((r) => [r.idempotencyKey, r.orderNumber]).sort()).toEqual(orders.map((o) => [o.key, o.orderNumber]).sort());
    const numbers = orders.map((o) => o.orderNumber);
    const deadline = Date.now() + 60_000;
    let fulfilments: { orderNumber: string; count: number }[] = [];
    while (Date.now() < deadline) {
      fulfilments = await sql<{ orderNumber: string; count: number }>(
        urls.wms,
        `SELECT "orderNumber", count(*)::int AS count FROM "FulfillmentOrder" WHERE "orderNumber" = ANY($1::text[]) GROUP BY 1`,
        [numbers],
      );
      if (fulfilments.length === numbers.length) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const missing = numbers.filter((n) => !fulfilments.some((f) => f.orderNumber === n));
    if (missing.length > 0) {
      // What the process layer knows about the orders that did not get there: the first thing to read on a failure.
      const runs = await sql(
        urls.hub,
        `SELECT r."orderNumber", r."status", r."lastError", s."name", s."status" AS "stepStatus", s."attempts", s."lastErrorCode"
         FROM "FlowRun" r LEFT JOIN "FlowStep" s ON s."runId" = r."id" WHERE r."orderNumber" = ANY($1::text[]) ORDER BY 1`,
        [missing],
      );
      const inReadModel = await sql(urls.hub, `SELECT "orderNumber", "stage" FROM "OrderStatusView" WHERE "orderNumber" = ANY($1::text[])`, [missing]);
      console.log(`orders without a fulfilment: ${JSON.stringify({ missing, runs, inReadModel })}`);
    }
    expect(fulfilments.filter((f) => f.count !== 1)).toEqual([]);
    expect(fulfilments.map((f) => f.orderNumber).sort()).toEqual([...numbers].sort());
  }

  beforeAll(async () => {
    cluster = await ensurePostgresCluster();
    // The figure to compare with: the same restart with nothing of the hub connected.
    unloaded = await cluster.restart();
    t = await startTestHub("postgres", 0.05, { FLOWS_ENABLED: "1" }, { postgresAdminUrl: cluster.adminUrl });
    seeded = await seededCustomerAndStock(t.url);
    // Room for every order the clients place: credit and stock never refuse one.
    await graphqlData(t.url, `mutation($c: ID!) { setCreditLimit(customerNumber: $c, creditLimit: "100000000") { creditLimit } }`, {
      c: seeded.customerNumber,
    });
    await graphqlData(t.url, `mutation($i: AdjustInventoryInput!) { adjustInventory(input: $i) { onHand } }`, {
      i: { sku: seeded.sku, warehouseCode: seeded.warehouseCode, quantityDelta: "100000", reason: "fault suite stock", idempotencyKey: randomUUID() },
    });
  });

  afterAll(async () => {
    // A failed scenario may leave the server stopped; the databases are dropped on a running one.
    await cluster?.start();
    await t?.stop();
  });

  it("idle: the restart takes as long as with nothing connected, and the hub writes again after it", async () => {
    const before = await submitUntilAcknowledged(randomUUID(), new Map(), Date.now() + 10_000);
    const gatewayReady = watchReadiness(readyzOf(t.url));
    const erpReady = watchReadiness(readyzOf(t.hub.subgraphUrls.erp));
    const restart = await cluster.restart();
    const recoveredMs = await timeToWrite();
    await readyAgain([readyzOf(t.url), readyzOf(t.hub.subgraphUrls.erp)]);
    const [gateway, erp] = [await gatewayReady.stop(), await erpReady.stop()];
    console.log(
      `[postgres restart, idle] restart ${restart.ms} ms with the hub connected vs ${unloaded.ms} ms with nothing connected; writes served again ${recoveredMs} ms after it`,
    );
    expect(restart.ms).toBeLessThan(unloaded.ms + RESTART_SLACK_MS);
    // The server is away for a few hundred ms of the restart: a 503 may or may not be sampled
    // then (the outage scenario below holds it down long enough to check); ready after, surely.
    expect(gateway.at(-1)).toBe(200);
    expect(erp.at(-1)).toBe(200);
    await expectOnceAndFulfilled([before]);
  });

  it("outage: while the server is down requests fail fast as SERVICE_UNAVAILABLE and /readyz says so; the same key succeeds once it is back", async () => {
    const gatewayReady = watchReadiness(readyzOf(t.url));
    const erpReady = watchReadiness(readyzOf(t.hub.subgraphUrls.erp));
    await cluster.stop();
    const key = randomUUID();
    const asked = Date.now();
    const refused = await submit(key);
    const refusedMs = Date.now() - asked;
    expect(refused.errors?.map((e: any) => e.extensions?.code)).toEqual(["SERVICE_UNAVAILABLE"]);
    expect(refused.errors?.[0]?.extensions?.retryable).toBe(true);
    expect(refused.data?.submitOrder ?? null).toBeNull();
    expect(refusedMs).toBeLessThan(6000);
    const probe = async () => (await fetch(readyzOf(t.url))).status;
    const deadline = Date.now() + 5000;
    while ((await probe()) !== 503 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await probe()).toBe(503);
    // Reads fail the same way, through Prisma (the ERP's customer) and through plain SQL (the read model).
    const read = await graphql<any>(
      t.url,
      `
        query ($c: ID!) {
          customer(customerNumber: $c) {
            name
            creditLimit
          }
        }
      `,
      { c: seeded.customerNumber },
    );
    expect(read.errors?.map((e: any) => e.extensions?.code)).toEqual(["SERVICE_UNAVAILABLE"]);
    // Down for a while longer: every loop of the hub meets connection refusals, and must survive them.
    const downUntil = Date.now() + Number(process.env.CROSSDOCK_FAULTS_OUTAGE_MS ?? 3000);
    while (Date.now() < downUntil) {
      expect((await submit(key)).errors?.[0]?.extensions?.code).toBe("SERVICE_UNAVAILABLE");
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await cluster.start();
    const started = Date.now();
    const order = await submitUntilAcknowledged(key, new Map(), started + RECOVERY_BOUND_MS);
    const recoveredMs = Date.now() - started;
    await readyAgain([readyzOf(t.url), readyzOf(t.hub.subgraphUrls.erp)]);
    const [gateway, erp] = [await gatewayReady.stop(), await erpReady.stop()];
    console.log(
      `[postgres outage] a write was refused in ${refusedMs} ms while the server was down; the same key succeeded ${recoveredMs} ms after it started`,
    );
    expect(gateway).toContain(503);
    expect(gateway.at(-1)).toBe(200);
    expect(erp).toContain(503);
    expect(erp.at(-1)).toBe(200);
    await expectOnceAndFulfilled([order]);
  });

  it("busy: clients retrying with the same key lose and double nothing, and every order reaches its fulfilment", async () => {
    const codes = new Map<string, number>();
    const acknowledged: Submitted[] = [];
    let placing = true;
    const deadline = Date.now() + 120_000;
    let failure: unknown;
    const clients = Array.from({ length: 6 }, async () => {
      try {
        while (placing) {
          acknowledged.push(await submitUntilAcknowledged(randomUUID(), codes, deadline));
          await new Promise((resolve) => setTimeout(resolve, 150));
        }
      } catch (error) {
        failure ??= error;
        placing = false;
      }
    });
    /** Until `count` orders are acknowledged; a client that failed, or the deadline, ends the wait with its reason. */
    const acknowledgedAtLeast = async (count: number) => {
      while (acknowledged.length < count && failure === undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      if (failure !== undefined) throw failure;
      expect(acknowledged.length).toBeGreaterThanOrEqual(count);
    };
    const gatewayReady = watchReadiness(readyzOf(t.url));
    // Load first, then the restart in the middle of it.
    await acknowledgedAtLeast(12);
    const duringRestart = acknowledged.length;
    const restart = await cluster.restart();
    const recoveredMs = await timeToWrite();
    const afterRestart = acknowledged.length;
    await acknowledgedAtLeast(afterRestart + 12);
    placing = false;
    await Promise.all(clients);
    if (failure !== undefined) throw failure;
    await readyAgain([readyzOf(t.url)]);
    const gateway = await gatewayReady.stop();
    console.log(
      `[postgres restart, busy] restart ${restart.ms} ms with the hub under load vs ${unloaded.ms} ms with nothing connected; writes served again ${recoveredMs} ms after it; ` +
        `${acknowledged.length} orders acknowledged (${duringRestart} before the restart), refusals by code ${JSON.stringify(Object.fromEntries(codes))}`,
    );
    expect(restart.ms).toBeLessThan(unloaded.ms + RESTART_SLACK_MS);
    expect(acknowledged.every((o) => o.outcome === "RELEASED")).toBe(true);
    // While the database was away, a request either failed as retryable or could not reach a gateway that was itself fine.
    expect([...codes.keys()].filter((code) => code !== "SERVICE_UNAVAILABLE")).toEqual([]);
    expect(gateway.at(-1)).toBe(200);
    await expectOnceAndFulfilled(acknowledged);
  }, 180_000);
});
