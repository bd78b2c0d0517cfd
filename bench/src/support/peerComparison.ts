// `bench:gateway -- --peer hive`: Crossdock's gateway, with its security and limits on, beside
// Hive Gateway (JS planner and Rust planner) on the same Postgres hub, the same supergraph,
// subgraph processes and query, in one run. Each gateway is a process of its own, so its CPU per
// request is read from /proc for it alone. Prints a side-by-side table; asserts nothing.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchAuthorization, benchAuthorizationWith } from "./benchIdentity.js";
import { createHubDatabases, FEDERATED, orderNumbers } from "./gatewayWorkload.js";
import { presignedBenchPrincipal, startHiveGateway, variantName, type HiveGateway, type HiveVariant } from "./hivePeer.js";
import { cpuSeconds, startServiceProcesses, type ServiceProcesses } from "./hubProcess.js";
import { percentile, runLoad } from "./load.js";

export interface PeerComparisonOptions {
  concurrency: number;
  durationMs: number;
  /** Each round measures every variant once, in turn, so drift in the machine's load spreads over all of them. */
  rounds: number;
  seedScale: number;
  postgresAdminUrl: string;
  /** The secret the services verify principals with (hubProcess.ts sets the same). */
  principalSecret: string;
  /** Also run each Hive planner with authentication, authorization and principal signing on (hiveAuth.ts). */
  hiveAuth: boolean;
}

interface Variant {
  name: string;
  url: string;
  pid: number;
  headers: Record<string, string>;
  /** Verifies the caller's token itself (Crossdock, the +auth Hive variants). */
  authenticates: boolean;
  switchedOn: string;
}

interface Totals {
  requests: number;
  errors: number;
  seconds: number;
  latenciesMs: number[];
  gatewayCpu: number;
  subgraphCpu: number;
}

const SUBGRAPHS = ["erp", "crm", "wms", "ops", "flows"] as const;
/** The processes the federated query reaches behind the gateway (flows serves none of it). */
const QUERIED = ["erp", "crm", "wms", "ops"] as const;
const WARMUP_MS = 5000;

const CROSSDOCK_SWITCHED_ON =
  "JWT bearer authentication (JWKS; a verified token is memoised), @requiresScopes/@authenticated checked before planning, persisted-operation " +
  "safelist enforced (the query is listed), per-caller rate limit (token buckets on the hub Postgres), depth/alias " +
  "limits, demand-control cost limit (CROSSDOCK_MAX_COST), client identification metrics, per-subgraph load shedding, " +
  "signed principal (with expiry) per subgraph call, entity fetches of concurrent operations coalesced";
const HIVE_SWITCHED_ON =
  "Hive Gateway defaults; no authentication, authorization, safelist or rate limit: the bench sends it the " +
  "pre-signed principal header (the user Crossdock's gateway derives from the bench JWT) and it forwards that " +
  "header to the subgraphs";
const HIVE_AUTH_SWITCHED_ON =
  "JWT bearer authentication (Hive's JWT plugin, the run's key), @requiresScopes/@authenticated enforced by " +
  "Hive's generic auth, principal signed (HMAC) from the token's claims for the subgraphs; no safelist or rate limit";

/** A manifest listing FEDERATED, so the Crossdock gateway can run with CROSSDOCK_SAFELIST=enforce. */
function writeManifest(dir: string): string {
  const path = join(dir, "persisted-operations.json");
  const id = createHash("sha256").update(FEDERATED).digest("hex");
  const operations = [{ id, name: "Federated", type: "query", body: FEDERATED }];
  writeFileSync(path, JSON.stringify({ format: "apollo-persisted-query-manifest", version: 1, operations }));
  return path;
}

interface Answer {
  data?: { order?: unknown } | null;
  errors?: { message: string }[];
}

async function answer(url: string, headers: Record<string, string>, orderNumber: string): Promise<Answer> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query: FEDERATED, variables: { n: orderNumber } }),
  });
  const text = await response.text();
  try {
    return JSON.parse(text) as Answer;
  } catch {
    return { errors: [{ message: `HTTP ${response.status}: ${text.slice(0, 200)}` }] };
  }
}

async function measure(hub: ServiceProcesses, variant: Variant, numbers: string[], durationMs: number, concurrency: number) {
  const subgraphPids = QUERIED.map((name) => hub.servicePids[name]);
  const gatewayBefore = cpuSeconds(variant.pid);
  const subgraphsBefore = subgraphPids.map((pid) => cpuSeconds(pid));
  const result = await runLoad({
    url: variant.url,
    concurrency,
    durationMs,
    headers: variant.headers,
    body: (i) => JSON.stringify({ query: FEDERATED, variables: { n: numbers[i % numbers.length] } }),
  });
  const gatewayCpu = cpuSeconds(variant.pid) - gatewayBefore;
  const subgraphCpu = subgraphPids.reduce((sum, pid, i) => sum + cpuSeconds(pid) - subgraphsBefore[i]!, 0);
  return { ...result, gatewayCpu, subgraphCpu };
}

function printTable(variants: Variant[], totals: Map<string, Totals>, failed: HiveVariant[]): void {
  const widths = [22, 9, 9, 9, 9, 16, 22, 8];
  const header = ["variant", "req/s", "p50 ms", "p95 ms", "p99 ms", "gw CPU ms/req", "subgraph CPU ms/req", "errors"];
  console.log(header.map((h, i) => h.padEnd(widths[i]!)).join(""));
  for (const variant of variants) {
    const t = totals.get(variant.name)!;
    const sorted = [...t.latenciesMs].sort((a, b) => a - b);
    const cells = [
      variant.name,
      (t.requests / t.seconds).toFixed(0),
      percentile(sorted, 50).toFixed(1),
      percentile(sorted, 95).toFixed(1),
      percentile(sorted, 99).toFixed(1),
      ((t.gatewayCpu / t.requests) * 1000).toFixed(2),
      ((t.subgraphCpu / t.requests) * 1000).toFixed(2),
      String(t.errors),
    ];
    console.log(cells.map((c, i) => c.padEnd(widths[i]!)).join(""));
  }
  for (const variant of failed) console.log(`${variantName(variant).padEnd(widths[0]!)}did not run (see below)`);
}

