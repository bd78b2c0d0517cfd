// Typed reads of single JSON values (integers by width, int64, floats, strings, base64),
// each failing with BAD_FIELD_TYPE and the value's path. They check shape and range only
// and never apply a logical type; logicalTypes.ts builds on them.
import { fail, type DecodeScope } from "./decodeScope.js";
import { JsonNumber, isJsonObject, type JsonObject, type JsonValue } from "./jsonBigParse.js";
import type { NonFiniteNumberMarker } from "./types.js";

export function describeJson(raw: JsonValue | undefined): string {
  if (raw === undefined) return "nothing";
  if (raw === null) return "null";
  if (raw instanceof JsonNumber) return `the number ${raw.raw.length > 40 ? `${raw.raw.slice(0, 40)}…` : raw.raw}`;
  if (Array.isArray(raw)) return "an array";
  if (typeof raw === "object") return "an object";
  return typeof raw === "string" ? "a string" : `the boolean ${raw}`;
}

function wrongType(scope: DecodeScope, path: string, expected: string, raw: JsonValue | undefined): never {
  return fail(scope, "BAD_FIELD_TYPE", path, `expected ${expected}, got ${describeJson(raw)}`);
}

const INT_LIMITS = {
  8: [-128n, 127n],
  16: [-32768n, 32767n],
  32: [-2147483648n, 2147483647n],
  64: [-9223372036854775808n, 9223372036854775807n],
} as const;

export function readInt64(raw: JsonValue | undefined, scope: DecodeScope, path: string): bigint {
  return readIntegerBits(raw, 64, scope, path);
}

export function readSmallInteger(raw: JsonValue | undefined, bits: 8 | 16 | 32, scope: DecodeScope, path: string): number {
  // Up to 15 digits a double is exact, so the common case skips BigInt.
  if (raw instanceof JsonNumber && raw.isInteger && raw.raw.length <= 15) {
    const value = Number(raw.raw);
    const [min, max] = INT_LIMITS[bits];
    // `-0` is an integer literal too; a column value is 0 either way.
    if (value >= Number(min) && value <= Number(max)) return value === 0 ? 0 : value;
    return wrongType(scope, path, `an int${bits} in range`, raw);
  }
  return Number(readIntegerBits(raw, bits, scope, path));
}

/** An int64 column value: number while exact, bigint beyond 2^53 (see int64ToValue). */
export function readInt64Value(raw: JsonValue | undefined, scope: DecodeScope, path: string): number | bigint {
  if (raw instanceof JsonNumber && raw.isInteger && raw.raw.length <= 15) return Number(raw.raw) || 0;
  return int64ToValue(readIntegerBits(raw, 64, scope, path));
}

function readIntegerBits(raw: JsonValue | undefined, bits: 8 | 16 | 32 | 64, scope: DecodeScope, path: string): bigint {
  if (!(raw instanceof JsonNumber) || !raw.isInteger) return wrongType(scope, path, `an int${bits} integer`, raw);
  const value = BigInt(raw.raw);
  const [min, max] = INT_LIMITS[bits];
  if (value < min || value > max) return wrongType(scope, path, `an int${bits} in range`, raw);
  return value;
}

/** int64 as number while exact, bigint beyond 2^53: the same rule as schemaless JSON. */
export function int64ToValue(value: bigint): number | bigint {
  return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value;
}

const NON_FINITE = new Set<string>(["NaN", "Infinity", "-Infinity"]);

export function isNonFiniteMarker(value: unknown): value is NonFiniteNumberMarker {
  return typeof value === "string" && NON_FINITE.has(value);
}

export function readFloat(raw: JsonValue | undefined, scope: DecodeScope, path: string): number | NonFiniteNumberMarker {
  if (raw instanceof JsonNumber) return Number(raw.raw);
  if (isNonFiniteMarker(raw)) return raw;
  return wrongType(scope, path, "a number or 'NaN' / 'Infinity' / '-Infinity'", raw);
}

export function readString(raw: JsonValue | undefined, scope: DecodeScope, path: string): string {
  return typeof raw === "string" ? raw : wrongType(scope, path, "a string", raw);
}

export function readBoolean(raw: JsonValue | undefined, scope: DecodeScope, path: string): boolean {
  return typeof raw === "boolean" ? raw : wrongType(scope, path, "a boolean", raw);
}

export function readObject(raw: JsonValue | undefined, scope: DecodeScope, path: string): JsonObject {
  return isJsonObject(raw) ? raw : wrongType(scope, path, "an object", raw);
}

export function readArray(raw: JsonValue | undefined, scope: DecodeScope, path: string): JsonValue[] {
  return Array.isArray(raw) ? raw : wrongType(scope, path, "an array", raw);
}

// Buffer.from(text, 'base64') skips characters it does not know, so it would turn a
// corrupt value into different bytes; validate first. JsonConverter always pads.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function isBase64(text: string): boolean {
  return BASE64.test(text);
}

export function readBase64(raw: JsonValue | undefined, scope: DecodeScope, path: string): Buffer {
  if (typeof raw !== "string" || !BASE64.test(raw)) return wrongType(scope, path, "base64 bytes", raw);
  return Buffer.from(raw, "base64");
}

/** A struct member read from raw JSON; absent and null both come back as null. */
export function member(object: JsonObject, field: string): JsonValue {
  return Object.hasOwn(object, field) ? (object[field] as JsonValue) : null;
}
