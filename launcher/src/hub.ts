// The embedded hub: every Crossdock service in one process, each system of record on its own
// PGlite database under the data directory, the gateway in front. This is the only module
// that knows all services; in Postgres mode each service runs as its own process instead.
import { join } from "node:path";
import * as erp from "@crossdock/erp";
import * as crm from "@crossdock/crm";
import * as wms from "@crossdock/wms";
import * as gateway from "@crossdock/gateway";
import { createLogger } from "@crossdock/platform";
import { loadHubConfig, type HubConfig } from "./config.js";
import { startSimulator } from "./simulator.js";

export { loadHubConfig, type HubConfig };

export interface HubOptions extends Partial<HubConfig> {
  /** Gateway port; 0 picks a free one. Defaults to PORT or 4000. */
  port?: number;
  /** Ports of the subgraphs; 0 (the default in tests) picks free ones. */
  subgraphPorts?: { erp?: number; crm?: number; wms?: number };
  /** Database URLs per service; default `pglite:<dataDir>/<service>`, or `pglite:memory` when dataDir is "memory". */
  databaseUrls?: { erp?: string; crm?: string; wms?: string };
  env?: Record<string, string | undefined>;
}

export interface RunningHub {
  url: string;
  subgraphUrls: { erp: string; crm: string; wms: string };
  stop(): Promise<void>;
}

export async function startHub(options: HubOptions = {}): Promise<RunningHub> {
  const env = options.env ?? process.env;
  const config: HubConfig = { ...loadHubConfig(env), ...stripUndefined(options) };
  const logger = createLogger("hub");
  const dbUrl = (service: "erp" | "crm" | "wms") =>
    options.databaseUrls?.[service] ?? (config.dataDir === "memory" ? "pglite:memory" : `pglite:${join(config.dataDir, service)}`);
  const seed = { enabled: true, scale: config.seedScale };
  const stops: (() => Promise<void>)[] = [];
  try {
    // Sequential on purpose: each PGlite instance allocates hundreds of MB while it starts.
    const erpService = await erp.start({ ...erp.loadConfig(env), port: options.subgraphPorts?.erp ?? 0, databaseUrl: dbUrl("erp"), seed });
    stops.push(erpService.stop);
    const crmService = await crm.start({ ...crm.loadConfig(env), port: options.subgraphPorts?.crm ?? 0, databaseUrl: dbUrl("crm"), seed });
    stops.push(crmService.stop);
    const wmsService = await wms.start({ ...wms.loadConfig(env), port: options.subgraphPorts?.wms ?? 0, databaseUrl: dbUrl("wms"), seed });
    stops.push(wmsService.stop);
    const gatewayConfig = gateway.loadConfig(env);
    const gatewayService = await gateway.start({
      ...gatewayConfig,
      port: options.port ?? gatewayConfig.port,
      subgraphUrls: { ...gatewayConfig.subgraphUrls, erp: erpService.url, crm: crmService.url, wms: wmsService.url },
    });
    stops.push(gatewayService.stop);
    if (config.simulate) {
      const simulator = startSimulator({ gatewayUrl: gatewayService.url, ratePerSecond: config.simulateRate, logger });
      stops.push(simulator.stop);
    }
    logger.info({ url: gatewayService.url, dataDir: config.dataDir, simulate: config.simulate }, "Crossdock hub is up");
    return {
      url: gatewayService.url,
      subgraphUrls: { erp: erpService.url, crm: crmService.url, wms: wmsService.url },
      stop: () => stopAll(stops),
    };
  } catch (error) {
    await stopAll(stops);
    throw error;
  }
}

async function stopAll(stops: (() => Promise<void>)[]): Promise<void> {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  stops.length = 0;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
