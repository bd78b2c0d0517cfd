// A second gateway replica next to the hub's (on Postgres it tails the feed with its own LISTEN):
// both deliver every event; auth is checked at connection_init; a supergraph reload keeps
// subscriptions; a stalled consumer is closed with 1013; shutdown closes with 1001 and the
// client resumes on the other replica with exactly what it had not seen.
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { loadConfig, start, type GatewayDependencies, type RunningGateway } from "@crossdock/gateway";
import { ANONYMOUS, CHANGE_FEED_CHANNEL } from "@crossdock/platform";
import { loadSupergraphSdl } from "@crossdock/schema";
import { bearer, fetchMetrics, identityOf, metricSum, postgresAdminUrl, useDefaultHeaders } from "../src/index.js";
import { BACKENDS, backendAvailable, eventually, startTestHub, type Backend, type TestHub } from "./hubHarness.js";
import {
  adjustInventory,
  collect,
  graphqlSseClient,
  graphqlWsClient,
  INVENTORY_SUBSCRIPTION,
  stockedPositions,
  subscribed,
  type PositionKey,
} from "./subscriptionsClients.js";

async function startReplica(t: TestHub, backend: Backend, subscriptions: Record<string, number> = {}, deps: GatewayDependencies = {}): Promise<RunningGateway> {
  const base = loadConfig({ ...process.env, LOG_LEVEL: "warn", NODE_ENV: "development" });
  const flowsUrl = (t.hub as { flows?: { url: string } }).flows?.url;
  // The hub's own Postgres database (displayUrl drops the user name; the admin URL has it).
  const hubDatabaseUrl = new URL(postgresAdminUrl);
  hubDatabaseUrl.pathname = new URL(t.hub.subscriptionFeed.database.displayUrl.replace(/^pglite:/, "pglite://x/")).pathname;
  const replica = await start(
    {
      ...base,
      port: 0,
      host: "127.0.0.1",
      // The replica trusts the hub's issuer: the same tokens work on both.
      identity: { ...base.identity, ...identityOf(t.hub) },
      subgraphUrls: { ...base.subgraphUrls, ...t.hub.subgraphUrls, ...(flowsUrl ? { flows: flowsUrl } : {}) },
      subscriptions: { ...base.subscriptions, ...(backend === "postgres" ? { hubDatabaseUrl: hubDatabaseUrl.toString() } : {}), ...subscriptions },
    },
    // PGlite has one owner: the replica shares the hub's reader. Postgres: the replica opens its own.
    backend === "pglite" ? { feed: t.hub.subscriptionFeed, ...deps } : deps,
  );
  useDefaultHeaders(replica.url, bearer(t.token));
  return replica;
}

