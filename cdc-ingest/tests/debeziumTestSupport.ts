// Test support for the Debezium decoder: loads the fixture corpus in tests/fixtures/debezium
// (real Debezium messages, see its README) and builds schema-form messages whose JSON keeps exact digits.
import { readFileSync, readdirSync } from "node:fs";
import { DebeziumDecodeError, decodeDebeziumMessage, type DebeziumDecodeOptions } from "../src/debezium/index.js";

export const FIXTURE_DIR = new URL("./fixtures/debezium/", import.meta.url);

export function fixtureNames(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((file) => file.endsWith(".value.json"))
    .map((file) => file.slice(0, -".value.json".length))
    .sort();
}

function readOptional(file: string): Buffer | null {
  try {
    return readFileSync(new URL(file, FIXTURE_DIR));
  } catch {
    return null;
  }
}

export function fixtureBytes(name: string): { key: Buffer | null; value: Buffer } {
  return { key: readOptional(`${name}.key.json`), value: readFileSync(new URL(`${name}.value.json`, FIXTURE_DIR)) };
}

export function fixtureText(file: string): string {
  return readFileSync(new URL(file, FIXTURE_DIR), "utf8");
}

export function decodeFixture(name: string, extra: { topic?: string; headers?: Record<string, string | Buffer> } = {}) {
  const { key, value } = fixtureBytes(name);
  return decodeDebeziumMessage({
    topic: extra.topic ?? "PostgreSQL_server.public.customers",
    key,
    value,
    headers: extra.headers,
  });
}

/** Runs a decode that must fail and returns the DebeziumDecodeError. */
export function decodeError(run: () => unknown): DebeziumDecodeError {
  try {
    run();
  } catch (error) {
    if (error instanceof DebeziumDecodeError) return error;
    throw new Error(`expected a DebeziumDecodeError, got ${String(error)}`, { cause: error });
  }
  throw new Error("expected the decode to fail");
}

export interface ColumnSpec {
  /** The Connect field schema, without "field". */
  readonly schema: Record<string, unknown>;
  /** The column value as raw JSON text, so exact digits can be written. */
  readonly json: string;
}

const SOURCE_JSON =
  '{"version":"3.7.0.Alpha2","connector":"postgresql","name":"srv","ts_ms":1700000000000,' +
  '"snapshot":"false","db":"erp","schema":"public","table":"items","txId":9007199254740993,' +
  '"lsn":18446744073709551615,"xmin":null}';

/** A schemas.enable=true create event of table public.items with the given after columns. */
export function schemaChange(columns: Record<string, ColumnSpec>, op = "c"): string {
  const fields = Object.entries(columns).map(([field, spec]) => ({ ...spec.schema, field }));
  const row = { type: "struct", optional: true, name: "srv.public.items.Value", fields };
  const schema = {
    type: "struct",
    name: "srv.public.items.Envelope",
    optional: false,
    fields: [
      { ...row, field: "before" },
      { ...row, field: "after" },
      { type: "string", optional: false, field: "op" },
      { type: "int64", optional: true, field: "ts_ms" },
    ],
  };
  const after = `{${Object.entries(columns)
    .map(([field, spec]) => `${JSON.stringify(field)}:${spec.json}`)
    .join(",")}}`;
  return `{"schema":${JSON.stringify(schema)},"payload":{"before":null,"after":${after},"source":${SOURCE_JSON},"op":"${op}","ts_ms":1700000000001}}`;
}

/** Decodes a one-column schema change and returns that column's decoded value. */
export function decodeColumn(schema: Record<string, unknown>, json: string, options?: DebeziumDecodeOptions) {
  const decoded = decodeDebeziumMessage({ topic: "srv.public.items", key: null, value: schemaChange({ v: { schema, json } }) }, options);
  if (decoded?.kind !== "change" || decoded.op === "m" || decoded.op === "t" || decoded.after === null) {
    throw new Error("expected a row change");
  }
  return decoded.after["v"];
}

/** Builds the base64 JsonConverter writes for a Connect Decimal, independently of src/. */
export function decimalBase64(unscaled: bigint): string {
  let byteCount = 1;
  while (unscaled < -(2n ** BigInt(8 * byteCount - 1)) || unscaled >= 2n ** BigInt(8 * byteCount - 1)) byteCount++;
  const bytes: number[] = [];
  let rest = BigInt.asUintN(8 * byteCount, unscaled);
  for (let i = 0; i < byteCount; i++) {
    bytes.unshift(Number(rest & 0xffn));
    rest >>= 8n;
  }
  return Buffer.from(bytes).toString("base64");
}

/** unscaled × 10^-scale as plain text, computed by division rather than digit slicing. */
export function expectedDecimal(unscaled: bigint, scale: number): string {
  if (scale <= 0) return (unscaled * 10n ** BigInt(-scale)).toString();
  const factor = 10n ** BigInt(scale);
  const magnitude = unscaled < 0n ? -unscaled : unscaled;
  const whole = magnitude / factor;
  const fraction = (magnitude % factor).toString().padStart(scale, "0");
  return `${unscaled < 0n ? "-" : ""}${whole}.${fraction}`;
}
