// Reading the `source` block of a change into a DebeziumSourcePosition: exact LSN and txId
// digits, the normalised snapshot marker, the parsed `sequence`. It reads decoded values
// (schema or not) and must accept every Postgres connector version's source layout.
import { childPath, fail, type DecodeScope } from "./decodeScope.js";
import { JsonSyntaxError, parseJsonExact } from "./jsonBigParse.js";
import type { DebeziumRow, DebeziumSnapshotMarker, DebeziumSourcePosition, DebeziumValue } from "./types.js";

export function isRow(value: DebeziumValue | undefined): value is DebeziumRow {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

function valueOf(row: DebeziumRow, field: string): DebeziumValue {
  return Object.hasOwn(row, field) ? (row[field] as DebeziumValue) : null;
}

export function requireString(row: DebeziumRow, field: string, scope: DecodeScope, path: string): string {
  const value = valueOf(row, field);
  if (typeof value === "string") return value;
  if (value === null) return fail(scope, "MISSING_FIELD", childPath(path, field), "required string is absent");
  return fail(scope, "BAD_FIELD_TYPE", childPath(path, field), "expected a string");
}

export function optionalString(row: DebeziumRow, field: string, scope: DecodeScope, path: string): string | null {
  const value = valueOf(row, field);
  if (value === null || typeof value === "string") return value;
  return fail(scope, "BAD_FIELD_TYPE", childPath(path, field), "expected a string or null");
}

/** int64 positions (LSN, txId) as exact digits; strings of digits are accepted too. */
export function optionalDigits(row: DebeziumRow, field: string, scope: DecodeScope, path: string): string | null {
  const value = valueOf(row, field);
  if (value === null) return null;
  if ((typeof value === "number" && Number.isSafeInteger(value)) || typeof value === "bigint") return String(value);
  if (typeof value === "string" && /^-?\d+$/.test(value)) return value;
  return fail(scope, "BAD_FIELD_TYPE", childPath(path, field), "expected an integer");
}

/** A count or epoch-milliseconds value; these always fit a double exactly. */
export function optionalSafeInteger(row: DebeziumRow, field: string, scope: DecodeScope, path: string): number | null {
  const value = valueOf(row, field);
  if (value === null) return null;
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  if (typeof value === "string" && /^-?\d{1,15}$/.test(value)) return Number(value);
  return fail(scope, "BAD_FIELD_TYPE", childPath(path, field), "expected an integer below 2^53");
}

export function requireSafeInteger(row: DebeziumRow, field: string, scope: DecodeScope, path: string): number {
  return optionalSafeInteger(row, field, scope, path) ?? fail(scope, "MISSING_FIELD", childPath(path, field), "required integer is absent");
}

const SNAPSHOT_PHASES = new Set(["first", "first_in_data_collection", "last_in_data_collection", "last", "incremental"]);

export function normaliseSnapshot(value: DebeziumValue, scope: DecodeScope, path: string): DebeziumSnapshotMarker {
  if (value === null || value === false || value === "false") return false;
  if (value === true || value === "true") return true;
  if (typeof value === "string" && SNAPSHOT_PHASES.has(value)) return value as DebeziumSnapshotMarker;
  return fail(scope, "BAD_FIELD_TYPE", path, `unknown snapshot marker ${typeof value === "string" ? value : typeof value}`);
}

function parseSequence(value: DebeziumValue, scope: DecodeScope, path: string): Array<string | null> {
  const bad = (cause?: unknown): never => fail(scope, "BAD_FIELD_TYPE", path, "expected a JSON array of LSN strings", cause);
  if (typeof value !== "string") return bad();
  let parsed;
  try {
    parsed = parseJsonExact(value);
  } catch (error) {
    if (error instanceof JsonSyntaxError) return bad(error);
    throw error;
  }
  if (!Array.isArray(parsed)) return bad();
  return parsed.map((item) => {
    if (item === null || typeof item === "string") return item;
    return bad();
  });
}

/**
 * Epoch milliseconds of the source event. Old connectors (0.x outbox example) only had
 * `ts_usec`; microseconds are floored to milliseconds so ordering is kept.
 */
function sourceMillis(source: DebeziumRow, scope: DecodeScope, path: string): number {
  const ms = optionalSafeInteger(source, "ts_ms", scope, path);
  if (ms !== null) return ms;
  for (const field of ["ts_us", "ts_usec"]) {
    const micros = optionalDigits(source, field, scope, path);
    if (micros !== null) return Number((BigInt(micros) - (((BigInt(micros) % 1000n) + 1000n) % 1000n)) / 1000n);
  }
  return fail(scope, "MISSING_FIELD", childPath(path, "ts_ms"), "the source has no ts_ms");
}

export function readSourcePosition(value: DebeziumValue, scope: DecodeScope, path: string): DebeziumSourcePosition {
  if (value === null) return fail(scope, "MISSING_FIELD", path, "a change needs a source block");
  if (!isRow(value)) return fail(scope, "BAD_FIELD_TYPE", path, "expected an object");
  const position: DebeziumSourcePosition = {
    connector: requireString(value, "connector", scope, path),
    serverName: optionalString(value, "name", scope, path),
    version: optionalString(value, "version", scope, path),
    db: requireString(value, "db", scope, path),
    schema: optionalString(value, "schema", scope, path) ?? "",
    table: optionalString(value, "table", scope, path) ?? "",
    lsn: optionalDigits(value, "lsn", scope, path),
    txId: optionalDigits(value, "txId", scope, path),
    tsMs: sourceMillis(value, scope, path),
    snapshot: normaliseSnapshot(valueOf(value, "snapshot"), scope, childPath(path, "snapshot")),
  };
  const sequence = valueOf(value, "sequence");
  return sequence === null ? position : { ...position, sequence: parseSequence(sequence, scope, childPath(path, "sequence")) };
}
