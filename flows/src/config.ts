// The flows service's configuration: where the hub database is, which gateway it writes
// through and as whom, and the engine's retry and concurrency limits. Read once, validated.
import { hostname } from "node:os";
import { ConfigError, envBool, envInt, envOptional, envString, principalSecretFrom, type MigrationMode } from "@crossdock/platform";

const DEV_SERVICE_TOKEN = "crossdock-flows-dev-token";

export interface FlowsConfig {
  port: number;
  host: string;
  /** The hub database (read model + change feed); flow state lives there in its own tables. */
  hubDatabaseUrl: string;
  /** The gateway every mutation goes through. */
  gatewayUrl: string;
  /** Sent as `authorization: Bearer …`: the flows' service principal. */
  serviceToken: string;
  /**
   * Unique among the workers at any time (FLOWS_WORKER_ID, else host name and process id). Set
   * one stable per replica and a worker restarted after a crash reclaims its own in-flight steps
   * at once; with the default it waits for their leases to run out, as any other worker would.
   */
  workerId: string;
  /** Run the feed reader and step workers (the GraphQL API is served either way). */
  engineEnabled: boolean;
  /** Where a fresh cursor starts: the feed's head (ignore history) or its beginning. */
  startFrom: "latest" | "earliest";
  /**
   * Steps run at once. Unset: 32 on Postgres; 8 on PGlite, which is one connection shared with
   * cdc-ingest in one process, where more steps in flight only queue and time out.
   */
  concurrency: number | null;
  maxAttempts: number;
  /** Attempts a step gets while the service it calls says it is unavailable (at most 5 s apart); then it parks. */
  maxUnavailableAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  stepTimeoutMs: number;
  leaseMs: number;
  feedBatchSize: number;
  pollMs: number;
  logLevel: string;
  /** `verify` (the release command in production): refuse a hub database behind the flows' migrations instead of migrating it. */
  migrations?: MigrationMode;
}

/**
 * Two workers on one host (several processes) or in two containers (host names differ) never
 * share it: a shared id would let one worker's start release the other's live leases.
 */
export function defaultWorkerId(): string {
  return `${hostname()}-${process.pid}`;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): FlowsConfig {
  const dataDir = envString(env, "CROSSDOCK_DATA_DIR", "./.crossdock");
  const startFrom = envString(env, "FLOWS_START_FROM", "latest");
  if (startFrom !== "latest" && startFrom !== "earliest") throw new ConfigError(`FLOWS_START_FROM must be latest or earliest, got "${startFrom}"`);
  const serviceToken = envOptional(env, "CROSSDOCK_SERVICE_TOKEN") ?? DEV_SERVICE_TOKEN;
  // The development token is public: in production the flows refuse to start with it (the gateway too).
  if (env.NODE_ENV === "production" && serviceToken === DEV_SERVICE_TOKEN) {
    throw new ConfigError("CROSSDOCK_SERVICE_TOKEN must be set to a secret of its own when NODE_ENV=production");
  }
  principalSecretFrom(env); // throws in production without CROSSDOCK_PRINCIPAL_SECRET: the flows' subgraph verifies principals
  return {
    port: envInt(env, "FLOWS_PORT", 4105, { min: 0, max: 65535 }),
    host: envString(env, "FLOWS_HOST", "127.0.0.1"),
    hubDatabaseUrl: envString(env, "HUB_DATABASE_URL", `pglite:${dataDir}/hub`),
    gatewayUrl: envString(env, "FLOWS_GATEWAY_URL", envString(env, "GATEWAY_URL", "http://127.0.0.1:4000/graphql")),
    serviceToken,
    workerId: envString(env, "FLOWS_WORKER_ID", defaultWorkerId()),
    engineEnabled: envBool(env, "FLOWS_ENABLED", true),
    startFrom,
    concurrency: envOptional(env, "FLOWS_CONCURRENCY") === undefined ? null : envInt(env, "FLOWS_CONCURRENCY", 32, { min: 1, max: 1000 }),
    maxAttempts: envInt(env, "FLOWS_MAX_ATTEMPTS", 6, { min: 1, max: 100 }),
    // About an hour of a service away (a restart, a failover) before the run parks, visibly, for an operator.
    maxUnavailableAttempts: envInt(env, "FLOWS_MAX_UNAVAILABLE_ATTEMPTS", 720, { min: 1 }),
    backoffBaseMs: envInt(env, "FLOWS_BACKOFF_BASE_MS", 200, { min: 1 }),
    backoffMaxMs: envInt(env, "FLOWS_BACKOFF_MAX_MS", 30_000, { min: 1 }),
    // Longer than the gateway's own deadline on a subgraph call (30 s by default): a step must not
    // give up on a call the gateway is still working on and send it again, doubling the load
    // exactly when the hub is slowest (a retry is safe, but it is more work, not less).
    stepTimeoutMs: envInt(env, "FLOWS_STEP_TIMEOUT_MS", 45_000, { min: 100 }),
    leaseMs: envInt(env, "FLOWS_LEASE_MS", 60_000, { min: 1000 }),
    feedBatchSize: envInt(env, "FLOWS_FEED_BATCH_SIZE", 200, { min: 1, max: 5000 }),
    pollMs: envInt(env, "FLOWS_POLL_MS", 500, { min: 10 }),
    logLevel: envString(env, "LOG_LEVEL", "info"),
  };
}
