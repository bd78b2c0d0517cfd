// cdc-ingest configuration: the hub database, how change is captured from each system of
// record, and the ops subgraph's port. Read from the environment once and validated.
import { ConfigError, envBool, envInt, envOptional, envString, type MigrationMode } from "@crossdock/platform";
import { kafkaSecurityFrom, type KafkaSecurity } from "./sources/kafka/kafkaSecurity.js";
import type { SourceName } from "./capture/capturedTables.js";

export type CaptureMode = "outbox" | "pg-logical" | "kafka" | "none";

export interface IngestConfig {
  port: number;
  host: string;
  hubDatabaseUrl: string;
  capture: CaptureMode;
  /** Source database URLs for outbox / pg-logical capture when run as its own process. */
  sourceDatabaseUrls: Partial<Record<SourceName, string>>;
  /** Kafka capture: Debezium topics named `<system>.<schema>.<table>` unless mapped. */
  kafka: {
    brokers: string[];
    groupId: string;
    clientId: string;
    topics: (string | RegExp)[];
    maxBuffered: number;
    security?: KafkaSecurity;
    /** KAFKA_DLQ=1: dead letters are also produced to `<prefix><system>` (default `dlq.`); null: off. */
    deadLetterTopicPrefix?: string | null;
  };
  batchSize: number;
  feedRetentionHours: number;
  /** The hard cap: past it retention prunes what even a live consumer has not read (and expires it). */
  feedRetentionMaxHours: number;
  logLevel: string;
  /** `verify` (the release command in production): refuse a hub database behind its migrations instead of migrating it. */
  migrations?: MigrationMode;
}

const MODES: readonly CaptureMode[] = ["outbox", "pg-logical", "kafka", "none"];

/** KAFKA_DLQ and KAFKA_DLQ_TOPIC_PREFIX; read only with Kafka capture, like the TLS settings. */
function deadLetterTopicPrefixFrom(env: Record<string, string | undefined>, capture: CaptureMode): string | null {
  if (capture !== "kafka" || !envBool(env, "KAFKA_DLQ", false)) return null;
  const prefix = envString(env, "KAFKA_DLQ_TOPIC_PREFIX", "dlq.");
  // The topic is `<prefix>crm` at most: Kafka allows 249 characters of [a-zA-Z0-9._-].
  if (!/^[a-zA-Z0-9._-]{1,240}$/.test(prefix)) throw new ConfigError(`KAFKA_DLQ_TOPIC_PREFIX may hold only letters, digits, ".", "_" and "-", got "${prefix}"`);
  return prefix;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): IngestConfig {
  const dataDir = envString(env, "CROSSDOCK_DATA_DIR", "./.crossdock");
  const capture = envString(env, "CROSSDOCK_CAPTURE", "outbox") as CaptureMode;
  if (!MODES.includes(capture)) throw new ConfigError(`CROSSDOCK_CAPTURE must be one of ${MODES.join(", ")}, got "${capture}"`);
  const sourceDatabaseUrls: Partial<Record<SourceName, string>> = {};
  for (const source of ["erp", "crm", "wms"] as const) {
    const url = envOptional(env, `${source.toUpperCase()}_DATABASE_URL`);
    if (url) sourceDatabaseUrls[source] = url;
  }
  const topicList = envOptional(env, "KAFKA_TOPICS");
  const topicPattern = envString(env, "KAFKA_TOPIC_PATTERN", "^(erp|crm|wms)\\.[^.]+\\.[^.]+$");
  let pattern: RegExp;
  try {
    pattern = new RegExp(topicPattern);
  } catch {
    throw new ConfigError(`KAFKA_TOPIC_PATTERN is not a valid regular expression: ${topicPattern}`);
  }
  return {
    port: envInt(env, "OPS_PORT", 4104, { min: 0, max: 65535 }),
    host: envString(env, "OPS_HOST", "127.0.0.1"),
    hubDatabaseUrl: envString(env, "HUB_DATABASE_URL", `pglite:${dataDir}/hub`),
    capture,
    sourceDatabaseUrls,
    kafka: {
      brokers: envString(env, "KAFKA_BROKERS", "127.0.0.1:9092")
        .split(",")
        .map((b) => b.trim())
        .filter(Boolean),
      groupId: envString(env, "KAFKA_GROUP_ID", "crossdock-ingest"),
      clientId: envString(env, "KAFKA_CLIENT_ID", "crossdock-ingest"),
      topics: topicList
        ? topicList
            .split(",")
            .map((t) => t.trim())
            .filter(Boolean)
        : [pattern],
      maxBuffered: envInt(env, "KAFKA_MAX_BUFFERED", 2000, { min: 10 }),
      // Read only when Kafka is the capture: a missing certificate must not stop other modes.
      security: capture === "kafka" ? kafkaSecurityFrom(env) : {},
      deadLetterTopicPrefix: deadLetterTopicPrefixFrom(env, capture),
    },
    batchSize: envInt(env, "CROSSDOCK_INGEST_BATCH_SIZE", 500, { min: 1, max: 10_000 }),
    feedRetentionHours: envInt(env, "CROSSDOCK_FEED_RETENTION_HOURS", 72, { min: 1 }),
    feedRetentionMaxHours: envInt(env, "CROSSDOCK_FEED_RETENTION_MAX_HOURS", 168, { min: 1 }),
    logLevel: envString(env, "LOG_LEVEL", "info"),
  };
}
