// Measuring helpers for the CDC benchmark: percentiles, the ingest's latency histogram read
// from the ops /metrics page, pg_recvlogical timed over the same WAL range (the ceiling for
// decoding alone), where the CPU goes (this process, the Postgres backends serving the bench's
// databases) and an in-process CPU profile of the apply window. Nothing here writes to a
// database except the comparison slot.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { PerformanceObserver } from "node:perf_hooks";
import pg from "pg";

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** The histogram bucket (upper bound, ms) that holds the p-th percentile, from Prometheus text. */
export async function histogramPercentileMs(metricsUrl: string, p: number): Promise<string> {
  const text = await (await fetch(metricsUrl)).text();
  const buckets = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^crossdock_cdc_apply_latency_seconds_bucket\{[^}]*le="([^"]+)"[^}]*\} (\d+)/.exec(line);
    if (match) buckets.set(match[1]!, (buckets.get(match[1]!) ?? 0) + Number(match[2]));
  }
  const total = buckets.get("+Inf") ?? 0;
  if (total === 0) return "n/a";
  for (const [le, count] of buckets) if (count >= (p / 100) * total) return le === "+Inf" ? "> 10 s" : `≤ ${Number(le) * 1000} ms`;
  return "n/a";
}

export function findPgRecvLogical(): string | null {
  for (const candidate of ["/usr/bin/pg_recvlogical", "/usr/lib/postgresql/16/bin/pg_recvlogical", "/usr/lib/postgresql/15/bin/pg_recvlogical"]) {
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

async function sql<T extends pg.QueryResultRow>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** A second slot created now starts where the ingest's stopped slot will resume: before the burst. */
export async function createComparisonSlot(url: string, slot: string): Promise<void> {
  await sql(url, `SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);
}

export async function currentWalLsn(url: string): Promise<string> {
  const [row] = await sql<{ lsn: string }>(url, `SELECT pg_current_wal_lsn()::text AS lsn`);
  return row!.lsn;
}

/** Decodes `slot` up to `endLsn` with pg_recvlogical (pgoutput, same publication); resolves to ms. */
export function timePgRecvLogical(binary: string, options: { url: string; slot: string; publication: string; endLsn: string }): Promise<number> {
  const started = performance.now();
  const child = spawn(
    binary,
    [
      "-d",
      options.url,
      "-S",
      options.slot,
      "--start",
      "--no-loop",
      "-f",
      "/dev/null",
      "--endpos",
      options.endLsn,
      "-o",
      "proto_version=1",
      "-o",
      `publication_names=${options.publication}`,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`pg_recvlogical exited ${code}: ${stderr}`))));
  });
}

/** Profiles this process (the in-process ingest) from now until the returned stop writes `file`. */
export async function startCpuProfile(file: string): Promise<() => Promise<void>> {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 200 });
  await session.post("Profiler.start");
  return async () => {
    const { profile } = await session.post("Profiler.stop");
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

const CLOCK_TICKS_PER_SECOND = 100;

/** utime + stime of a process in seconds, or null once it is gone (Linux /proc). */
function processCpuSeconds(pid: number): number | null {
  try {
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/**
 * CPU seconds the Postgres server spent on the given databases (client backends and walsenders)
 * while sampling ran. Backends come and go with pools, so each is sampled every 100 ms and its
 * last reading kept; other databases on the same server (other suites) are not counted.
 */
export class ServerCpuSampler {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private client: pg.Client | undefined;
  private sampling: Promise<void> = Promise.resolve();
  private started = false;

  constructor(
    private readonly adminUrl: string,
    private readonly databases: readonly string[],
  ) {}

  async start(): Promise<void> {
    this.client = new pg.Client({ connectionString: this.adminUrl });
    await this.client.connect();
    await this.sample();
    this.started = true;
    this.timer = setInterval(() => {
      this.sampling = this.sampling.then(() => this.sample()).catch(() => undefined);
    }, 100);
  }

  private async sample(): Promise<void> {
    const { rows } = await this.client!.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = ANY($1::text[]) AND pid <> pg_backend_pid()`, [
      [...this.databases],
    ]);
    for (const { pid } of rows) {
      const cpu = processCpuSeconds(pid);
      if (cpu === null) continue;
      // A backend first seen after the start began after it: all of its CPU counts.
      if (!this.first.has(pid)) this.first.set(pid, this.started ? 0 : cpu);
      this.last.set(pid, cpu);
    }
  }

  /** Stops sampling; resolves to CPU seconds used since start (backends seen at least once). */
  async stop(): Promise<number> {
    clearInterval(this.timer);
    await this.sampling;
    await this.sample().catch(() => undefined);
    await this.client?.end();
    let total = 0;
    for (const [pid, last] of this.last) total += last - this.first.get(pid)!;
    return total;
  }
}

/** The database name of a connection URL. */
export function databaseOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

/** Milliseconds this process spent in garbage collection from now until the returned stop. */
export function measureGc(): () => number {
  let total = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) total += entry.duration;
  });
  observer.observe({ entryTypes: ["gc"] });
  return () => {
    observer.disconnect();
    return total;
  };
}
