// Starts Hive Gateway (hiveGatewayServer.ts) as a child process on the same subgraphs as a
// running hub: the committed supergraph with its subgraph URLs pointed at that hub's services.
// A variant that cannot start is reported with its error text instead of failing the bench.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ALL_SCOPES, PRINCIPAL_HEADER, signPrincipal, type Principal } from "@crossdock/platform";
import { benchIdentityEnv } from "./benchIdentity.js";
import { BENCH_PRINCIPAL_SECRET, REPO_ROOT } from "./hubProcess.js";

export type HivePlanner = "js" | "rust";

export interface HiveVariant {
  planner: HivePlanner;
  /** Hive verifies the bench's JWT, enforces scopes and signs the principal itself (hiveAuth.ts). */
  auth: boolean;
}

export function variantName(variant: HiveVariant): string {
  return `hive-${variant.planner}${variant.auth ? "+auth" : ""}`;
}

export interface HiveGateway extends HiveVariant {
  pid: number;
  url: string;
  stop(): Promise<void>;
}

export type HiveStart = { ok: true; gateway: HiveGateway } | ({ ok: false; error: string } & HiveVariant);

/**
 * The principal Crossdock's gateway derives from the bench's JWT (a user holding every scope),
 * signed as the gateway signs it: Hive has no authentication of its own here, so the bench hands
 * it the header the subgraphs verify and Hive forwards it.
 */
export function presignedBenchPrincipal(secret: string): Record<string, string> {
  const principal: Principal = { kind: "user", subject: "bench", scopes: [...ALL_SCOPES] };
  return { [PRINCIPAL_HEADER]: signPrincipal(principal, secret) };
}

/** The committed supergraph with each `@join__graph(name: "x", url: ...)` pointed at `subgraphUrls[x]`. */
export function supergraphFor(subgraphUrls: Record<string, string>): string {
  const sdl = readFileSync(join(REPO_ROOT, "schema/supergraph.graphql"), "utf8");
  return sdl.replace(/@join__graph\(name: "([a-z]+)", url: "[^"]*"\)/g, (whole, name: string) => {
    const url = subgraphUrls[name];
    if (!url) throw new Error(`no URL for subgraph ${name} in the hub under test`);
    return `@join__graph(name: "${name}", url: "${url}")`;
  });
}

/** Starts one Hive Gateway process; resolves with its error text if it exits or fails before it listens. */
export async function startHiveGateway(options: HiveVariant & { subgraphUrls: Record<string, string> }): Promise<HiveStart> {
  const variant = { planner: options.planner, auth: options.auth };
  const dir = mkdtempSync(join(tmpdir(), "crossdock-bench-hive-"));
  const supergraphPath = join(dir, "supergraph.graphql");
  writeFileSync(supergraphPath, supergraphFor(options.subgraphUrls));
  const profile = process.env.BENCH_CPU_PROF_DIR
    ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`, `--cpu-prof-name=${variantName(variant)}.cpuprofile`]
    : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, "--import", "tsx", "bench/src/support/hiveGatewayServer.ts"], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      // The run's token issuer and principal secret, as the hub's services get them.
      ...(await benchIdentityEnv()),
      CROSSDOCK_PRINCIPAL_SECRET: BENCH_PRINCIPAL_SECRET,
      PORT: "0",
      NODE_ENV: "production",
      HIVE_SUPERGRAPH_PATH: supergraphPath,
      HIVE_PLANNER: options.planner,
      HIVE_AUTH: options.auth ? "1" : "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stderr!.on("data", collect);
  const port = await new Promise<number | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), 120_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    child.stdout!.on("data", (chunk: Buffer) => {
      collect(chunk);
      const ready = /hive gateway ready on (\d+)/.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve(Number(ready[1]));
      }
    });
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    rmSync(dir, { recursive: true, force: true });
  };
  if (port === undefined) {
    await stop();
    return { ok: false, ...variant, error: output.trim() || "did not listen within 120 s" };
  }
  // Its log lines from now on go to the bench's stderr, as the services' do.
  child.stdout!.removeAllListeners("data");
  child.stderr!.removeAllListeners("data");
  child.stdout!.pipe(process.stderr);
  child.stderr!.pipe(process.stderr);
  return { ok: true, gateway: { ...variant, pid: child.pid!, url: `http://127.0.0.1:${port}/graphql`, stop } };
}
