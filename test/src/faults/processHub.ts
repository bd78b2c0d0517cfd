// The whole hub on Postgres with pg-logical capture, every service in its own process (the
// production topology of ARCHITECTURE.md), for the fault suite: fixed ports per service so a
// restart comes back where its callers look, optional TCP proxies on chosen links, and extra
// gateways / flows workers / standby ingests. The suite's callers hold an all-scopes token from an issuer of its own.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDevIssuer } from "@crossdock/gateway";
import { ALL_SCOPES } from "@crossdock/platform";
import { bearer, forgetDefaultHeaders, useDefaultHeaders } from "../identity.js";
import { createTestDatabases } from "../postgres.js";
import { ServiceProcess, type ServiceKind } from "./serviceProcess.js";
import { TcpProxy } from "./tcpProxy.js";

export type DatabaseName = "erp" | "crm" | "wms" | "hub";
/** A link a proxy can sit on: the gateway's calls to a subgraph, or every connection the ingest opens to Postgres. */
export type ProxiedLink = "gateway->erp" | "gateway->wms" | "ops->postgres";

export interface ProcessHubOptions {
  /** Superuser URL of the server the fresh databases go on (the fault suite's own cluster). */
  adminUrl: string;
  seedScale?: number;
  gateways?: number;
  flowsWorkers?: number;
  /** Ingests started after the first for the same sources (ops-2 …): they stand by and take over its capture. */
  standbyIngests?: number;
  /** Leave FLOWS_WORKER_ID unset, so each worker uses its default (host and process id) instead of its service name. */
  defaultWorkerIds?: boolean;
  proxies?: ProxiedLink[];
  /** Extra environment for every service. */
  env?: Record<string, string>;
}

