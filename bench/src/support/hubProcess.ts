// Starts the whole hub (`npm start`'s launcher) as a child process for benchmarks, so the
// load generator's CPU is not counted as the hub's and the hub's CPU can be read from /proc.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

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

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100;
}

export function rssMegabytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

export interface HubProcess {
  child: ChildProcess;
  gatewayUrl: string;
  erpUrl: string;
  stop(): Promise<void>;
}

export async function startHubProcess(options: { env?: Record<string, string>; seedScale?: number } = {}): Promise<HubProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), "crossdock-bench-"));
  const [port, erpPort, crmPort, wmsPort, opsPort, flowsPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
  const child = spawn(process.execPath, ["--import", "tsx", "launcher/src/index.ts"], {
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
      ...options.env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const gatewayUrl = `http://127.0.0.1:${port}/graphql`;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("hub did not start within 180 s")), 180_000);
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
    gatewayUrl,
    erpUrl: `http://127.0.0.1:${erpPort}/graphql`,
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
