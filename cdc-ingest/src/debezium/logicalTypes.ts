// Decoders for the Connect and Debezium logical types, keyed by schema name: each turns the
// JSON form into its exact value (decimal text, ISO 8601 text, Buffer, parsed JSON). Unknown
// names in these namespaces are refused, never guessed (see isReservedLogicalName).
import type { ConnectSchema } from "./connectSchema.js";
import { fail, childPath, type DecodeScope } from "./decodeScope.js";
import { MAX_DECIMAL_SCALE, decimalFromNumberLiteral, formatDecimal, unscaledFromBytes } from "./decimal.js";
import { JsonNumber, JsonSyntaxError, parseJsonExact, toPlainJson, type JsonValue } from "./jsonBigParse.js";
import { describeJson, isBase64, isNonFiniteMarker, member, readBase64, readInt64, readObject, readSmallInteger, readString } from "./jsonReaders.js";
import {
  formatEpochDay,
  formatEpochTimestamp,
  formatMicroDuration,
  formatTimeOfDay,
  normaliseZonedTime,
  normaliseZonedTimestamp,
  type EpochUnit,
} from "./temporal.js";
import type { DebeziumValue } from "./types.js";

type LogicalDecoder = (raw: JsonValue, schema: ConnectSchema, scope: DecodeScope, path: string) => DebeziumValue;

function badValue(scope: DecodeScope, path: string, expected: string, raw: JsonValue): never {
  return fail(scope, "BAD_FIELD_TYPE", path, `expected ${expected}, got ${describeJson(raw)}`);
}

function decimalScale(schema: ConnectSchema, scope: DecodeScope, path: string): number {
  const text = schema.parameters["scale"];
  const scale = text !== undefined && /^-?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(scale) || Math.abs(scale) > MAX_DECIMAL_SCALE) {
    return fail(scope, "BAD_SCHEMA", path, `Decimal needs an integer "scale" parameter, got ${JSON.stringify(text ?? null)}`);
  }
  return scale;
}

const decodeDecimal: LogicalDecoder = (raw, schema, scope, path) => {
  const scale = decimalScale(schema, scope, path);
  // decimal.format=NUMERIC writes a JSON number instead of base64 bytes.
  if (raw instanceof JsonNumber) {
    return decimalFromNumberLiteral(raw.raw, scale) ?? badValue(scope, path, `a decimal with scale ${scale}`, raw);
  }
  // A marker that is not also valid base64 ('NaN', '-Infinity') cannot be bytes.
  if (isNonFiniteMarker(raw) && !isBase64(raw)) return raw;
  return formatDecimal(unscaledFromBytes(readBase64(raw, scope, path)), scale);
};

const decodeVariableScaleDecimal: LogicalDecoder = (raw, _schema, scope, path) => {
  if (isNonFiniteMarker(raw)) return raw;
  const struct = readObject(raw, scope, path);
  const scale = readSmallInteger(member(struct, "scale"), 32, scope, childPath(path, "scale"));
  if (Math.abs(scale) > MAX_DECIMAL_SCALE) return badValue(scope, childPath(path, "scale"), "a usable scale", raw);
  const bytes = readBase64(member(struct, "value"), scope, childPath(path, "value"));
  return formatDecimal(unscaledFromBytes(bytes), scale);
};

const epochDate: LogicalDecoder = (raw, _schema, scope, path) => formatEpochDay(readSmallInteger(raw, 32, scope, path));

function timeOfDay(unit: EpochUnit, bits: 32 | 64): LogicalDecoder {
  return (raw, _schema, scope, path) => {
    const value = bits === 32 ? BigInt(readSmallInteger(raw, 32, scope, path)) : readInt64(raw, scope, path);
    return formatTimeOfDay(value, unit) ?? badValue(scope, path, "a time of day within 24 hours", raw);
  };
}

function epochTimestamp(unit: EpochUnit): LogicalDecoder {
  return (raw, _schema, scope, path) => formatEpochTimestamp(readInt64(raw, scope, path), unit);
}

function zoned(normalise: (text: string) => string | null, expected: string): LogicalDecoder {
  return (raw, _schema, scope, path) => normalise(readString(raw, scope, path)) ?? badValue(scope, path, expected, raw);
}

const passString: LogicalDecoder = (raw, _schema, scope, path) => readString(raw, scope, path);

const decodeJsonText: LogicalDecoder = (raw, _schema, scope, path) => {
  const text = readString(raw, scope, path);
  try {
    return toPlainJson(parseJsonExact(text));
  } catch (error) {
    if (error instanceof JsonSyntaxError) return fail(scope, "INVALID_JSON", path, `Json column: ${error.message}`, error);
    throw error;
  }
};

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

