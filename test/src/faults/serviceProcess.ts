// One Crossdock service as an OS process of its own, started from its entry point with tsx the
// way production runs it, so a fault is real: SIGKILL is a crash (no shutdown code runs), and a
// restart is a fresh process on the same port and environment that must find its own way back.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const REPO_ROOT = fileURLToPath(new URL("../../..", import.meta.url));

export const SERVICE_ENTRIES = {
  erp: "subgraphs/erp/src/index.ts",
  crm: "subgraphs/crm/src/index.ts",
  wms: "subgraphs/wms/src/index.ts",
  ops: "cdc-ingest/src/index.ts",
  flows: "flows/src/index.ts",
  gateway: "gateway/src/index.ts",
} as const;

export type ServiceKind = keyof typeof SERVICE_ENTRIES;

export interface ServiceProcessOptions {
  /** A label for logs and reports (e.g. "gateway-2"); the kind picks the entry point. */
  name: string;
  kind: ServiceKind;
  port: number;
  env: Record<string, string>;
  /** How long a start may take before it counts as failed (tsx compiles on the first start). */
  startTimeoutMs?: number;
}

export class ServiceProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  /** The last lines of output of every incarnation, for a failure message. */
  readonly output: string[] = [];
  starts = 0;
  kills = 0;
  /** How long the last start took until /readyz said 200. */
  lastStartMs = 0;

  constructor(private readonly options: ServiceProcessOptions) {}

  get name(): string {
    return this.options.name;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  get url(): string {
    return `${this.baseUrl}/graphql`;
  }

  get readyzUrl(): string {
    return `${this.baseUrl}/readyz`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get alive(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Spawns the process and resolves once its /readyz answers 200. */
  async start(): Promise<void> {
    if (this.alive) throw new Error(`${this.name} is already running`);
    const child = spawn(process.execPath, ["--import", "tsx", SERVICE_ENTRIES[this.options.kind]], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...this.options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    this.starts++;
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    const keep = (chunk: Buffer) => {
      this.output.push(`[${this.name}#${this.starts}] ${chunk.toString().trimEnd()}`);
      if (this.output.length > 100) this.output.shift();
    };
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    const started = Date.now();
    await this.waitReady(this.options.startTimeoutMs ?? 120_000);
    this.lastStartMs = Date.now() - started;
  }

  /** SIGKILL: no shutdown code runs, connections and slots are left as a crash leaves them. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    this.child!.kill("SIGKILL");
    this.kills++;
    await this.exited;
  }

  /** Holds the process (SIGSTOP): it keeps its sockets and leases but does nothing, like a long GC pause. */
  pause(): void {
    if (this.alive) this.child!.kill("SIGSTOP");
  }

  resume(): void {
    if (this.alive) this.child!.kill("SIGCONT");
  }

  /** A clean stop (SIGTERM runs the service's stop()); SIGKILL after 10 s. */
  async stop(): Promise<void> {
    if (!this.alive) return;
    this.child!.kill("SIGCONT");
    this.child!.kill("SIGTERM");
    const timer = setTimeout(() => this.child?.kill("SIGKILL"), 10_000);
    await this.exited;
    clearTimeout(timer);
  }

  async ready(): Promise<boolean> {
    return fetch(this.readyzUrl, { signal: AbortSignal.timeout(2000) }).then(
      (response) => response.status === 200,
      () => false,
    );
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.alive) throw new Error(`${this.name} exited before it was ready:\n${this.output.slice(-20).join("\n")}`);
      if (await this.ready()) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`${this.name} was not ready within ${timeoutMs / 1000} s:\n${this.output.slice(-20).join("\n")}`);
  }
}
