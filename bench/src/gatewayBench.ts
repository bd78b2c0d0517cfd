// `npm run bench:gateway`: a federated order query (order + customer + account + lines.product
// + stock + fulfilments) at 50 concurrent clients against the whole hub, embedded (PGlite)
// and on Postgres, beside a query answered by the ERP subgraph directly, so the gateway's
// overhead shows as a ratio. Embedded runs every service in one process (npm start); Postgres
// runs each service in its own process (ARCHITECTURE.md's Postgres mode; --topology single
// runs them in one). CPU and RSS are summed over the hub's processes. Prints figures; asserts nothing.
// --otlp-sink turns tracing on in the hub, exporting to a sink in this process (the sampler comes
// from the caller's OTEL_TRACES_SAMPLER / _ARG), so the cost of tracing shows beside a run without.
// --tracing-pair runs two Postgres hubs at once, one without tracing and one with it (as
// --otlp-sink), and measures them in alternating windows (--rounds of --duration each): this
// machine's speed drifts by tens of percent from minute to minute, so runs minutes apart do not compare.
import { parseArgs } from "node:util";
import { ALL_ACCESS, postgresAdminUrl, principalHeaders } from "@crossdock/test";
import { createHubDatabases, DIRECT, FEDERATED, orderNumbers } from "./support/gatewayWorkload.js";
import {
  BENCH_PRINCIPAL_SECRET,
  cpuSeconds,
  rssMegabytes,
  startHubProcess,
  startServiceProcesses,
  type HubProcess,
  type ServiceProcesses,
} from "./support/hubProcess.js";
import { percentile, runLoad, type LoadResult } from "./support/load.js";
import { startOtlpSink, type OtlpSink } from "./support/otlpSink.js";
import { runPeerComparison } from "./support/peerComparison.js";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "30" },
    concurrency: { type: "string", default: "50" },
    backend: { type: "string", default: "both" },
    scale: { type: "string", default: "1" },
    // Postgres runs each service in its own process (ARCHITECTURE.md); "single" runs them all in one, like npm start.
    topology: { type: "string", default: "processes" },
    postgres: { type: "string", default: postgresAdminUrl },
    // --peer hive: Crossdock's gateway beside Hive Gateway (JS and Rust planners) on one Postgres hub (docs/benchmarks.md).
    peer: { type: "string" },
    rounds: { type: "string", default: "1" },
    // With --peer hive: also Hive with JWT authentication, scopes and principal signing on.
    "hive-auth": { type: "boolean", default: false },
    // Tracing on in the hub: OTLP export to a sink in this process (see the top of the file).
    "otlp-sink": { type: "boolean", default: false },
    // Two Postgres hubs side by side, tracing off and on, measured in alternating windows (see tracingPair).
    "tracing-pair": { type: "boolean", default: false },
  },
});
const durationMs = Number(values.duration) * 1000;
const concurrency = Number(values.concurrency);

/** The ERP called directly, as the gateway calls it: an all-access principal signed with the bench's secret. */
const DIRECT_CALLER = principalHeaders(ALL_ACCESS, BENCH_PRINCIPAL_SECRET);

interface Row {
  label: string;
  result: LoadResult;
  cpu: number;
}

async function measure(hub: HubProcess, label: string, url: string, query: string, numbers: string[]): Promise<Row> {
  const before = hub.pids.map((pid) => cpuSeconds(pid));
  const headers = url === hub.erpUrl ? DIRECT_CALLER : undefined;
  const result = await runLoad({
    url,
    concurrency,
    durationMs,
    headers,
    body: (i) => JSON.stringify({ query, variables: { n: numbers[i % numbers.length] } }),
  });
  const used = hub.pids.map((pid, i) => cpuSeconds(pid) - before[i]!);
  if (hub.pids.length > 1 && "servicePids" in hub) {
    // Where the CPU went, per service process (ms per request).
    const names = Object.keys((hub as ServiceProcesses).servicePids);
    console.log(`${label}: CPU ms/request by process: ${names.map((name, i) => `${name} ${((used[i]! / result.requests) * 1000).toFixed(2)}`).join(", ")}`);
  }
  return { label, result, cpu: used.reduce((sum, cpu) => sum + cpu, 0) };
}

function print(rows: Row[]): void {
  const header = ["run", "req/s", "p50 ms", "p95 ms", "p99 ms", "CPU s/1k req", "errors"];
  console.log(header.map((h) => h.padEnd(34 > h.length && h === "run" ? 34 : 13)).join(""));
  for (const { label, result, cpu } of rows) {
    const sorted = [...result.latenciesMs].sort((a, b) => a - b);
    const cells = [
      (result.requests / result.seconds).toFixed(0),
      percentile(sorted, 50).toFixed(1),
      percentile(sorted, 95).toFixed(1),
      percentile(sorted, 99).toFixed(1),
      ((cpu / result.requests) * 1000).toFixed(2),
      String(result.errors),
    ];
    console.log(label.padEnd(34) + cells.map((c) => c.padEnd(13)).join(""));
  }
}

