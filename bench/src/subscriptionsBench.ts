// `npm run bench:subscriptions`: N graphql-ws subscribers spread over K inventory keys, while a
// client process holds the sockets and drives M adjustInventory changes/s: at the WMS's own API by
// default (the warehouse's systems write there; the gateway process under test only serves the
// subscriptions), or through the gateway with --drive gateway.
// Two topologies: `embedded` (this process runs every service, PGlite and the gateway, as
// `npm start` does) and `gateway-process` (Postgres; each service from its own entry point in its
// own process, the gateway alone in one: the process the scale target speaks of). Prints the
// topology, connections held, the gateway's memory per connection, events delivered / expected
// (from the feed itself) and commit -> client latency (event occurredAt = source commit time, to
// receipt), with where that latency goes.
// Usage: npm run bench:subscriptions -- [--subscribers 5000] [--rate 200] [--seconds 20] [--keys 200]
//   [--drive wms|gateway] [--warmup-seconds 5] [--client-impl raw|graphql-ws] [--topology embedded|gateway-process] [--database-url postgres://postgres@127.0.0.1:5432/postgres]
//   (gateway-process: BENCH_CPU_PROF_DIR=<dir> writes a CPU profile of every service process there)
import { fork, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import os from "node:os";
import { parseArgs } from "node:util";
import WebSocket from "ws";
import { createClient } from "graphql-ws";
import { ALL_ACCESS, principalHeaders } from "@crossdock/test";
import { DEV_PRINCIPAL_SECRET } from "@crossdock/platform";
import { benchAuthorization, benchIdentityEnv } from "./support/benchIdentity.js";
import { startHub } from "@crossdock/launcher";
import { ChangeFeedReader, openDatabase } from "@crossdock/platform";
import { createTestDatabases, postgresAdminUrl } from "@crossdock/test";
import { cpuSeconds, machineCpuSeconds, postgresCpuSeconds, rssMegabytes, startServiceProcesses, type ServiceProcesses } from "./support/hubProcess.js";
import { keepAlivePost } from "./support/keepAlivePost.js";

const { values: args } = parseArgs({
  options: {
    subscribers: { type: "string", default: "5000" },
    rate: { type: "string", default: "200" },
    seconds: { type: "string", default: "20" },
    keys: { type: "string", default: "200" },
    /** Where the changes are committed: the WMS's own API (default) or mutations through the gateway under test. */
    drive: { type: "string", default: "wms" },
    /** Changes at the same rate before the measured run; their events are not counted. */
    "warmup-seconds": { type: "string", default: "5" },
    topology: { type: "string", default: "embedded" },
    "database-url": { type: "string", default: postgresAdminUrl },
    client: { type: "boolean", default: false },
    /** The subscribers' client: a minimal graphql-transport-ws one (default) or the graphql-ws library. */
    "client-impl": { type: "string", default: "raw" },
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
  | { type: "done"; latencies: number[]; received: Record<string, string[]>; sent: number; failedWrites: number }
  | { type: "count"; received: number };
type ToClient =
  | { type: "connect"; url: string; keys: Key[]; subscribers: number }
  | { type: "drive"; url: string; rate: number; seconds: number }
  | { type: "count" }
  | { type: "reset" }
  | { type: "report" };

const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);

interface GraphResponse {
  data?: { inventoryPositions?: { edges: { node: Key & { onHand: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
  errors?: unknown[];
}

async function post(url: string, query: string, variables: Record<string, unknown>): Promise<GraphResponse> {
  // The gateway reads the token; a subgraph driven directly (--drive wms) reads the signed principal.
  const caller = { ...benchAuthorization(), ...principalHeaders(ALL_ACCESS, process.env.BENCH_PRINCIPAL_SECRET ?? DEV_PRINCIPAL_SECRET) };
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...caller }, body: JSON.stringify({ query, variables }) });
  return (await response.json()) as GraphResponse;
}

/** The first `count` inventory positions with more than 10 on hand (the ±1 changes never run them dry). */
async function benchKeys(url: string, count: number): Promise<Key[]> {
  const keys: Key[] = [];
  for (let after: string | null = null; keys.length < count;) {
    const page: GraphResponse = await post(
      url,
      `query($after: String) { inventoryPositions(first: 200, after: $after) { edges { node { sku warehouseCode onHand } } pageInfo { hasNextPage endCursor } } }`,
      { after },
    );
    const connection = page.data?.inventoryPositions;
    if (!connection) throw new Error(`inventoryPositions failed: ${JSON.stringify(page.errors)}`);
    for (const { node } of connection.edges)
      if (Number(node.onHand) > 10 && keys.length < count) keys.push({ sku: node.sku, warehouseCode: node.warehouseCode });
    if (!connection.pageInfo.hasNextPage) break;
    after = connection.pageInfo.endCursor;
  }
  return keys;
}

/**
 * A minimal graphql-transport-ws subscriber (the protocol graphql-ws speaks): connection_init,
 * subscribe once acknowledged, then one JSON.parse per event. The load generator shares the
 * 2-core machine with the hub, so it should cost as little as it can; `--client-impl graphql-ws`
 * runs the graphql-ws client library instead (10–15% more client CPU in our runs).
 */
function rawSubscriber(
  wsUrl: string,
  variables: Record<string, string>,
  handlers: { onAck(): void; onEvent(event: { cursor: string; occurredAt: string } | undefined): void; onError(): void },
): void {
  const socket = new WebSocket(wsUrl, "graphql-transport-ws");
  let acked = false;
  socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init", payload: benchAuthorization() })));
  socket.on("message", (data: Buffer) => {
    const message = JSON.parse(data.toString()) as { type: string; payload?: { data?: { inventoryChanged?: { cursor: string; occurredAt: string } } } };
    if (message.type === "next") handlers.onEvent(message.payload?.data?.inventoryChanged);
    else if (message.type === "connection_ack") {
      acked = true;
      socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: SELECTION, variables } }));
      handlers.onAck();
    } else if (message.type === "ping") socket.send('{"type":"pong"}');
    else if (message.type === "error") handlers.onError();
  });
  socket.on("error", () => !acked && handlers.onError());
  socket.on("close", () => !acked && handlers.onError());
}

