// The embedded hub: every Crossdock service in one process, each system of record on its own
// PGlite database under the data directory, the gateway in front. This is the only module
// that knows all services; in Postgres mode each service runs as its own process instead.
import { ensureConsoleBuilt } from "@crossdock/console";
import { join } from "node:path";
import * as erp from "@crossdock/erp";
import * as crm from "@crossdock/crm";
import * as wms from "@crossdock/wms";
import * as gateway from "@crossdock/gateway";
import type { DevIssuer } from "@crossdock/gateway";
import * as ingest from "@crossdock/cdc-ingest";
import * as flows from "@crossdock/flows";
import { ChangeFeedReader, createLogger, Scope, type LocalGraphQLHandler, type Logger, type MigrationMode } from "@crossdock/platform";
import { loadHubConfig, type HubConfig } from "./config.js";
import { createHubIssuer, issueDemoToken, issueDemoTokens, simulatorCredential, writeDemoTokens, type HubIdentity } from "./identity.js";
import { startSimulator } from "./simulator.js";
import { withFirstPartyOperations } from "./firstPartyOperations.js";

export { loadHubConfig, type HubConfig };
export { DEMO_ROLES, DEMO_TOKEN_LIFETIME_SECONDS, type DemoRole, type DemoToken, type HubIdentity } from "./identity.js";

export interface HubOptions extends Partial<HubConfig> {
  /** Gateway port; 0 picks a free one. Defaults to PORT or 4000. */
  port?: number;
  /** Ports of the subgraphs; default each service's own (ERP_PORT, … or 4101-4104); 0 picks a free one. */
  subgraphPorts?: { erp?: number; crm?: number; wms?: number; ops?: number; flows?: number };
  /** Database URLs per service; default `pglite:<dataDir>/<service>`, or `pglite:memory` when dataDir is "memory". */
  databaseUrls?: { erp?: string; crm?: string; wms?: string; hub?: string };
  env?: Record<string, string | undefined>;
  /** Capture method: outbox (default; works on PGlite and Postgres) or pg-logical (Postgres only). */
  capture?: "outbox" | "pg-logical";
  /** Seed demo data into empty databases (default true: `npm start` and the tests; the release command decides from CROSSDOCK_SEED). */
  seed?: boolean;
  /** `verify`: every service refuses a database behind its migrations instead of migrating it (release command, production). */
  migrations?: MigrationMode;
}

export interface RunningHub {
  url: string;
  subgraphUrls: { erp: string; crm: string; wms: string; ops: string };
  /** The read model's change feed in this process (subscriptions and flows attach here). */
  feed: ingest.FeedBus;
  /** The same feed as the gateway reads it (hub database + in-process wake-ups); extra gateways can share it. */
  subscriptionFeed: ChangeFeedReader;
  /** Applies every captured change now pending (tests use it to avoid sleeping). */
  drainCapture(): Promise<number>;
  /**
   * The development issuer the gateway trusts (no CROSSDOCK_JWKS): mints tokens for any subject
   * and scopes, and holds the demo roles' tokens. Undefined when an external issuer is configured.
   */
  identity?: HubIdentity;
  /** Where the demo tokens were written (`<data dir>/demo-tokens.json`; none in memory). */
  demoTokensFile?: string;
  /** The flows service (process layer); tests stop it like a crash and restart it from its cursor. */
  flows: { url: string; stop(options?: { abrupt?: boolean }): Promise<void>; restart(): Promise<void> };
  stop(): Promise<void>;
}

