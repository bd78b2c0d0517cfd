// The pg-logical source hands the apply path changes it decoded itself; they must equal, value
// for value, what decoding the envelope text it would have written gives (the path every other
// source takes, and the text a dead letter keeps). Checked on generated columns and tuples.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeDebeziumMessage } from "../src/debezium/index.js";
import { envelopeText, rowJson, type EnvelopeContext } from "../src/sources/pgLogical/changeEnvelope.js";
import { decodedChange, rowValues } from "../src/sources/pgLogical/changeRow.js";
import { BUILTIN_ARRAY_ELEMENTS } from "../src/sources/pgLogical/columnText.js";
import { ChangeAssembler, type AssembledChange } from "../src/sources/pgLogical/changeAssembler.js";
import type { PgColumn, PgTupleValue } from "../src/sources/pgLogical/pgoutputDecoder.js";

const context: EnvelopeContext = { sourceName: "erp", db: "erp_db", arrayElements: BUILTIN_ARRAY_ELEMENTS };

const pad = (n: number, width = 2) => String(n).padStart(width, "0");
const timestampText = fc
  .record({
    y: fc.integer({ min: 1970, max: 2100 }),
    mo: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 28 }),
    s: fc.integer({ min: 0, max: 86_399 }),
    ms: fc.option(fc.integer({ min: 0, max: 999 })),
  })
  .map(
    ({ y, mo, d, s, ms }) =>
      `${y}-${pad(mo)}-${pad(d)} ${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}${ms === null ? "" : `.${pad(ms, 3)}`}`,
  );
const simpleWord = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,8}$/);

/** A column type and a generator of its Postgres text form. */
const TYPES: ReadonlyArray<{ oid: number; text: fc.Arbitrary<string> }> = [
  { oid: 16, text: fc.constantFrom("t", "f") },
  { oid: 17, text: fc.uint8Array({ maxLength: 12 }).map((bytes) => `\\x${Buffer.from(bytes).toString("hex")}`) },
  { oid: 114, text: fc.json() },
  { oid: 3802, text: fc.json() },
  { oid: 1114, text: fc.oneof(timestampText, fc.constant("infinity")) },
  {
    oid: 1184,
    text: fc.oneof(
      timestampText.map((t) => `${t}+00`),
      timestampText.map((t) => `${t}+05:30`),
    ),
  },
  { oid: 1700, text: fc.tuple(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.nat(9999)).map(([i, f]) => `${i}.${pad(f, 4)}`) },
  { oid: 20, text: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String) },
  { oid: 25, text: fc.string({ maxLength: 20 }) },
  { oid: 1007, text: fc.array(fc.option(fc.integer()), { maxLength: 4 }).map((items) => `{${items.map((i) => (i === null ? "NULL" : String(i))).join(",")}}`) },
  { oid: 1009, text: fc.array(simpleWord, { maxLength: 4 }).map((items) => `{${items.join(",")}}`) },
];

const cell = (text: fc.Arbitrary<string>): fc.Arbitrary<PgTupleValue> =>
  fc.oneof(
    { weight: 6, arbitrary: text.map((t): PgTupleValue => ({ kind: "text", text: t })) },
    { weight: 1, arbitrary: fc.constant<PgTupleValue>({ kind: "null" }) },
    { weight: 1, arbitrary: fc.constant<PgTupleValue>({ kind: "unchanged" }) },
  );

const table = fc.array(fc.record({ type: fc.constantFrom(...TYPES), isKey: fc.boolean() }), { minLength: 1, maxLength: 6 }).chain((specs) => {
  const columns: PgColumn[] = specs.map((spec, i) => ({ name: i === 0 ? "id" : `c${i}`, typeOid: spec.type.oid, isKey: spec.isKey }));
  const tuple = fc.tuple(...specs.map((spec) => cell(spec.type.text)));
  return fc.record({
    columns: fc.constant(columns),
    oldTuple: fc.option(tuple),
    newTuple: tuple,
    oldIsKeyOnly: fc.boolean(),
    op: fc.constantFrom("c" as const, "u" as const, "d" as const, "r" as const),
  });
});