async function benchBackend(backend: "pglite" | "postgres"): Promise<Row[]> {
  const databases = backend === "postgres" ? await createHubDatabases(values.postgres!) : undefined;
  const separate = backend === "postgres" && values.topology !== "single";
  const options = { env: databases?.env ?? {}, seedScale: Number(values.scale) };
  const hub = separate ? await startServiceProcesses(options) : await startHubProcess(options);
  console.log(
    `${backend}: ${separate ? "each service in its own process" : "every service in one process"} (${hub.pids.length} process${hub.pids.length > 1 ? "es" : ""})`,
  );
  try {
    const numbers = await orderNumbers(hub.gatewayUrl);
    // Both queries warm up before either is measured, so JIT, plan caches and connection pools are
    // settled for both (the ERP serves each) and neither run pays for the other's first minutes.
    for (const [url, query] of [
      [hub.gatewayUrl, FEDERATED],
      [hub.erpUrl, DIRECT],
    ] as const) {
      const headers = url === hub.erpUrl ? DIRECT_CALLER : undefined;
      await runLoad({ url, concurrency, durationMs: 5000, headers, body: (i) => JSON.stringify({ query, variables: { n: numbers[i % numbers.length] } }) });
    }
    const federated = await measure(hub, `${backend}: federated via gateway`, hub.gatewayUrl, FEDERATED, numbers);
    const direct = await measure(hub, `${backend}: ERP subgraph directly`, hub.erpUrl, DIRECT, numbers);
    const rss = hub.pids.reduce((sum, pid) => sum + rssMegabytes(pid), 0);
    console.log(`${backend}: hub RSS ${rss.toFixed(0)} MB after the runs (all processes)`);
    return [federated, direct];
  } finally {
    await hub.stop();
    await databases?.drop();
  }
}

async function benchBackends(): Promise<void> {
  const backends = values.backend === "both" ? (["pglite", "postgres"] as const) : [values.backend as "pglite" | "postgres"];
  console.log(`gateway benchmark: ${concurrency} concurrent clients, ${durationMs / 1000} s per run, seed scale ${values.scale}, node ${process.version}\n`);
  const rows: Row[] = [];
  for (const backend of backends) rows.push(...(await benchBackend(backend)));
  console.log();
  print(rows);
  for (const backend of backends) {
    const fed = rows.find((r) => r.label.startsWith(`${backend}: federated`))!;
    const direct = rows.find((r) => r.label.startsWith(`${backend}: ERP`))!;
    const p95 = (r: Row) =>
      percentile(
        [...r.result.latenciesMs].sort((a, b) => a - b),
        95,
      );
    console.log(`${backend}: federated p95 / direct p95 = ${(p95(fed) / p95(direct)).toFixed(2)} (target <= 3)`);
  }
}

/** With --otlp-sink, the hub processes (they inherit this environment) export their traces to a local sink. */
async function withOtlpSink(run: () => Promise<void>): Promise<void> {
  if (!values["otlp-sink"]) return run();
  const sink: OtlpSink = await startOtlpSink();
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = sink.url;
  const sampler = `${process.env.OTEL_TRACES_SAMPLER ?? "parentbased_always_on"}${process.env.OTEL_TRACES_SAMPLER_ARG ? ` ${process.env.OTEL_TRACES_SAMPLER_ARG}` : ""}`;
  console.log(`tracing on: OTLP ${process.env.OTEL_EXPORTER_OTLP_PROTOCOL ?? "http/protobuf"} to a sink at ${sink.url}, sampler ${sampler}\n`);
  try {
    await run();
  } finally {
    const { requests, bytes } = sink.received();
    console.log(`OTLP sink: ${requests} export requests, ${(bytes / 1024).toFixed(0)} KB`);
    await sink.close();
  }
}

/**
 * Tracing off and on, side by side: two Postgres hubs (each service in its own process), warmed
 * alike, then measured in alternating windows (off-on, then on-off, ...) so that a drift in the
 * machine's speed falls on both. Prints each window and the median of the per-round ratios.
 */
