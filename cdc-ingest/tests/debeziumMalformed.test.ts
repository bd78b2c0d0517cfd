// Malformed input: every broken record must end in a DebeziumDecodeError with the right
// reason, part and path (for the dead-letter queue); never a TypeError or a crash.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DebeziumDecodeError, decodeDebeziumMessage, type DebeziumRawMessage } from "../src/debezium/index.js";
import { decodeColumn, decodeError, fixtureBytes, fixtureNames, schemaChange } from "./debeziumTestSupport.js";

const topic = "srv.public.items";
const decodeValue = (value: string | Buffer, extra: Partial<DebeziumRawMessage> = {}) => decodeDebeziumMessage({ topic, key: null, value, ...extra });
const noschema = (payload: Record<string, unknown>) =>
  JSON.stringify({
    before: null,
    after: { id: 1 },
    source: { connector: "postgresql", db: "erp", schema: "public", table: "items", ts_ms: 1, lsn: 10, txId: 2 },
    op: "c",
    ts_ms: 2,
    ...payload,
  });

describe("tombstones", () => {
  it.each([
    ["null", null],
    ["undefined", undefined],
    ["an empty Buffer", Buffer.alloc(0)],
    ["an empty string", ""],
    ["the JSON text null", "null"],
    ["a JsonConverter frame with a null payload", '{"schema":null,"payload":null}'],
  ])("decodes %s as a tombstone", (_label, value) => {
    expect(decodeDebeziumMessage({ topic, key: '{"id":1}', value })).toBeNull();
  });
});

