// Builds the Debezium noschema envelope text for one row change (streamed or snapshot), in
// the shape the outbox capture writes, so every source decodes through the same path. It owns
// the row images; it must never emit the unchanged-TOAST placeholder where the value is known.
import { DEFAULT_UNAVAILABLE_VALUE_PLACEHOLDER } from "../../debezium/index.js";
import { columnJson } from "./columnText.js";
import type { PgColumn, PgTupleValue } from "./pgoutputDecoder.js";

export const CONNECTOR = "crossdock-pg-logical";

export interface EnvelopeContext {
  readonly sourceName: string;
  readonly db: string;
  readonly arrayElements: ReadonlyMap<number, number>;
}

export interface ChangeFacts {
  readonly op: "c" | "u" | "d" | "r" | "t";
  readonly schema: string;
  readonly table: string;
  /** JSON text of the row images (see rowJson), null when absent. */
  readonly before: string | null;
  readonly after: string | null;
  readonly lsn: bigint;
  readonly txId: string | null;
  readonly commitMs: number;
  readonly snapshot: boolean;
}

/**
 * JSON object text of a tuple. An unchanged TOASTed value takes its value from `unchangedFrom`
 * (the full old row REPLICA IDENTITY FULL provides) and only falls back to Debezium's
 * placeholder, which the decoder turns into the UNCHANGED marker, when that is not known.
 * `keyOnly` drops the non-key columns of a key-only old image: they are absent, not NULL.
 */
export function rowJson(
  columns: readonly PgColumn[],
  tuple: readonly PgTupleValue[],
  context: EnvelopeContext,
  options: { unchangedFrom?: readonly PgTupleValue[] | null; keyOnly?: boolean } = {},
): string {
  const parts: string[] = [];
  columns.forEach((column, i) => {
    if (options.keyOnly && !column.isKey) return;
    let value = tuple[i] ?? { kind: "null" };
    if (value.kind === "unchanged") value = options.unchangedFrom?.[i] ?? value;
    const json =
      value.kind === "null"
        ? "null"
        : value.kind === "unchanged"
          ? JSON.stringify(DEFAULT_UNAVAILABLE_VALUE_PLACEHOLDER)
          : columnJson(column.typeOid, value.text, context.arrayElements);
    parts.push(`${JSON.stringify(column.name)}:${json}`);
  });
  return `{${parts.join(",")}}`;
}

/** `envelopeMs` is the envelope's own ts_ms (when it was made); default now. */
export function envelopeText(context: EnvelopeContext, facts: ChangeFacts, envelopeMs = Date.now()): string {
  const source = {
    connector: CONNECTOR,
    name: context.sourceName,
    version: "1",
    db: context.db,
    schema: facts.schema,
    table: facts.table,
    txId: facts.txId,
    // The read model compares positions as digits, per source row: never a float.
    lsn: facts.lsn.toString(),
    ts_ms: facts.commitMs,
    snapshot: facts.snapshot ? "true" : "false",
  };
  // Row images are already JSON text (exact numbers, verbatim json), so they are spliced in.
  return `{"before":${facts.before ?? "null"},"after":${facts.after ?? "null"},"op":"${facts.op}","ts_ms":${envelopeMs},"source":${JSON.stringify(source)}}`;
}
