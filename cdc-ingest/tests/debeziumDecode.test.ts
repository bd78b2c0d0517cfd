// Decodes every file of the shared Debezium fixture corpus and checks the decoded values
// against what the fixture README (and the Debezium tests it cites) says they mean.
import { describe, expect, it } from "vitest";
import { UNCHANGED, decodeDebeziumMessage, isUnchanged, unchangedColumns, type DebeziumEnvelope, type DebeziumRowChange } from "../src/debezium/index.js";
import { decodeError, decodeFixture, fixtureBytes, fixtureNames, fixtureText } from "./debeziumTestSupport.js";

function rowChange(decoded: DebeziumEnvelope | null): DebeziumRowChange {
  if (decoded?.kind !== "change" || decoded.op === "t" || decoded.op === "m") throw new Error("not a row change");
  return decoded;
}

const customersSource = {
  connector: "postgresql",
  serverName: "PostgreSQL_server",
  version: "3.7.0.Alpha2",
  db: "postgres",
  schema: "public",
  table: "customers",
};

const anne = { id: 1, first_name: "Anne", last_name: "Kretchmar", email: "annek@noanswer.org" };

// Every fixture file with the one fact its name promises; the coverage test below fails
// when a fixture is added without an entry here.
const fixtureFacts: Record<string, (decoded: DebeziumEnvelope | null) => void> = {
  "pg-cloudevents-avro-data": () => {},
  "pg-cloudevents-json-data": (d) => {
    const change = rowChange(d);
    expect(change.op).toBe("r");
    expect(change.after).toEqual({ pk: 1, name: "Bob" });
    expect(change.source).toMatchObject({ lsn: "29274832", snapshot: true, tsMs: 1578923739738, table: "a" });
    expect(change.transaction).toEqual({ id: "565", totalOrder: 1, dataCollectionOrder: 1 });
  },
  "pg-create": (d) => {
    const change = rowChange(d);
    expect(change).toMatchObject({ kind: "change", op: "c", key: { id: 1 }, before: null, after: anne });
    expect(change.source).toEqual({
      ...customersSource,
      lsn: "24023128",
      txId: "555",
      tsMs: 1559033904863,
      snapshot: true,
      sequence: ["24023119", "24023128"],
    });
    expect(change.tsMs).toBe(1559033904863);
  },
  "pg-create-noschema": (d) => expect(rowChange(d)).toMatchObject({ op: "c", after: anne, table: { table: "customers" } }),
  "pg-create-captured-2.1.4-noschema": (d) => {
    const change = rowChange(d);
    expect(change.source).toMatchObject({ snapshot: false, lsn: "34466480", txId: "767", version: "2.1.4.Final" });
    expect(change.transaction).toBeUndefined();
    expect(change.after).toMatchObject({ id: 1005, first_name: "Bob" });
  },
  "pg-create-with-transaction-block": (d) => expect(rowChange(d).transaction).toEqual({ id: "571:53195832", totalOrder: 1, dataCollectionOrder: 1 }),
  "pg-create-zonedtimestamp-noschema": (d) =>
    // No schema: nothing says this string is a ZonedTimestamp, so it passes untouched.
    expect(rowChange(d).after?.["created_at"]).toBe("2011-01-11T16:40:30.123456789+00:00"),
  "pg-decimal-double": (d) => {
    const after = rowChange(d).after ?? {};
    expect(after).toMatchObject({ d: 1.1, dzs: 10, dvs: 10.1111, d_nn: 3.3, n: 22.22, nvs: 22.2222 });
    for (const column of ["d_nan", "dzs_nan", "dvs_nan", "n_nan", "nzs_nan", "nvs_nan"]) expect(after[column]).toBe("NaN");
  },
  "pg-decimal-precise": (d) =>
    expect(rowChange(d).after).toEqual({
      pk: 1,
      d: "1.10",
      dzs: "10",
      dvs: "10.1111",
      d_nn: "3.30",
      n: "22.2200",
      nzs: "22",
      nvs: "22.2222",
      d_int: "1.00",
      dzs_int: "10",
      dvs_int: "10",
      n_int: "22.0000",
      nzs_int: "22",
      nvs_int: "22",
      d_nan: null,
      dzs_nan: null,
      dvs_nan: null,
      n_nan: null,
      nzs_nan: null,
      nvs_nan: null,
    }),
  "pg-decimal-string": (d) => expect(rowChange(d).after).toMatchObject({ d: "1.10", dvs: "10.1111", d_nan: "NAN" }),
  "pg-delete": (d) => expect(rowChange(d)).toMatchObject({ op: "d", key: { id: 1 }, before: { id: 1 }, after: null }),
  "pg-delete-tombstone": (d) => expect(d).toBeNull(),
  "pg-heartbeat": (d) =>
    expect(d).toEqual({ kind: "heartbeat", topic: "__debezium-heartbeat.PostgreSQL_server", serverName: "PostgreSQL_server", tsMs: 1559033904863 }),
  "pg-incremental-snapshot-read": (d) => expect(rowChange(d)).toMatchObject({ op: "r", source: { snapshot: "incremental", lsn: null, txId: null } }),
  "pg-message-json-content-noschema": (d) => {
    if (d?.kind !== "change" || d.op !== "m") throw new Error("not a message");
    expect(d.table).toBeNull();
    expect(d.message.prefix).toBe("test-prefix");
    expect(JSON.parse(d.message.content.toString("utf8"))).toEqual({
      id: 1,
      item: "Debezium in Action",
      status: "ENTERED",
      quantity: 2,
      totalPrice: 39.98,
    });
  },
  "pg-message-nontransactional": (d) => {
    if (d?.kind !== "change" || d.op !== "m") throw new Error("not a message");
    expect(d.source.txId).toBeNull();
    expect(d.message.content).toEqual(Buffer.from([0x62, 0x67, 0xf2])); // "Ymfy", verbatim from the docs
  },
  "pg-message-transactional": (d) => {
    if (d?.kind !== "change" || d.op !== "m") throw new Error("not a message");
    expect(d).toMatchObject({ key: { prefix: "foo" }, source: { txId: "556", lsn: "46523128" }, message: { prefix: "foo" } });
    expect([...d.message.content]).toEqual([0x62, 0x67, 0xf2]);
  },
  "pg-outbox-create-noschema": (d) => {
    const change = rowChange(d);
    expect(change.key).toBe("406c07f3-26f0-4eea-a50c-109940064b8f");
    // Old connectors: source has ts_usec only; it is floored to milliseconds.
    expect(change.source.tsMs).toBe(1556890294448);
    expect(JSON.parse(String(change.after?.["payload"]))).toMatchObject({ id: 1, customerId: 123 });
  },
  "pg-pk-change-1-delete": (d) => expect(rowChange(d)).toMatchObject({ op: "d", key: { id: 1 }, keyUpdate: { newKey: { id: 2 } } }),
  "pg-pk-change-2-tombstone": (d) => expect(d).toBeNull(),
  "pg-pk-change-3-create": (d) =>
    expect(rowChange(d)).toMatchObject({ op: "c", key: { id: 2 }, after: { id: 2, first_name: "Anne Marie" }, keyUpdate: { oldKey: { id: 1 } } }),
  "pg-snapshot-read-captured-2.1.3-noschema": (d) => expect(rowChange(d)).toMatchObject({ op: "r", source: { snapshot: true }, after: { id: 1001 } }),
  "pg-temporal-adaptive": (d) =>
    expect(rowChange(d).after).toEqual({
      pk: 1,
      ts: "2016-11-04T13:51:30.123456Z",
      tsneg: "1936-10-25T22:10:12.608000Z",
      ts_ms: "2016-11-04T13:51:30.123Z",
      ts_us: "2016-11-04T13:51:30.123456Z",
      tz: "2016-11-04T11:51:30.123456Z",
      date: "2016-11-04",
      ti: "13:51:30.000000",
      tip: "13:51:30.123",
      ttf: "24:00:00.000000",
      ttz: "11:51:30.123789Z",
      tptz: "11:51:30.123Z",
      it: "PT37091106.78S",
      ts_large: "+21016-11-04T13:51:30.123456Z",
      ts_large_us: "+21016-11-04T13:51:30.123457Z",
      ts_large_ms: "+21016-11-04T13:51:30.124Z",
      tz_large: "+21016-11-04T06:51:30.123456Z",
      ts_max: "+294247-01-01T23:59:59.999999Z",
      ts_min: "-4712-12-31T23:59:59.999999Z",
      tz_max: "+294247-01-01T23:59:59.999999Z",
      tz_min: "-4713-12-31T23:59:59.999999Z",
      ts_pinf: "infinity",
      ts_ninf: "-infinity",
      tz_pinf: "infinity",
      tz_ninf: "-infinity",
      tz_zero: "+21016-11-04T06:51:30.000000Z",
    }),
  "pg-transaction-begin": (d) =>
    expect(d).toEqual({ kind: "transaction", topic: "PostgreSQL_server.transaction", status: "BEGIN", id: "571:53195829", tsMs: 1486500577125 }),
  "pg-transaction-end": (d) =>
    expect(d).toEqual({
      kind: "transaction",
      topic: "PostgreSQL_server.transaction",
      status: "END",
      id: "571:53195832",
      tsMs: 1486500577691,
      eventCount: 2,
      dataCollections: [
        { dataCollection: "s1.a", eventCount: 1 },
        { dataCollection: "s2.a", eventCount: 1 },
      ],
    }),
  "pg-truncate": (d) =>
    expect(d).toMatchObject({ kind: "change", op: "t", key: null, table: { schema: "public", table: "customers" }, before: null, after: null }),
  "pg-update-replica-identity-default": (d) => expect(rowChange(d)).toMatchObject({ op: "u", before: { id: 1 }, after: { ...anne, first_name: "Anne Marie" } }),
  "pg-update-replica-identity-full": (d) => expect(rowChange(d)).toMatchObject({ op: "u", before: anne, after: { ...anne, first_name: "Anne Marie" } }),
  "pg-update-toast-unavailable-value-noschema": (d) => {
    const after = rowChange(d).after;
    expect(after?.["biography"]).toBe(UNCHANGED);
    expect(isUnchanged(after?.["biography"])).toBe(true);
    expect(isUnchanged(after?.["email"])).toBe(false);
    expect(unchangedColumns(after)).toEqual(["biography"]);
  },
};