/** The client process: holds the sockets, drives the changes, and measures what arrives. */
async function runClient(): Promise<void> {
  // Exit (rather than die) when the bench stops it, so a --cpu-prof profile gets written.
  process.once("SIGTERM", () => process.exit(0));
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
          const onEvent = (event: { cursor: string; occurredAt: string } | undefined) => {
            if (!event) return;
            latencies.push(Date.now() - Date.parse(event.occurredAt));
            cursors.push(event.cursor);
          };
          const variables = { sku: key.sku, wh: key.warehouseCode };
          batch.push(
            new Promise<void>((resolve) => {
              const fail = () => {
                failed++;
                resolve();
              };
              if (args["client-impl"] === "graphql-ws") {
                const client = createClient({
                  url: wsUrl,
                  webSocketImpl: WebSocket,
                  retryAttempts: 0,
                  lazy: true,
                  keepAlive: 0,
                  connectionParams: benchAuthorization(),
                });
                client.on("connected", () => resolve());
                client.subscribe<{ inventoryChanged: { cursor: string; occurredAt: string } }>(
                  { query: SELECTION, variables },
                  { next: (value) => onEvent(value.data?.inventoryChanged), error: fail, complete: () => undefined },
                );
              } else {
                rawSubscriber(wsUrl, variables, { onAck: resolve, onEvent, onError: fail });
              }
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
        const write = keepAlivePost(message.url, `mutation($i: AdjustInventoryInput!) { adjustInventory(input: $i) { onHand } }`, {
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
      send({ type: "done", latencies: [], received: {}, sent, failedWrites });
    } else if (message.type === "count") {
      send({ type: "count", received: latencies.length });
    } else if (message.type === "reset") {
      // The warm-up's events are not measured.
      latencies.length = 0;
      for (const cursors of Object.values(received)) cursors.length = 0;
      send({ type: "count", received: 0 });
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

/** The hub under test, whatever its topology: where the gateway is and how to read its feed. */
interface BenchHub {
  topology: string;
  url: string;
  /** The WMS subgraph's own endpoint. */
  wmsUrl: string;
  /** The change feed (hub database), read by the bench to count what was expected. */
  feed: ChangeFeedReader;
  /** Resident memory of the gateway process, bytes. */
  gatewayRss(): number;
  /** CPU seconds the gateway process has used (undefined when it shares this process). */
  gatewayCpu(): number | undefined;
  /** CPU seconds used so far by each service process (empty when they share this process). */
  serviceCpu(): Record<string, number>;
  /** Resolves once every change driven so far is in the feed. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

async function embeddedHub(): Promise<BenchHub> {
  const hub = await startHub({
    port: 0,
    subgraphPorts: { erp: 0, crm: 0, wms: 0, ops: 0, flows: 0 },
    dataDir: "memory",
    simulate: false,
    seedScale: Number(process.env.CROSSDOCK_SEED_SCALE ?? 1),
    env: { ...process.env, LOG_LEVEL: "warn", CROSSDOCK_SUBSCRIPTION_STALL_MS: "30000", ...(await benchIdentityEnv()) },
  });
  return {
    topology: "embedded (this process: every service on PGlite + the gateway)",
    url: hub.url,
    wmsUrl: hub.subgraphUrls.wms,
    feed: hub.subscriptionFeed,
    gatewayRss: () => process.memoryUsage().rss,
    gatewayCpu: () => undefined,
    serviceCpu: () => ({}),
    settle: async () => void (await hub.drainCapture()),
    stop: () => hub.stop(),
  };
}

/**
 * Postgres mode with each service from its own entry point, in its own process (README, "Postgres"):
 * the gateway process serves the subscriptions and nothing else runs in it.
 */
async function gatewayProcessHub(adminUrl: string): Promise<BenchHub> {
  const databases = await createTestDatabases(["erp", "crm", "wms", "hub"] as const, adminUrl);
  const admin = await openDatabase(adminUrl);
  const [{ wal_level: walLevel } = { wal_level: "replica" }] = await admin.query<{ wal_level: string }>("SHOW wal_level");
  await admin.close();
  // Postgres mode captures with pg-logical (ARCHITECTURE); outbox triggers NOTIFY on every source commit.
  const capture = process.env.CROSSDOCK_CAPTURE ?? (walLevel === "logical" ? "pg-logical" : "outbox");
  let hub: ServiceProcesses | undefined;
  let feed: ChangeFeedReader | undefined;
  const stop = async () => {
    await hub?.stop();
    await feed?.close();
    await databases.drop();
  };
  try {
    process.env.BENCH_PRINCIPAL_SECRET = "bench-principal-secret";
    hub = await startServiceProcesses({
      seedScale: Number(process.env.CROSSDOCK_SEED_SCALE ?? 1),
      env: {
        ERP_DATABASE_URL: databases.urls.erp,
        CRM_DATABASE_URL: databases.urls.crm,
        WMS_DATABASE_URL: databases.urls.wms,
        HUB_DATABASE_URL: databases.urls.hub,
        CROSSDOCK_CAPTURE: capture,
        CROSSDOCK_SUBSCRIPTION_STALL_MS: "30000",
      },
    });
    const pids = hub.servicePids;
    feed = new ChangeFeedReader({ database: await openDatabase(databases.urls.hub), ownsDatabase: true });
    const reader = feed;
    return {
      topology: `gateway-process (Postgres, ${capture} capture; erp, crm, wms, cdc-ingest, flows and the gateway each in its own process)`,
      url: hub.gatewayUrl,
      wmsUrl: hub.wmsUrl,
      feed: reader,
      gatewayRss: () => rssMegabytes(pids.gateway) * 2 ** 20,
      gatewayCpu: () => cpuSeconds(pids.gateway),
      serviceCpu: () => Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)])),
      async settle() {
        // Capture runs in its own process: wait until the feed head stays put for a while.
        let head = await reader.headCursor();
        for (let still = 0; still < 8;) {
          await new Promise((resolve) => setTimeout(resolve, 250));
          const next = await reader.headCursor();
          still = next === head ? still + 1 : 0;
          head = next;
        }
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Reads a Prometheus histogram: count, mean and bucket-bound percentiles (upper bounds). */
function histogram(metricsText: string, name: string, label = "") {
  const buckets: [number, number][] = [];
  let count = 0;
  let sum = 0;
  for (const line of metricsText.split("\n")) {
    if (!line.includes(label)) continue;
    const bucket = new RegExp(`^${name}_bucket\\{.*le="([^"]+)".*\\} (\\S+)$`).exec(line);
    if (bucket) buckets.push([bucket[1] === "+Inf" ? Infinity : Number(bucket[1]), Number(bucket[2])]);
    if (line.startsWith(`${name}_count`)) count += Number(line.split(" ").at(-1));
    if (line.startsWith(`${name}_sum`)) sum += Number(line.split(" ").at(-1));
  }
  const bound = (p: number) => buckets.find(([, n]) => n >= p * count)?.[0] ?? NaN;
  const ms = (seconds: number) => (seconds === Infinity ? "inf" : `${Math.round(seconds * 1000)}`);
  return { count, meanMs: count ? Math.round((1000 * sum) / count) : NaN, p50: ms(bound(0.5)), p99: ms(bound(0.99)) };
}

/** The soft limit on open files of this process (inherited by the services), when Linux tells it. */
function openFilesLimit(): number | undefined {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    const soft = line?.split(/\s{2,}/)[1];
    return soft && /^\d+$/.test(soft) ? Number(soft) : undefined;
  } catch {
    return undefined;
  }
}

async function runBench(): Promise<void> {
  const subscribers = Number(args.subscribers);
  const rate = Number(args.rate);
  const seconds = Number(args.seconds);
  const keyCount = Number(args.keys);
  if (args.topology !== "embedded" && args.topology !== "gateway-process") throw new Error("--topology is embedded or gateway-process");
  if (args.drive !== "wms" && args.drive !== "gateway") throw new Error("--drive is wms or gateway");
  if (args["client-impl"] !== "raw" && args["client-impl"] !== "graphql-ws") throw new Error("--client-impl is raw or graphql-ws");
  // The client process and the gateway each hold one descriptor per connection, plus their own.
  const fileLimit = openFilesLimit();
  if (fileLimit !== undefined && subscribers + 1000 > fileLimit)
    throw new Error(
      `--subscribers ${subscribers} needs more open files than this machine allows a process (ulimit -n ${fileLimit}); use at most ${fileLimit - 1000}`,
    );
  console.log(
    `subscriptions bench: ${subscribers} graphql-ws subscribers (${args["client-impl"] === "raw" ? "minimal graphql-transport-ws client" : "graphql-ws client library"}) over ${keyCount} keys, ${rate} changes/s for ${seconds}s`,
  );
  const hub = args.topology === "embedded" ? await embeddedHub() : await gatewayProcessHub(args["database-url"]);
  console.log(`topology:                ${hub.topology}`);
  const keys = await benchKeys(hub.url, keyCount);
  if (keys.length < keyCount)
    throw new Error(`the read model has only ${keys.length} positions with stock to spare; use --keys ${keys.length} or a larger CROSSDOCK_SEED_SCALE`);
  const child = fork(fileURLToPath(import.meta.url), ["--client", "--client-impl", args["client-impl"]], {
    execArgv: ["--import", "tsx", ...(process.env.BENCH_CPU_PROF_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}/client`] : [])],
  });
  try {
    global.gc?.();
    const rssBefore = hub.gatewayRss();
    const connectStarted = Date.now();
    const connected = (await ask(child, { type: "connect", url: hub.url, keys, subscribers })) as Extract<FromClient, { type: "connected" }>;
    const metricsUrl = hub.url.replace(/\/graphql$/, "/metrics");
    const active = async () => Number(/crossdock_subscriptions_active\{[^}]*\} (\d+)/.exec(await (await fetch(metricsUrl)).text())?.[1] ?? 0);
    while ((await active()) < connected.count) await new Promise((resolve) => setTimeout(resolve, 200));
    const connectSeconds = (Date.now() - connectStarted) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const rssAfter = hub.gatewayRss();
    const driveUrl = args.drive === "wms" ? hub.wmsUrl : hub.url;
    // Warm-up at the same rate (JIT, connection pools, plan caches of every process on the path), then
    // wait for its events to arrive; only what follows is measured.
    const warmup = Number(args["warmup-seconds"]);
    if (warmup > 0) {
      await ask(child, { type: "drive", url: driveUrl, rate, seconds: warmup });
      await hub.settle();
      for (let last = -1; ;) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const { received } = (await ask(child, { type: "count" })) as Extract<FromClient, { type: "count" }>;
        if (received === last) break;
        last = received;
      }
      await ask(child, { type: "reset" });
    }
    const startCursor = await hub.feed.headCursor();
    const cpuBefore = hub.gatewayCpu();
    // CPU seconds so far per process; Postgres (the sum of its processes) only where the hub runs on it.
    const processCpu = (): Record<string, number> => ({
      ...hub.serviceCpu(),
      "bench client": cpuSeconds(child.pid!),
      ...(args.topology === "gateway-process" ? { postgres: postgresCpuSeconds() } : {}),
    });
    const servicesBefore = processCpu();
    const machineBefore = machineCpuSeconds();
    const driveStarted = Date.now();
    const driven = (await ask(child, { type: "drive", url: driveUrl, rate, seconds })) as Extract<FromClient, { type: "done" }>;
    await hub.settle();
    // Expected deliveries: every feed entry of a key since the start, once per subscriber of that key.
    const settledHead = await hub.feed.headCursor();
    const keyCounts = new Map<string, number>();
    for (const entry of await hub.feed.readAfter(startCursor, { limit: 1_000_000, upTo: settledHead, entityTypes: ["InventoryPosition"] })) {
      keyCounts.set(entry.entityKey, (keyCounts.get(entry.entityKey) ?? 0) + 1);
    }
    const expectedTotal = Array.from(
      { length: subscribers },
      (_, i) => keyCounts.get(`${keys[i % keys.length]!.sku}|${keys[i % keys.length]!.warehouseCode}`) ?? 0,
    ).reduce((sum, n) => sum + n, 0);
    // Wait for them (a backlog still in flight is late, not lost) until 30 s pass without progress, at most 180 s.
    const settleDeadline = Date.now() + 180_000;
    for (let last = -1, quietSince = Date.now(); Date.now() < settleDeadline && Date.now() - quietSince < 30_000;) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const { received } = (await ask(child, { type: "count" })) as Extract<FromClient, { type: "count" }>;
      if (received >= expectedTotal) break;
      if (received !== last) quietSince = Date.now();
      last = received;
    }
    const cpuAfter = hub.gatewayCpu();
    const servicesAfter = processCpu();
    const machineAfter = machineCpuSeconds();
    const busySeconds = (Date.now() - driveStarted) / 1000;
    const endCursor = await hub.feed.headCursor();
    const report = (await ask(child, { type: "report" })) as Extract<FromClient, { type: "done" }>;
    const metricsText = await (await fetch(metricsUrl)).text();
    const metric = (name: string) =>
      metricsText
        .split("\n")
        .filter((l) => l.startsWith(name))
        .reduce((sum, l) => sum + Number(l.split(" ").at(-1)), 0);
    // Expected: every feed entry of a key since the start, once for every subscriber of that key.
    const entries = await hub.feed.readAfter(startCursor, { limit: 1_000_000, upTo: endCursor, entityTypes: ["InventoryPosition"] });
    // Where the time goes, first leg: source commit -> feed append (capture + apply), from the feed itself.
    const appended = await hub.feed.database.query<{ ms: string }>(
      `SELECT (EXTRACT(EPOCH FROM ("appendedAt" - "occurredAt")) * 1000)::bigint::text AS ms FROM "ChangeFeedEntry"
       WHERE "cursor" > $1::bigint AND "cursor" <= $2::bigint AND "entityType" = 'InventoryPosition'`,
      [startCursor.toString(), endCursor.toString()],
    );
    const ingestSorted = appended.map((r) => Number(r.ms)).sort((x, y) => x - y);
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
    console.log(
      `changes committed:       ${driven.sent} adjustInventory ${args.drive === "wms" ? "at the WMS's own API" : "through the gateway"} (${driven.failedWrites} failed), ${entries.length} feed entries on the keys`,
    );
    console.log(
      `events delivered/expected: ${delivered} / ${expected} (${expected ? ((100 * delivered) / expected).toFixed(2) : "100.00"}%), duplicates ${duplicates}`,
    );
    console.log(
      `commit -> client latency: p50 ${percentile(sorted, 50)} ms, p99 ${percentile(sorted, 99)} ms, max ${sorted.at(-1)} ms (${sorted.length} events)`,
    );
    const resolutions = metric("crossdock_subscription_resolution_seconds_count");
    console.log(
      `federated resolutions:   ${resolutions} batched queries, mean ${((1000 * metric("crossdock_subscription_resolution_seconds_sum")) / Math.max(1, resolutions)).toFixed(0)} ms each; ${metric("crossdock_subscription_payload_answers_total")} root fetches answered from feed payloads`,
    );
    const feedLag = histogram(metricsText, "crossdock_subscription_feed_lag_seconds");
    console.log(`where the latency goes:`);
    console.log(`  commit -> feed append (CDC capture + apply): p50 ${percentile(ingestSorted, 50)} ms, p99 ${percentile(ingestSorted, 99)} ms`);
    console.log(`  commit -> gateway read the feed entry:      p50 <= ${feedLag.p50} ms, p99 <= ${feedLag.p99} ms (mean ${feedLag.meanMs} ms)`);
    for (const subgraph of ["ops", "erp", "wms", "crm"]) {
      const fetches = histogram(metricsText, "crossdock_subscription_subgraph_fetch_seconds", `subgraph="${subgraph}"`);
      if (fetches.count > 0)
        console.log(`  resolution's ${subgraph} calls: ${fetches.count}, p50 <= ${fetches.p50} ms, p99 <= ${fetches.p99} ms (mean ${fetches.meanMs} ms)`);
    }
    const delivery = histogram(metricsText, "crossdock_subscription_delivery_seconds");
    console.log(
      `  commit -> written to the client's socket:   p50 <= ${delivery.p50} ms, p99 <= ${delivery.p99} ms (the delivery SLI, ${delivery.count} events)`,
    );
    console.log(`  then the network + client receive:          the rest of the commit -> client figure above`);
    // Event-loop delay (prom-client's monitorEventLoopDelay since the gateway started) and GC pauses.
    const gc = histogram(metricsText, "nodejs_gc_duration_seconds", 'kind="major"');
    console.log(
      `gateway event loop:      delay p50 ${(1000 * metric("nodejs_eventloop_lag_p50_seconds")).toFixed(0)} ms, p99 ${(1000 * metric("nodejs_eventloop_lag_p99_seconds")).toFixed(0)} ms, max ${(1000 * metric("nodejs_eventloop_lag_max_seconds")).toFixed(0)} ms; major GCs ${gc.count} (mean ${gc.meanMs} ms)`,
    );
    if (cpuBefore !== undefined && cpuAfter !== undefined) {
      console.log(
        `gateway process CPU:     ${(cpuAfter - cpuBefore).toFixed(1)} s over ${busySeconds.toFixed(0)} s (${((100 * (cpuAfter - cpuBefore)) / busySeconds).toFixed(0)}% of one core)`,
      );
    }
    const others = Object.entries(servicesAfter).map(([name, after]) => `${name} ${((100 * (after - (servicesBefore[name] ?? 0))) / busySeconds).toFixed(0)}%`);
    console.log(`process CPU (% of one core while driven): ${others.join(", ")}`);
    const machineBusy = (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total);
    console.log(`machine CPU while driven: ${(100 * machineBusy).toFixed(0)}% busy (all ${os.availableParallelism()} cores)`);
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
