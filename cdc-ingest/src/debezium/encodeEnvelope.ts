// Writing decoded envelopes back as the JSON Debezium's JsonConverter writes with
// `schemas.enable=false`, for the JSON-lines replay source, outbox fixtures and tests.
// decodeDebeziumMessage(encode(x)) gives x back; int64 digits are never rounded on the way.
import type { DebeziumEnvelope, DebeziumRow, DebeziumSourcePosition, DebeziumValue } from "./types.js";
import { DEFAULT_UNAVAILABLE_VALUE_PLACEHOLDER, UNCHANGED } from "./unchanged.js";

export interface DebeziumEncodeOptions {
  /** Written for UNCHANGED columns; default `__debezium_unavailable_value`. */
  readonly unavailableValuePlaceholder?: string;
}

/** JSON text of one value: bigint as exact digits, Buffer as base64, UNCHANGED as the placeholder. */
export function encodeDebeziumValue(value: DebeziumValue, options?: DebeziumEncodeOptions): string {
  return writeValue(value, options?.unavailableValuePlaceholder ?? DEFAULT_UNAVAILABLE_VALUE_PLACEHOLDER);
}

function writeValue(value: DebeziumValue, placeholder: string): string {
  if (value === null) return "null";
  if (value === UNCHANGED) return JSON.stringify(placeholder);
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return value.toString();
    case "string":
      return JSON.stringify(value);
    case "number":
      // Jackson writes non-finite doubles as these strings; JSON has no literal for them.
      if (Number.isNaN(value)) return '"NaN"';
      if (!Number.isFinite(value)) return value > 0 ? '"Infinity"' : '"-Infinity"';
      if (Object.is(value, -0)) return "-0.0";
      // An integral double past 2^53 written as plain digits would come back as a bigint.
      return Number.isInteger(value) && !Number.isSafeInteger(value) ? value.toExponential() : String(value);
  }
  if (Buffer.isBuffer(value)) return JSON.stringify(value.toString("base64"));
  if (Array.isArray(value)) return `[${value.map((item: DebeziumValue) => writeValue(item, placeholder)).join(",")}]`;
  const row = value as DebeziumRow;
  const members = Object.keys(row).map((key) => `${JSON.stringify(key)}:${writeValue(row[key] as DebeziumValue, placeholder)}`);
  return `{${members.join(",")}}`;
}

function digitsOrNull(value: string | null): bigint | null {
  return value === null ? null : BigInt(value);
}

function sourceRow(source: DebeziumSourcePosition): DebeziumRow {
  return {
    version: source.version,
    connector: source.connector,
    name: source.serverName,
    ts_ms: source.tsMs,
    // Current connectors write the SnapshotRecord enum as a lower-case string.
    snapshot: typeof source.snapshot === "boolean" ? String(source.snapshot) : source.snapshot,
    db: source.db,
    ...(source.sequence ? { sequence: JSON.stringify(source.sequence) } : {}),
    schema: source.schema,
    table: source.table,
    txId: digitsOrNull(source.txId),
    lsn: digitsOrNull(source.lsn),
  };
}

function envelopeRow(envelope: DebeziumEnvelope): DebeziumRow {
  switch (envelope.kind) {
    case "heartbeat":
      return { ts_ms: envelope.tsMs };
    case "transaction":
      return {
        status: envelope.status,
        id: envelope.id,
        ts_ms: envelope.tsMs,
        event_count: envelope.eventCount ?? null,
        data_collections: envelope.dataCollections
          ? envelope.dataCollections.map((c) => ({ data_collection: c.dataCollection, event_count: c.eventCount }))
          : null,
      };
    case "change": {
      const transaction = envelope.transaction
        ? {
            id: envelope.transaction.id,
            total_order: envelope.transaction.totalOrder,
            data_collection_order: envelope.transaction.dataCollectionOrder,
          }
        : null;
      const head = { before: envelope.before, after: envelope.after, source: sourceRow(envelope.source) };
      const tail = { op: envelope.op, ts_ms: envelope.tsMs, transaction };
      if (envelope.op !== "m") return { ...head, ...tail };
      return { ...head, ...tail, message: { prefix: envelope.message.prefix, content: envelope.message.content } };
    }
  }
}

/** The `schemas.enable=false` value of an envelope (the key is encodeDebeziumValue(change.key)). */
export function encodeDebeziumEnvelope(envelope: DebeziumEnvelope, options?: DebeziumEncodeOptions): string {
  return encodeDebeziumValue(envelopeRow(envelope), options);
}
