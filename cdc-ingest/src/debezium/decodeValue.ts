// Decoding JSON values against a Connect schema (`schemas.enable=true`) and rows of a
// change, where the unchanged-TOAST placeholder becomes UNCHANGED. Without a schema values
// pass through as exact plain JSON; logical types are only applied when a schema names them.
import type { ConnectSchema } from "./connectSchema.js";
import { childPath, fail, type DecodeScope } from "./decodeScope.js";
import { setOwn, toPlainJson, type JsonValue } from "./jsonBigParse.js";
import { member, readArray, readBase64, readBoolean, readFloat, readInt64Value, readObject, readSmallInteger, readString } from "./jsonReaders.js";
import { isReservedLogicalName, logicalDecoderFor } from "./logicalTypes.js";
import type { DebeziumRow, DebeziumValue } from "./types.js";
import { UNCHANGED, isUnavailablePlaceholder } from "./unchanged.js";

export function decodeWithSchema(schema: ConnectSchema, raw: JsonValue | undefined, scope: DecodeScope, path: string): DebeziumValue {
  if (raw === undefined || raw === null) {
    // A null in an optional field is a real NULL, even when the column has a default:
    // substituting the default (as JsonConverter may) would invent data.
    if (schema.optional) return null;
    if (schema.defaultValue !== undefined && schema.defaultValue !== null) {
      return decodeWithSchema({ ...schema, defaultValue: undefined }, schema.defaultValue, scope, path);
    }
    return fail(scope, "MISSING_FIELD", path, `required ${schema.name ?? schema.type} value is null or absent`);
  }
  if (schema.name !== undefined) {
    const decoder = logicalDecoderFor(schema.name);
    if (decoder) return decoder(raw, schema, scope, path);
    if (decoder === undefined && isReservedLogicalName(schema.name) && scope.unknownLogicalTypes === "error") {
      return fail(scope, "UNSUPPORTED_LOGICAL_TYPE", path, `no decoder for logical type ${schema.name}`);
    }
  }
  switch (schema.type) {
    case "int8":
      return readSmallInteger(raw, 8, scope, path);
    case "int16":
      return readSmallInteger(raw, 16, scope, path);
    case "int32":
      return readSmallInteger(raw, 32, scope, path);
    case "int64":
      return readInt64Value(raw, scope, path);
    case "float32":
    case "float64":
      return readFloat(raw, scope, path);
    case "boolean":
      return readBoolean(raw, scope, path);
    case "string":
      return readString(raw, scope, path);
    case "bytes":
      return readBase64(raw, scope, path);
    case "array":
      return decodeArray(schema, raw, scope, path);
    case "map":
      return decodeMap(schema, raw, scope, path);
    case "struct":
      return decodeStruct(schema, raw, scope, path, false);
  }
}

function decodeArray(schema: ConnectSchema, raw: JsonValue, scope: DecodeScope, path: string): DebeziumValue[] {
  const items = schema.items as ConnectSchema;
  return readArray(raw, scope, path).map((item, i) => decodeWithSchema(items, item, scope, childPath(path, i)));
}

/**
 * JsonConverter writes a map with string keys as an object and any other map as an array
 * of [key, value] pairs; each comes back in the form it was sent.
 */
function decodeMap(schema: ConnectSchema, raw: JsonValue, scope: DecodeScope, path: string): DebeziumValue {
  const keys = schema.keys as ConnectSchema;
  const values = schema.values as ConnectSchema;
  if (Array.isArray(raw)) {
    return raw.map((entry, i) => {
      const entryPath = childPath(path, i);
      const pair = readArray(entry, scope, entryPath);
      if (pair.length !== 2) return fail(scope, "BAD_FIELD_TYPE", entryPath, "a map entry must be [key, value]");
      return [decodeWithSchema(keys, pair[0], scope, childPath(entryPath, 0)), decodeWithSchema(values, pair[1], scope, childPath(entryPath, 1))];
    });
  }
  const object = readObject(raw, scope, path);
  const out: Record<string, DebeziumValue> = {};
  for (const key of Object.keys(object)) {
    setOwn(out, key, decodeWithSchema(values, member(object, key), scope, childPath(path, key)));
  }
  return out;
}

function decodeStruct(schema: ConnectSchema, raw: JsonValue, scope: DecodeScope, path: string, isRow: boolean): DebeziumRow {
  const object = readObject(raw, scope, path);
  const fields = schema.fields ?? [];
  const out: Record<string, DebeziumValue> = {};
  let present = 0;
  for (const field of fields) {
    if (Object.hasOwn(object, field.name)) {
      present++;
    } else if (isRow) {
      // A row may carry only some columns (the key columns of a REPLICA IDENTITY DEFAULT
      // delete); a column that was not sent is left out rather than invented as null.
      continue;
    }
    const value = member(object, field.name);
    setOwn(
      out,
      field.name,
      isRow && isUnavailablePlaceholder(value, scope.placeholder) ? UNCHANGED : decodeWithSchema(field.schema, value, scope, childPath(path, field.name)),
    );
  }
  // Members the schema does not declare are kept as plain JSON rather than dropped: the
  // documented envelopes carry source.sequence and ts_us/ts_ns without declaring them.
  const keys = Object.keys(object);
  if (keys.length > present) {
    const declared = new Set(fields.map((f) => f.name));
    for (const key of keys) {
      if (!declared.has(key)) setOwn(out, key, decodeSchemaless(member(object, key), scope, isRow));
    }
  }
  return out;
}

function decodeSchemaless(raw: JsonValue, scope: DecodeScope, detectUnchanged: boolean): DebeziumValue {
  return detectUnchanged && isUnavailablePlaceholder(raw, scope.placeholder) ? UNCHANGED : toPlainJson(raw);
}

/** A `before`/`after` row; columns holding the unavailable-value placeholder become UNCHANGED. */
export function decodeRow(schema: ConnectSchema | undefined, raw: JsonValue | undefined, scope: DecodeScope, path: string): DebeziumRow | null {
  if (raw === undefined || raw === null) return null;
  if (schema === undefined) {
    const object = readObject(raw, scope, path);
    const out: Record<string, DebeziumValue> = {};
    for (const key of Object.keys(object)) setOwn(out, key, decodeSchemaless(member(object, key), scope, true));
    return out;
  }
  if (schema.type !== "struct") return fail(scope, "BAD_SCHEMA", path, `a row schema must be a struct, not ${schema.type}`);
  return decodeStruct(schema, raw, scope, path, true);
}

/** Any value: against its schema when there is one, as exact plain JSON otherwise. */
export function decodeAny(schema: ConnectSchema | undefined, raw: JsonValue | undefined, scope: DecodeScope, path: string): DebeziumValue {
  if (schema !== undefined) return decodeWithSchema(schema, raw, scope, path);
  return raw === undefined ? null : toPlainJson(raw);
}
