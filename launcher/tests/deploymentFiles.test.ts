// The deployment files cannot be run here (no container runtime), so what can be checked is:
// compose.yaml parses, starts only `crossdock` subcommands that exist and sets only variables
// the services read; .env.example lists every variable they read; the Dockerfile builds with
// the release build's commands (the ones .ci/release-check runs) and enters through `crossdock`.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../src/cli/commandLine.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const RUNTIME_SOURCES = [
  "schema/src",
  "platform/src",
  "subgraphs/erp/src",
  "subgraphs/crm/src",
  "subgraphs/wms/src",
  "cdc-ingest/src",
  "flows/src",
  "gateway/src",
  "launcher/src",
];
/** Variables of the other containers in compose.yaml (Postgres, Kafka Connect), not of Crossdock. */
const COMPOSE_ONLY = new Set(["POSTGRES_USER", "POSTGRES_PASSWORD"]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "__generated__") return [];
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** Every environment variable the services read: through the platform's env getters or env.NAME. */
function variablesRead(): Set<string> {
  const names = new Set<string>();
  const patterns = [/env\w*\(\s*env,\s*"([A-Z][A-Z0-9_]+)"/g, /\benv\.([A-Z][A-Z0-9_]+)/g, /policy\("([A-Z0-9_]+)",\s*"([A-Z0-9_]+)"/g];
  for (const file of RUNTIME_SOURCES.flatMap((dir) => sourceFiles(join(ROOT, dir)))) {
    const text = readFileSync(file, "utf8");
    for (const pattern of patterns) for (const match of text.matchAll(pattern)) match.slice(1).forEach((name) => name && names.add(name));
    // The embedded hub's per-service database URLs (`${service.toUpperCase()}_DATABASE_URL`).
    if (text.includes("_DATABASE_URL`")) ["ERP", "CRM", "WMS", "HUB"].forEach((service) => names.add(`${service}_DATABASE_URL`));
  }
  return names;
}

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, unknown>;
}

const compose = parse(readFileSync(join(ROOT, "compose.yaml"), "utf8"), { merge: true }) as { services: Record<string, ComposeService> };
const crossdockServices = Object.entries(compose.services).filter(([, service]) => service.image === "crossdock:local");

describe("deployment files", () => {
  const read = variablesRead();

  it("finds the variables the services read (sanity check of the scan)", () => {
    for (const name of ["NODE_ENV", "PORT", "ERP_DATABASE_URL", "CROSSDOCK_PRINCIPAL_SECRET", "CROSSDOCK_SEED", "KAFKA_BROKERS", "FLOWS_WORKER_ID"]) {
      expect(read, name).toContain(name);
    }
  });

  it("compose.yaml runs Postgres with logical decoding, Kafka in KRaft mode, Debezium, two gateways and two flows workers", () => {
    expect(compose.services.postgres?.image).toBe("postgres:15");
    expect(compose.services.postgres?.command).toContain("wal_level=logical");
    expect(compose.services.kafka?.environment?.KAFKA_PROCESS_ROLES).toBe("broker,controller");
    expect(compose.services.connect?.image).toMatch(/^quay\.io\/debezium\/connect:/);
    const commands = crossdockServices.map(([, service]) => service.command?.join(" "));
    expect(commands.filter((command) => command === "gateway")).toHaveLength(2);
    expect(commands.filter((command) => command === "flows")).toHaveLength(2);
    expect(commands).toEqual(expect.arrayContaining(["migrate", "erp", "crm", "wms", "ingest"]));
  });

  it("compose.yaml starts only crossdock subcommands that exist and sets only variables the services read", () => {
    expect(crossdockServices.length).toBeGreaterThan(0);
    for (const [name, service] of crossdockServices) {
      expect(COMMANDS, name).toContain(service.command?.[0]);
      const unknown = Object.keys(service.environment ?? {}).filter((variable) => !read.has(variable));
      expect(unknown, name).toEqual([]);
      expect(service.environment?.NODE_ENV, name).toBe("production");
    }
  });

  it(".env.example lists every variable the services read, and nothing else", () => {
    const listed = readFileSync(join(ROOT, ".env.example"), "utf8")
      .split("\n")
      .map((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined);
    expect([...read].filter((name) => !listed.includes(name)).sort()).toEqual([]);
    expect(listed.filter((name) => !read.has(name) && !COMPOSE_ONLY.has(name))).toEqual([]);
    expect(new Set(listed).size).toBe(listed.length);
  });

  it("the Dockerfile builds with the release build's commands and enters through crossdock", () => {
    const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
    const check = readFileSync(join(ROOT, ".ci", "release-check"), "utf8");
    const runs = [...dockerfile.matchAll(/^RUN (.+)$/gm)].map((match) => match[1]!);
    expect(runs).toEqual(["npm ci --no-audit --no-fund", "npm run build", "npm prune --omit=dev --omit=optional --no-audit --no-fund"]);
    for (const command of runs) expect(check).toContain(command);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "launcher\/bin\/crossdock\.js"\]$/m);
  });
});
