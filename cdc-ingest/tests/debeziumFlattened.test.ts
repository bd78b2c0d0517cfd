// ExtractNewRecordState ("unwrap") output decodes to the same change as the full envelope it was
// made from: schemaless and with schemas (logical types kept), deletes rewritten with
// `__deleted`, and a record without `__op` refused with a reason (it goes to the DLQ).
import { describe, expect, it } from "vitest";
import { decodeDebeziumMessage, type DebeziumEnvelope, type DebeziumRowChange } from "../src/debezium/index.js";
import { decodeError, fixtureText } from "./debeziumTestSupport.js";

const TOPIC = "PostgreSQL_server.public.customers";

function rowChange(decoded: DebeziumEnvelope | null): DebeziumRowChange {
  if (decoded?.kind !== "change" || decoded.op === "t" || decoded.op === "m") throw new Error("not a row change");
  return decoded;
}

const decode = (value: unknown, topic = TOPIC) => rowChange(decodeDebeziumMessage({ topic, key: null, value: JSON.stringify(value) }));

/** What the SMT writes with add.fields=op,table,lsn,source.ts_ms,db. */
function unwrap(envelope: any) {
  const row = envelope.op === "d" ? envelope.before : envelope.after;
  return {
    ...row,
    __op: envelope.op,
    __table: envelope.source.table,
    __lsn: envelope.source.lsn,
    __source_ts_ms: envelope.source.ts_ms,
    __db: envelope.source.db,
    ...(envelope.op === "d" ? { __deleted: "true" } : {}),
  };
}

describe("ExtractNewRecordState records", () => {
  it("decode like the full envelope they came from (schemaless)", () => {
    const full = JSON.parse(fixtureText("pg-create-noschema.value.json"));
    const fromFull = decode(full);
    const fromFlat = decode(unwrap(full));
    expect(fromFlat.op).toBe("c");
    expect(fromFlat.after).toEqual(fromFull.after);
    expect(fromFlat.before).toBeNull();
    expect(fromFlat.table).toEqual(fromFull.table);
    expect(fromFlat.source).toMatchObject({ lsn: fromFull.source.lsn, tsMs: fromFull.source.tsMs, db: "postgres", table: "customers", schema: "public" });
  });

  it("keep the columns' Connect types when schemas are on (decimals stay exact)", () => {
    const full = JSON.parse(fixtureText("pg-decimal-precise.value.json"));
    const fromFull = decode(full, "PostgreSQL_server.public.numeric_decimal_table");
    const afterSchema = full.schema.fields.find((f: any) => f.field === "after");
    const flatSchema = {
      ...afterSchema,
      optional: false,
      fields: [
        ...afterSchema.fields,
        { type: "string", optional: true, field: "__op" },
        { type: "int64", optional: true, field: "__lsn" },
        { type: "int64", optional: true, field: "__source_ts_ms" },
        { type: "string", optional: true, field: "__table" },
        { type: "string", optional: true, field: "__db" },
      ],
    };
    const fromFlat = decode({ schema: flatSchema, payload: unwrap(full.payload) }, "PostgreSQL_server.public.numeric_decimal_table");
    expect(fromFlat.after).toEqual(fromFull.after);
    expect(fromFlat.op).toBe(fromFull.op);
    expect(fromFlat.source.lsn).toBe(fromFull.source.lsn);
  });

  it("read a rewritten delete (__deleted=true) as a delete of that row", () => {
    const full = JSON.parse(fixtureText("pg-create-noschema.value.json"));
    const deleted = decode({ ...full.after, __deleted: "true", __op: "d", __lsn: 24023200, __source_ts_ms: 1559033905000, __db: "postgres" });
    expect(deleted).toMatchObject({ op: "d", after: null, before: full.after });
    expect(deleted.source.lsn).toBe("24023200");
  });

  it("refuse a record without __op, naming what to configure", () => {
    const full = JSON.parse(fixtureText("pg-create-noschema.value.json"));
    const error = decodeError(() => decode({ ...full.after, __deleted: "false", __lsn: 1 }));
    expect(error.reason).toBe("MISSING_FIELD");
    expect(error.message).toContain("add.fields=op");
  });
});
