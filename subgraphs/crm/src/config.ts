// The CRM service's configuration, read from the environment once and validated here.
// Nothing else in the service reads process.env; a bad value fails the start naming the variable.
import { ConfigError, envInt, envNumber, envOptional, envSeed, envString, type MigrationMode } from "@crossdock/platform";
import { DEFAULT_CASE_WORK, parseSlaMinutes, type CaseWorkConfig } from "./caseSla.js";

export interface CrmConfig {
  port: number;
  host: string;
  /** `postgres://…` or `pglite:<dir>` / `pglite:memory`. */
  databaseUrl: string;
  seed: { enabled: boolean; scale: number };
  /** SLA minutes per priority and the escalation owner; defaults when absent (tests). */
  caseWork?: CaseWorkConfig;
  /** `verify` (the release command in production): refuse a database behind its migrations instead of migrating it. */
  migrations?: MigrationMode;
  /** pino level; defaults to LOG_LEVEL or "info". */
  logLevel?: string;
}

export const DEFAULT_CRM_PORT = 4102;

export function loadConfig(env: Record<string, string | undefined>): CrmConfig {
  const dataDir = envString(env, "CROSSDOCK_DATA_DIR", "./.crossdock");
  const scale = envNumber(env, "CROSSDOCK_SEED_SCALE", 1);
  if (scale <= 0) throw new ConfigError(`CROSSDOCK_SEED_SCALE must be greater than 0, got ${scale}`);
  const logLevel = envOptional(env, "LOG_LEVEL");
  return {
    port: envInt(env, "CRM_PORT", DEFAULT_CRM_PORT, { min: 0, max: 65_535 }),
    host: envString(env, "CRM_HOST", "127.0.0.1"),
    databaseUrl: envString(env, "CRM_DATABASE_URL", `pglite:${dataDir.replace(/\/+$/, "")}/crm`),
    seed: { enabled: envSeed(env), scale },
    caseWork: {
      slaMinutes: parseSlaMinutes(envOptional(env, "CRM_CASE_SLA_MINUTES"), "CRM_CASE_SLA_MINUTES"),
      escalationOwner: envString(env, "CRM_ESCALATION_OWNER", DEFAULT_CASE_WORK.escalationOwner),
    },
    ...(logLevel !== undefined ? { logLevel } : {}),
  };
}