export async function startHub(options: HubOptions = {}): Promise<RunningHub> {
  const env = options.env ?? process.env;
  const base = loadHubConfig(env);
  const config: HubConfig = {
    dataDir: options.dataDir ?? base.dataDir,
    seedScale: options.seedScale ?? base.seedScale,
    simulate: options.simulate ?? base.simulate,
    simulateRate: options.simulateRate ?? base.simulateRate,
    inProcessCalls: options.inProcessCalls ?? base.inProcessCalls,
  };
  const logger = createLogger("hub");
  const dbUrl = (service: "erp" | "crm" | "wms" | "hub") =>
    options.databaseUrls?.[service] ??
    env[`${service.toUpperCase()}_DATABASE_URL`] ??
    (config.dataDir === "memory" ? "pglite:memory" : `pglite:${join(config.dataDir, service)}`);
  const seed = { enabled: options.seed ?? true, scale: config.seedScale };
  const migrations = options.migrations ?? "apply";
  // Without an identity provider the hub is its own issuer (development only: in production the
  // gateway refuses to start without CROSSDOCK_JWKS).
  const devIssuer = env.CROSSDOCK_JWKS ? undefined : await createHubIssuer(config.dataDir);
  const analyst = devIssuer ? await issueDemoToken(devIssuer, "analyst") : undefined;
  // The console opens as the demo operator in development, as Sandbox opens as the analyst.
  const operator = devIssuer ? await issueDemoToken(devIssuer, "opsAdmin") : undefined;
  const stops: (() => Promise<void>)[] = [];
  // Settled when the gateway is up; on a failed start, settled so that steps waiting for it fail
  // (and are retried by a later start) instead of holding the flows' stop, and the start, forever.
  let resolveGatewayUrl: (url: string) => void = () => undefined;
  let resolveLocalGateway: (handler: LocalGraphQLHandler | undefined) => void = () => undefined;
  try {
    // Sequential on purpose: each PGlite instance allocates hundreds of MB while it starts.
    const erpConfig = erp.loadConfig(env);
    const erpService = await erp.start({ ...erpConfig, port: options.subgraphPorts?.erp ?? erpConfig.port, databaseUrl: dbUrl("erp"), seed, migrations });
    stops.push(erpService.stop);
    const crmConfig = crm.loadConfig(env);
    const crmService = await crm.start({ ...crmConfig, port: options.subgraphPorts?.crm ?? crmConfig.port, databaseUrl: dbUrl("crm"), seed, migrations });
    stops.push(crmService.stop);
    const wmsConfig = wms.loadConfig(env);
    const wmsService = await wms.start({ ...wmsConfig, port: options.subgraphPorts?.wms ?? wmsConfig.port, databaseUrl: dbUrl("wms"), seed, migrations });
    stops.push(wmsService.stop);
    const opsConfig = ingest.loadConfig(env);
    // Embedded capture is the outbox; on Postgres, CROSSDOCK_CAPTURE=pg-logical reads the WAL instead.
    const capture = opsConfig.capture === "pg-logical" && options.capture !== "outbox" ? "pg-logical" : (options.capture ?? "outbox");
    const opsService = await ingest.start(
      {
        ...opsConfig,
        port: options.subgraphPorts?.ops ?? opsConfig.port,
        hubDatabaseUrl: dbUrl("hub"),
        capture,
        migrations,
        sourceDatabaseUrls: { erp: dbUrl("erp"), crm: dbUrl("crm"), wms: dbUrl("wms") },
      },
      { sourceDatabases: { erp: erpService.database, crm: crmService.database, wms: wmsService.database } },
    );
    stops.push(opsService.stop);
    // Flows serve their subgraph before the gateway composes it, and write through the gateway once it is up.
    const flowsConfig = flows.loadConfig(env);
    const gatewayUrl = env.FLOWS_GATEWAY_URL ? undefined : new Promise<string>((resolve) => (resolveGatewayUrl = resolve));
    // The flows call this process's gateway as a function (unless they were pointed at another one).
    const localGateway =
      gatewayUrl && config.inProcessCalls ? new Promise<LocalGraphQLHandler | undefined>((resolve) => (resolveLocalGateway = resolve)) : undefined;
    const flowsDeps = { hub: opsService.hub, feed: opsService.bus, ...(gatewayUrl ? { gatewayUrl } : {}), ...(localGateway ? { localGateway } : {}) };
    let flowsService = await flows.start({ ...flowsConfig, port: options.subgraphPorts?.flows ?? flowsConfig.port, migrations }, flowsDeps);
    const flowsPort = Number(new URL(flowsService.url).port);
    stops.push(() => flowsService.stop());
    const gatewayConfig = gateway.loadConfig(env);
    // Subscriptions tail the hub database cdc-ingest owns, woken by its in-process bus after each commit.
    const subscriptionFeed = new ChangeFeedReader({
      database: opsService.hub,
      notifier: async (onCommitted) => {
        const off = opsService.bus.onApplied(() => onCommitted());
        return async () => off();
      },
    });
    const gatewayService = await gateway.start(
      {
        ...gatewayConfig,
        port: options.port ?? gatewayConfig.port,
        // The flows and the simulator are clients too: under trusted documents, their operations are listed.
        persistedOperations: withFirstPartyOperations(gatewayConfig.persistedOperations),
        identity:
          devIssuer && analyst
            ? {
                ...gatewayConfig.identity,
                jwks: devIssuer.jwks,
                issuer: devIssuer.issuer,
                audience: devIssuer.audience,
                // Sandbox opens as the analyst: one click to a working query.
                sandboxHeaders: { Authorization: `Bearer ${analyst.token}` },
              }
            : gatewayConfig.identity,
        console: {
          dir: gatewayConfig.console?.dir ?? (await ensureConsoleBuilt({ rebuild: env.NODE_ENV !== "production" })),
          ...(operator ? { presetToken: operator.token } : {}),
        },
        subgraphUrls: {
          ...gatewayConfig.subgraphUrls,
          erp: erpService.url,
          crm: crmService.url,
          wms: wmsService.url,
          ops: opsService.url,
          flows: flowsService.url,
        },
      },
      {
        feed: subscriptionFeed,
        ...(config.inProcessCalls
          ? {
              localSubgraphs: {
                erp: erpService.local,
                crm: crmService.local,
                wms: wmsService.local,
                ops: opsService.local,
                // Through the variable: a restarted flows service (tests) is the one called.
                flows: (request) => flowsService.local(request),
              },
            }
          : {}),
      },
    );
    stops.push(gatewayService.stop);
    resolveGatewayUrl(gatewayService.url);
    resolveLocalGateway(gatewayService.local);
    let identity: HubIdentity | undefined;
    let demoTokensFile: string | undefined;
    if (devIssuer && analyst) {
      const partnerCustomer = await firstCustomer(gatewayService.local, devIssuer, logger);
      identity = { ...devIssuer, demoTokens: { ...(await issueDemoTokens(devIssuer, partnerCustomer)), analyst, ...(operator ? { opsAdmin: operator } : {}) } };
      demoTokensFile = writeDemoTokens(config.dataDir, identity);
    }
    const credential = devIssuer ? simulatorCredential(devIssuer) : env.CROSSDOCK_SIMULATOR_TOKEN ? async () => env.CROSSDOCK_SIMULATOR_TOKEN! : undefined;
    if (config.simulate && !credential) logger.warn("the simulator is off: with CROSSDOCK_JWKS it needs a token of its own (CROSSDOCK_SIMULATOR_TOKEN)");
    if (config.simulate && credential) {
      const simulator = startSimulator({ gatewayUrl: gatewayService.url, ratePerSecond: config.simulateRate, logger, credential });
      stops.push(simulator.stop);
    }
    logger.info({ url: gatewayService.url, dataDir: config.dataDir, simulate: config.simulate }, "Crossdock hub is up");
    return {
      url: gatewayService.url,
      subgraphUrls: { erp: erpService.url, crm: crmService.url, wms: wmsService.url, ops: opsService.url },
      feed: opsService.bus,
      subscriptionFeed,
      drainCapture: () => opsService.drain(),
      ...(identity ? { identity } : {}),
      ...(demoTokensFile ? { demoTokensFile } : {}),
      flows: {
        get url() {
          return flowsService.url;
        },
        stop: (stopOptions) => flowsService.stop(stopOptions),
        async restart() {
          flowsService = await flows.start({ ...flowsConfig, port: flowsPort, migrations }, flowsDeps);
        },
      },
      stop: () => stopAll(stops),
    };
  } catch (error) {
    resolveLocalGateway(undefined);
    resolveGatewayUrl("http://127.0.0.1:1/graphql");
    await stopAll(stops);
    throw error;
  }
}

async function stopAll(stops: (() => Promise<void>)[]): Promise<void> {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  stops.length = 0;
}

/** The first active customer (by number) the demo partner is confined to; undefined on an empty hub. */
async function firstCustomer(gatewayLocal: LocalGraphQLHandler, issuer: DevIssuer, logger: Logger): Promise<string | undefined> {
  const token = await issuer.issueToken({ subject: "hub", kind: "service", scopes: [Scope.CUSTOMERS_READ], lifetimeSeconds: 60 });
  const response = await gatewayLocal({
    headers: { authorization: `Bearer ${token}` },
    body: { query: "{ customers(status: ACTIVE, first: 1) { edges { node { customerNumber } } } }" },
  });
  try {
    const body = JSON.parse(response.body) as { data?: { customers?: { edges: { node: { customerNumber: string } }[] } } };
    return body.data?.customers?.edges[0]?.node.customerNumber;
  } catch (error) {
    logger.warn({ err: error }, "no customer for the demo partner token");
    return undefined;
  }
}
