// Unchanged TOAST columns in every placeholder form, the noschema encoder (decode of encode
// is the identity), heartbeats without schema, and key-change headers.
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  UNCHANGED,
  decodeDebeziumMessage,
  encodeDebeziumEnvelope,
  encodeDebeziumValue,
  unchangedColumns,
  type DebeziumRowChange,
  type DebeziumValue,
} from "../src/debezium/index.js";
import { decodeColumn } from "./debeziumTestSupport.js";

const PLACEHOLDER = "__debezium_unavailable_value";

describe("unchanged TOAST placeholder", () => {
  it("becomes UNCHANGED in each form the Postgres connector writes", () => {
    const base64 = JSON.stringify(Buffer.from(PLACEHOLDER).toString("base64"));
    expect(decodeColumn({ type: "string", optional: true }, JSON.stringify(PLACEHOLDER))).toBe(UNCHANGED);
    expect(decodeColumn({ type: "bytes", optional: true }, base64)).toBe(UNCHANGED);
    expect(decodeColumn({ type: "string", optional: true, name: "io.debezium.data.Json" }, JSON.stringify(PLACEHOLDER))).toBe(UNCHANGED);
    const textArray = { type: "array", optional: true, items: { type: "string", optional: true } };
    expect(decodeColumn(textArray, JSON.stringify([PLACEHOLDER]))).toBe(UNCHANGED);
    const intArray = { type: "array", optional: true, items: { type: "int32", optional: true } };
    expect(decodeColumn(intArray, JSON.stringify([...Buffer.from(PLACEHOLDER)]))).toBe(UNCHANGED);
    expect(decodeColumn(intArray, "[1,2,3]")).toEqual([1, 2, 3]);
    const hstore = { type: "map", optional: true, keys: { type: "string" }, values: { type: "string", optional: true } };
    expect(decodeColumn(hstore, JSON.stringify({ [PLACEHOLDER]: PLACEHOLDER }))).toBe(UNCHANGED);
    // UUID.nameUUIDFromBytes("__debezium_unavailable_value")
    const uuid = { type: "string", optional: true, name: "io.debezium.data.Uuid" };
    expect(decodeColumn(uuid, JSON.stringify(nameUuid(PLACEHOLDER)))).toBe(UNCHANGED);
  });

  it("honours a custom unavailable.value.placeholder", () => {
    const options = { unavailableValuePlaceholder: "~toast~" };
    expect(decodeColumn({ type: "string", optional: true }, '"~toast~"', options)).toBe(UNCHANGED);
    expect(decodeColumn({ type: "string", optional: true }, JSON.stringify(PLACEHOLDER), options)).toBe(PLACEHOLDER);
  });

  it("lists the columns a projection must leave as they are", () => {
    expect(unchangedColumns({ id: 1, bio: UNCHANGED, notes: UNCHANGED, name: "x" })).toEqual(["bio", "notes"]);
    expect(unchangedColumns(null)).toEqual([]);
  });
});

/** UUID.nameUUIDFromBytes: md5, then the version-3 and IETF variant bits. */
function nameUuid(text: string): string {
  const hash = createHash("md5").update(text).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x30;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const columnValue: fc.Arbitrary<DebeziumValue> = fc.letrec<{ value: DebeziumValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    fc.maxSafeInteger(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    // bigint only where a number cannot hold the value; below that the decoder gives numbers.
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).filter((b) => b >= 2n ** 53n || b <= -(2n ** 53n)),
    fc.string().filter((s) => s !== PLACEHOLDER),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), tie("value"), { maxKeys: 3 }),
  ),
})).value;

