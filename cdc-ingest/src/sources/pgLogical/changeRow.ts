// Builds the decoded Debezium change straight from pgoutput tuples: exactly what
// decodeDebeziumMessage returns for the envelope text changeEnvelope.ts writes, without
// writing that text and parsing it back (the text is only made when a dead letter needs it).
// tests/pgLogicalChangeRow.test.ts holds the two paths equal on generated tuples.
import { plainJsonValue, UNCHANGED, type DebeziumRow, type DebeziumRowChange, type DebeziumValue } from "../../debezium/index.js";
import { CONNECTOR, type ChangeFacts, type EnvelopeContext } from "./changeEnvelope.js";
import { BOOL, BYTEA, columnJson, isoTimestamp, JSON_OID, JSONB, TIMESTAMP, TIMESTAMPTZ } from "./columnText.js";
import type { PgColumn, PgTupleValue } from "./pgoutputDecoder.js";

/** The decoded value of one column's text form (see columnJson for the envelope's JSON of it). */
export function columnValue(typeOid: number, text: string, arrayElements: ReadonlyMap<number, number>): DebeziumValue {
  if (typeOid === BOOL) return text === "t";
  if (typeOid === JSON_OID || typeOid === JSONB) return plainJsonValue(text);
  if (typeOid === BYTEA) return Buffer.from(text.slice(2), "hex").toString("base64");
  if (typeOid === TIMESTAMP || typeOid === TIMESTAMPTZ) return isoTimestamp(text);
  if (arrayElements.has(typeOid)) return plainJsonValue(columnJson(typeOid, text, arrayElements));
  return text;
}

/** A row image as decoded: same columns, unchanged-TOAST handling and key-only rule as rowJson. */
export function rowValues(
  columns: readonly PgColumn[],
  tuple: readonly PgTupleValue[],
  context: EnvelopeContext,
  options: { unchangedFrom?: readonly PgTupleValue[] | null; keyOnly?: boolean } = {},
): DebeziumRow {
  const row: Record<string, DebeziumValue> = {};
  const unchangedFrom = options.unchangedFrom;
  const keyOnly = options.keyOnly === true;
  // A plain loop: this runs for every column of every change.
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i] as PgColumn;
    if (keyOnly && !column.isKey) continue;
    let value = tuple[i] ?? NULL_VALUE;
    if (value.kind === "unchanged") value = unchangedFrom?.[i] ?? value;
    const decoded = value.kind === "null" ? null : value.kind === "unchanged" ? UNCHANGED : columnValue(column.typeOid, value.text, context.arrayElements);
    // A column named __proto__ stays data, as the decoder keeps it.
    if (column.name === "__proto__") Object.defineProperty(row, column.name, { value: decoded, enumerable: true, writable: true, configurable: true });
    else row[column.name] = decoded;
  }
  return row;
}

const NULL_VALUE: PgTupleValue = { kind: "null" };

/** The change as decodeDebeziumMessage would return it for envelopeText(context, facts) written at `envelopeMs`. */
export function decodedChange(
  context: EnvelopeContext,
  facts: Omit<ChangeFacts, "before" | "after" | "op"> & { op: "c" | "u" | "d" | "r"; before: DebeziumRow | null; after: DebeziumRow | null },
  envelopeMs: number,
): DebeziumRowChange {
  return {
    kind: "change",
    topic: `${context.sourceName}.${facts.schema}.${facts.table}`,
    key: null,
    source: {
      connector: CONNECTOR,
      serverName: context.sourceName,
      version: "1",
      db: context.db,
      schema: facts.schema,
      table: facts.table,
      lsn: facts.lsn.toString(),
      txId: facts.txId,
      tsMs: facts.commitMs,
      snapshot: facts.snapshot,
    },
    tsMs: envelopeMs,
    op: facts.op,
    table: { schema: facts.schema, table: facts.table },
    before: facts.before,
    after: facts.after,
  };
}
