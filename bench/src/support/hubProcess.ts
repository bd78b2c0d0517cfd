// Starts the whole hub (`npm start`'s launcher) as a child process for benchmarks, so the
// load generator's CPU is not counted as the hub's and the hub's CPU can be read from /proc.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, readdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { benchIdentityEnv } from "./benchIdentity.js";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** The principal-signing secret every bench hub's services share (CROSSDOCK_PRINCIPAL_SECRET). */
export const BENCH_PRINCIPAL_SECRET = "bench-principal-secret";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; NaN once it has exited. */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/**
 * CPU seconds used so far by every Postgres process on this machine (server, backends, WAL
 * senders), from /proc: the database shares the benchmark's cores, so its share belongs in the
 * figures. Backends that exited meanwhile are not counted.
 */
export function postgresCpuSeconds(): number {
  let seconds = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/cmdline`, "utf8").startsWith("postgres")) continue;
      seconds += cpuSeconds(Number(entry)) || 0;
    } catch {
      // The process exited between the listing and the read.
    }
  }
  return seconds;
}

/** Busy and total CPU time of the whole machine so far (all cores, from /proc/stat), in seconds. */
export function machineCpuSeconds(): { busy: number; total: number } {
  const [, ...ticks] = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = ticks.map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  return { busy: busy / 100, total: (busy + idle! + iowait!) / 100 };
}

export function rssMegabytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

export interface HubProcess {
  child: ChildProcess;
  /** Every process of the hub (one when embedded), for CPU and memory accounting. */
  pids: number[];
  gatewayUrl: string;
  erpUrl: string;
  /** Each service's base URL (http://127.0.0.1:port), for its /metrics. */
  serviceBaseUrls: Record<string, string>;
  stop(): Promise<void>;
}

export async function startHubProcess(options: { env?: Record<string, string>; seedScale?: number; startTimeoutMs?: number } = {}): Promise<HubProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), "crossdock-bench-"));
  const [port, erpPort, crmPort, wmsPort, opsPort, flowsPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
  // BENCH_CPU_PROF_DIR=<dir> writes V8 CPU profiles of the hub process in <dir>/hub/ on stop (one per thread).
  const profile = process.env.BENCH_CPU_PROF_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}/hub`] : [];
  const extra = process.env.BENCH_HUB_NODE_ARGS ? process.env.BENCH_HUB_NODE_ARGS.split(" ") : [];
  const child = spawn(process.execPath, [...profile, ...extra, "--import", "tsx", "launcher/src/index.ts"], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      ERP_PORT: String(erpPort),
      CRM_PORT: String(crmPort),
      WMS_PORT: String(wmsPort),
      OPS_PORT: String(opsPort),
      FLOWS_PORT: String(flowsPort),
      CROSSDOCK_DATA_DIR: dataDir,
      CROSSDOCK_SIMULATE: "0",
      CROSSDOCK_SEED_SCALE: String(options.seedScale ?? 1),
      LOG_LEVEL: "warn",
      NODE_ENV: "production",
      CROSSDOCK_PRINCIPAL_SECRET: BENCH_PRINCIPAL_SECRET,
      CROSSDOCK_SERVICE_TOKEN: "bench-service-token",
      ...(await benchIdentityEnv()),
      ...options.env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const gatewayUrl = `http://127.0.0.1:${port}/graphql`;
  await new Promise<void>((resolve, reject) => {
    // Seeding takes minutes at the larger scales; a bench of those passes a longer deadline.
    const timeoutMs = options.startTimeoutMs ?? 180_000;
    const timer = setTimeout(() => {
      // Not left running behind a bench that gave up on it.
      child.kill("SIGKILL");
      rmSync(dataDir, { recursive: true, force: true });
      reject(new Error(`hub did not start within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.once("exit", (code) => reject(new Error(`hub exited with ${code} before it was ready`)));
    child.stdout!.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("Crossdock is running")) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    child,
    pids: [child.pid!],
    gatewayUrl,
    erpUrl: `http://127.0.0.1:${erpPort}/graphql`,
    serviceBaseUrls: Object.fromEntries(
      Object.entries({ erp: erpPort, crm: crmPort, wms: wmsPort, ops: opsPort, flows: flowsPort, gateway: port }).map(([name, p]) => [
        name,
        `http://127.0.0.1:${p}`,
      ]),
    ),
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const SERVICE_ENTRIES = {
  erp: "subgraphs/erp/src/index.ts",
  crm: "subgraphs/crm/src/index.ts",
  wms: "subgraphs/wms/src/index.ts",
  ops: "cdc-ingest/src/index.ts",
  flows: "flows/src/index.ts",
  gateway: "gateway/src/index.ts",
} as const;
type ServiceName = keyof typeof SERVICE_ENTRIES;

export interface ServiceProcesses extends HubProcess {
  servicePids: Record<ServiceName, number>;
  serviceBaseUrls: Record<ServiceName, string>;
  wmsUrl: string;
}

async function waitReady(url: string, child: ChildProcess, name: string, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} before it was ready`);
    const ok = await fetch(url)
      .then((response) => response.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${name} was not ready within ${timeoutMs / 1000} s`);
}

/**
 * The Postgres topology of ARCHITECTURE.md: each service in its own process (the entry points
 * the README lists), on the given database URLs. Started in dependency order: the systems of
 * record (migrate + seed), then cdc-ingest, flows and the gateway.
 */
export async function startServiceProcesses(options: { env: Record<string, string>; seedScale?: number }): Promise<ServiceProcesses> {
  const ports = Object.fromEntries(
    await Promise.all((Object.keys(SERVICE_ENTRIES) as ServiceName[]).map(async (name) => [name, await freePort()] as const)),
  ) as Record<ServiceName, number>;
  const url = (name: ServiceName) => `http://127.0.0.1:${ports[name]}/graphql`;
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PORT: String(ports.gateway),
    ERP_PORT: String(ports.erp),
    CRM_PORT: String(ports.crm),
    WMS_PORT: String(ports.wms),
    OPS_PORT: String(ports.ops),
    FLOWS_PORT: String(ports.flows),
    ERP_URL: url("erp"),
    CRM_URL: url("crm"),
    WMS_URL: url("wms"),
    OPS_URL: url("ops"),
    FLOWS_URL: url("flows"),
    FLOWS_GATEWAY_URL: url("gateway"),
    // Services seed only when asked to (the embedded hub above asks by default, as `npm start` does).
    CROSSDOCK_SEED: "demo",
    CROSSDOCK_SEED_SCALE: String(options.seedScale ?? 1),
    LOG_LEVEL: "warn",
    NODE_ENV: "production",
    CROSSDOCK_PRINCIPAL_SECRET: BENCH_PRINCIPAL_SECRET,
    // The flows service calls the gateway as a service principal with this token.
    CROSSDOCK_SERVICE_TOKEN: "bench-service-token",
    ...(await benchIdentityEnv()),
    ...options.env,
  };
  const children = new Map<ServiceName, ChildProcess>();
  const stop = async () => {
    const exits = [...children.values()].map((child) =>
      child.exitCode === null ? new Promise((resolve) => child.once("exit", resolve)) : Promise.resolve(undefined),
    );
    for (const child of [...children.values()].reverse()) child.kill("SIGTERM");
    await Promise.race([Promise.all(exits), new Promise((resolve) => setTimeout(resolve, 10_000))]);
    for (const child of children.values()) if (child.exitCode === null) child.kill("SIGKILL");
  };
  const launch = async (name: ServiceName) => {
    // BENCH_CPU_PROF_DIR=<dir> writes V8 CPU profiles of every service process on stop, in <dir>/<service>/:
    // one per thread (tsx's module-hooks thread has its own), so no name is given that two threads would share.
    const profile = process.env.BENCH_CPU_PROF_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}/${name}`] : [];
    const child = spawn(process.execPath, [...profile, "--import", "tsx", SERVICE_ENTRIES[name]], {
      cwd: REPO_ROOT,
      env,
      stdio: ["ignore", "inherit", "inherit"],
    });
    children.set(name, child);
    await waitReady(`http://127.0.0.1:${ports[name]}/readyz`, child, name);
  };
  try {
    await Promise.all([launch("erp"), launch("crm"), launch("wms")]);
    await launch("ops");
    await launch("flows");
    await launch("gateway");
  } catch (error) {
    await stop();
    throw error;
  }
  const servicePids = Object.fromEntries([...children].map(([name, child]) => [name, child.pid!])) as Record<ServiceName, number>;
  return {
    child: children.get("gateway")!,
    pids: Object.values(servicePids),
    servicePids,
    serviceBaseUrls: Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, `http://127.0.0.1:${port}`])) as Record<ServiceName, string>,
    gatewayUrl: url("gateway"),
    erpUrl: url("erp"),
    wmsUrl: url("wms"),
    stop,
  };
}
