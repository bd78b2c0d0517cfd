// Scale-out under load: two gateways, two flows workers with their default (unique) worker ids,
// and two ingests for the same sources (the second stands by) on one Postgres, every one its own
// process. Clients submit orders through both gateways and subscribers listen on both; one of
// each kind is killed (SIGKILL) mid-load and the rest carry on: the standby ingest takes over
// the capture, the other worker the leased steps, the other gateway the clients. The oracle then
// checks that nothing acknowledged is lost or done twice, and the test prints what it checked.
import { hostname } from "node:os";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensurePostgresCluster, postgresClusterToolsAvailable, postgresRequired } from "../src/index.js";
import { FaultReport, runScenario, startProcessHub, type FaultLoad, type ProcessHub, type ServiceProcess } from "../src/faults/index.js";
import type { Seeded } from "../e2e/flowsSupport.js";
import { expectPromisesKept, prepareLoadTarget } from "./scenarioSupport.js";

const runnable = (await postgresClusterToolsAvailable()) || postgresRequired;
if (!runnable) console.warn("scale-out fault test skipped: no pg_ctlcluster or not root (CROSSDOCK_REQUIRE_POSTGRES=1 fails instead)");

/** The flows' step lease in this hub: steps of the killed worker are taken over once it runs out. */
const LEASE_MS = 5000;
const SOURCES = ["crm", "erp", "wms"];
/** The first of each kind; the second gateway, the second worker and the standby ingest survive. */
const VICTIMS = ["gateway", "flows", "ops"];