describe("encodeDebeziumEnvelope", () => {
  it("round-trips any row change through the noschema JSON form", () => {
    const change = fc.record({
      op: fc.constantFrom("c" as const, "u" as const, "r" as const),
      after: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.oneof(columnValue, fc.constant(UNCHANGED)), { maxKeys: 6 }),
      lsn: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      txId: fc.option(fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }), { nil: null }),
      snapshot: fc.constantFrom(true, false, "first" as const, "last" as const, "incremental" as const),
      tsMs: fc.integer({ min: 0, max: 4_102_444_800_000 }),
    });
    fc.assert(
      fc.property(change, (c) => {
        const original: DebeziumRowChange = {
          kind: "change",
          topic: "srv.public.items",
          key: { id: 1 },
          op: c.op,
          table: { schema: "public", table: "items" },
          before: null,
          after: c.after,
          tsMs: c.tsMs,
          source: {
            connector: "postgresql",
            serverName: "srv",
            version: null,
            db: "erp",
            schema: "public",
            table: "items",
            lsn: c.lsn.toString(),
            txId: c.txId === null ? null : c.txId.toString(),
            tsMs: c.tsMs,
            snapshot: c.snapshot,
            sequence: [null, c.lsn.toString()],
          },
          transaction: { id: "7:9", totalOrder: 3, dataCollectionOrder: 2 },
        };
        const decoded = decodeDebeziumMessage({
          topic: original.topic,
          key: encodeDebeziumValue(original.key),
          value: encodeDebeziumEnvelope(original),
        });
        expect(decoded).toEqual(original);
      }),
      { numRuns: 300 },
    );
  });

  it("writes int64 digits exactly and bytes as base64", () => {
    expect(encodeDebeziumValue({ lsn: 18446744073709551615n, b: Buffer.from("hi"), u: UNCHANGED })).toBe(
      `{"lsn":18446744073709551615,"b":"aGk=","u":"${PLACEHOLDER}"}`,
    );
  });

  it("round-trips heartbeats and transaction events", () => {
    for (const envelope of [
      { kind: "heartbeat" as const, topic: "__debezium-heartbeat.srv", serverName: "srv", tsMs: 5 },
      { kind: "transaction" as const, topic: "srv.transaction", status: "BEGIN" as const, id: "1:2", tsMs: 6 },
      {
        kind: "transaction" as const,
        topic: "srv.transaction",
        status: "END" as const,
        id: "1:2",
        tsMs: 7,
        eventCount: 1,
        dataCollections: [{ dataCollection: "public.items", eventCount: 1 }],
      },
    ]) {
      const key = envelope.kind === "heartbeat" ? '{"serverName":"srv"}' : null;
      expect(decodeDebeziumMessage({ topic: envelope.topic, key, value: encodeDebeziumEnvelope(envelope) })).toEqual(envelope);
    }
  });
});

describe("key-change headers", () => {
  const deleteOfOldKey = encodeDebeziumEnvelope({
    kind: "change",
    topic: "srv.public.items",
    key: { id: 1 },
    op: "d",
    table: { schema: "public", table: "items" },
    before: { id: 1 },
    after: null,
    tsMs: 1,
    source: {
      connector: "postgresql",
      serverName: "srv",
      version: null,
      db: "erp",
      schema: "public",
      table: "items",
      lsn: "10",
      txId: "2",
      tsMs: 1,
      snapshot: false,
    },
  });

  it("keeps header text that is not JSON (e.g. SimpleHeaderConverter) as the string it is", () => {
    const decoded = decodeDebeziumMessage({
      topic: "srv.public.items",
      key: '{"id":1}',
      value: deleteOfOldKey,
      headers: { "__debezium.newkey": Buffer.from("Struct{id=2}") },
    });
    expect(decoded).toMatchObject({ op: "d", keyUpdate: { newKey: "Struct{id=2}" } });
  });

  it("reads the last value of a repeated header and ignores other headers", () => {
    const decoded = decodeDebeziumMessage({
      topic: "srv.public.items",
      key: '{"id":1}',
      value: deleteOfOldKey,
      headers: { "__debezium.newkey": ['{"id":2}', '{"id":3}'], traceparent: "x" },
    });
    expect(decoded).toMatchObject({ keyUpdate: { newKey: { id: 3 } } });
    const without = decodeDebeziumMessage({ topic: "srv.public.items", key: '{"id":1}', value: deleteOfOldKey, headers: {} });
    expect(without).not.toHaveProperty("keyUpdate");
  });
});
