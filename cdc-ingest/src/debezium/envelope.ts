// Turning a Debezium payload (with or without its Connect schema) into the envelope union:
// row change, truncate, logical message, heartbeat or transaction event. It decides what
// kind a payload is and checks the envelope's own fields; column values are decodeValue's.
import { fieldSchema, type ConnectSchema } from "./connectSchema.js";
import { childPath, fail, type DecodeScope } from "./decodeScope.js";
import { decodeAny, decodeRow } from "./decodeValue.js";
import { envelopeOfFlattened, isFlattenedRecord } from "./flattenedRecord.js";
import type { JsonObject } from "./jsonBigParse.js";
import { describeJson, isBase64, member } from "./jsonReaders.js";
import { isRow, optionalSafeInteger, readSourcePosition, requireSafeInteger, requireString } from "./sourcePosition.js";
import type {
  DebeziumChange,
  DebeziumDataCollectionCount,
  DebeziumEnvelope,
  DebeziumHeartbeat,
  DebeziumKeyUpdate,
  DebeziumOp,
  DebeziumSourcePosition,
  DebeziumTableRef,
  DebeziumTransactionBlock,
  DebeziumTransactionEvent,
  DebeziumValue,
} from "./types.js";

export interface PayloadInput {
  readonly topic: string;
  readonly payload: JsonObject;
  /** The payload's struct schema; undefined for `schemas.enable=false`. */
  readonly schema: ConnectSchema | undefined;
  /** Where the payload sits in the message, for error paths ('payload' or ''). */
  readonly path: string;
  readonly key: DebeziumValue;
  readonly keyUpdate: DebeziumKeyUpdate | undefined;
  readonly scope: DecodeScope;
}

const HEARTBEAT_SCHEMA = "io.debezium.connector.common.Heartbeat";
const TRANSACTION_SCHEMA = "io.debezium.connector.common.TransactionMetadataValue";
const OPS = new Set<string>(["c", "u", "d", "r", "t", "m"]);

export function interpretPayload(input: PayloadInput): DebeziumEnvelope {
  const { payload, schema, scope, path } = input;
  if (schema !== undefined && schema.type !== "struct") {
    return fail(scope, "NOT_AN_ENVELOPE", path, `an envelope is a struct, the schema says ${schema.type}`);
  }
  if (isFlattenedRecord(payload)) return readChange({ ...input, ...envelopeOfFlattened(input.topic, payload, schema, scope, path) });
  if (Object.hasOwn(payload, "op")) return readChange(input);
  if (schema?.name === TRANSACTION_SCHEMA || (Object.hasOwn(payload, "status") && Object.hasOwn(payload, "id"))) {
    return readTransactionEvent(input);
  }
  const keys = Object.keys(payload);
  if (schema?.name === HEARTBEAT_SCHEMA || (keys.length === 1 && keys[0] === "ts_ms")) return readHeartbeat(input);
  if (keys.some((k) => k === "before" || k === "after" || k === "source")) {
    return fail(scope, "MISSING_FIELD", childPath(path, "op"), "a change event needs an op");
  }
  return fail(scope, "NOT_AN_ENVELOPE", path, "neither a change (op), a transaction (status, id) nor a heartbeat");
}

function decodeMember(input: PayloadInput, field: string): DebeziumValue {
  return decodeAny(fieldSchema(input.schema, field), member(input.payload, field), input.scope, childPath(input.path, field));
}

function readOp(input: PayloadInput): DebeziumOp {
  const raw = member(input.payload, "op");
  const path = childPath(input.path, "op");
  if (raw === null) return fail(input.scope, "MISSING_FIELD", path, "op is null");
  if (typeof raw !== "string") return fail(input.scope, "BAD_FIELD_TYPE", path, `expected a string, got ${describeJson(raw)}`);
  if (!OPS.has(raw)) return fail(input.scope, "UNKNOWN_OP", path, `unknown op ${JSON.stringify(raw.slice(0, 20))}`);
  return raw as DebeziumOp;
}

function tableOf(source: DebeziumSourcePosition, input: PayloadInput): DebeziumTableRef {
  if (source.schema === "" || source.table === "") {
    return fail(input.scope, "MISSING_FIELD", childPath(input.path, "source"), "a row change needs source.schema and source.table");
  }
  return { schema: source.schema, table: source.table };
}

function readTransactionBlock(value: DebeziumValue, scope: DecodeScope, path: string): DebeziumTransactionBlock | undefined {
  if (value === null) return undefined;
  if (!isRow(value)) return fail(scope, "BAD_FIELD_TYPE", path, "expected an object");
  return {
    id: requireString(value, "id", scope, path),
    totalOrder: requireSafeInteger(value, "total_order", scope, path),
    dataCollectionOrder: requireSafeInteger(value, "data_collection_order", scope, path),
  };
}

