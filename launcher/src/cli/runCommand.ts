// What each `crossdock` subcommand does once the command line and the environment passed: start
// one service or all of them from the compiled output, apply migrations as one job, or load the
// demo data. In production services verify their databases instead of migrating them.
import { ensureConsoleBuilt } from "@crossdock/console";
import * as erp from "@crossdock/erp";
import * as crm from "@crossdock/crm";
import * as wms from "@crossdock/wms";
import * as gateway from "@crossdock/gateway";
import * as ingest from "@crossdock/cdc-ingest";
import * as flows from "@crossdock/flows";
import {
  createLogger,
  envBool,
  installProcessGuards,
  envSeed,
  migrate,
  openDatabase,
  principalSecretFrom,
  startTracing,
  stopOnSignals,
  withTracingFlushed,
  type MigrationMode,
} from "@crossdock/platform";
import { startHub } from "../hub.js";
import { auditVerify } from "./auditVerify.js";
import type { Command, RuntimeEnvironment, ServiceCommand } from "./commandLine.js";

type Env = Record<string, string | undefined>;

export interface CommandOptions {
  env: Env;
  environment: RuntimeEnvironment;
}

interface Running {
  url: string;
  stop(): Promise<void>;
}

/** Resolves once a long-running command serves, or once a one-shot command is done. */
export async function runCommand(command: Command, options: CommandOptions): Promise<{ serving: boolean }> {
  // Production never changes a schema at start: `crossdock migrate` is the one job that does.
  const migrations: MigrationMode = options.environment === "production" ? "verify" : "apply";
  if (command === "migrate") {
    await migrateAll(options.env);
    return { serving: false };
  }
  if (command === "audit") {
    await auditVerify(ingest.loadConfig(options.env).hubDatabaseUrl);
    return { serving: false };
  }
  // Every service verifies the principal the gateway signs: without its secret (production) none
  // may start, and the command stops here before it opens a database.
  principalSecretFrom(options.env);
  if (command === "seed") {
    await seedDemo(options.env, migrations);
    return { serving: false };
  }
  const start = command === "all" ? startAll(options, migrations) : startService(command, options.env, migrations);
  await serve(command, start);
  return { serving: true };
}

/** Every config is read (and so checked) before anything starts: a missing secret stops the command at once. */
function startService(command: ServiceCommand, env: Env, migrations: MigrationMode): () => Promise<Running> {
  switch (command) {
    case "erp": {
      const config = { ...erp.loadConfig(env), migrations };
      return () => erp.start(config);
    }
    case "crm": {
      const config = { ...crm.loadConfig(env), migrations };
      return () => crm.start(config);
    }
    case "wms": {
      const config = { ...wms.loadConfig(env), migrations };
      return () => wms.start(config);
    }
    case "ingest": {
      const config = { ...ingest.loadConfig(env), migrations };
      return () => ingest.start(config);
    }
    case "flows": {
      const config = { ...flows.loadConfig(env), migrations };
      return () => flows.start(config);
    }
    case "gateway": {
      const config = gateway.loadConfig(env);
      // The ops console ships with the release (console/public, built by npm run build).
      return async () => gateway.start({ ...config, console: config.console ?? { dir: await ensureConsoleBuilt({ rebuild: false }) } });
    }
  }
}

function startAll(options: CommandOptions, migrations: MigrationMode): () => Promise<Running> {
  const { env } = options;
  for (const loadConfig of [erp.loadConfig, crm.loadConfig, wms.loadConfig, ingest.loadConfig, flows.loadConfig, gateway.loadConfig]) loadConfig(env);
  const seed = envSeed(env);
  // Simulated orders are demo traffic: never in production unless asked for.
  const simulate = envBool(env, "CROSSDOCK_SIMULATE", options.environment === "development" && seed);
  return () => startHub({ env, seed, simulate, migrations });
}

/** As each service's own entry runs it (platform runService): once up, no stray rejection takes the process down. */
async function serve(name: string, start: () => Promise<Running>): Promise<void> {
  const logger = createLogger(`crossdock ${name}`);
  installProcessGuards(logger);
  // One trace provider for the process: "crossdock" for the whole hub, else the service's name
  // (OTEL_SERVICE_NAME wins); nothing is loaded unless the OTEL_* environment asks for traces.
  const tracing = await startTracing(name === "all" ? "crossdock" : name);
  if (tracing.enabled) logger.info("tracing on (OpenTelemetry, OTLP)");
  stopOnSignals(name, withTracingFlushed(await start(), tracing), logger);
}

/** The one migration job: each database in turn, each under its advisory lock (see platform migrator). */
async function migrateAll(env: Env): Promise<void> {
  const targets = [
    { name: "erp", url: erp.loadConfig(env).databaseUrl, dir: erp.ERP_MIGRATIONS_DIR },
    { name: "crm", url: crm.loadConfig(env).databaseUrl, dir: crm.CRM_MIGRATIONS_DIR },
    { name: "wms", url: wms.loadConfig(env).databaseUrl, dir: wms.WMS_MIGRATIONS_DIR },
    { name: "hub", url: ingest.loadConfig(env).hubDatabaseUrl, dir: ingest.HUB_MIGRATIONS_DIR },
  ];
  for (const target of targets) {
    const db = await openDatabase(target.url);
    try {
      const result = await migrate(db, target.dir);
      // The flows keep their tables, and their own migration history, in the hub database.
      const flowsApplied = target.name === "hub" ? await flows.migrateFlows(db) : [];
      const applied = [...result.applied, ...flowsApplied.map((name) => `flows/${name}`)];
      console.log(`${target.name}: ${applied.length > 0 ? `applied ${applied.join(", ")}` : "up to date"}`);
    } finally {
      await db.close();
    }
  }
}

/** Starts each system of record once with seeding on (it seeds only an empty database), then stops it. */
async function seedDemo(env: Env, migrations: MigrationMode): Promise<void> {
  const starts = [
    () => erp.start({ ...erp.loadConfig(env), port: 0, host: "127.0.0.1", seed: { enabled: true, scale: erp.loadConfig(env).seed.scale }, migrations }),
    () => crm.start({ ...crm.loadConfig(env), port: 0, host: "127.0.0.1", seed: { enabled: true, scale: crm.loadConfig(env).seed.scale }, migrations }),
    () => wms.start({ ...wms.loadConfig(env), port: 0, host: "127.0.0.1", seed: { enabled: true, scale: wms.loadConfig(env).seed.scale }, migrations }),
  ];
  for (const start of starts) {
    const running = await start();
    await running.stop();
  }
  console.log("demo data loaded into the ERP, CRM and WMS databases that were empty");
}