async function tracingPair(): Promise<void> {
  const rounds = Math.max(2, Number(values.rounds));
  const sink: OtlpSink = await startOtlpSink();
  const sampler = `${process.env.OTEL_TRACES_SAMPLER ?? "parentbased_always_on"}${process.env.OTEL_TRACES_SAMPLER_ARG ? ` ${process.env.OTEL_TRACES_SAMPLER_ARG}` : ""}`;
  console.log(
    `gateway benchmark, tracing off and on side by side: Postgres, each service in its own process, ${concurrency} concurrent clients, ` +
      `${rounds} rounds of ${durationMs / 1000} s per hub, seed scale ${values.scale}, node ${process.version}\n` +
      `tracing on: OTLP ${process.env.OTEL_EXPORTER_OTLP_PROTOCOL ?? "http/protobuf"} to a sink in this process, sampler ${sampler}\n`,
  );
  const databases = await Promise.all([createHubDatabases(values.postgres!), createHubDatabases(values.postgres!)]);
  // Two hubs on one server: smaller pools (both alike) keep them under Postgres's default max_connections (100).
  const pools = {
    CROSSDOCK_PG_POOL_SIZE: process.env.CROSSDOCK_PG_POOL_SIZE ?? "4",
    CROSSDOCK_PG_TX_POOL_SIZE: process.env.CROSSDOCK_PG_TX_POOL_SIZE ?? "4",
  };
  console.log(`each hub: Postgres pools of ${pools.CROSSDOCK_PG_POOL_SIZE} + ${pools.CROSSDOCK_PG_TX_POOL_SIZE} connections per database per process\n`);
  const hubs: ServiceProcesses[] = [];
  try {
    const seedScale = Number(values.scale);
    hubs.push(await startServiceProcesses({ env: { ...databases[0]!.env, ...pools, OTEL_SDK_DISABLED: "true", OTEL_EXPORTER_OTLP_ENDPOINT: "" }, seedScale }));
    hubs.push(await startServiceProcesses({ env: { ...databases[1]!.env, ...pools, OTEL_EXPORTER_OTLP_ENDPOINT: sink.url }, seedScale }));
    const numbers = await Promise.all(hubs.map((hub) => orderNumbers(hub.gatewayUrl)));
    const load = (i: number, ms: number) =>
      runLoad({
        url: hubs[i]!.gatewayUrl,
        concurrency,
        durationMs: ms,
        body: (n) => JSON.stringify({ query: FEDERATED, variables: { n: numbers[i]![n % numbers[i]!.length] } }),
      });
    for (const i of [0, 1, 0, 1]) await load(i, 5000);
    const label = ["off", "on"] as const;
    const totals = [
      { requests: 0, seconds: 0, cpu: 0, errors: 0 },
      { requests: 0, seconds: 0, cpu: 0, errors: 0 },
    ];
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? [0, 1] : [1, 0];
      const rate = [0, 0];
      const cpuPer = [0, 0];
      for (const i of order) {
        const hub = hubs[i]!;
        const before = hub.pids.map((pid) => cpuSeconds(pid));
        const result = await load(i, durationMs);
        const cpu = hub.pids.reduce((sum, pid, k) => sum + cpuSeconds(pid) - before[k]!, 0);
        rate[i] = result.requests / result.seconds;
        cpuPer[i] = (cpu / result.requests) * 1000;
        Object.assign(totals[i]!, {
          requests: totals[i]!.requests + result.requests,
          seconds: totals[i]!.seconds + result.seconds,
          cpu: totals[i]!.cpu + cpu,
          errors: totals[i]!.errors + result.errors,
        });
      }
      ratios.push(rate[1]! / rate[0]!);
      cpuRatios.push(cpuPer[1]! / cpuPer[0]!);
      console.log(
        `round ${round + 1}: ${order.map((i) => `${label[i]} ${rate[i]!.toFixed(0)} req/s (${cpuPer[i]!.toFixed(2)} CPU s/1k)`).join(", ")}; on/off ${(rate[1]! / rate[0]!).toFixed(3)}`,
      );
    }
    const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
    console.log();
    for (const i of [0, 1]) {
      const t = totals[i]!;
      console.log(
        `tracing ${label[i]}: ${(t.requests / t.seconds).toFixed(0)} req/s, ${((t.cpu / t.requests) * 1000).toFixed(2)} CPU s/1k req, ${t.errors} errors`,
      );
    }
    const { requests, bytes } = sink.received();
    console.log(`OTLP sink: ${requests} export requests, ${(bytes / 1024).toFixed(0)} KB`);
    console.log(
      `throughput on/off: median of rounds ${median(ratios).toFixed(3)} (cost ${((1 - median(ratios)) * 100).toFixed(1)}%); ` +
        `CPU per request on/off: median ${median(cpuRatios).toFixed(3)}`,
    );
  } finally {
    for (const hub of hubs) await hub.stop();
    for (const database of databases) await database.drop();
    await sink.close();
  }
}

if (values["tracing-pair"]) {
  await tracingPair();
} else if (values.peer === undefined) {
  await withOtlpSink(benchBackends);
} else if (values.peer === "hive") {
  console.log(
    `gateway benchmark, peer hive: Postgres, each service in its own process, ${concurrency} concurrent clients, ` +
      `${values.rounds} round(s) of ${durationMs / 1000} s per variant, seed scale ${values.scale}, node ${process.version}\n`,
  );
  await runPeerComparison({
    concurrency,
    durationMs,
    rounds: Number(values.rounds),
    seedScale: Number(values.scale),
    postgresAdminUrl: values.postgres!,
    principalSecret: BENCH_PRINCIPAL_SECRET,
    hiveAuth: values["hive-auth"]!,
  });
} else {
  console.error(`--peer ${values.peer}: the only peer is hive`);
  process.exitCode = 2;
}