const decodeUuid: LogicalDecoder = (raw, _schema, scope, path) => {
  const text = readString(raw, scope, path);
  return UUID.test(text) ? text.toLowerCase() : badValue(scope, path, "a UUID", raw);
};

/**
 * BIT(n)/VARBIT as a bit string, most significant bit first. Debezium sends
 * `BitSet.toByteArray()`: little-endian bytes, bit i at byte i/8, position i%8. The
 * `length` parameter restores leading zeros; for VARBIT it is the declared maximum, so
 * leading zeros of a shorter value cannot be told apart.
 */
const decodeBits: LogicalDecoder = (raw, schema, scope, path) => {
  const bytes = readBase64(raw, scope, path);
  let highest = -1;
  for (let i = bytes.length * 8 - 1; i >= 0; i--) {
    if ((((bytes[i >> 3] ?? 0) >> (i & 7)) & 1) === 1) {
      highest = i;
      break;
    }
  }
  const declared = Number(schema.parameters["length"] ?? "0");
  const width = Math.max(highest + 1, Number.isSafeInteger(declared) ? declared : 0);
  let bits = "";
  for (let i = width - 1; i >= 0; i--) bits += ((bytes[i >> 3] ?? 0) >> (i & 7)) & 1 ? "1" : "0";
  return bits;
};

const microDuration: LogicalDecoder = (raw, _schema, scope, path) => formatMicroDuration(readInt64(raw, scope, path));

const plainInt32: LogicalDecoder = (raw, _schema, scope, path) => readSmallInteger(raw, 32, scope, path);

/** `null` means: decode by the Connect type; the name adds no conversion. */
const LOGICAL_TYPES = new Map<string, LogicalDecoder | null>([
  ["org.apache.kafka.connect.data.Decimal", decodeDecimal],
  ["io.debezium.data.VariableScaleDecimal", decodeVariableScaleDecimal],
  ["org.apache.kafka.connect.data.Date", epochDate],
  ["io.debezium.time.Date", epochDate],
  ["org.apache.kafka.connect.data.Time", timeOfDay("ms", 32)],
  ["io.debezium.time.Time", timeOfDay("ms", 32)],
  ["io.debezium.time.MicroTime", timeOfDay("us", 64)],
  ["io.debezium.time.NanoTime", timeOfDay("ns", 64)],
  ["org.apache.kafka.connect.data.Timestamp", epochTimestamp("ms")],
  ["io.debezium.time.Timestamp", epochTimestamp("ms")],
  ["io.debezium.time.MicroTimestamp", epochTimestamp("us")],
  ["io.debezium.time.NanoTimestamp", epochTimestamp("ns")],
  ["io.debezium.time.ZonedTimestamp", zoned(normaliseZonedTimestamp, "an ISO 8601 timestamp with offset")],
  ["io.debezium.time.ZonedTime", zoned(normaliseZonedTime, "an ISO 8601 time with offset")],
  ["io.debezium.time.MicroDuration", microDuration],
  ["io.debezium.time.Interval", passString],
  ["io.debezium.time.IsoDate", passString],
  ["io.debezium.time.IsoTime", passString],
  ["io.debezium.time.IsoTimestamp", passString],
  ["io.debezium.time.Year", plainInt32],
  ["io.debezium.data.Json", decodeJsonText],
  ["io.debezium.data.Uuid", decodeUuid],
  ["io.debezium.data.Enum", passString],
  ["io.debezium.data.EnumSet", passString],
  ["io.debezium.data.Xml", passString],
  ["io.debezium.data.Ltree", passString],
  ["io.debezium.data.Bits", decodeBits],
  ["io.debezium.data.geometry.Geometry", null],
  ["io.debezium.data.geometry.Geography", null],
  ["io.debezium.data.geometry.Point", null],
]);

const RESERVED_PREFIXES = ["io.debezium.time.", "io.debezium.data.", "org.apache.kafka.connect.data."];

/** A name in a logical-type namespace, as opposed to a record name like `server.s.t.Value`. */
export function isReservedLogicalName(name: string): boolean {
  return RESERVED_PREFIXES.some((prefix) => name.startsWith(prefix));
}

/** The decoder for a schema name; null when the name only labels a plain Connect type. */
export function logicalDecoderFor(name: string): LogicalDecoder | null | undefined {
  return LOGICAL_TYPES.get(name);
}