function readChange(input: PayloadInput): DebeziumChange {
  const { scope, path } = input;
  const op = readOp(input);
  const source = readSourcePosition(decodeMember(input, "source"), scope, childPath(path, "source"));
  const envelopeTs = decodeMember(input, "ts_ms");
  if (envelopeTs !== null && !(typeof envelopeTs === "number" && Number.isSafeInteger(envelopeTs))) {
    return fail(scope, "BAD_FIELD_TYPE", childPath(path, "ts_ms"), "expected epoch milliseconds");
  }
  const transaction = readTransactionBlock(decodeMember(input, "transaction"), scope, childPath(path, "transaction"));
  const common: Pick<DebeziumChange, "kind" | "topic" | "key" | "source" | "tsMs" | "transaction" | "keyUpdate"> = {
    kind: "change",
    topic: input.topic,
    key: input.key,
    source,
    // ts_ms is optional in the envelope schema; the source time is the closest truth.
    tsMs: envelopeTs ?? source.tsMs,
    ...(transaction ? { transaction } : {}),
    ...(input.keyUpdate ? { keyUpdate: input.keyUpdate } : {}),
  };
  if (op === "m") {
    return { ...common, op, table: null, before: null, after: null, message: readLogicalMessage(input) };
  }
  if (op === "t") return { ...common, op, table: tableOf(source, input), before: null, after: null };
  const rowOf = (field: "before" | "after") => decodeRow(fieldSchema(input.schema, field), member(input.payload, field), scope, childPath(path, field));
  const before = rowOf("before");
  const after = rowOf("after");
  if (after === null && op !== "d") {
    return fail(scope, "MISSING_FIELD", childPath(path, "after"), `op ${op} needs an after row`);
  }
  return { ...common, op, table: tableOf(source, input), before, after };
}

function readLogicalMessage(input: PayloadInput): { prefix: string; content: Buffer } {
  const { scope } = input;
  const path = childPath(input.path, "message");
  const value = decodeMember(input, "message");
  if (value === null) return fail(scope, "MISSING_FIELD", path, "op m needs a message block");
  if (!isRow(value)) return fail(scope, "BAD_FIELD_TYPE", path, "expected an object");
  const prefix = requireString(value, "prefix", scope, path);
  const content = Object.hasOwn(value, "content") ? value["content"] : null;
  if (Buffer.isBuffer(content)) return { prefix, content };
  // Without a schema the bytes arrive as the base64 text JsonConverter wrote.
  if (typeof content === "string" && isBase64(content)) {
    return { prefix, content: Buffer.from(content, "base64") };
  }
  if (content === null) return fail(scope, "MISSING_FIELD", childPath(path, "content"), "message content is absent");
  return fail(scope, "BAD_FIELD_TYPE", childPath(path, "content"), "expected base64 bytes");
}

function readTransactionEvent(input: PayloadInput): DebeziumTransactionEvent {
  const { scope, path } = input;
  const value = decodeAny(input.schema, input.payload, scope, path);
  if (!isRow(value)) return fail(scope, "BAD_FIELD_TYPE", path, "expected an object");
  const status = requireString(value, "status", scope, path);
  if (status !== "BEGIN" && status !== "END") {
    return fail(scope, "BAD_FIELD_TYPE", childPath(path, "status"), "a transaction status is BEGIN or END");
  }
  const eventCount = optionalSafeInteger(value, "event_count", scope, path);
  const collections = Object.hasOwn(value, "data_collections") ? value["data_collections"] : null;
  const event: DebeziumTransactionEvent = {
    kind: "transaction",
    topic: input.topic,
    status,
    id: requireString(value, "id", scope, path),
    tsMs: requireSafeInteger(value, "ts_ms", scope, path),
    ...(eventCount === null ? {} : { eventCount }),
  };
  if (collections === null || collections === undefined) return event;
  const collectionsPath = childPath(path, "data_collections");
  if (!Array.isArray(collections)) return fail(scope, "BAD_FIELD_TYPE", collectionsPath, "expected an array");
  const dataCollections = collections.map((item: DebeziumValue, i): DebeziumDataCollectionCount => {
    const itemPath = childPath(collectionsPath, i);
    if (!isRow(item)) return fail(scope, "BAD_FIELD_TYPE", itemPath, "expected an object");
    return {
      dataCollection: requireString(item, "data_collection", scope, itemPath),
      eventCount: requireSafeInteger(item, "event_count", scope, itemPath),
    };
  });
  return { ...event, dataCollections };
}

function readHeartbeat(input: PayloadInput): DebeziumHeartbeat {
  const { scope, path } = input;
  const value = decodeAny(input.schema, input.payload, scope, path);
  if (!isRow(value)) return fail(scope, "BAD_FIELD_TYPE", path, "expected an object");
  const key = input.key;
  const named = isRow(key) && Object.hasOwn(key, "serverName") ? key["serverName"] : null;
  const serverName = typeof named === "string" ? named : null;
  return { kind: "heartbeat", topic: input.topic, serverName, tsMs: requireSafeInteger(value, "ts_ms", scope, path) };
}
