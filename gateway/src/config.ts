// The gateway's configuration, read from the environment once and validated. In production it
// refuses to start without its secrets and an identity provider (see identityOf, serviceTokenOf).
import type { JSONWebKeySet } from "jose";
import type { ConsoleConfig } from "./consolePages.js";
import { ConfigError, envBool, envInt, envOptional, envString, isPostgresUrl, principalSecretFrom } from "@crossdock/platform";

export interface GatewayConfig {
  port: number;
  host: string;
  /** development shows Apollo Sandbox and error detail; production masks and hides both. */
  environment: "development" | "production";
  subgraphUrls: Record<string, string>;
  supergraphPath?: string;
  limits: { maxDepth: number; maxAliases: number; maxBodyBytes: number; allowBatchedRequests: boolean; cost: CostConfig };
  subscriptions: SubscriptionConfig;
  logLevel: string;
  /** Answer introspection queries in production too (always on in development). */
  allowIntrospection: boolean;
  /** Longest a subgraph call may take before the gateway gives up on it. */
  subgraphTimeoutMs: number;
  /** Load shedding: calls in flight per subgraph at most (0 = unlimited), and the Retry-After of a refusal. */
  overload: { maxConcurrentPerSubgraph: number; retryAfterSeconds: number };
  /** Merge the entity fetches of concurrent operations into one subgraph call (same document and caller). */
  coalesceEntityFetches: boolean;
  /** Signs the principal header for the subgraphs (CROSSDOCK_PRINCIPAL_SECRET; a development default otherwise). */
  principalSecret: string;
  principalSecretIsDefault: boolean;
  /** The process layer's bearer token; in development a well-known default (flows uses the same). */
  serviceToken?: string;
  /** Who issues the bearer JWTs callers present; without `jwks`, callers are anonymous or the flows. */
  identity: IdentityConfig;
  /** Browser origins allowed to call (CORS) and to open WebSockets; same-origin is always allowed. */
  allowedOrigins: string[];
  /** Trusted documents: the persisted operation manifest and how strictly callers are held to it. */
  persistedOperations: PersistedOperationsConfig;
  /** Token buckets per caller (rateLimit/): operations and subscription starts per minute. */
  rateLimit: RateLimitConfig;
  /** The ops console served at /console (CROSSDOCK_CONSOLE_DIR, or the launcher's built copy); absent: no console. */
  console?: ConsoleConfig;
}

/** off: anything runs; log: unlisted operations run but are logged and counted; enforce: they are refused. */
export type SafelistMode = "off" | "log" | "enforce";

export interface PersistedOperationsConfig {
  /** CROSSDOCK_PERSISTED_OPERATIONS: apollo-persisted-query-manifest files (comma-separated), one list, reloaded when they change. */
  manifests: string[];
  /** CROSSDOCK_SAFELIST; off by default in development, enforce in production when a manifest is set. */
  mode: SafelistMode;
}

/** Demand control (cost/): operations are estimated from the supergraph's @cost and @listSize. */
export interface CostConfig {
  /** CROSSDOCK_MAX_COST: the most an operation may be estimated to cost; 0 measures without refusing. */
  maxCost: number;
  /** CROSSDOCK_COST_DEFAULT_LIST_SIZE: the size assumed for a list nothing declares a size for. */
  defaultListSize: number;
}

export interface RateLimitPolicy {
  /** Tokens added per minute; 0 = not limited. */
  perMinute: number;
  /** Bucket size: how many operations a caller who was idle may send at once. */
  burst: number;
}

export interface RateLimitConfig {
  /** Users, partners and anonymous callers (per client address). */
  callers: RateLimitPolicy;
  /** The hub's flows (their service token): their own policy, not limited by default. Other service tokens are callers. */
  services: RateLimitPolicy;
  /** Proxies in front of the gateway whose X-Forwarded-For entries are trusted (0: the socket's address is the client). */
  trustedProxyHops: number;
}

export interface IdentityConfig {
  /** CROSSDOCK_JWKS (a JWKS URL or file path), or the development issuer's key set (embedded hub). */
  jwks?: string | JSONWebKeySet;
  issuer?: string;
  audience?: string;
  clockToleranceSeconds: number;
  /** Headers Apollo Sandbox opens with (the development hub presets the analyst's token). */
  sandboxHeaders?: Record<string, string>;
}

