// Feed retention with registered consumers, on the real ops subgraph (PGlite): it keeps what a
// live slow consumer has not read, forgets dead gateway replicas, and at the hard cap expires a
// consumer loudly (metric, syncStatus) instead of letting it skip entries silently.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { principalHeaders } from "@crossdock/test";
import { loadConfig, start, type RunningIngest } from "../src/server.js";

const gql = async (url: string, query: string, headers: Record<string, string> = principalHeaders()) => {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ query }) });
  return (await response.json()) as { data: any; errors?: { extensions?: { code?: string } }[] };
};

const CONSUMERS = `{ syncStatus { consumers { name cursor lagEvents expired expiredAt durable } } }`;

describe("feed retention and the consumer registry", () => {
  let ingest: RunningIngest;
  let cursors: bigint[];
  const hub = () => ingest.hub;

  const retained = async () =>
    (await hub().query<{ c: string }>(`SELECT "cursor"::text AS c FROM "ChangeFeedEntry" ORDER BY "cursor"`)).map((r) => BigInt(r.c));
  const consumer = async (name: string) =>
    (await gql(ingest.url, CONSUMERS)).data.syncStatus.consumers.find((c: { name: string }) => c.name === name) as Record<string, unknown> | undefined;
  const age = (from: bigint, to: bigint, hours: number) =>
    hub().query(`UPDATE "ChangeFeedEntry" SET "appendedAt" = now() - make_interval(hours => $3) WHERE "cursor" BETWEEN $1::bigint AND $2::bigint`, [
      from.toString(),
      to.toString(),
      hours,
    ]);
  const register = (name: string, cursor: bigint, options: { durable: boolean; silentHours: number }) =>
    hub().query(`INSERT INTO "FeedConsumer" ("name", "cursor", "durable", "lastSeenAt") VALUES ($1, $2::bigint, $3, now() - make_interval(hours => $4))`, [
      name,
      cursor.toString(),
      options.durable,
      options.silentHours,
    ]);

  beforeAll(async () => {
    ingest = await start({
      ...loadConfig({ LOG_LEVEL: "silent" }),
      port: 0,
      hubDatabaseUrl: "pglite:memory",
      capture: "none",
      feedRetentionHours: 72,
      feedRetentionMaxHours: 168,
    });
    const rows = await hub().query<{ c: string }>(
      `INSERT INTO "ChangeFeedEntry" ("entityType", "entityKey", "changeKind", "occurredAt", "source", "sourcePosition", "payload")
       SELECT 'InventoryPosition', 'SKU-R|ATL1', 'UPDATED', now(), 'wms', lpad(n::text, 20, '0'),
              jsonb_build_object('sku', 'SKU-R', 'warehouseCode', 'ATL1', 'onHand', n::text, 'allocated', '0', 'available', n::text)
       FROM generate_series(1, 10) AS n RETURNING "cursor"::text AS c`,
    );
    cursors = rows.map((r) => BigInt(r.c)).sort((a, b) => (a < b ? -1 : 1));
    // 1-4 older than the hard cap, 5-8 past the retention window, 9-10 fresh.
    await age(cursors[0]!, cursors[3]!, 200);
    await age(cursors[4]!, cursors[7]!, 100);
    await register("slow", cursors[5]!, { durable: true, silentHours: 0 });
    await register("fast", cursors[9]!, { durable: true, silentHours: 0 });
    await register("gateway:dead-replica", cursors[1]!, { durable: false, silentHours: 100 });
    await register("flows-long-gone", cursors[0]!, { durable: true, silentHours: 100 });
  });
  afterAll(async () => ingest?.stop());

  it("prunes no entry a live consumer has not read, and forgets replicas that stopped heartbeating", async () => {
    const outcome = await ingest.pruneFeed();
    // The slow consumer has read through the 6th entry: the 7th and 8th stay although past the window.
    expect(await retained()).toEqual(cursors.slice(6));
    expect(outcome?.forgotten).toEqual(["gateway:dead-replica"]);
    expect(await consumer("slow")).toMatchObject({ cursor: cursors[5]!.toString(), expired: false, lagEvents: 4, durable: true });
    // One silent for the whole window no longer holds retention: it lost entries, and says so.
    expect(outcome?.expired).toEqual([{ name: "flows-long-gone", cursor: cursors[0]!.toString() }]);
    expect(await consumer("flows-long-gone")).toMatchObject({ expired: true, expiredAt: expect.any(String) });
    expect(await consumer("gateway:dead-replica")).toBeUndefined();
  });

  it("at the hard cap prunes what even a live consumer has not read, and expires it loudly", async () => {
    await age(cursors[6]!, cursors[7]!, 200);
    const outcome = await ingest.pruneFeed();
    expect(await retained()).toEqual(cursors.slice(8));
    expect(outcome?.expired.map((e) => e.name)).toEqual(["slow"]);
    expect(await consumer("slow")).toMatchObject({ expired: true, cursor: cursors[5]!.toString() });
    expect(await consumer("fast")).toMatchObject({ expired: false, lagEvents: 0 });
    const metrics = await (await fetch(ingest.url.replace(/graphql$/, "metrics"))).text();
    expect(metrics).toMatch(/crossdock_feed_consumer_expired_total\{[^}]*consumer="slow"[^}]*\} 1/);
    expect(metrics).toMatch(/crossdock_feed_consumers_expired\{[^}]*\} 2/);
  });

  it("refuses the consumer list without ops:admin, and changes nothing", async () => {
    const before = await hub().query(`SELECT * FROM "FeedConsumer" ORDER BY "name"`);
    const viewer = principalHeaders({ kind: "user", subject: "viewer", scopes: ["inventory:read", "orders:read"] } as never);
    const refused = await gql(ingest.url, CONSUMERS, viewer);
    expect(refused.data?.syncStatus ?? null).toBeNull();
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(await hub().query(`SELECT * FROM "FeedConsumer" ORDER BY "name"`)).toEqual(before);
  });
});