describe("pg-logical decoded changes", () => {
  it("equal the decode of the envelope text they stand for", () => {
    fc.assert(
      fc.property(
        table,
        fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }),
        fc.option(fc.nat().map(String)),
        ({ columns, oldTuple, newTuple, oldIsKeyOnly, op }, lsn, txId) => {
          const old = op === "d" ? (oldTuple ?? newTuple) : op === "u" ? oldTuple : null;
          const beforeOptions = { keyOnly: oldIsKeyOnly };
          const afterOptions = { unchangedFrom: op === "u" && !oldIsKeyOnly ? old : null };
          const facts = { op, schema: "public", table: "SalesOrder", lsn, txId, commitMs: 1_700_000_000_123, snapshot: op === "r" };
          const text = envelopeText(
            context,
            {
              ...facts,
              before: old ? rowJson(columns, old, context, beforeOptions) : null,
              after: op === "d" ? null : rowJson(columns, newTuple, context, afterOptions),
            },
            1_700_000_000_456,
          );
          const direct = decodedChange(
            context,
            {
              ...facts,
              before: old ? rowValues(columns, old, context, beforeOptions) : null,
              after: op === "d" ? null : rowValues(columns, newTuple, context, afterOptions),
            },
            1_700_000_000_456,
          );
          expect(direct).toEqual(decodeDebeziumMessage({ topic: "erp.public.SalesOrder", value: text }));
        },
      ),
      { numRuns: 400 },
    );
  });
});

/** pgoutput protocol v1 bytes, as the walsender sends them. */
const pgoutput = {
  relation: (id: number, table: string, columns: readonly PgColumn[]) =>
    Buffer.concat([
      Buffer.from("R"),
      u32(id),
      cstring("public"),
      cstring(table),
      Buffer.from("f"),
      u16(columns.length),
      ...columns.map((c) => Buffer.concat([Buffer.from([c.isKey ? 1 : 0]), cstring(c.name), u32(c.typeOid), u32(0xffffffff)])),
    ]),
  begin: (xid: number) => Buffer.concat([Buffer.from("B"), Buffer.alloc(8), Buffer.alloc(8), u32(xid)]),
  tuple: (values: readonly (string | null)[]) =>
    Buffer.concat([
      u16(values.length),
      ...values.map((v) => (v === null ? Buffer.from("n") : Buffer.concat([Buffer.from("t"), u32(Buffer.byteLength(v)), Buffer.from(v)]))),
    ]),
};
function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
function cstring(text: string): Buffer {
  return Buffer.concat([Buffer.from(text), Buffer.from([0])]);
}

describe("pg-logical streamed changes", () => {
  it("write envelope text (dead letters) that decodes to the change itself, keeping no pgoutput bytes", () => {
    const columns: PgColumn[] = [
      { name: "id", typeOid: 23, isKey: true },
      { name: "sku", typeOid: 25, isKey: false },
      { name: "onHand", typeOid: 1700, isKey: false },
      { name: "updatedAt", typeOid: 1184, isKey: false },
    ];
    const assembler = new ChangeAssembler(context);
    assembler.accept(1n, pgoutput.relation(7, "Stock", columns));
    assembler.accept(2n, pgoutput.begin(99));
    const oldRow = pgoutput.tuple(["5", "SKU-1", "1.500", "2024-03-01 10:20:30.123+00"]);
    const newRow = pgoutput.tuple(["5", "SKU-1", null, "2024-03-01 10:20:31+00"]);
    const update = Buffer.concat([Buffer.from("U"), u32(7), Buffer.from("O"), oldRow, Buffer.from("N"), newRow]);
    const [event] = assembler.accept(3n, update);
    // The protocol parser reuses its read buffer: nothing of the change may point into it.
    update.fill(0);
    const change = (event as { kind: "change"; change: AssembledChange }).change;
    expect(change.decoded?.before).toEqual({ id: "5", sku: "SKU-1", onHand: "1.500", updatedAt: "2024-03-01T10:20:30.123Z" });
    expect(change.decoded?.after).toEqual({ id: "5", sku: "SKU-1", onHand: null, updatedAt: "2024-03-01T10:20:31Z" });
    expect(decodeDebeziumMessage({ topic: change.topic, value: change.value })).toEqual(change.decoded);
  });
});