describe("malformed records", () => {
  it("reports truncated JSON as INVALID_JSON", () => {
    const bytes = fixtureBytes("pg-create").value;
    const error = decodeError(() => decodeValue(bytes.subarray(0, bytes.length - 10)));
    expect(error).toBeInstanceOf(DebeziumDecodeError);
    expect(error).toMatchObject({ reason: "INVALID_JSON", part: "value", topic });
  });

  it("reports bytes that are not UTF-8 as INVALID_JSON", () => {
    expect(decodeError(() => decodeValue(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]))).reason).toBe("INVALID_JSON");
  });

  it("reports a broken key as INVALID_JSON of the key part", () => {
    expect(decodeError(() => decodeValue(noschema({}), { key: '{"id":' }))).toMatchObject({ reason: "INVALID_JSON", part: "key" });
  });

  it("reports an unknown op as UNKNOWN_OP", () => {
    expect(decodeError(() => decodeValue(noschema({ op: "x" })))).toMatchObject({ reason: "UNKNOWN_OP", path: "op" });
    expect(decodeError(() => decodeValue(noschema({ op: 1 }))).reason).toBe("BAD_FIELD_TYPE");
  });

  it("reports a schema without payload as MISSING_PAYLOAD", () => {
    expect(decodeError(() => decodeValue('{"schema":{"type":"struct","fields":[]}}')).reason).toBe("MISSING_PAYLOAD");
  });

  it("reports envelope fields that are missing", () => {
    expect(decodeError(() => decodeValue(noschema({ source: null })))).toMatchObject({ reason: "MISSING_FIELD", path: "source" });
    expect(decodeError(() => decodeValue(noschema({ after: null })))).toMatchObject({ reason: "MISSING_FIELD", path: "after" });
    expect(decodeError(() => decodeValue(noschema({ op: undefined }))).reason).toBe("MISSING_FIELD");
    expect(decodeError(() => decodeValue(noschema({ source: { connector: "postgresql", ts_ms: 1 } }))).path).toBe("source.db");
  });

  it("reports values that do not fit the envelope or their schema as BAD_FIELD_TYPE", () => {
    expect(decodeError(() => decodeValue(noschema({ after: [1, 2] }))).reason).toBe("BAD_FIELD_TYPE");
    expect(decodeError(() => decodeValue(noschema({ ts_ms: "soon" }))).reason).toBe("BAD_FIELD_TYPE");
    expect(decodeError(() => decodeValue(noschema({ source: { connector: "postgresql", db: "erp", ts_ms: 1, snapshot: "maybe" } }))).reason).toBe(
      "BAD_FIELD_TYPE",
    );
    const wrongType = decodeError(() => decodeColumn({ type: "int32", optional: true }, '"seven"'));
    expect(wrongType).toMatchObject({ reason: "BAD_FIELD_TYPE", path: "payload.after.v" });
    expect(decodeError(() => decodeColumn({ type: "int32", optional: true }, "2147483648")).reason).toBe("BAD_FIELD_TYPE");
    expect(decodeError(() => decodeColumn({ type: "int64", optional: true }, "1.5")).reason).toBe("BAD_FIELD_TYPE");
    expect(decodeError(() => decodeColumn({ type: "bytes", optional: true }, '"not base64!"')).reason).toBe("BAD_FIELD_TYPE");
    expect(decodeError(() => decodeColumn({ type: "string", optional: false }, "null")).reason).toBe("MISSING_FIELD");
    const date = { type: "int32", optional: true, name: "io.debezium.time.Date" };
    expect(decodeError(() => decodeColumn(date, '"2016-11-04"')).reason).toBe("BAD_FIELD_TYPE");
    const zoned = { type: "string", optional: true, name: "io.debezium.time.ZonedTimestamp" };
    expect(decodeError(() => decodeColumn(zoned, '"2016-13-04T00:00:00Z"')).reason).toBe("BAD_FIELD_TYPE");
    const time = { type: "int64", optional: true, name: "io.debezium.time.MicroTime" };
    expect(decodeError(() => decodeColumn(time, "86400000001")).reason).toBe("BAD_FIELD_TYPE");
  });

  it("reports malformed schemas as BAD_SCHEMA", () => {
    const decimalWithoutScale = { type: "bytes", optional: true, name: "org.apache.kafka.connect.data.Decimal" };
    expect(decodeError(() => decodeColumn(decimalWithoutScale, '"AQ=="')).reason).toBe("BAD_SCHEMA");
    expect(decodeError(() => decodeColumn({ type: "int128", optional: true }, "1")).reason).toBe("BAD_SCHEMA");
    expect(decodeError(() => decodeColumn({ type: "array", optional: true }, "[]")).reason).toBe("BAD_SCHEMA");
  });

  it("refuses unknown logical types by default", () => {
    const error = decodeError(() => decodeColumn({ type: "int64", optional: true, name: "io.debezium.time.FancyTime" }, "5"));
    expect(error).toMatchObject({ reason: "UNSUPPORTED_LOGICAL_TYPE", path: "payload.after.v" });
  });

  it("tells what is not a Debezium envelope", () => {
    expect(decodeError(() => decodeValue("[1,2,3]")).reason).toBe("NOT_AN_ENVELOPE");
    expect(decodeError(() => decodeValue("42")).reason).toBe("NOT_AN_ENVELOPE");
    expect(decodeError(() => decodeValue('{"hello":"world"}')).reason).toBe("NOT_AN_ENVELOPE");
    expect(decodeError(() => decodeValue('{"status":"COMMIT","id":"1:2","ts_ms":1}')).reason).toBe("BAD_FIELD_TYPE");
  });

  it("survives hostile nesting and keys without a RangeError or prototype change", () => {
    expect(decodeError(() => decodeValue(`${"[".repeat(100_000)}${"]".repeat(100_000)}`)).reason).toBe("INVALID_JSON");
    const decoded = decodeValue(noschema({ after: JSON.parse('{"__proto__":{"polluted":true},"constructor":1}') as object }));
    if (decoded?.kind !== "change" || decoded.op !== "c") throw new Error("expected a create");
    expect(Object.getPrototypeOf(decoded.after)).toBe(Object.prototype);
    expect(Object.keys(decoded.after ?? {})).toEqual(["__proto__", "constructor"]);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("does not treat an absent column as null, even when it is named like an Object member", () => {
    const decoded = decodeValue(
      schemaChange({ constructor: { schema: { type: "string", optional: true }, json: '"x"' } }).replace('"after":{"constructor":"x"}', '"after":{}'),
    );
    if (decoded?.kind !== "change" || decoded.op !== "c") throw new Error("expected a create");
    expect(decoded.after).toEqual({});
  });

  it("only ever throws DebeziumDecodeError, whatever the bytes (mutated fixtures)", () => {
    const corpus = fixtureNames().map((name) => fixtureBytes(name).value);
    fc.assert(
      fc.property(
        fc.constantFrom(...corpus),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom("set", "delete", "insert")), { minLength: 1, maxLength: 4 }),
        (original, edits) => {
          let bytes = Buffer.from(original);
          for (const [at, byte, kind] of edits) {
            const i = at % (bytes.length + 1);
            if (kind === "delete") bytes = Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + 1)]);
            else if (kind === "insert") bytes = Buffer.concat([bytes.subarray(0, i), Buffer.from([byte]), bytes.subarray(i)]);
            else if (i < bytes.length) bytes[i] = byte;
          }
          try {
            decodeDebeziumMessage({ topic, key: null, value: bytes });
          } catch (error) {
            expect(error).toBeInstanceOf(DebeziumDecodeError);
            expect((error as DebeziumDecodeError).reason).not.toBe("INTERNAL_ERROR");
          }
        },
      ),
      { numRuns: 1500 },
    );
  });

  it("only ever throws DebeziumDecodeError for arbitrary JSON in envelope positions", () => {
    fc.assert(
      fc.property(fc.constantFrom("before", "after", "source", "op", "ts_ms", "transaction", "message"), fc.jsonValue(), (field, value) => {
        try {
          decodeValue(noschema({ [field]: value }));
        } catch (error) {
          expect(error).toBeInstanceOf(DebeziumDecodeError);
          expect((error as DebeziumDecodeError).reason).not.toBe("INTERNAL_ERROR");
        }
      }),
      { numRuns: 1000 },
    );
  });
});
