// The release as an operator runs it: `npm run build`, then the compiled `crossdock` command with
// NODE_ENV=production on fresh Postgres databases. A bad command line, a missing secret and a
// database behind its migrations each stop it with one line and a non-zero exit, changing
// nothing; after `crossdock migrate`, `crossdock all` serves the graph and adds no demo data.
// (The same without dev dependencies, on a fresh clone after npm prune: .ci/release-check.)
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevIssuer } from "@crossdock/gateway";
import { createTestDatabases, graphql, postgresAvailable } from "../src/index.js";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CROSSDOCK = join(REPO_ROOT, "launcher", "bin", "crossdock.js");
type Env = Record<string, string>;

function crossdock(args: string[], env: Env): { status: number | null; stdout: string; stderr: string } {
  // A clean environment: only what an operator would set (vitest's NODE_ENV=test stays out).
  const result = spawnSync(process.execPath, [CROSSDOCK, ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? "", ...env },
    encoding: "utf8",
    timeout: 180_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function count(url: string, sql: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(sql);
    return rows[0]!.n;
  } finally {
    await client.end();
  }
}

const tableCount = (url: string) => count(url, `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`);

describe.skipIf(!(await postgresAvailable()))("the release command (compiled, NODE_ENV=production, Postgres)", () => {
  let databases: Awaited<ReturnType<typeof createTestDatabases<"erp" | "crm" | "wms" | "hub">>>;
  let production: Env;
  let token: string;
  let dir: string;
  let all: ChildProcess | undefined;

  beforeAll(async () => {
    const build = spawnSync("npm", ["run", "build"], { cwd: REPO_ROOT, encoding: "utf8", timeout: 300_000 });
    expect(build.status, build.stderr).toBe(0);
    databases = await createTestDatabases(["erp", "crm", "wms", "hub"]);
    dir = mkdtempSync(join(tmpdir(), "crossdock-release-"));
    // An identity provider of the test's own: the gateway trusts its key set, as it would a real one.
    const issuer = await createDevIssuer({ issuer: "urn:crossdock:release-test", audience: "crossdock-release-test" });
    writeFileSync(join(dir, "jwks.json"), JSON.stringify(issuer.jwks));
    token = await issuer.issueToken({ subject: "release-test", scopes: ["customers:read", "orders:read"], lifetimeSeconds: 3600 });
    production = {
      NODE_ENV: "production",
      ERP_DATABASE_URL: databases.urls.erp,
      CRM_DATABASE_URL: databases.urls.crm,
      WMS_DATABASE_URL: databases.urls.wms,
      HUB_DATABASE_URL: databases.urls.hub,
      CROSSDOCK_PRINCIPAL_SECRET: "release-test-principal-secret",
      CROSSDOCK_SERVICE_TOKEN: "release-test-service-token",
      CROSSDOCK_JWKS: join(dir, "jwks.json"),
      CROSSDOCK_JWT_ISSUER: issuer.issuer,
      CROSSDOCK_JWT_AUDIENCE: issuer.audience,
      PORT: "0",
      ERP_PORT: "0",
      CRM_PORT: "0",
      WMS_PORT: "0",
      OPS_PORT: "0",
      FLOWS_PORT: "0",
      LOG_LEVEL: "info",
    };
  }, 400_000);

  afterAll(async () => {
    if (all && all.exitCode === null && all.signalCode === null) {
      const exited = new Promise((resolve) => all!.once("exit", resolve));
      all.kill("SIGKILL");
      await exited;
    }
    await databases?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("refuses an unknown subcommand with one line and exit 2", () => {
    const result = crossdock(["serve"], production);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      /^crossdock: unknown command "serve" \(one of gateway, erp, crm, wms, ingest, flows, all, migrate, seed, audit; --help lists them\)\n$/,
    );
  });

  it("refuses to start without a production secret, before touching any database", async () => {
    const { CROSSDOCK_PRINCIPAL_SECRET: _secret, ...withoutSecret } = production;
    for (const command of ["all", "gateway", "erp"]) {
      const result = crossdock([command], withoutSecret);
      expect(result.status, command).toBe(2);
      expect(result.stderr, command).toBe("crossdock: CROSSDOCK_PRINCIPAL_SECRET must be set to a secret of its own when NODE_ENV=production\n");
    }
    const { ERP_DATABASE_URL: _erp, ...withoutErpDatabase } = production;
    expect(crossdock(["erp"], withoutErpDatabase).stderr).toMatch(/^crossdock: ERP_DATABASE_URL must be set in production/);
    expect(await tableCount(databases.urls.erp)).toBe(0);
  });

  it("refuses databases behind their migrations and leaves them as they were", async () => {
    for (const [command, service] of [
      ["erp", "erp"],
      ["all", "erp"],
      ["flows", "flows"],
    ]) {
      const result = crossdock([command!], production);
      expect(result.status, command).toBe(1);
      expect(result.stderr, command).toBe(
        `crossdock: ${service} database is behind its migrations (${result.stderr.match(/\((.*)\)/)?.[1]}): run \`crossdock migrate\`\n`,
      );
    }
    for (const url of Object.values(databases.urls)) expect(await tableCount(url)).toBe(0);
  });

  it("migrates as one job, then `crossdock all` serves the graph on empty databases without demo data", async () => {
    const migrated = crossdock(["migrate"], production);
    expect(migrated.status, migrated.stderr).toBe(0);
    expect(migrated.stdout).toMatch(/^erp: applied 0001_init/m);
    expect(migrated.stdout).toMatch(/^hub: applied .*flows\/0001_init/m);
    expect(crossdock(["migrate"], production).stdout).toBe("erp: up to date\ncrm: up to date\nwms: up to date\nhub: up to date\n");

    all = spawn(process.execPath, [CROSSDOCK, "all"], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? "", ...production },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    all.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      all!.stdout!.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        const ready = output.split("\n").find((line) => line.includes(`"msg":"all ready"`));
        if (ready) resolve((JSON.parse(ready) as { url: string }).url);
      });
      all!.once("exit", (code) => reject(new Error(`crossdock all exited (${code}): ${output}`)));
    });
    // Production logs are JSON lines, one object each.
    for (const line of output.trim().split("\n")) expect(() => JSON.parse(line), line).not.toThrow();

    const answer = await graphql(url, "{ customers(first: 5) { edges { node { customerNumber } } } }", undefined, { authorization: `Bearer ${token}` });
    expect(answer).toEqual({ status: 200, data: { customers: { edges: [] } } });
    const anonymous = await graphql(url, "{ customers(first: 5) { edges { node { customerNumber } } } }", undefined, {});
    expect(anonymous.data?.customers ?? null).toBeNull();
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    // No Sandbox and no introspection in production.
    expect((await graphql(url, "{ __schema { queryType { name } } }", undefined, {})).errors?.length).toBeGreaterThan(0);
    expect(await count(databases.urls.erp, `SELECT count(*)::int AS n FROM "Customer"`)).toBe(0);
    expect(await count(databases.urls.wms, `SELECT count(*)::int AS n FROM "Warehouse"`)).toBe(0);
    expect(await count(databases.urls.crm, `SELECT count(*)::int AS n FROM "Account"`)).toBe(0);

    const exited = new Promise<number | null>((resolve) => all!.once("exit", resolve));
    all.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it("loads the demo data only when asked: `crossdock seed --demo`", async () => {
    expect(crossdock(["seed"], production).status).toBe(2);
    expect(await count(databases.urls.erp, `SELECT count(*)::int AS n FROM "Customer"`)).toBe(0);
    const seeded = crossdock(["seed", "--demo"], { ...production, CROSSDOCK_SEED_SCALE: "0.02" });
    expect(seeded.status, seeded.stderr).toBe(0);
    expect(await count(databases.urls.erp, `SELECT count(*)::int AS n FROM "Customer"`)).toBeGreaterThan(0);
    expect(await count(databases.urls.wms, `SELECT count(*)::int AS n FROM "Warehouse"`)).toBeGreaterThan(0);
  });
});
