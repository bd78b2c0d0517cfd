// The gateway's configuration, read from the environment once and validated.
import { envBool, envInt, envOptional, envString } from "@crossdock/platform";

export interface GatewayConfig {
  port: number;
  host: string;
  /** development shows Apollo Sandbox and error detail; production masks and hides both. */
  environment: "development" | "production";
  subgraphUrls: Record<string, string>;
  supergraphPath?: string;
  limits: { maxDepth: number; maxAliases: number; maxBodyBytes: number; allowBatchedRequests: boolean };
  logLevel: string;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  const supergraphPath = envOptional(env, "CROSSDOCK_SUPERGRAPH_PATH");
  return {
    port: envInt(env, "PORT", 4000, { min: 0, max: 65535 }),
    host: envString(env, "HOST", "0.0.0.0"),
    environment: env.NODE_ENV === "production" ? "production" : "development",
    subgraphUrls: {
      erp: envString(env, "ERP_URL", "http://127.0.0.1:4101/graphql"),
      crm: envString(env, "CRM_URL", "http://127.0.0.1:4102/graphql"),
      wms: envString(env, "WMS_URL", "http://127.0.0.1:4103/graphql"),
      ops: envString(env, "OPS_URL", "http://127.0.0.1:4104/graphql"),
    },
    ...(supergraphPath ? { supergraphPath } : {}),
    limits: {
      maxDepth: envInt(env, "CROSSDOCK_MAX_QUERY_DEPTH", 12, { min: 1 }),
      maxAliases: envInt(env, "CROSSDOCK_MAX_ALIASES", 30, { min: 0 }),
      maxBodyBytes: envInt(env, "CROSSDOCK_MAX_BODY_BYTES", 1_000_000, { min: 1024 }),
      allowBatchedRequests: envBool(env, "CROSSDOCK_ALLOW_BATCHED_REQUESTS", false),
    },
    logLevel: envString(env, "LOG_LEVEL", "info"),
  };
}