export interface SubscriptionConfig {
  /** The hub database whose change feed this replica tails (Postgres only; embedded mode injects its feed). */
  hubDatabaseUrl?: string;
  /** Events queued for one subscriber; a subscriber with a full queue reads on from the feed at its own pace. */
  maxQueuedEvents: number;
  /** A subscriber that takes no event for this long while events wait is closed as a slow consumer. */
  stallTimeoutMs: number;
  /** Live events held per subscriber during a replay before it reads further from the feed instead. */
  maxHeldEvents: number;
  /** Entity keys per batched resolution query, and how many such queries run at once. */
  batchSize: number;
  maxConcurrentResolutions: number;
  /** includeCurrent refuses filters matching more entities than this. */
  maxInitialEntities: number;
  /** Safety poll of the feed in case a commit notification was lost. */
  feedPollIntervalMs: number;
  /** graphql-ws keep-alive ping interval. */
  keepAliveMs: number;
  /** On shutdown, how long queued events may take to go out before connections close. */
  drainTimeoutMs: number;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  const supergraphPath = envOptional(env, "CROSSDOCK_SUPERGRAPH_PATH");
  const hubDatabaseUrl = envOptional(env, "HUB_DATABASE_URL");
  return {
    port: envInt(env, "PORT", 4000, { min: 0, max: 65535 }),
    // Development hands out demo tokens (Sandbox, the console's sign-in): only to this machine.
    // Production listens on every interface, as a container or a VM behind a balancer must.
    host: envString(env, "HOST", env.NODE_ENV === "production" ? "0.0.0.0" : "127.0.0.1"),
    environment: env.NODE_ENV === "production" ? "production" : "development",
    subgraphUrls: {
      erp: envString(env, "ERP_URL", "http://127.0.0.1:4101/graphql"),
      crm: envString(env, "CRM_URL", "http://127.0.0.1:4102/graphql"),
      wms: envString(env, "WMS_URL", "http://127.0.0.1:4103/graphql"),
      ops: envString(env, "OPS_URL", "http://127.0.0.1:4104/graphql"),
      flows: envString(env, "FLOWS_URL", "http://127.0.0.1:4105/graphql"),
    },
    ...(supergraphPath ? { supergraphPath } : {}),
    ...(env.CROSSDOCK_CONSOLE_DIR ? { console: { dir: env.CROSSDOCK_CONSOLE_DIR } } : {}),
    limits: {
      maxDepth: envInt(env, "CROSSDOCK_MAX_QUERY_DEPTH", 12, { min: 1 }),
      maxAliases: envInt(env, "CROSSDOCK_MAX_ALIASES", 30, { min: 0 }),
      maxBodyBytes: envInt(env, "CROSSDOCK_MAX_BODY_BYTES", 1_000_000, { min: 1024 }),
      allowBatchedRequests: envBool(env, "CROSSDOCK_ALLOW_BATCHED_REQUESTS", false),
      cost: {
        maxCost: envInt(env, "CROSSDOCK_MAX_COST", 10_000, { min: 0 }),
        defaultListSize: envInt(env, "CROSSDOCK_COST_DEFAULT_LIST_SIZE", 10, { min: 1 }),
      },
    },
    subscriptions: {
      ...(hubDatabaseUrl && isPostgresUrl(hubDatabaseUrl) ? { hubDatabaseUrl } : {}),
      maxQueuedEvents: envInt(env, "CROSSDOCK_SUBSCRIPTION_MAX_QUEUE", 256, { min: 2 }),
      stallTimeoutMs: envInt(env, "CROSSDOCK_SUBSCRIPTION_STALL_MS", 10_000, { min: 100 }),
      maxHeldEvents: envInt(env, "CROSSDOCK_SUBSCRIPTION_MAX_HELD", 1000, { min: 1 }),
      // One list-by-key query per batch whatever its size; ops accepts up to 500 keys per field.
      batchSize: envInt(env, "CROSSDOCK_SUBSCRIPTION_BATCH_SIZE", 200, { min: 1, max: 500 }),
      maxConcurrentResolutions: envInt(env, "CROSSDOCK_SUBSCRIPTION_CONCURRENCY", 4, { min: 1 }),
      maxInitialEntities: envInt(env, "CROSSDOCK_SUBSCRIPTION_MAX_INITIAL", 1000, { min: 1 }),
      feedPollIntervalMs: envInt(env, "CROSSDOCK_FEED_POLL_MS", 1000, { min: 10 }),
      keepAliveMs: envInt(env, "CROSSDOCK_WS_KEEPALIVE_MS", 12_000, { min: 0 }),
      drainTimeoutMs: envInt(env, "CROSSDOCK_SUBSCRIPTION_DRAIN_MS", 5000, { min: 0 }),
    },
    logLevel: envString(env, "LOG_LEVEL", "info"),
    allowIntrospection: envBool(env, "CROSSDOCK_ALLOW_INTROSPECTION", false),
    subgraphTimeoutMs: envInt(env, "CROSSDOCK_SUBGRAPH_TIMEOUT_MS", 30_000, { min: 100 }),
    coalesceEntityFetches: envBool(env, "CROSSDOCK_COALESCE_ENTITY_FETCHES", true),
    overload: {
      maxConcurrentPerSubgraph: envInt(env, "CROSSDOCK_SUBGRAPH_MAX_CONCURRENCY", 256, { min: 0 }),
      retryAfterSeconds: envInt(env, "CROSSDOCK_OVERLOAD_RETRY_AFTER_S", 1, { min: 1, max: 3600 }),
    },
    principalSecret: principalSecretFrom(env).secret,
    principalSecretIsDefault: principalSecretFrom(env).usesDefault,
    ...serviceTokenOf(env),
    identity: identityOf(env),
    allowedOrigins: (envOptional(env, "CROSSDOCK_ALLOWED_ORIGINS") ?? "")
      .split(",")
      .map((origin) => origin.trim().replace(/\/+$/, ""))
      .filter(Boolean),
    persistedOperations: persistedOperationsOf(env),
    rateLimit: rateLimitOf(env),
  };
}

