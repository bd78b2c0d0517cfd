// Fault: SIGKILL of each service (erp, wms, cdc-ingest, flows, gateway), a Postgres restart and
// terminated backends, while clients submit orders, adjust stock, pick, ship and deliver through
// the public API and a subscriber listens.
// Every service runs in its own process on the suite's Postgres cluster with pg-logical capture;
// the harness restarts the killed one as a supervisor would. The oracle (faultOracle.ts) decides.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensurePostgresCluster, postgresClusterToolsAvailable, postgresRequired, type PostgresCluster } from "../src/index.js";
import { FaultReport, loadFailed, runScenario, startProcessHub, type FaultLoad, type ProcessHub } from "../src/faults/index.js";
import type { Seeded } from "../e2e/flowsSupport.js";
import { expectPromisesKept, prepareLoadTarget } from "./scenarioSupport.js";

const runnable = (await postgresClusterToolsAvailable()) || postgresRequired;
if (!runnable) console.warn("service kill fault tests skipped: no pg_ctlcluster or not root (CROSSDOCK_REQUIRE_POSTGRES=1 fails instead)");

/** What the clients see while each service is down: the write path refuses, or the hub takes writes and catches up later. */
const KILLS: { service: string; whileDown: (load: FaultLoad) => Promise<void> }[] = [
  { service: "erp", whileDown: (load) => loadFailed(load, 2, 15_000) },
  { service: "wms", whileDown: (load) => loadFailed(load, 2, 15_000) },
  { service: "ops", whileDown: (load) => load.acknowledgedMore(4) },
  { service: "flows", whileDown: (load) => load.acknowledgedMore(4) },
  { service: "gateway", whileDown: (load) => loadFailed(load, 2, 15_000) },
];

describe.skipIf(!runnable)("SIGKILL of each service under load (a process per service, pg-logical capture)", () => {
  let hub: ProcessHub;
  let cluster: PostgresCluster;
  let seeded: Seeded;
  const report = new FaultReport("service-kills");

  beforeAll(async () => {
    cluster = await ensurePostgresCluster();
    hub = await startProcessHub({ adminUrl: cluster.adminUrl, env: { FLOWS_LEASE_MS: "5000" } });
    seeded = await prepareLoadTarget(hub.gatewayUrls[0]!);
  }, 300_000);

  afterAll(async () => {
    if (report.scenarios.length > 0) report.write();
    await hub?.stop();
  });

  for (const { service, whileDown } of KILLS) {
    it(`SIGKILL ${service}: nothing acknowledged is lost or doubled, and the hub recovers by itself`, async () => {
      try {
        const result = await runScenario({
          name: `SIGKILL ${service}`,
          hub,
          target: seeded,
          report,
          async fault(load, healed) {
            const victim = hub.service(service);
            await victim.kill();
            await whileDown(load);
            healed();
            await victim.start();
            return { restartMs: victim.lastStartMs };
          },
        });
        expectPromisesKept(result, [service]);
      } finally {
        await hub.reviveAll();
      }
    }, 300_000);
  }

  it("Postgres restart under load (pg_ctlcluster restart, fast): nothing lost or doubled, no manual step", async () => {
    try {
      const result = await runScenario({
        name: "Postgres restart",
        hub,
        target: seeded,
        report,
        async fault() {
          const restart = await cluster.restart();
          return { restartMs: restart.ms };
        },
      });
      // The server is away for well under a second of the restart: a 503 may or may not be sampled then.
      expectPromisesKept(result, []);
    } finally {
      await cluster.start();
      await hub.reviveAll();
    }
  }, 300_000);

  it("terminated backends (every connection of the hub's databases, replication included): nothing lost or doubled", async () => {
    const admin = new pg.Client({ connectionString: cluster.adminUrl });
    await admin.connect();
    try {
      const result = await runScenario({
        name: "backends terminated",
        hub,
        target: seeded,
        report,
        async fault(load) {
          const databases = Object.values(hub.databaseUrls).map((url) => new URL(url).pathname.slice(1));
          const { rows } = await admin.query<{ terminated: number }>(
            `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS terminated FROM pg_stat_activity WHERE datname = ANY($1::text[]) AND pid <> pg_backend_pid()`,
            [databases],
          );
          await load.acknowledgedMore(2);
          return { terminated: rows[0]!.terminated };
        },
      });
      expectPromisesKept(result, []);
      expect(result.figures["terminated"]).toBeGreaterThan(0);
    } finally {
      await admin.end();
      await hub.reviveAll();
    }
  }, 300_000);
});
