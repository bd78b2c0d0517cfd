// The marker for column values Debezium could not see (unchanged TOASTed values), and the
// detection of every placeholder form the Postgres connector writes for them. A decoded
// row must never carry the placeholder text itself: it would be written over real data.
import { createHash } from "node:crypto";
import { JsonNumber, type JsonValue } from "./jsonBigParse.js";
import type { DebeziumRow } from "./types.js";

/**
 * Stands for "this column did not change and Debezium does not know its value" (an
 * unchanged TOASTed column under REPLICA IDENTITY DEFAULT). A projection must keep the
 * value it already has for that column: leave the column out of its UPDATE, or copy it
 * from the previous row. It must never store the marker or treat it as NULL.
 */
export const UNCHANGED: unique symbol = Symbol.for("crossdock.debezium.unchanged");
export type Unchanged = typeof UNCHANGED;

export function isUnchanged(value: unknown): value is Unchanged {
  return value === UNCHANGED;
}

/** Columns of a decoded row whose value is UNCHANGED, i.e. the ones an UPDATE must skip. */
export function unchangedColumns(row: DebeziumRow | null | undefined): string[] {
  if (!row) return [];
  return Object.keys(row).filter((column) => row[column] === UNCHANGED);
}

/** Debezium's default `unavailable.value.placeholder`. */
export const DEFAULT_UNAVAILABLE_VALUE_PLACEHOLDER = "__debezium_unavailable_value";

/** The placeholder in each shape the connector writes it (see UnchangedToastedPlaceholder). */
export interface UnavailablePlaceholderForms {
  readonly text: string;
  /** bytea columns: the placeholder's bytes, base64 as JsonConverter writes BYTES. */
  readonly base64: string;
  /** uuid columns: UUID.nameUUIDFromBytes(placeholder). */
  readonly uuid: string;
  /** int2/int4/int8 array columns: one element per placeholder byte. */
  readonly byteCodes: readonly number[];
}

export function placeholderForms(text: string): UnavailablePlaceholderForms {
  const bytes = Buffer.from(text, "utf8");
  return {
    text,
    base64: bytes.toString("base64"),
    uuid: nameBasedUuid(bytes),
    // Java bytes are signed; the default placeholder is ASCII, so this only matters for custom ones.
    byteCodes: [...bytes].map((b) => (b > 127 ? b - 256 : b)),
  };
}

export function isUnavailablePlaceholder(raw: JsonValue | undefined, forms: UnavailablePlaceholderForms): boolean {
  if (typeof raw === "string") return raw === forms.text || raw === forms.base64 || raw === forms.uuid;
  if (Array.isArray(raw)) {
    if (raw.length === 1 && (raw[0] === forms.text || raw[0] === forms.base64)) return true;
    return (
      raw.length === forms.byteCodes.length && raw.length > 1 && raw.every((item, i) => item instanceof JsonNumber && item.raw === String(forms.byteCodes[i]))
    );
  }
  if (raw !== null && typeof raw === "object" && !(raw instanceof JsonNumber)) {
    // hstore columns in map mode: {placeholder: placeholder}
    const keys = Object.keys(raw);
    return keys.length === 1 && keys[0] === forms.text && raw[forms.text] === forms.text;
  }
  return false;
}

function nameBasedUuid(bytes: Buffer): string {
  const hash = createHash("md5").update(bytes).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x30;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