/**
 * Off in development (one analyst, the simulator and the tests share a subject); 600 a minute
 * per caller in production. The burst defaults to ten seconds' worth of the rate.
 */
function rateLimitOf(env: Record<string, string | undefined>): RateLimitConfig {
  const policy = (rateName: string, burstName: string, fallback: number): RateLimitPolicy => {
    const perMinute = envInt(env, rateName, fallback, { min: 0 });
    return { perMinute, burst: envInt(env, burstName, Math.max(1, Math.ceil(perMinute / 6)), { min: 1 }) };
  };
  return {
    callers: policy("CROSSDOCK_RATE_LIMIT_PER_MINUTE", "CROSSDOCK_RATE_LIMIT_BURST", env.NODE_ENV === "production" ? 600 : 0),
    services: policy("CROSSDOCK_RATE_LIMIT_SERVICE_PER_MINUTE", "CROSSDOCK_RATE_LIMIT_SERVICE_BURST", 0),
    trustedProxyHops: envInt(env, "CROSSDOCK_TRUSTED_PROXY_HOPS", 0, { min: 0, max: 10 }),
  };
}

const SAFELIST_MODES: readonly SafelistMode[] = ["off", "log", "enforce"];

function persistedOperationsOf(env: Record<string, string | undefined>): PersistedOperationsConfig {
  const manifests = (envOptional(env, "CROSSDOCK_PERSISTED_OPERATIONS") ?? "")
    .split(",")
    .map((path) => path.trim())
    .filter(Boolean);
  const configured = envOptional(env, "CROSSDOCK_SAFELIST");
  if (configured !== undefined && !SAFELIST_MODES.includes(configured as SafelistMode)) {
    throw new ConfigError(`CROSSDOCK_SAFELIST must be one of ${SAFELIST_MODES.join(", ")} (got "${configured}")`);
  }
  const mode = (configured as SafelistMode | undefined) ?? (env.NODE_ENV === "production" && manifests.length > 0 ? "enforce" : "off");
  // Without a list, "log" would flag every operation and "enforce" would refuse all but Sandbox's.
  if (mode !== "off" && manifests.length === 0) throw new ConfigError(`CROSSDOCK_SAFELIST=${mode} needs a manifest (CROSSDOCK_PERSISTED_OPERATIONS)`);
  return { manifests, mode };
}

/** The development issuer's value, shared with flows; refused in production. */
export const DEV_SERVICE_TOKEN = "crossdock-flows-dev-token";

function identityOf(env: Record<string, string | undefined>): IdentityConfig {
  const jwks = envOptional(env, "CROSSDOCK_JWKS");
  const issuer = envOptional(env, "CROSSDOCK_JWT_ISSUER");
  const audience = envOptional(env, "CROSSDOCK_JWT_AUDIENCE");
  if (env.NODE_ENV === "production" && !jwks) throw new ConfigError("CROSSDOCK_JWKS must be set when NODE_ENV=production (no development issuer)");
  if (jwks && (!issuer || !audience)) throw new ConfigError("CROSSDOCK_JWKS needs CROSSDOCK_JWT_ISSUER and CROSSDOCK_JWT_AUDIENCE: both are checked");
  return {
    ...(jwks ? { jwks } : {}),
    ...(issuer ? { issuer } : {}),
    ...(audience ? { audience } : {}),
    clockToleranceSeconds: envInt(env, "CROSSDOCK_JWT_CLOCK_TOLERANCE_S", 30, { min: 0, max: 300 }),
  };
}

/**
 * Production must set CROSSDOCK_SERVICE_TOKEN to a value of its own. The public development default
 * is accepted only by a development hub that is its own issuer: once a real identity provider is
 * configured (CROSSDOCK_JWKS, e.g. a staging setup without NODE_ENV=production), the default would
 * be a well-known key to the flows' write scopes, so it is refused there too.
 */
function serviceTokenOf(env: Record<string, string | undefined>): { serviceToken?: string } {
  const configured = envOptional(env, "CROSSDOCK_SERVICE_TOKEN");
  const realIssuer = envOptional(env, "CROSSDOCK_JWKS") !== undefined;
  if ((env.NODE_ENV === "production" || realIssuer) && (!configured || configured === DEV_SERVICE_TOKEN)) {
    throw new ConfigError("CROSSDOCK_SERVICE_TOKEN must be set to a secret of its own when NODE_ENV=production or CROSSDOCK_JWKS is set");
  }
  return { serviceToken: configured ?? DEV_SERVICE_TOKEN };
}
