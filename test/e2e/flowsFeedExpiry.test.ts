// The flows recover from an expired feed cursor: retention pruned entries they had not read
// (they were down past the hard cap), so on start they re-scan the order status read model,
// start the runs the pruned releases would have started, log it, count it, and read on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig as loadIngestConfig, start as startIngest, type RunningIngest } from "@crossdock/cdc-ingest";
import { loadConfig as loadFlowsConfig, start as startFlows, type RunningFlows } from "@crossdock/flows";
import { eventually } from "./hubHarness.js";

const orderStatus = (orderNumber: string, stage: string, erpStatus: string) =>
  JSON.stringify({ orderNumber, customerNumber: "C-EXP", stage, previousStage: null, erpStatus });

describe("flows after their feed cursor expired", () => {
  let ingest: RunningIngest;
  let flows: RunningFlows | undefined;
  const hub = () => ingest.hub;
  const runOf = async (orderNumber: string) =>
    (await hub().query<{ id: string; status: string }>(`SELECT "id", "status" FROM "FlowRun" WHERE "id" = $1`, [`orderToCash:${orderNumber}`]))[0];
  const consumer = async () =>
    (
      await hub().query<{ cursor: string; expired: boolean }>(
        `SELECT "cursor"::text AS cursor, "expiredAt" IS NOT NULL AS expired FROM "FeedConsumer" WHERE "name" = 'flows'`,
      )
    )[0];
  const append = (orderNumber: string, payload: string) =>
    hub().query<{ c: string }>(
      `INSERT INTO "ChangeFeedEntry" ("entityType", "entityKey", "changeKind", "occurredAt", "source", "sourcePosition", "payload")
       VALUES ('OrderStatus', $1, 'UPDATED', now(), 'erp', '1', $2::jsonb) RETURNING "cursor"::text AS c`,
      [orderNumber, payload],
    );

  beforeAll(async () => {
    ingest = await startIngest({ ...loadIngestConfig({ LOG_LEVEL: "silent" }), port: 0, hubDatabaseUrl: "pglite:memory", capture: "none" });
    // Where the orders stand now (the read model), and the feed entries that said so, appended
    // longer ago than the hard cap while the flows (registered at cursor 0) were away.
    await hub().query(
      `INSERT INTO "OrderStatusView" ("orderNumber", "customerNumber", "stage", "erpStatus", "lastEventAt", "sourceCommittedAt", "updatedAt")
       VALUES ('SO-EXP-1', 'C-EXP', 'RELEASED', 'RELEASED', now(), now(), now()), ('SO-EXP-2', 'C-EXP', 'RECEIVED', 'RECEIVED', now(), now(), now())`,
    );
    await append("SO-EXP-1", orderStatus("SO-EXP-1", "RELEASED", "RELEASED"));
    await append("SO-EXP-2", orderStatus("SO-EXP-2", "RECEIVED", "RECEIVED"));
    await hub().query(`UPDATE "ChangeFeedEntry" SET "appendedAt" = now() - interval '400 hours'`);
    await hub().query(`INSERT INTO "FeedConsumer" ("name", "cursor", "durable") VALUES ('flows', 0, true)`);
    const pruned = await ingest.pruneFeed();
    expect(pruned).toMatchObject({ pruned: 2, expired: [{ name: "flows", cursor: "0" }] });
  });
  afterAll(async () => {
    await flows?.stop({ abrupt: true });
    await ingest?.stop();
  });

  it("re-scans the read model, starts the missing runs, and reads on from the head", async () => {
    const config = loadFlowsConfig({ LOG_LEVEL: "silent", FLOWS_POLL_MS: "50", FLOWS_MAX_ATTEMPTS: "1" });
    // No gateway: steps cannot run here, and need not; what the re-scan triggered is the point.
    flows = await startFlows({ ...config, port: 0, gatewayUrl: "http://127.0.0.1:9/graphql" }, { hub: hub(), feed: ingest.bus });
    const recovered = await eventually(consumer, (c) => c?.expired === false, 60_000);
    expect(recovered?.expired).toBe(false);
    expect(await runOf("SO-EXP-1")).toMatchObject({ id: "orderToCash:SO-EXP-1" });
    const steps = await hub().query<{ name: string }>(`SELECT "name" FROM "FlowStep" WHERE "runId" = 'orderToCash:SO-EXP-1' ORDER BY "name"`);
    expect(steps.map((s) => s.name)).toEqual(["createFulfillment", "timelineReleased"]);
    // An order that was not released starts nothing.
    expect(await runOf("SO-EXP-2")).toBeUndefined();
    const metrics = await (await fetch(flows.url.replace(/graphql$/, "metrics"))).text();
    expect(metrics).toMatch(/crossdock_flow_feed_rescans_total\{[^}]*\} 1/);

    // After the recovery the feed is read as usual: a new release starts its run.
    const [{ c }] = (await append("SO-EXP-3", orderStatus("SO-EXP-3", "RELEASED", "RELEASED"))) as [{ c: string }];
    await eventually(
      () => runOf("SO-EXP-3"),
      (run) => run !== undefined,
      60_000,
    );
    expect(await runOf("SO-EXP-3")).toMatchObject({ id: "orderToCash:SO-EXP-3" });
    expect(BigInt((await eventually(consumer, (row) => BigInt(row!.cursor) >= BigInt(c), 60_000))!.cursor)).toBeGreaterThanOrEqual(BigInt(c));
  });
});
