// CDC benchmark (`npm run bench:cdc -- [--changes N] [--rate R --duration S] [--capture pg-logical|outbox|all] [--scale X] [--cpu-prof FILE]`):
// source changes applied to the read model per second (pg-logical on Postgres, outbox on PGlite),
// against pg_recvlogical decoding the same WAL range; with --rate, sustained source-commit → read-model-commit latency.
// Each run prints the CPU it took in this process (the ingest) and, on Postgres, in the server's
// backends for the bench's databases; --cpu-prof writes a CPU profile of the apply (or sustained) window.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { start as startIngest, loadConfig as ingestConfig, FeedBus, type IngestConfig, type IngestDependencies } from "@crossdock/cdc-ingest";
import { start as startErp, loadConfig as erpConfig } from "@crossdock/erp";
import { start as startWms, loadConfig as wmsConfig } from "@crossdock/wms";
import { postgresAdminUrl, postgresAvailable } from "@crossdock/test";
import { databaseWriter, markersApplied, postgresWriter, prepareSourceDatabases, writeBurst, writeMarkers, type SourceWriter } from "@crossdock/test/faults";
import {
  createComparisonSlot,
  currentWalLsn,
  databaseOf,
  findPgRecvLogical,
  histogramPercentileMs,
  measureGc,
  percentile,
  ServerCpuSampler,
  startCpuProfile,
  timePgRecvLogical,
} from "./cdcBenchSupport.js";

const { values: args } = parseArgs({
  options: {
    changes: { type: "string", default: "50000" },
    rate: { type: "string" },
    duration: { type: "string", default: "30" },
    capture: { type: "string", default: "all" },
    scale: { type: "string", default: "0.05" },
    "cpu-prof": { type: "string" },
  },
});
const CHANGES = Number(args.changes);
const SCALE = Number(args.scale);
const WRITERS = 4;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Target {
  capture: "pg-logical" | "outbox";
  writers: { erp: SourceWriter; wms: SourceWriter };
  config: IngestConfig;
  deps: IngestDependencies;
  cleanup(): Promise<void>;
  urls?: { erp: string; wms: string; hub: string };
}

/** Where the CPU of a measured window went: this process (the ingest) and the server's backends. */
async function measureCpu(target: Target): Promise<() => Promise<string>> {
  const server = target.urls ? new ServerCpuSampler(postgresAdminUrl, Object.values(target.urls).map(databaseOf)) : null;
  await server?.start();
  const stopProfile = args["cpu-prof"] ? await startCpuProfile(args["cpu-prof"]) : null;
  const before = process.cpuUsage();
  const gc = measureGc();
  return async () => {
    const used = process.cpuUsage(before);
    const gcMs = gc();
    await stopProfile?.();
    const serverSeconds = await server?.stop();
    const own = `ingest process CPU ${((used.user + used.system) / 1e6).toFixed(2)} s (GC ${(gcMs / 1000).toFixed(2)} s)`;
    return serverSeconds === undefined ? own : `${own}, Postgres backends CPU ${serverSeconds.toFixed(2)} s`;
  };
}

function baseConfig(): IngestConfig {
  return { ...ingestConfig({ LOG_LEVEL: "warn" }), port: 0, batchSize: Number(process.env.CROSSDOCK_INGEST_BATCH_SIZE ?? 500) };
}

async function postgresTarget(): Promise<Target> {
  const dbs = await prepareSourceDatabases(SCALE);
  const writers = { erp: postgresWriter(dbs.urls.erp, WRITERS), wms: postgresWriter(dbs.urls.wms, WRITERS) };
  return {
    capture: "pg-logical",
    writers,
    urls: dbs.urls,
    config: { ...baseConfig(), capture: "pg-logical", hubDatabaseUrl: dbs.urls.hub, sourceDatabaseUrls: { erp: dbs.urls.erp, wms: dbs.urls.wms } },
    deps: {},
    async cleanup() {
      await Promise.all([writers.erp.close(), writers.wms.close()]);
      await dbs.drop();
    },
  };
}

