// `npm run bench:subscriptions`: N graphql-ws subscribers spread over K inventory keys on one
// embedded hub (this process: every service and the gateway, as `npm start` runs them), while a
// client process holds the sockets and drives M adjustInventory changes/s through the gateway.
// Prints connections held, memory per connection, events delivered / expected (from the feed
// itself) and commit -> client latency (event occurredAt = source commit time, to receipt).
// Usage: npm run bench:subscriptions -- [--subscribers 5000] [--rate 200] [--seconds 20] [--keys 200]
import { fork, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import WebSocket from "ws";
import { createClient } from "graphql-ws";
import { startHub } from "@crossdock/launcher";

const { values: args } = parseArgs({
  options: {
    subscribers: { type: "string", default: "5000" },
    rate: { type: "string", default: "200" },
    seconds: { type: "string", default: "20" },
    keys: { type: "string", default: "200" },
    client: { type: "boolean", default: false },
  },
});

const SELECTION = `subscription($sku: ID!, $wh: ID!) { inventoryChanged(sku: $sku, warehouseCode: $wh) {
  cursor occurredAt position { onHand available product { description } warehouse { name } } } }`;

interface Key {
  sku: string;
  warehouseCode: string;
}
type FromClient =
  | { type: "connected"; count: number; failed: number }
  | { type: "done"; latencies: number[]; received: Record<string, string[]>; sent: number; failedWrites: number };
type ToClient = { type: "connect"; url: string; keys: Key[]; subscribers: number } | { type: "drive"; rate: number; seconds: number } | { type: "report" };

const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);

interface GraphResponse {
  data?: { inventoryPositions?: { edges: { node: Key & { onHand: string } }[] } };
  errors?: unknown[];
}

async function post(url: string, query: string, variables: Record<string, unknown>): Promise<GraphResponse> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
  return (await response.json()) as GraphResponse;
}

/** The client process: holds the sockets, drives the changes, and measures what arrives. */
async function runClient(): Promise<void> {
  const send = (message: FromClient) => process.send!(message);
  let url = "";
  let keys: Key[] = [];
  const latencies: number[] = [];
  // Per subscriber (index), the cursors it received; summarised per key at the end.
  const received: Record<string, string[]> = {};
  process.on("message", async (message: ToClient) => {
    if (message.type === "connect") {
      url = message.url;
      keys = message.keys;
      let connected = 0;
      let failed = 0;
      const wsUrl = url.replace(/^http/, "ws");
      for (let start = 0; start < message.subscribers; start += 250) {
        const batch = [];
        for (let i = start; i < Math.min(message.subscribers, start + 250); i++) {
          const key = keys[i % keys.length]!;
          const cursors: string[] = (received[String(i)] = []);
          const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, keepAlive: 0 });
          batch.push(
            new Promise<void>((resolve) => {
              client.on("connected", () => resolve());
              client.subscribe<{ inventoryChanged: { cursor: string; occurredAt: string } }>(
                { query: SELECTION, variables: { sku: key.sku, wh: key.warehouseCode } },
                {
                  next: (value) => {
                    const event = value.data?.inventoryChanged;
                    if (!event) return;
                    latencies.push(Date.now() - Date.parse(event.occurredAt));
                    cursors.push(event.cursor);
                  },
                  error: () => {
                    failed++;
                    resolve();
                  },
                  complete: () => undefined,
                },
              );
            }).then(() => void connected++),
          );
        }
        await Promise.all(batch);
      }
      send({ type: "connected", count: connected - failed, failed });
    } else if (message.type === "drive") {
      const total = Math.round(message.rate * message.seconds);
      const started = Date.now();
      let sent = 0;
      let failedWrites = 0;
      const inFlight = new Set<Promise<void>>();
      for (let n = 0; n < total; n++) {
        const due = started + (n * 1000) / message.rate;
        if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
        const key = keys[n % keys.length]!;
        const write = post(url, `mutation($i: AdjustInventoryInput!) { adjustInventory(input: $i) { onHand } }`, {
          i: {
            sku: key.sku,
            warehouseCode: key.warehouseCode,
            quantityDelta: Math.floor(n / keys.length) % 2 === 0 ? "-1" : "1",
            reason: "bench",
            idempotencyKey: randomUUID(),
          },
        })
          .then((r) => {
            if (!r.errors) return void sent++;
            if (failedWrites++ === 0) console.error("first failed write:", JSON.stringify(r.errors).slice(0, 300));
          })
          .catch(() => void failedWrites++)
          .finally(() => inFlight.delete(write));
        inFlight.add(write);
      }
      await Promise.all(inFlight);
      (globalThis as { driveResult?: unknown }).driveResult = { sent, failedWrites };
      send({ type: "done", latencies: [], received: {}, sent, failedWrites });
    } else if (message.type === "report") {
      send({ type: "done", latencies, received, sent: 0, failedWrites: 0 });
    }
  });
}

function ask(child: ChildProcess, message: ToClient): Promise<FromClient> {
  return new Promise((resolve) => {
    child.once("message", (reply: FromClient) => resolve(reply));
    child.send(message);
  });
}