for (const backend of BACKENDS) {
  describe.skipIf(!(await backendAvailable(backend)))(`subscriptions on gateway replicas (${backend})`, () => {
    let t: TestHub;
    let a: PositionKey;
    beforeAll(async () => {
      t = await startTestHub(backend);
      [a] = (await stockedPositions(t.url, 1)) as [PositionKey];
    });
    afterAll(async () => t?.stop());

    it("delivers every event on both replicas, with the same cursors", async () => {
      const replica = await startReplica(t, backend);
      const clients = [graphqlWsClient(t.url), graphqlWsClient(replica.url)];
      const subs = clients.map((c) => collect(c, INVENTORY_SUBSCRIPTION, { sku: a.sku, wh: a.warehouseCode }));
      await Promise.all([subscribed(t.url, 1), subscribed(replica.url, 1)]);
      // One change at a time: changes the ingest applies in one batch make one entry per position.
      for (const [i, delta] of ["-1", "-1", "2"].entries()) {
        await adjustInventory(t.url, a.sku, a.warehouseCode, delta);
        await Promise.all(subs.map((s) => s.waitFor(i + 1)));
      }
      const [viaHub, viaReplica] = await Promise.all(subs.map((s) => s.waitFor(3)));
      const summary = (events: any[]) => events.map((e) => [e.inventoryChanged.cursor, e.inventoryChanged.position.onHand]);
      expect(summary(viaReplica!)).toEqual(summary(viaHub!));
      expect(viaReplica![0].inventoryChanged.position.warehouse.name.length).toBeGreaterThan(0);
      await Promise.all(clients.map((c) => c.dispose()));
      await replica.stop();
    });

    it("checks credentials at connection_init (graphql-ws) and in headers (SSE)", async () => {
      const replica = await startReplica(
        t,
        backend,
        {},
        {
          resolvePrincipal: (credentials) => {
            if (credentials.authorization !== "Bearer good") throw new Error("unknown token");
            return { ...ANONYMOUS, kind: "user", subject: "dashboard", scopes: ["inventory:read"] };
          },
        },
      );
      const rejected = graphqlWsClient(replica.url, { authorization: "Bearer bad" });
      const denied = collect(rejected, INVENTORY_SUBSCRIPTION, { sku: a.sku, wh: a.warehouseCode });
      await denied.ended();
      expect(denied.events).toHaveLength(0);
      expect((denied.errors[0] as { code?: number }).code).toBe(4401);
      const sseDenied = collect(graphqlSseClient(replica.url, { authorization: "Bearer bad" }), INVENTORY_SUBSCRIPTION, { sku: a.sku });
      await sseDenied.ended();
      expect(String(sseDenied.errors[0])).toMatch(/401|Unauthorized/);
      const accepted = graphqlWsClient(replica.url, { authorization: "Bearer good" });
      const allowed = collect(accepted, INVENTORY_SUBSCRIPTION, { sku: a.sku, wh: a.warehouseCode });
      await subscribed(replica.url, 1);
      await adjustInventory(t.url, a.sku, a.warehouseCode, "-1");
      expect((await allowed.waitFor(1))[0].inventoryChanged.position.sku).toBe(a.sku);
      await Promise.all([rejected.dispose(), accepted.dispose()]);
      await replica.stop();
    });

    it("keeps subscriptions open across a supergraph reload", async () => {
      const replica = await startReplica(t, backend);
      const client = graphqlWsClient(replica.url);
      const sub = collect(client, INVENTORY_SUBSCRIPTION, { sku: a.sku, wh: a.warehouseCode });
      await subscribed(replica.url, 1);
      await adjustInventory(t.url, a.sku, a.warehouseCode, "-1");
      await sub.waitFor(1);
      await replica.reloadSupergraph(`${loadSupergraphSdl()}\n# reloaded by e2e\n`);
      await adjustInventory(t.url, a.sku, a.warehouseCode, "1");
      const events = await sub.waitFor(2);
      expect(sub.errors).toHaveLength(0);
      expect(events[1].inventoryChanged.position.product.description.length).toBeGreaterThan(0);
      await client.dispose();
      await replica.stop();
    });

    it("closes a stalled consumer with 1013 instead of buffering, and a resume continues without a gap", async () => {
      const replica = await startReplica(t, backend, { maxQueuedEvents: 8, stallTimeoutMs: 500, feedPollIntervalMs: 200 });
      const socket = new WebSocket(replica.url.replace(/^http/, "ws"), "graphql-transport-ws");
      const messages: any[] = [];
      socket.on("message", (data) => messages.push(JSON.parse(String(data))));
      await once(socket, "open");
      socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${t.token}` } }));
      await eventually(async () => messages.some((m) => m.type === "connection_ack"), Boolean, 10_000);
      // The event's own fields only: events stream as fast as the socket takes them.
      const query = `subscription($sku: ID, $wh: ID) { inventoryChanged(sku: $sku, warehouseCode: $wh) { cursor occurredAt previousAvailable } }`;
      socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query, variables: { sku: a.sku, wh: a.warehouseCode } } }));
      await subscribed(replica.url, 1);
      socket.pause(); // the client stops reading; the server's socket buffers fill up
      const db = t.hub.subscriptionFeed.database;
      const payload = {
        sku: a.sku,
        warehouseCode: a.warehouseCode,
        onHand: "5000.000",
        allocated: "0.000",
        available: "5000.000",
        previousAvailable: "5000.000",
      };
      await db.query(
        `INSERT INTO "ChangeFeedEntry" ("entityType", "entityKey", "changeKind", "occurredAt", "source", "sourcePosition", "payload")
         SELECT 'InventoryPosition', $1, 'UPDATED', now(), 'e2e', n::text, $2::jsonb FROM generate_series(1, 60000) AS n`,
        [`${a.sku}|${a.warehouseCode}`, JSON.stringify(payload)],
      );
      await db.query(`SELECT pg_notify('${CHANGE_FEED_CHANNEL}', 'e2e')`);
      // ~1.5 MB fits in the socket buffers; the rest waits until the stall (500 ms) is detected.
      const slow = await eventually(
        async () => metricSum(await fetchMetrics(replica.url), "crossdock_subscription_slow_consumers_total"),
        (n) => n >= 1,
        30_000,
      );
      expect(slow).toBe(1);
      const closed = once(socket, "close");
      socket.resume();
      const [code, reason] = (await closed) as [number, Buffer];
      expect(code).toBe(1013);
      expect(String(reason)).toContain("slow consumer");
      const nexts = messages.filter((m) => m.type === "next" && m.payload.data);
      expect(nexts.length).toBeLessThan(60000);
      const last = nexts.at(-1)!.payload.data.inventoryChanged.cursor;
      const client = graphqlWsClient(replica.url);
      const resumed = collect(client, `subscription($after: String) { inventoryChanged(after: $after) { cursor } }`, { after: last });
      const [next] = await resumed.waitFor(1);
      const [expected] = await db.query<{ c: string }>(
        `SELECT MIN("cursor")::text AS c FROM "ChangeFeedEntry" WHERE "cursor" > $1::bigint AND "entityType" = 'InventoryPosition'`,
        [last],
      );
      expect(next.inventoryChanged.cursor).toBe(expected!.c);
      await client.dispose();
      await replica.stop();
    });

    it("drains on shutdown with 1001, and the client resumes on the other replica", async () => {
      const replica = await startReplica(t, backend);
      const client = graphqlWsClient(replica.url);
      const sub = collect(client, INVENTORY_SUBSCRIPTION, { sku: a.sku, wh: a.warehouseCode });
      await subscribed(replica.url, 1);
      await adjustInventory(t.url, a.sku, a.warehouseCode, "-1");
      const [seen] = await sub.waitFor(1);
      await replica.stop();
      await sub.ended();
      expect((sub.errors[0] as { code?: number }).code).toBe(1001);
      await adjustInventory(t.url, a.sku, a.warehouseCode, "1");
      const other = graphqlWsClient(t.url);
      const resumed = collect(other, INVENTORY_SUBSCRIPTION, { sku: a.sku, wh: a.warehouseCode, after: seen.inventoryChanged.cursor });
      const [missed] = await resumed.waitFor(1);
      expect(Number(missed.inventoryChanged.position.onHand)).toBe(Number(seen.inventoryChanged.position.onHand) + 1);
      await other.dispose();
    });
  });
}
