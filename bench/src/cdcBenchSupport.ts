// Measuring helpers for the CDC benchmark: percentiles, the ingest's latency histogram read
// from the ops /metrics page, and pg_recvlogical timed over the same WAL range (the ceiling
// for decoding alone). Nothing here writes to a database except the comparison slot.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
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
