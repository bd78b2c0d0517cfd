// A Postgres cluster of the fault suite's own (Debian's postgresql-common tools), so a scenario
// can restart or stop the server without touching the shared one other suites use. It creates
// the cluster when missing (wal_level=logical, room for replication), starts it when down, and
// times restarts the way an administrator would run them.
import { execFile } from "node:child_process";
import { mkdir, readdir, rm, stat } from "node:fs/promises";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

export interface PostgresClusterOptions {
  /** Default crossdock_faults. */
  readonly name?: string;
  /** Default 5499 (CROSSDOCK_FAULTS_PG_PORT). */
  readonly port?: number;
  /** Major version; default the newest under /etc/postgresql. */
  readonly version?: string;
}

export type ShutdownMode = "smart" | "fast" | "immediate";

export interface PostgresRestart {
  /** From the command's start until it returned (the old server stopped, the new one started). */
  readonly ms: number;
}

export interface PostgresCluster {
  readonly version: string;
  readonly name: string;
  readonly port: number;
  /** Superuser URL of the cluster's `postgres` database (trust authentication). */
  readonly adminUrl: string;
  /** `pg_ctlcluster … restart -m <mode>` (fast by default); rejects when pg_ctlcluster gives up. */
  restart(options?: { mode?: ShutdownMode; timeoutSeconds?: number }): Promise<PostgresRestart>;
  stop(options?: { mode?: ShutdownMode; timeoutSeconds?: number }): Promise<PostgresRestart>;
  /** Starts the cluster unless it is running. */
  start(): Promise<void>;
  /** Resolves once the server accepts connections. */
  waitAcceptingConnections(timeoutMs?: number): Promise<void>;
}

const SETTINGS = [
  "wal_level=logical",
  "max_replication_slots=40",
  "max_wal_senders=40",
  "max_connections=300",
  // A test cluster: durability across a power cut is not what the suite measures.
  "fsync=off",
  "synchronous_commit=off",
  "full_page_writes=off",
];

/** Whether this machine can host the cluster: Debian's cluster tools and root (or the postgres user). */
export async function postgresClusterToolsAvailable(): Promise<boolean> {
  try {
    await run("pg_lsclusters", ["--help"]);
    return process.getuid?.() === 0;
  } catch {
    return false;
  }
}

/** Creates (once) and starts the fault suite's cluster; safe to call from several test files at once. */
export async function ensurePostgresCluster(options: PostgresClusterOptions = {}): Promise<PostgresCluster> {
  const name = options.name ?? "crossdock_faults";
  const port = options.port ?? Number(process.env.CROSSDOCK_FAULTS_PG_PORT ?? 5499);
  const version = options.version ?? (await newestVersion());
  await withCreationLock(name, async () => {
    const status = await clusterStatus(version, name);
    if (status === "missing") {
      await run("pg_createcluster", [version, name, "-p", String(port), "--start-conf=manual", ...SETTINGS.flatMap((s) => ["-o", s]), "--", "--auth=trust"]);
    }
    if (status !== "online") await ctl(version, name, ["start"]);
  });
  const adminUrl = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  const cluster: PostgresCluster = {
    version,
    name,
    port,
    adminUrl,
    async restart({ mode = "fast", timeoutSeconds = 60 } = {}) {
      const started = Date.now();
      await ctl(version, name, ["restart", "-m", mode, "--", "-t", String(timeoutSeconds)]);
      return { ms: Date.now() - started };
    },
    async stop({ mode = "fast", timeoutSeconds = 60 } = {}) {
      const started = Date.now();
      await ctl(version, name, ["stop", "-m", mode, "--", "-t", String(timeoutSeconds)]);
      return { ms: Date.now() - started };
    },
    async start() {
      if ((await clusterStatus(version, name)) !== "online") await ctl(version, name, ["start"]);
    },
    waitAcceptingConnections: (timeoutMs = 30_000) => waitAccepting(adminUrl, timeoutMs),
  };
  await cluster.waitAcceptingConnections();
  return cluster;
}

async function newestVersion(): Promise<string> {
  const versions = (await readdir("/etc/postgresql")).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  if (!versions[0]) throw new Error("no Postgres installation under /etc/postgresql");
  return versions[0];
}

async function clusterStatus(version: string, name: string): Promise<"missing" | "online" | "down"> {
  const { stdout } = await run("pg_lsclusters", ["--no-header"]);
  const line = stdout.split("\n").find((l) => {
    const [v, c] = l.trim().split(/\s+/);
    return v === version && c === name;
  });
  if (!line) return "missing";
  return /\bonline\b/.test(line) ? "online" : "down";
}

function ctl(version: string, name: string, args: string[]) {
  // Without the flag, pg_ctlcluster run by root hands the action to systemd, which a CI box may not run.
  return run("pg_ctlcluster", ["--skip-systemctl-redirect", version, name, ...args], { timeout: 180_000 });
}

async function waitAccepting(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    client.on("error", () => undefined);
    try {
      await client.connect();
      await client.query("SELECT 1");
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`Postgres at ${url} did not accept connections within ${timeoutMs} ms: ${String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** A directory as a lock across processes (vitest runs files in several forks); a stale one expires. */
async function withCreationLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const lock = `/tmp/${name}.cluster-lock`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > 120_000) await rm(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}
