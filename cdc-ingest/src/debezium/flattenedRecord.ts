// Debezium's ExtractNewRecordState output (the "unwrap" SMT most deployments add): the row
// itself plus the metadata asked for with `add.fields` (`__op`, `__table`, `__lsn`,
// `__source_ts_ms`, …) and, with `delete.handling.mode=rewrite`, `__deleted`. It is turned back
// into the envelope the rest of the decoder reads; without `__op` it cannot say what happened,
// and without `__lsn` it has no position, so both are required (the record is dead-lettered).
import type { ConnectSchema } from "./connectSchema.js";
import { fail, type DecodeScope } from "./decodeScope.js";
import { JsonNumber, type JsonObject, type JsonValue } from "./jsonBigParse.js";

const PREFIX = "__";

/** A payload with unwrap metadata and none of the envelope's own members. */
export function isFlattenedRecord(payload: JsonObject): boolean {
  if (Object.hasOwn(payload, "op") || Object.hasOwn(payload, "after") || Object.hasOwn(payload, "source")) return false;
  return Object.hasOwn(payload, "__op") || Object.hasOwn(payload, "__deleted");
}

function text(value: JsonValue | undefined): string | undefined {
  if (typeof value === "string") return value;
  if (value instanceof JsonNumber) return value.raw;
  if (typeof value === "boolean") return String(value);
  return undefined;
}

function first(payload: JsonObject, ...names: string[]): JsonValue | undefined {
  for (const name of names) if (Object.hasOwn(payload, name) && payload[name] !== null) return payload[name];
  return undefined;
}

export interface UnwrappedPayload {
  payload: JsonObject;
  schema: ConnectSchema | undefined;
}

/** The envelope (`before`/`after`, `op`, `source`, `ts_ms`) a flattened record stands for. */
export function envelopeOfFlattened(topic: string, payload: JsonObject, schema: ConnectSchema | undefined, scope: DecodeScope, path: string): UnwrappedPayload {
  const deleted = text(payload["__deleted"]) === "true";
  const rawOp = text(payload["__op"]);
  const op = deleted ? "d" : rawOp;
  if (op === undefined) {
    return fail(scope, "MISSING_FIELD", `${path ? `${path}.` : ""}__op`, "an ExtractNewRecordState record needs add.fields=op (and lsn, table, source.ts_ms)");
  }
  const row: JsonObject = {};
  for (const [name, value] of Object.entries(payload)) if (!name.startsWith(PREFIX)) row[name] = value;
  const [, topicSchema = "", topicTable = ""] = topic.split(".");
  const source: JsonObject = {
    connector: text(first(payload, "__connector", "__source_connector")) ?? "postgresql",
    name: text(first(payload, "__name", "__source_name")) ?? topic.split(".")[0] ?? "",
    db: text(first(payload, "__db", "__source_db")) ?? "",
    schema: text(first(payload, "__schema", "__source_schema")) ?? topicSchema,
    table: text(first(payload, "__table", "__source_table")) ?? topicTable,
    lsn: first(payload, "__lsn", "__source_lsn") ?? null,
    txId: first(payload, "__txId", "__source_txId") ?? null,
    ts_ms: first(payload, "__source_ts_ms", "__ts_ms") ?? null,
    snapshot: text(first(payload, "__snapshot", "__source_snapshot")) ?? "false",
  };
  const envelope: JsonObject = {
    op,
    before: op === "d" ? row : null,
    after: op === "d" ? null : row,
    source,
    ts_ms: first(payload, "__ts_ms", "__source_ts_ms") ?? null,
  };
  return { payload: envelope, schema: schema && envelopeSchemaOf(schema) };
}

/** The row's own columns keep their Connect types (decimals, dates); the metadata reads schemaless. */
function envelopeSchemaOf(flattened: ConnectSchema): ConnectSchema {
  const rowSchema: ConnectSchema = { ...flattened, optional: true, fields: (flattened.fields ?? []).filter((f) => !f.name.startsWith(PREFIX)) };
  return {
    ...flattened,
    name: undefined,
    fields: [
      { name: "before", schema: rowSchema },
      { name: "after", schema: rowSchema },
    ],
  };
}