export async function runPeerComparison(options: PeerComparisonOptions): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "crossdock-bench-peer-"));
  const databases = await createHubDatabases(options.postgresAdminUrl);
  const gateways: HiveGateway[] = [];
  let hub: ServiceProcesses | undefined;
  try {
    hub = await startServiceProcesses({
      env: { ...databases.env, CROSSDOCK_PERSISTED_OPERATIONS: writeManifest(dir), CROSSDOCK_SAFELIST: "enforce" },
      seedScale: options.seedScale,
    });
    const subgraphUrls = Object.fromEntries(SUBGRAPHS.map((name) => [name, `${hub!.serviceBaseUrls[name]}/graphql`]));
    const failed: (HiveVariant & { error: string })[] = [];
    const hiveVariants: HiveVariant[] = [
      { planner: "js", auth: false },
      { planner: "rust", auth: false },
      ...(options.hiveAuth
        ? ([
            { planner: "js", auth: true },
            { planner: "rust", auth: true },
          ] as const)
        : []),
    ];
    for (const variant of hiveVariants) {
      const started = await startHiveGateway({ ...variant, subgraphUrls });
      if (started.ok) gateways.push(started.gateway);
      else failed.push(started);
    }
    const hiveHeaders = presignedBenchPrincipal(options.principalSecret);
    const variants: Variant[] = [
      {
        name: "crossdock",
        url: hub.gatewayUrl,
        pid: hub.servicePids.gateway,
        headers: benchAuthorization(),
        authenticates: true,
        switchedOn: CROSSDOCK_SWITCHED_ON,
      },
      ...gateways.map((g) => ({
        name: variantName(g),
        url: g.url,
        pid: g.pid,
        headers: g.auth ? benchAuthorization() : hiveHeaders,
        authenticates: g.auth,
        switchedOn: `${g.auth ? HIVE_AUTH_SWITCHED_ON : HIVE_SWITCHED_ON}; query planner: ${g.planner === "rust" ? "Rust (@graphql-hive/router-runtime)" : "JavaScript (default)"}`,
      })),
    ];

    const numbers = await orderNumbers(hub.gatewayUrl);
    // The same order through every variant first: a peer that answers differently (or not at all) is not comparable.
    const reference = JSON.stringify((await answer(variants[0]!.url, variants[0]!.headers, numbers[0]!)).data);
    for (const variant of variants) {
      const body = await answer(variant.url, variant.headers, numbers[0]!);
      const same = JSON.stringify(body.data) === reference;
      const problem = body.errors?.length ? `errors: ${body.errors.map((e) => e.message).join("; ")}` : same ? "" : "data differs from crossdock's";
      console.log(`${variant.name}: ${problem || (variant === variants[0] ? "answers order " + numbers[0] : "same answer as crossdock")}`);
      if (!variant.authenticates) continue;
      // Its authentication and authorization are really on: without a token, or with one holding no
      // scope, the same request gets no order.
      for (const [caller, headers] of [
        ["without a token", {}],
        ["with a token holding no scope", await benchAuthorizationWith([])],
      ] as const) {
        const refusal = await answer(variant.url, headers, numbers[0]!);
        const refused = !refusal.data?.order && Boolean(refusal.errors?.length);
        console.log(`${variant.name}: ${caller} ${refused ? `refused (${refusal.errors![0]!.message})` : "ANSWERED: its access control is not on"}`);
      }
    }
    for (const variant of variants) {
      await runLoad({
        url: variant.url,
        concurrency: options.concurrency,
        durationMs: WARMUP_MS,
        headers: variant.headers,
        body: (i) => JSON.stringify({ query: FEDERATED, variables: { n: numbers[i % numbers.length] } }),
      });
    }
    const totals = new Map<string, Totals>(
      variants.map((v) => [v.name, { requests: 0, errors: 0, seconds: 0, latenciesMs: [], gatewayCpu: 0, subgraphCpu: 0 }]),
    );
    for (let round = 0; round < options.rounds; round++) {
      for (const variant of variants) {
        const run = await measure(hub, variant, numbers, options.durationMs, options.concurrency);
        const t = totals.get(variant.name)!;
        t.requests += run.requests;
        t.errors += run.errors;
        t.seconds += run.seconds;
        t.gatewayCpu += run.gatewayCpu;
        t.subgraphCpu += run.subgraphCpu;
        for (const latency of run.latenciesMs) t.latenciesMs.push(latency);
      }
    }

    console.log();
    printTable(variants, totals, failed);
    console.log("\nwhat each variant has switched on:");
    for (const variant of variants) console.log(`- ${variant.name}: ${variant.switchedOn}`);
    for (const variant of failed) console.log(`- ${variantName(variant)} could not start here:\n${variant.error.replace(/^/gm, "    ")}`);
    console.log(
      "\ngw CPU: the gateway process alone; subgraph CPU: erp, crm, wms and ops together (Postgres not counted). " +
        `Same subgraph processes, supergraph (schema/supergraph.graphql) and query for all; ${options.concurrency} clients, ` +
        `${options.rounds} round(s) of ${options.durationMs / 1000} s per variant after ${WARMUP_MS / 1000} s of warm-up each.`,
    );
  } finally {
    for (const gateway of gateways) await gateway.stop();
    await hub?.stop();
    await databases.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
