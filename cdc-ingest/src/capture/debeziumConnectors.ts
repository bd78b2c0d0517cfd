// Kafka Connect configurations for Debezium's Postgres connector, one per system of record,
// derived from the captured-table list so the Kafka path captures exactly what the other capture
// modes do. Connection settings come from the Connect worker's environment through Kafka's
// EnvVarConfigProvider (`${env:…}`), so no secret is written into these files.
import { fileURLToPath } from "node:url";
import { CAPTURED_TABLES, SOURCE_NAMES, type SourceName } from "./capturedTables.js";

export const CONNECTOR_DIR = fileURLToPath(new URL("../../../deploy/debezium/", import.meta.url));

export interface ConnectorConfig {
  name: string;
  config: Record<string, string>;
}

export function debeziumConnectorConfig(system: SourceName): ConnectorConfig {
  const env = (name: string) => `\${env:${system.toUpperCase()}_DB_${name}}`;
  return {
    name: `crossdock-${system}`,
    config: {
      "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
      "plugin.name": "pgoutput",
      "database.hostname": env("HOST"),
      "database.port": env("PORT"),
      "database.user": env("USER"),
      "database.password": env("PASSWORD"),
      "database.dbname": env("NAME"),
      // Topics are <system>.public.<Table>: the ingest's KAFKA_TOPIC_PATTERN and topic-to-system map.
      "topic.prefix": system,
      "table.include.list": CAPTURED_TABLES[system].map((table) => `public.${table}`).join(","),
      "publication.name": `crossdock_${system}_debezium`,
      "publication.autocreate.mode": "filtered",
      "slot.name": `crossdock_${system}_debezium`,
      "snapshot.mode": "initial",
      "tombstones.on.delete": "true",
      "heartbeat.interval.ms": "10000",
      "key.converter": "org.apache.kafka.connect.json.JsonConverter",
      "key.converter.schemas.enable": "true",
      "value.converter": "org.apache.kafka.connect.json.JsonConverter",
      // With schemas, decimals and timestamps keep their exact logical types.
      "value.converter.schemas.enable": "true",
    },
  };
}

export function renderConnectorConfigs(): Map<string, string> {
  return new Map(SOURCE_NAMES.map((system) => [`${system}-connector.json`, `${JSON.stringify(debeziumConnectorConfig(system), null, 2)}\n`]));
}
