// Typed environment getters. Each service's config.ts reads the environment once through
// these, so a bad value fails the start with a message naming the variable.
export class ConfigError extends Error {
  override name = "ConfigError";
}

type Env = Record<string, string | undefined>;

export function envString(env: Env, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value === "" ? fallback : value;
}

export function envOptional(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === "" ? undefined : value;
}

export function envInt(env: Env, name: string, fallback: number, range: { min?: number; max?: number } = {}): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new ConfigError(`${name} must be an integer, got "${raw}"`);
  if (range.min !== undefined && value < range.min) throw new ConfigError(`${name} must be at least ${range.min}, got ${value}`);
  if (range.max !== undefined && value > range.max) throw new ConfigError(`${name} must be at most ${range.max}, got ${value}`);
  return value;
}

export function envNumber(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new ConfigError(`${name} must be a number, got "${raw}"`);
  return value;
}

export function envBool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (["1", "true", "yes", "on"].includes(raw.toLowerCase())) return true;
  if (["0", "false", "no", "off"].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be 1/0 or true/false, got "${raw}"`);
}

/**
 * CROSSDOCK_SEED: demo data goes only into a database someone asked for it (`demo`). Unset, `none`
 * or a false word leaves databases as they are; a true word is read as `demo` (older setups).
 */
export function envSeed(env: Env): boolean {
  const raw = env.CROSSDOCK_SEED;
  if (raw === undefined || raw === "") return false;
  const value = raw.toLowerCase();
  if (["demo", "1", "true", "yes", "on"].includes(value)) return true;
  if (["none", "0", "false", "no", "off"].includes(value)) return false;
  throw new ConfigError(`CROSSDOCK_SEED must be demo or none, got "${raw}"`);
}