async function pgliteTarget(): Promise<Target> {
  // The hub lives in a directory so that the ingest can be stopped and started again on it.
  const dir = mkdtempSync(join(tmpdir(), "crossdock-cdc-bench-"));
  const seed = { enabled: true, scale: SCALE };
  const erp = await startErp({ ...erpConfig({ LOG_LEVEL: "warn" }), port: 0, databaseUrl: "pglite:memory", seed });
  const wms = await startWms({ ...wmsConfig({ LOG_LEVEL: "warn" }), port: 0, databaseUrl: "pglite:memory", seed });
  return {
    capture: "outbox",
    writers: { erp: databaseWriter(erp.database), wms: databaseWriter(wms.database) },
    config: { ...baseConfig(), capture: "outbox", hubDatabaseUrl: `pglite:${join(dir, "hub")}`, sourceDatabaseUrls: {} },
    deps: { sourceDatabases: { erp: erp.database, wms: wms.database } },
    async cleanup() {
      await erp.stop();
      await wms.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForMarkers(hub: Parameters<typeof markersApplied>[0], markers: Awaited<ReturnType<typeof writeMarkers>>): Promise<void> {
  const deadline = Date.now() + 30 * 60_000;
  while (!(await markersApplied(hub, markers))) {
    if (Date.now() > deadline) throw new Error("the ingest did not catch up within 30 minutes");
    await sleep(20);
  }
}

/** Backlog mode: N changes written while the ingest is down, then timed from its start to caught up. */
async function throughput(target: Target): Promise<void> {
  const warm = await startIngest(target.config, target.deps);
  const warmMarkers = await writeMarkers(target.writers.erp, target.writers.wms, "warm");
  await waitForMarkers(warm.hub, warmMarkers);
  await warm.stop();
  const recv = target.capture === "pg-logical" ? findPgRecvLogical() : null;
  if (recv && target.urls) for (const db of ["erp", "wms"] as const) await createComparisonSlot(target.urls[db], `bench_recv_${db}`);

  const writeStart = performance.now();
  const burst = await writeBurst({ ...target.writers, changes: CHANGES, seed: 7, concurrency: WRITERS });
  const markers = await writeMarkers(target.writers.erp, target.writers.wms, "burst");
  const writeMs = performance.now() - writeStart;
  const endLsn = target.urls ? await currentWalLsn(target.urls.erp) : null;

  const cpu = await measureCpu(target);
  const applyStart = performance.now();
  const ingest = await startIngest(target.config, target.deps);
  const startedMs = performance.now() - applyStart;
  await waitForMarkers(ingest.hub, markers);
  const applyMs = performance.now() - applyStart;
  const cpuUsed = await cpu();
  await ingest.stop();
  const rate = (burst.changes / applyMs) * 1000;
  console.log(
    `[${target.capture}] ${burst.changes} changes in ${burst.transactions} source transactions (written in ${(writeMs / 1000).toFixed(1)} s); ` +
      `applied in ${(applyMs / 1000).toFixed(2)} s (start ${startedMs.toFixed(0)} ms included): ${rate.toFixed(0)} events/s; ${cpuUsed}`,
  );
  if (recv && target.urls && endLsn) {
    const urls = target.urls;
    const decodeStart = performance.now();
    // Both databases at once, as the ingest reads both streams at once.
    await Promise.all(
      (["erp", "wms"] as const).map((db) => timePgRecvLogical(recv, { url: urls[db], slot: `bench_recv_${db}`, publication: `crossdock_${db}`, endLsn })),
    );
    const decodeMs = performance.now() - decodeStart;
    console.log(
      `[${target.capture}] pg_recvlogical decoded the same range in ${(decodeMs / 1000).toFixed(2)} s (${((burst.changes / decodeMs) * 1000).toFixed(0)} events/s); ` +
        `ingest reaches ${((decodeMs / applyMs) * 100).toFixed(0)}% of the decoding ceiling`,
    );
  } else if (target.capture === "pg-logical") console.log("[pg-logical] pg_recvlogical not found: no decoding ceiling measured");
}

/** Sustained mode: the ingest runs while changes arrive at a fixed rate; latency per read-model commit. */
async function sustained(target: Target, ratePerSecond: number, seconds: number): Promise<void> {
  const bus = new FeedBus();
  const latencies: number[] = [];
  bus.onApplied((entries) => {
    const now = Date.now();
    for (const entry of entries) latencies.push(now - entry.occurredAt.getTime());
  });
  const ingest = await startIngest(target.config, { ...target.deps, bus });
  const warm = await writeMarkers(target.writers.erp, target.writers.wms, "warm");
  await waitForMarkers(ingest.hub, warm);
  latencies.length = 0;
  const metricsUrl = new URL("/metrics", ingest.url).toString();
  const baseline = await histogramPercentileMs(metricsUrl, 99);
  const cpu = await measureCpu(target);
  const burst = await writeBurst({ ...target.writers, changes: ratePerSecond * seconds, seed: 11, concurrency: WRITERS, ratePerSecond });
  const markers = await writeMarkers(target.writers.erp, target.writers.wms, "sustained");
  await waitForMarkers(ingest.hub, markers);
  const cpuUsed = await cpu();
  const p99Histogram = await histogramPercentileMs(metricsUrl, 99);
  const p50Histogram = await histogramPercentileMs(metricsUrl, 50);
  await ingest.stop();
  const sorted = latencies.sort((a, b) => a - b);
  console.log(
    `[${target.capture}] sustained ${burst.changes} changes at ${ratePerSecond}/s for ${seconds} s: ` +
      `read-model commit latency p50 ${percentile(sorted, 50)} ms, p99 ${percentile(sorted, 99)} ms, max ${sorted.at(-1)} ms over ${sorted.length} feed entries; ` +
      `ingest histogram (per change, whole run incl. snapshot; before: p99 ${baseline}) p50 ${p50Histogram}, p99 ${p99Histogram}; ` +
      `${cpuUsed} (writers included)`,
  );
}

const captures = args.capture === "all" ? (["pg-logical", "outbox"] as const) : ([args.capture] as ("pg-logical" | "outbox")[]);
for (const capture of captures) {
  if (capture === "pg-logical" && !(await postgresAvailable())) {
    console.log("[pg-logical] Postgres not reachable: skipped");
    continue;
  }
  const target = capture === "pg-logical" ? await postgresTarget() : await pgliteTarget();
  try {
    if (args.rate) await sustained(target, Number(args.rate), Number(args.duration));
    else await throughput(target);
  } finally {
    await target.cleanup();
  }
}
process.exit(0);