function topicFor(name: string): string {
  if (name.startsWith("pg-heartbeat")) return "__debezium-heartbeat.PostgreSQL_server";
  if (name.startsWith("pg-transaction")) return "PostgreSQL_server.transaction";
  return "PostgreSQL_server.public.customers";
}

const keyChangeHeaders = JSON.parse(fixtureText("pg-pk-change.headers.json")) as Record<string, Record<string, unknown>>;

/** The fixture gives the logical key structs; a JSON header converter without schemas writes them as JSON. */
function headersFor(name: string): Record<string, string> | undefined {
  const headers = keyChangeHeaders[name];
  if (!headers) return undefined;
  return Object.fromEntries(Object.entries(headers).map(([header, key]) => [header, JSON.stringify(key)]));
}

describe("decodeDebeziumMessage on the shared fixture corpus", () => {
  it("has an expectation for every fixture file", () => {
    expect(fixtureNames()).toEqual(Object.keys(fixtureFacts).sort());
  });

  for (const name of Object.keys(fixtureFacts)) {
    if (name === "pg-cloudevents-avro-data") continue;
    it(`decodes ${name}`, () => {
      fixtureFacts[name]?.(decodeFixture(name, { topic: topicFor(name), headers: headersFor(name) }));
    });
  }

  it("refuses CloudEvents with Avro data, which needs a schema registry", () => {
    expect(decodeError(() => decodeFixture("pg-cloudevents-avro-data")).reason).toBe("UNSUPPORTED_FORMAT");
  });

  it("decodes precise decimals to the same exact strings as decimal.handling.mode=string", () => {
    const precise = rowChange(decodeFixture("pg-decimal-precise")).after ?? {};
    const asString = rowChange(decodeFixture("pg-decimal-string")).after ?? {};
    for (const column of Object.keys(precise).filter((c) => c !== "pk" && !c.endsWith("_nan"))) {
      expect(precise[column]).toBe(asString[column]);
    }
  });

  it("decodes the same envelope with and without schemas to the same change", () => {
    const withSchema = rowChange(decodeFixture("pg-create"));
    const withoutSchema = rowChange(
      decodeDebeziumMessage({ ...fixtureBytes("pg-create-noschema"), topic: withSchema.topic, key: fixtureBytes("pg-create").key }),
    );
    expect(withoutSchema).toEqual(withSchema);
  });

  it("reads the key-change headers also when they carry a JsonConverter schema", () => {
    const header = Buffer.from(JSON.stringify({ schema: { type: "struct", fields: [{ type: "int32", optional: false, field: "id" }] }, payload: { id: 2 } }));
    const decoded = decodeFixture("pg-pk-change-1-delete", { headers: { "__debezium.newkey": header } });
    expect(rowChange(decoded).keyUpdate).toEqual({ newKey: { id: 2 } });
  });
});