/** Per captured source, 1 while the ingest stands by for it and 0 while it captures it (its /metrics). */
async function standbyBySource(ingest: ServiceProcess): Promise<Record<string, number>> {
  const text = await (await fetch(`${ingest.baseUrl}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  const roles: Record<string, number> = {};
  for (const line of text.split("\n")) {
    if (!line.startsWith("crossdock_cdc_capture_standby{")) continue;
    const source = /source="([^"]+)"/.exec(line)?.[1];
    if (source) roles[source] = Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return roles;
}

const everySource = (value: number) => Object.fromEntries(SOURCES.map((source) => [source, value]));
/** Whether the ingest's role is `value` (1 standby, 0 capturing) for every source, and it captures no other. */
const isForEverySource = (roles: Record<string, number>, value: number) =>
  Object.keys(roles).length === SOURCES.length && SOURCES.every((source) => roles[source] === value);

/** Resolves with the time the condition first held; rejects at the deadline. */
async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return Date.now();
}

describe.skipIf(!runnable)("scale-out: 2 gateways, 2 flows workers, an ingest and its standby, one of each killed under load", () => {
  let hub: ProcessHub;
  let seeded: Seeded;
  let hubDatabase: pg.Client;
  const report = new FaultReport("scale-out");

  beforeAll(async () => {
    const cluster = await ensurePostgresCluster();
    hub = await startProcessHub({
      adminUrl: cluster.adminUrl,
      gateways: 2,
      flowsWorkers: 2,
      standbyIngests: 1,
      defaultWorkerIds: true,
      env: { FLOWS_LEASE_MS: String(LEASE_MS) },
    });
    seeded = await prepareLoadTarget(hub.gatewayUrls[1]!);
    hubDatabase = new pg.Client({ connectionString: hub.databaseUrls.hub });
    await hubDatabase.connect();
  }, 300_000);

  afterAll(async () => {
    if (report.scenarios.length > 0) report.write();
    await hubDatabase?.end();
    await hub?.stop();
  });

  it("SIGKILL a gateway, a flows worker and the active ingest mid-load: the standby takes over, nothing is lost or done twice", async () => {
    const ingest = hub.service("ops");
    const standby = hub.service("ops-2");
    // Before: the first ingest captures every source, the second stands by for each.
    expect(await standbyBySource(ingest)).toEqual(everySource(0));
    expect(await standbyBySource(standby)).toEqual(everySource(1));
    const feedHead = async () =>
      BigInt((await hubDatabase.query<{ head: string }>(`SELECT COALESCE(MAX("cursor"), 0)::text AS head FROM "ChangeFeedEntry"`)).rows[0]!.head);
    let ordersAtKill = 0;
    let scenarioLoad: FaultLoad | undefined;
    try {
      const result = await runScenario({
        name: "scale-out: SIGKILL gateway, flows, active ingest",
        hub,
        target: seeded,
        report,
        clients: 3,
        subscribers: 4,
        async fault(load, healed) {
          const victims = VICTIMS.map((name) => hub.service(name));
          scenarioLoad = load;
          // Mid-load: orders in flight in the flows and changes in flight in the capture when the kills come.
          await load.acknowledgedMore(10);
          ordersAtKill = load.orderNumbers().length;
          const killedAt = Date.now();
          await Promise.all(victims.map((victim) => victim.kill()));
          const headAtKill = await feedHead();
          const tookOver = await until(
            async () => isForEverySource(await standbyBySource(standby), 0),
            30_000,
            "the standby ingest to take over every source",
          ).catch(async (error: Error) => {
            const roles = await standbyBySource(standby).catch(() => ({}));
            throw new Error(`${error.message}: ${JSON.stringify(roles)}\n${standby.output.slice(-30).join("\n")}`);
          });
          // The survivors carry the load: writes acknowledged through the other gateway, captured
          // by the standby ingest (the feed grows), orders placed since fulfilled by the other worker.
          await load.acknowledgedMore(6);
          await until(async () => (await feedHead()) > headAtKill, 60_000, "the change feed to grow after the active ingest died");
          const wms = new pg.Client({ connectionString: hub.databaseUrls.wms });
          await wms.connect();
          try {
            await until(
              async () => {
                const placed = load.orderNumbers().slice(ordersAtKill);
                const { rowCount } = await wms.query(`SELECT 1 FROM "FulfillmentOrder" WHERE "orderNumber" = ANY($1::text[]) LIMIT 1`, [placed]);
                return placed.length > 0 && (rowCount ?? 0) > 0;
              },
              90_000,
              "an order placed after the kills to be fulfilled by the surviving worker",
            );
          } finally {
            await wms.end();
          }
          healed();
          // A supervisor starts them again; the old active ingest comes back as the standby.
          await Promise.all(victims.map((victim) => victim.start()));
          const rejoined = await standbyBySource(ingest);
          return {
            processes: hub.services.size,
            kills: victims.length,
            takeoverMs: tookOver - killedAt,
            rejoinedAsStandby: isForEverySource(rejoined, 1) ? 1 : 0,
          };
        },
      });
      expectPromisesKept(result, VICTIMS);
      // The standby answered all along (it serves the ops subgraph) and never double-captured.
      for (const survivor of ["gateway-2", "flows-2", "ops-2"]) expect(result.readiness[survivor]?.every((status) => status === 200)).toBe(true);
      expect(result.figures["rejoinedAsStandby"]).toBe(1);
      expect(await standbyBySource(standby)).toEqual(everySource(0));
      expect(result.figures["takeoverMs"]).toBeGreaterThan(0);
      expect(result.subscriberEvents).toBeGreaterThan(0);
      // Each order placed, fulfilled and invoiced once (the oracle), by workers with ids of their own.
      const owners = (await hubDatabase.query<{ owner: string }>(`SELECT DISTINCT "owner" FROM "FlowStep" WHERE "owner" IS NOT NULL`)).rows.map((r) => r.owner);
      const survivorId = `${hostname()}-${hub.service("flows-2").pid}`;
      expect(owners).toContain(survivorId);
      expect(owners.every((owner) => owner.startsWith(`${hostname()}-`))).toBe(true);
      expect(owners.length).toBeGreaterThanOrEqual(2);
      // Orders in the printed table too (the report object is the one the suite's table prints).
      const orders = scenarioLoad!.orderNumbers().length;
      result.figures["orders"] = orders;
      result.figures["ordersAfterKills"] = orders - ordersAtKill;
      const checked = [
        ["processes (erp, crm, wms, 2 ingests, 2 flows workers, 2 gateways)", String(result.figures["processes"])],
        ["SIGKILLed mid-load (gateway, flows, active ingest)", String(result.figures["kills"])],
        ["operations acknowledged (orders, stock, picks, shipments, deliveries)", String(result.acknowledged)],
        ["orders acknowledged, each found once in ERP, fulfilled and invoiced once", String(orders)],
        ["orders acknowledged after the kills", String(orders - ordersAtKill)],
        ["standby ingest takeover (kill -> capturing every source), ms", String(result.figures["takeoverMs"])],
        ["old active ingest came back as the standby", result.figures["rejoinedAsStandby"] === 1 ? "yes" : "no"],
        ["flows worker ids seen on steps (default: host-pid)", String(owners.length)],
        ["subscribers (spread over both gateways): events, resumes", `${result.subscriberEvents}, ${result.subscriberResumes}`],
        ["lost (acknowledged but missing, or missed by a subscriber)", String(result.lost)],
        ["duplicated (writes, fulfilments, invoices, subscriber events)", String(result.duplicated)],
      ];
      const width = Math.max(...checked.map(([what]) => what!.length));
      console.log(`\nScale-out checks:\n${checked.map(([what, value]) => `  ${what!.padEnd(width)}  ${value}`).join("\n")}\n`);
    } finally {
      await hub.reviveAll();
    }
  }, 400_000);
});
