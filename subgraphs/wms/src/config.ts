// The WMS service's configuration, read from the environment once and validated here.
// Nothing else in the package reads process.env; a bad value fails the start, naming the variable.
import { ConfigError, envInt, envNumber, envOptional, envSeed, envString, type MigrationMode } from "@crossdock/platform";

export interface WmsConfig {
  port: number;
  host: string;
  /** `postgres://…` or `pglite:<directory>` / `pglite:memory`. */
  databaseUrl: string;
  seed: { enabled: boolean; scale: number };
  /** `verify` (the release command in production): refuse a database behind its migrations instead of migrating it. */
  migrations?: MigrationMode;
  logLevel?: string;
}

type Env = Record<string, string | undefined>;

export const DEFAULT_WMS_PORT = 4103;

export function loadConfig(env: Env): WmsConfig {
  const dataDir = envString(env, "CROSSDOCK_DATA_DIR", "./.crossdock").replace(/\/+$/, "");
  const scale = envNumber(env, "CROSSDOCK_SEED_SCALE", 1);
  if (scale <= 0 || scale > 100) throw new ConfigError(`CROSSDOCK_SEED_SCALE must be above 0 and at most 100, got ${scale}`);
  const databaseUrl = envString(env, "WMS_DATABASE_URL", `pglite:${dataDir}/wms`);
  if (!/^(postgres(ql)?:\/\/|pglite:)/.test(databaseUrl)) {
    throw new ConfigError("WMS_DATABASE_URL must start with postgres://, postgresql:// or pglite:");
  }
  const logLevel = envOptional(env, "LOG_LEVEL");
  return {
    // PORT belongs to the gateway; each service has its own variable so all can share one environment.
    port: envInt(env, "WMS_PORT", DEFAULT_WMS_PORT, { min: 0, max: 65535 }),
    host: envString(env, "WMS_HOST", "127.0.0.1"),
    databaseUrl,
    seed: { enabled: envSeed(env), scale },
    ...(logLevel !== undefined ? { logLevel } : {}),
  };
}