export interface ProcessHub {
  /** erp, crm, wms, ops (ops-2 …), flows (flows-2 …), gateway (gateway-2 …), by name. */
  services: Map<string, ServiceProcess>;
  service(name: string): ServiceProcess;
  gatewayUrls: string[];
  databaseUrls: Record<DatabaseName, string>;
  proxies: Partial<Record<ProxiedLink, TcpProxy>>;
  token: string;
  /** Restarts every service that is down (the end of a scenario that failed half-way). */
  reviveAll(): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function withPort(url: string, port: number): string {
  const parsed = new URL(url);
  parsed.port = String(port);
  return parsed.toString();
}

export async function startProcessHub(options: ProcessHubOptions): Promise<ProcessHub> {
  const gateways = options.gateways ?? 1;
  const flowsWorkers = options.flowsWorkers ?? 1;
  const standbyIngests = options.standbyIngests ?? 0;
  const databases = await createTestDatabases(["erp", "crm", "wms", "hub"] as const, options.adminUrl);
  const identityDir = mkdtempSync(join(tmpdir(), "crossdock-faults-jwks-"));
  const services = new Map<string, ServiceProcess>();
  const proxies: Partial<Record<ProxiedLink, TcpProxy>> = {};
  const gatewayUrls: string[] = [];
  const stopAll = async () => {
    for (const service of [...services.values()].reverse()) await service.stop().catch(() => undefined);
    for (const proxy of Object.values(proxies)) await proxy.stop().catch(() => undefined);
    for (const url of gatewayUrls) forgetDefaultHeaders(url);
    await databases.drop();
    rmSync(identityDir, { recursive: true, force: true });
  };
  try {
    const issuer = await createDevIssuer({ issuer: "urn:crossdock:faults", audience: "crossdock-faults" });
    const jwksFile = join(identityDir, "jwks.json");
    writeFileSync(jwksFile, JSON.stringify(issuer.jwks));
    const token = await issuer.issueToken({ subject: "fault-suite", scopes: [...ALL_SCOPES], lifetimeSeconds: 6 * 3600 });
    const port: Record<string, number> = {};
    for (const name of ["erp", "crm", "wms", "ops"]) port[name] = await freePort();
    for (let i = 2; i <= standbyIngests + 1; i++) port[`ops-${i}`] = await freePort();
    for (let i = 1; i <= flowsWorkers; i++) port[i === 1 ? "flows" : `flows-${i}`] = await freePort();
    for (let i = 1; i <= gateways; i++) port[i === 1 ? "gateway" : `gateway-${i}`] = await freePort();
    const postgresPort = Number(new URL(options.adminUrl).port || 5432);
    for (const link of options.proxies ?? []) {
      const target = link === "ops->postgres" ? postgresPort : port[link.slice("gateway->".length)]!;
      proxies[link] = await new TcpProxy({ host: "127.0.0.1", port: target }).start();
    }
    const subgraphUrl = (name: string) => {
      const proxy = proxies[`gateway->${name}` as ProxiedLink];
      return `http://127.0.0.1:${proxy?.port ?? port[name]}/graphql`;
    };
    const gatewayUrl = (name: string) => `http://127.0.0.1:${port[name]}/graphql`;
    const common: Record<string, string> = {
      NODE_ENV: "development",
      CROSSDOCK_SEED: "demo",
      LOG_LEVEL: "warn",
      CROSSDOCK_SEED_SCALE: String(options.seedScale ?? 0.05),
      CROSSDOCK_CAPTURE: "pg-logical",
      CROSSDOCK_SERVICE_TOKEN: randomUUID(),
      CROSSDOCK_PRINCIPAL_SECRET: randomUUID(),
      CROSSDOCK_JWKS: jwksFile,
      CROSSDOCK_JWT_ISSUER: issuer.issuer,
      CROSSDOCK_JWT_AUDIENCE: issuer.audience,
      ERP_DATABASE_URL: databases.urls.erp,
      CRM_DATABASE_URL: databases.urls.crm,
      WMS_DATABASE_URL: databases.urls.wms,
      HUB_DATABASE_URL: databases.urls.hub,
      ERP_URL: subgraphUrl("erp"),
      CRM_URL: subgraphUrl("crm"),
      WMS_URL: subgraphUrl("wms"),
      OPS_URL: subgraphUrl("ops"),
      FLOWS_URL: subgraphUrl("flows"),
      ...options.env,
    };
    const ingestProxy = proxies["ops->postgres"];
    const viaIngestProxy = (url: string) => (ingestProxy ? withPort(url, ingestProxy.port) : url);
    const envOf = (name: string, kind: ServiceKind): Record<string, string> => {
      switch (kind) {
        case "erp":
          return { ...common, ERP_PORT: String(port[name]) };
        case "crm":
          return { ...common, CRM_PORT: String(port[name]) };
        case "wms":
          return { ...common, WMS_PORT: String(port[name]) };
        case "ops":
          return {
            ...common,
            OPS_PORT: String(port[name]),
            ERP_DATABASE_URL: viaIngestProxy(databases.urls.erp),
            CRM_DATABASE_URL: viaIngestProxy(databases.urls.crm),
            WMS_DATABASE_URL: viaIngestProxy(databases.urls.wms),
            HUB_DATABASE_URL: viaIngestProxy(databases.urls.hub),
          };
        case "flows": {
          // Worker n writes through gateway n (or the first one when there are fewer gateways).
          const index = name === "flows" ? 1 : Number(name.split("-")[1]);
          const through = index <= gateways && index > 1 ? `gateway-${index}` : "gateway";
          const workerId: Record<string, string> = options.defaultWorkerIds ? {} : { FLOWS_WORKER_ID: name };
          return { ...common, FLOWS_PORT: String(port[name]), ...workerId, FLOWS_GATEWAY_URL: gatewayUrl(through) };
        }
        case "gateway":
          return { ...common, PORT: String(port[name]), HOST: "127.0.0.1" };
      }
    };
    const add = (name: string, kind: ServiceKind) => {
      const service = new ServiceProcess({ name, kind, port: port[name]!, env: envOf(name, kind) });
      services.set(name, service);
      return service;
    };
    // Systems of record first (each migrates and seeds its database), then capture, flows, gateways.
    await Promise.all([add("erp", "erp").start(), add("crm", "crm").start(), add("wms", "wms").start()]);
    await add("ops", "ops").start();
    // Started once the first one captures: they find its capture locks taken and stand by.
    for (let i = 2; i <= standbyIngests + 1; i++) await add(`ops-${i}`, "ops").start();
    for (let i = 1; i <= flowsWorkers; i++) await add(i === 1 ? "flows" : `flows-${i}`, "flows").start();
    for (let i = 1; i <= gateways; i++) {
      const name = i === 1 ? "gateway" : `gateway-${i}`;
      await add(name, "gateway").start();
      gatewayUrls.push(gatewayUrl(name));
      useDefaultHeaders(gatewayUrl(name), bearer(token));
    }
    return {
      services,
      service(name) {
        const service = services.get(name);
        if (!service) throw new Error(`no service ${name} in this hub`);
        return service;
      },
      gatewayUrls,
      databaseUrls: databases.urls,
      proxies,
      token,
      async reviveAll() {
        for (const service of services.values()) {
          service.resume();
          if (!service.alive) await service.start();
        }
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
