// Faults on the links and between replicas, under the same load and oracle as the kills: the
// gateway's link to the ERP gets slow and then resets (TCP proxy), the ingest loses Postgres
// to a black hole for longer than its connection timeouts, one of two gateways is killed while
// clients use both, and one of two flows workers stops (SIGSTOP) past its lease while the other takes over.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensurePostgresCluster, postgresClusterToolsAvailable, postgresRequired } from "../src/index.js";
import { FaultReport, loadFailed, runScenario, startProcessHub, type FaultLoad, type ProcessHub } from "../src/faults/index.js";
import type { Seeded } from "../e2e/flowsSupport.js";
import { expectPromisesKept, prepareLoadTarget } from "./scenarioSupport.js";

const runnable = (await postgresClusterToolsAvailable()) || postgresRequired;
if (!runnable) console.warn("link and replica fault tests skipped: no pg_ctlcluster or not root (CROSSDOCK_REQUIRE_POSTGRES=1 fails instead)");

/** The flows' step lease in this hub; a worker stopped for longer has its steps taken over. */
const LEASE_MS = 5000;
/** The platform's Postgres connection timeout (CROSSDOCK_PG_CONNECT_TIMEOUT_MS default): the black hole outlasts it. */
const CONNECT_TIMEOUT_MS = 5000;

describe.skipIf(!runnable)("link faults and replicas under load (a process per service, pg-logical capture)", () => {
  let hub: ProcessHub;
  let seeded: Seeded;
  const report = new FaultReport("links-and-replicas");

  beforeAll(async () => {
    const cluster = await ensurePostgresCluster();
    hub = await startProcessHub({
      adminUrl: cluster.adminUrl,
      gateways: 2,
      flowsWorkers: 2,
      proxies: ["gateway->erp", "ops->postgres"],
      env: { FLOWS_LEASE_MS: String(LEASE_MS) },
    });
    seeded = await prepareLoadTarget(hub.gatewayUrls[0]!);
  }, 300_000);

  afterAll(async () => {
    if (report.scenarios.length > 0) report.write();
    await hub?.stop();
  });

  const scenario = (name: string, fault: (load: FaultLoad, healed: () => void) => Promise<void | Record<string, number>>) =>
    runScenario({ name, hub, target: seeded, report, fault });

  it("gateway <-> erp latency, then resets: writes slow down or fail retryably, nothing is lost or doubled", async () => {
    const proxy = hub.proxies["gateway->erp"]!;
    try {
      const result = await scenario("gateway<->erp latency+resets", async (load, healed) => {
        proxy.set({ mode: "latency", ms: 300 });
        await load.acknowledgedMore(3);
        proxy.set({ mode: "reset" });
        await loadFailed(load, 2, 15_000);
        healed();
        proxy.set({ mode: "pass" });
      });
      expectPromisesKept(result, []);
      expect(proxy.resets).toBeGreaterThan(0);
    } finally {
      proxy.set({ mode: "pass" });
      await hub.reviveAll();
    }
  }, 300_000);

  it("ingest <-> Postgres black hole past the connection timeouts: capture stalls, /readyz says so, and it catches up by itself", async () => {
    const proxy = hub.proxies["ops->postgres"]!;
    const ops = hub.service("ops");
    try {
      const result = await scenario("ingest<->postgres blackhole", async (load, healed) => {
        proxy.set({ mode: "blackhole" });
        const started = Date.now();
        // The systems of record keep taking writes meanwhile; the read model falls behind.
        await load.acknowledgedMore(3);
        while ((await ops.ready()) && Date.now() - started < 30_000) await new Promise((resolve) => setTimeout(resolve, 200));
        // The fault itself is a duration: longer than a connection attempt may take.
        const holdUntil = started + 2 * CONNECT_TIMEOUT_MS;
        while (Date.now() < holdUntil) await new Promise((resolve) => setTimeout(resolve, 200));
        healed();
        proxy.set({ mode: "pass" });
      });
      expectPromisesKept(result, ["ops"]);
    } finally {
      proxy.set({ mode: "pass" });
      await hub.reviveAll();
    }
  }, 300_000);

  it("two gateways, one killed: clients fail over to the other, subscribers resume there", async () => {
    try {
      const result = await scenario("2 gateways, SIGKILL gateway-2", async (load, healed) => {
        const victim = hub.service("gateway-2");
        await victim.kill();
        await loadFailed(load, 2, 15_000);
        await load.acknowledgedMore(3);
        healed();
        await victim.start();
        return { restartMs: victim.lastStartMs };
      });
      expectPromisesKept(result, ["gateway-2"]);
    } finally {
      await hub.reviveAll();
    }
  }, 300_000);

  it("a flows worker stopped past its lease while the other takes over: each side effect happens once", async () => {
    const wms = new pg.Client({ connectionString: hub.databaseUrls.wms });
    await wms.connect();
    const paused = hub.service("flows");
    try {
      const result = await scenario("flows worker paused past lease", async (load, healed) => {
        const before = load.orderNumbers().length;
        paused.pause();
        const started = Date.now();
        // The other worker fulfils orders placed after the pause, and the pause outlasts the lease.
        for (;;) {
          const placed = load.orderNumbers().slice(before);
          const fulfilled = placed.length
            ? (await wms.query(`SELECT 1 FROM "FulfillmentOrder" WHERE "orderNumber" = ANY($1::text[]) LIMIT 1`, [placed])).rowCount
            : 0;
          if (fulfilled && Date.now() - started > 2 * LEASE_MS) break;
          if (Date.now() - started > 90_000) throw new Error("no order was fulfilled while flows-1 was stopped");
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
        healed();
        paused.resume();
      });
      expectPromisesKept(result, ["flows"]);
    } finally {
      paused.resume();
      await wms.end();
      await hub.reviveAll();
    }
  }, 300_000);
});
