// TLS and SASL for the Kafka capture, from the environment: what managed Kafka (and any
// production cluster) asks of a client. Files are read once at start; a mechanism without its
// credentials, or a certificate without its key, stops the start with the variable to fix.
import { readFileSync } from "node:fs";
import type { ConnectionOptions } from "node:tls";
import type { SASLOptions } from "kafkajs";
import { ConfigError, envBool, envOptional } from "@crossdock/platform";

export interface KafkaSecurity {
  ssl?: boolean | ConnectionOptions;
  sasl?: SASLOptions;
}

const MECHANISMS = ["plain", "scram-sha-256", "scram-sha-512"] as const;
type Mechanism = (typeof MECHANISMS)[number];

function readPem(name: string, path: string | undefined): string | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(`${name}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

export function kafkaSecurityFrom(env: Record<string, string | undefined>): KafkaSecurity {
  const ca = readPem("KAFKA_SSL_CA_FILE", envOptional(env, "KAFKA_SSL_CA_FILE"));
  const cert = readPem("KAFKA_SSL_CERT_FILE", envOptional(env, "KAFKA_SSL_CERT_FILE"));
  const key = readPem("KAFKA_SSL_KEY_FILE", envOptional(env, "KAFKA_SSL_KEY_FILE"));
  if (Boolean(cert) !== Boolean(key)) throw new ConfigError("KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together (client certificate and its key)");
  const rejectUnauthorized = envBool(env, "KAFKA_SSL_REJECT_UNAUTHORIZED", true);
  const tlsAsked = envBool(env, "KAFKA_SSL", false) || Boolean(ca || cert) || !rejectUnauthorized;
  const ssl: KafkaSecurity["ssl"] = !tlsAsked
    ? undefined
    : ca || cert || !rejectUnauthorized
      ? { rejectUnauthorized, ...(ca ? { ca: [ca] } : {}), ...(cert && key ? { cert, key } : {}) }
      : true;

  const mechanism = envOptional(env, "KAFKA_SASL_MECHANISM")?.toLowerCase();
  let sasl: SASLOptions | undefined;
  if (mechanism) {
    if (!MECHANISMS.includes(mechanism as Mechanism)) throw new ConfigError(`KAFKA_SASL_MECHANISM must be one of ${MECHANISMS.join(", ")}, got "${mechanism}"`);
    const username = envOptional(env, "KAFKA_SASL_USERNAME");
    const password = envOptional(env, "KAFKA_SASL_PASSWORD");
    if (!username || !password) throw new ConfigError(`KAFKA_SASL_MECHANISM=${mechanism} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD`);
    sasl = { mechanism: mechanism as Mechanism, username, password } as SASLOptions;
  }
  return { ...(ssl !== undefined ? { ssl } : {}), ...(sasl ? { sasl } : {}) };
}