async function runBench(): Promise<void> {
  const subscribers = Number(args.subscribers);
  const rate = Number(args.rate);
  const seconds = Number(args.seconds);
  const keyCount = Number(args.keys);
  console.log(`subscriptions bench: ${subscribers} graphql-ws subscribers over ${keyCount} keys, ${rate} changes/s for ${seconds}s`);
  const hub = await startHub({
    port: 0,
    subgraphPorts: { erp: 0, crm: 0, wms: 0, ops: 0, flows: 0 },
    dataDir: "memory",
    simulate: false,
    seedScale: Number(process.env.CROSSDOCK_SEED_SCALE ?? 1),
    env: { ...process.env, LOG_LEVEL: "warn", CROSSDOCK_SUBSCRIPTION_STALL_MS: "30000" },
  });
  const positions = await post(hub.url, `{ inventoryPositions(first: ${Math.max(keyCount * 2, 50)}) { edges { node { sku warehouseCode onHand } } } }`, {});
  const keys: Key[] = (positions.data?.inventoryPositions?.edges ?? [])
    .map((e) => e.node)
    .filter((p) => Number(p.onHand) > 10)
    .slice(0, keyCount)
    .map(({ sku, warehouseCode }) => ({ sku, warehouseCode }));
  const child = fork(fileURLToPath(import.meta.url), ["--client"], { execArgv: ["--import", "tsx"] });
  try {
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const connectStarted = Date.now();
    const connected = (await ask(child, { type: "connect", url: hub.url, keys, subscribers })) as Extract<FromClient, { type: "connected" }>;
    const metricsUrl = hub.url.replace(/\/graphql$/, "/metrics");
    const active = async () => Number(/crossdock_subscriptions_active\{[^}]*\} (\d+)/.exec(await (await fetch(metricsUrl)).text())?.[1] ?? 0);
    while ((await active()) < connected.count) await new Promise((resolve) => setTimeout(resolve, 200));
    const connectSeconds = (Date.now() - connectStarted) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const rssAfter = process.memoryUsage().rss;
    const startCursor = await hub.subscriptionFeed.headCursor();
    // Where the time goes: commit -> read model (capture + apply) is measured on the in-process bus.
    const ingestLags: number[] = [];
    const offBus = hub.feed.onApplied((applied) => {
      for (const entry of applied) if (entry.entityType === "InventoryPosition") ingestLags.push(Date.now() - entry.occurredAt.getTime());
    });
    const driven = (await ask(child, { type: "drive", rate, seconds })) as Extract<FromClient, { type: "done" }>;
    await hub.drainCapture();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const endCursor = await hub.subscriptionFeed.headCursor();
    const report = (await ask(child, { type: "report" })) as Extract<FromClient, { type: "done" }>;
    offBus();
    const metricsText = await (await fetch(metricsUrl)).text();
    const metric = (name: string) =>
      metricsText
        .split("\n")
        .filter((l) => l.startsWith(name))
        .reduce((sum, l) => sum + Number(l.split(" ").at(-1)), 0);
    const ingestSorted = ingestLags.sort((x, y) => x - y);
    // Expected: every feed entry of a key since the start, once for every subscriber of that key.
    const entries = await hub.subscriptionFeed.readAfter(startCursor, { limit: 1_000_000, upTo: endCursor, entityTypes: ["InventoryPosition"] });
    const perKey = new Map<string, Set<string>>();
    for (const entry of entries) perKey.set(entry.entityKey, (perKey.get(entry.entityKey) ?? new Set()).add(entry.cursor.toString()));
    let expected = 0;
    let delivered = 0;
    let duplicates = 0;
    for (let i = 0; i < subscribers; i++) {
      const key = keys[i % keys.length]!;
      const want = perKey.get(`${key.sku}|${key.warehouseCode}`) ?? new Set<string>();
      const got = report.received[String(i)] ?? [];
      expected += want.size;
      delivered += new Set(got.filter((c) => want.has(c))).size;
      duplicates += got.length - new Set(got).size;
    }
    const sorted = report.latencies.sort((x, y) => x - y);
    console.log(`connections held:        ${connected.count} (${connected.failed} failed), all subscribed in ${connectSeconds.toFixed(1)}s`);
    console.log(
      `memory per connection:   ${((rssAfter - rssBefore) / Math.max(1, connected.count) / 1024).toFixed(1)} KiB (gateway process RSS ${(rssBefore / 2 ** 20).toFixed(0)} -> ${(rssAfter / 2 ** 20).toFixed(0)} MiB)`,
    );
    console.log(`changes committed:       ${driven.sent} adjustInventory (${driven.failedWrites} failed), ${entries.length} feed entries on the keys`);
    console.log(
      `events delivered/expected: ${delivered} / ${expected} (${expected ? ((100 * delivered) / expected).toFixed(2) : "100.00"}%), duplicates ${duplicates}`,
    );
    console.log(
      `commit -> client latency: p50 ${percentile(sorted, 50)} ms, p99 ${percentile(sorted, 99)} ms, max ${sorted.at(-1)} ms (${sorted.length} events)`,
    );
    const resolutions = metric("crossdock_subscription_resolution_seconds_count");
    console.log(
      `federated resolutions:   ${resolutions} batched queries, mean ${((1000 * metric("crossdock_subscription_resolution_seconds_sum")) / Math.max(1, resolutions)).toFixed(0)} ms each`,
    );
    console.log(`  of which commit -> read model (CDC capture + apply): p50 ${percentile(ingestSorted, 50)} ms, p99 ${percentile(ingestSorted, 99)} ms`);
  } finally {
    child.kill();
    await hub.stop();
  }
}

if (args.client) await runClient();
else {
  await runBench();
  process.exit(0);
}
