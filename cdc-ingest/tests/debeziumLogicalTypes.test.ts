// Logical types decoded exactly: property tests for Decimal, VariableScaleDecimal and the
// epoch types against independent computations, and examples for the remaining types.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeColumn, decimalBase64, expectedDecimal } from "./debeziumTestSupport.js";

const decimalSchema = (scale: number) => ({
  type: "bytes",
  optional: true,
  name: "org.apache.kafka.connect.data.Decimal",
  version: 1,
  parameters: { scale: String(scale) },
});
const vsdSchema = {
  type: "struct",
  optional: true,
  name: "io.debezium.data.VariableScaleDecimal",
  fields: [
    { type: "int32", optional: false, field: "scale" },
    { type: "bytes", optional: false, field: "value" },
  ],
};
const named = (type: string, name: string, parameters?: Record<string, string>) => ({ type, optional: true, name, ...(parameters ? { parameters } : {}) });

const unscaledValues = fc.oneof(
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }),
  fc.bigInt({ min: -300n, max: 300n }),
  fc.constantFrom(0n, -1n, 127n, 128n, -128n, -129n, 255n, 256n, -(2n ** 63n), 2n ** 63n - 1n),
);

describe("Decimal (org.apache.kafka.connect.data.Decimal)", () => {
  it("decodes two’s-complement base64 to the exact decimal string for any unscaled value and scale", () => {
    fc.assert(
      fc.property(unscaledValues, fc.integer({ min: -6, max: 40 }), (unscaled, scale) => {
        const json = JSON.stringify(decimalBase64(unscaled));
        expect(decodeColumn(decimalSchema(scale), json)).toBe(expectedDecimal(unscaled, scale));
      }),
      { numRuns: 500 },
    );
  });

  it("handles negatives and values past double precision", () => {
    expect(decodeColumn(decimalSchema(2), JSON.stringify(decimalBase64(-5n)))).toBe("-0.05");
    expect(decodeColumn(decimalSchema(2), '"/w=="')).toBe("-0.01");
    expect(decodeColumn(decimalSchema(4), JSON.stringify(decimalBase64(123456789012345678901234567890n)))).toBe("12345678901234567890123456.7890");
    expect(decodeColumn(decimalSchema(0), '""')).toBe("0");
  });

  it("reads decimal.format=NUMERIC literals exactly, rescaled to the schema scale", () => {
    expect(decodeColumn(decimalSchema(4), "12345678901234567890.5")).toBe("12345678901234567890.5000");
    expect(decodeColumn(decimalSchema(2), "-1.2E+1")).toBe("-12.00");
    expect(decodeColumn(decimalSchema(2), "3.1400")).toBe("3.14");
  });

  it("keeps a 'NaN' marker string", () => {
    expect(decodeColumn(decimalSchema(2), '"NaN"')).toBe("NaN");
  });
});

describe("VariableScaleDecimal (io.debezium.data.VariableScaleDecimal)", () => {
  it("decodes {scale, value} to the exact decimal string", () => {
    fc.assert(
      fc.property(unscaledValues, fc.integer({ min: 0, max: 60 }), (unscaled, scale) => {
        const json = `{"scale":${scale},"value":${JSON.stringify(decimalBase64(unscaled))}}`;
        expect(decodeColumn(vsdSchema, json)).toBe(expectedDecimal(unscaled, scale));
      }),
      { numRuns: 500 },
    );
  });
});

const TIMESTAMP_SENTINELS = new Set([9223372036825200000n, -9223372036832400000n]);

/** Reads our ISO output back with JS Date (which covers ±273,790 years) to epoch microseconds. */
function isoToMicros(iso: string): bigint {
  const m = /^([+-]?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{6})Z$/.exec(iso);
  if (!m) throw new Error(`not an ISO timestamp with 6 digits: ${iso}`);
  const date = new Date(0);
  date.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  date.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), 0);
  return BigInt(date.getTime()) * 1000n + BigInt(m[7] ?? "0");
}

describe("epoch timestamps", () => {
  it("MicroTimestamp matches Date.toISOString within years 0000-9999, with 6 exact digits", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -62167219200000000n, max: 253402300799999999n }), (micros) => {
        const millis = micros >= 0n ? micros / 1000n : -((-micros + 999n) / 1000n);
        const expected = `${new Date(Number(millis)).toISOString().slice(0, 19)}.${String(((micros % 1000000n) + 1000000n) % 1000000n).padStart(6, "0")}Z`;
        expect(decodeColumn(named("int64", "io.debezium.time.MicroTimestamp"), micros.toString())).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it("MicroTimestamp round-trips across the whole range JS Date can check (±273,000 years)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -8_600_000_000_000_000_000n, max: 8_600_000_000_000_000_000n }), (micros) => {
        fc.pre(!TIMESTAMP_SENTINELS.has(micros));
        const iso = decodeColumn(named("int64", "io.debezium.time.MicroTimestamp"), micros.toString());
        expect(isoToMicros(String(iso))).toBe(micros);
      }),
      { numRuns: 500 },
    );
  });

  it("maps the PostgreSQL infinity sentinels of every timestamp precision", () => {
    for (const name of ["io.debezium.time.Timestamp", "io.debezium.time.MicroTimestamp", "io.debezium.time.NanoTimestamp"]) {
      expect(decodeColumn(named("int64", name), "9223372036825200000")).toBe("infinity");
      expect(decodeColumn(named("int64", name), "-9223372036832400000")).toBe("-infinity");
    }
    expect(decodeColumn(named("int64", "io.debezium.time.NanoTimestamp"), "9223372036854775807")).toBe("infinity");
    expect(decodeColumn(named("int64", "io.debezium.time.NanoTimestamp"), "-9223372036854775808")).toBe("-infinity");
  });

  it("NanoTimestamp and Connect Timestamp keep their own precision", () => {
    expect(decodeColumn(named("int64", "io.debezium.time.NanoTimestamp"), "1478267490123456789")).toBe("2016-11-04T13:51:30.123456789Z");
    expect(decodeColumn(named("int64", "io.debezium.time.NanoTimestamp"), "-1")).toBe("1969-12-31T23:59:59.999999999Z");
    expect(decodeColumn(named("int64", "org.apache.kafka.connect.data.Timestamp"), "1478267490123")).toBe("2016-11-04T13:51:30.123Z");
  });
});

describe("dates and times of day", () => {
  it("Date (days since epoch) matches JS Date over its whole range", () => {
    fc.assert(
      fc.property(fc.integer({ min: -100_000_000, max: 100_000_000 }), (days) => {
        const date = new Date(days * 86_400_000);
        const year = date.getUTCFullYear();
        const yearText = year < 0 ? `-${String(-year).padStart(4, "0")}` : year > 9999 ? `+${year}` : String(year).padStart(4, "0");
        const expected = `${yearText}-${String(date.getUTCMonth() + 1).padStart(2, "0")}-${String(date.getUTCDate()).padStart(2, "0")}`;
        expect(decodeColumn(named("int32", "io.debezium.time.Date"), String(days))).toBe(expected);
        expect(decodeColumn(named("int32", "org.apache.kafka.connect.data.Date"), String(days))).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it("maps the 'infinity' date sentinels", () => {
    const date = named("int32", "io.debezium.time.Date");
    expect(decodeColumn(date, "2146033979")).toBe("infinity"); // +5877611-06-21 (dbz#2524)
    expect(decodeColumn(date, "-2147472692")).toBe("infinity"); // DATEVAL_NOEND wrapped: -5877611-06-21
    expect(decodeColumn(date, "-2147472691")).toBe("-infinity"); // DATEVAL_NOBEGIN wrapped: -5877611-06-22
    expect(decodeColumn(date, "-2147472690")).toBe("-5877611-06-23");
  });

  it("MicroTime, NanoTime and Time print the clock with their precision", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 86_400_000_000n }), (micros) => {
        const seconds = Number(micros / 1_000_000n);
        const clock = [Math.floor(seconds / 3600), Math.floor(seconds / 60) % 60, seconds % 60].map((n) => String(n).padStart(2, "0")).join(":");
        const fraction = String(micros % 1_000_000n).padStart(6, "0");
        expect(decodeColumn(named("int64", "io.debezium.time.MicroTime"), micros.toString())).toBe(`${clock}.${fraction}`);
        expect(decodeColumn(named("int64", "io.debezium.time.NanoTime"), (micros * 1000n).toString())).toBe(`${clock}.${fraction}000`);
      }),
      { numRuns: 300 },
    );
    expect(decodeColumn(named("int32", "org.apache.kafka.connect.data.Time"), "49890123")).toBe("13:51:30.123");
  });

  it("normalises ZonedTimestamp and ZonedTime to UTC, keeping the fraction digits", () => {
    const zts = named("string", "io.debezium.time.ZonedTimestamp");
    expect(decodeColumn(zts, '"2011-01-11T16:40:30.123456789+00:00"')).toBe("2011-01-11T16:40:30.123456789Z");
    expect(decodeColumn(zts, '"2016-01-01T01:30:00+07:00"')).toBe("2015-12-31T18:30:00Z");
    expect(decodeColumn(zts, '"+21016-11-04T13:51:30.123456+07:00"')).toBe("+21016-11-04T06:51:30.123456Z");
    expect(decodeColumn(zts, '"infinity"')).toBe("infinity");
    const zt = named("string", "io.debezium.time.ZonedTime");
    expect(decodeColumn(zt, '"01:15:00.5+02:00"')).toBe("23:15:00.5Z");
    expect(decodeColumn(zt, '"11:51:30.123789Z"')).toBe("11:51:30.123789Z");
  });

  it("writes MicroDuration as exact ISO seconds and passes Interval strings", () => {
    const duration = named("int64", "io.debezium.time.MicroDuration");
    expect(decodeColumn(duration, "37091106780000")).toBe("PT37091106.78S");
    expect(decodeColumn(duration, "-1500000")).toBe("PT-1.5S");
    expect(decodeColumn(duration, "0")).toBe("PT0S");
    expect(decodeColumn(named("string", "io.debezium.time.Interval"), '"P1Y2M3DT4H5M6.78S"')).toBe("P1Y2M3DT4H5M6.78S");
  });
});

describe("other logical and plain types", () => {
  it("parses Json columns exactly, big integers included", () => {
    expect(decodeColumn(named("string", "io.debezium.data.Json"), JSON.stringify('{"qty": 2, "id": 12345678901234567890, "p": 39.98}'))).toEqual({
      qty: 2,
      id: 12345678901234567890n,
      p: 39.98,
    });
  });

  it("reads Uuid, Enum, Bits, bytes and int64", () => {
    expect(decodeColumn(named("string", "io.debezium.data.Uuid"), '"406C07F3-26F0-4EEA-A50C-109940064B8F"')).toBe("406c07f3-26f0-4eea-a50c-109940064b8f");
    expect(decodeColumn(named("string", "io.debezium.data.Enum", { allowed: "new,shipped" }), '"shipped"')).toBe("shipped");
    // BIT(5) '00101': BitSet little-endian, bits 0 and 2 set.
    expect(decodeColumn(named("bytes", "io.debezium.data.Bits", { length: "5" }), JSON.stringify(Buffer.from([0b101]).toString("base64")))).toBe("00101");
    expect(decodeColumn(named("bytes", "io.debezium.data.Bits", { length: "12" }), JSON.stringify(Buffer.from([0x01, 0x08]).toString("base64")))).toBe(
      "100000000001",
    );
    expect(decodeColumn({ type: "bytes", optional: true }, '"3q2+7w=="')).toEqual(Buffer.from([0xde, 0xad, 0xbe, 0xef]));
    expect(decodeColumn({ type: "int64", optional: true }, "9223372036854775807")).toBe(9223372036854775807n);
    expect(decodeColumn({ type: "int64", optional: true }, "-42")).toBe(-42);
  });

  it("keeps not-finite floats as 'NaN' / 'Infinity' markers", () => {
    expect(decodeColumn({ type: "float64", optional: true }, '"NaN"')).toBe("NaN");
    expect(decodeColumn({ type: "float64", optional: true }, '"-Infinity"')).toBe("-Infinity");
    expect(decodeColumn({ type: "float32", optional: true }, "1.5")).toBe(1.5);
  });

  it("decodes arrays and maps element by element", () => {
    const dates = { type: "array", optional: true, items: named("int32", "io.debezium.time.Date") };
    expect(decodeColumn(dates, "[0, null, 17109]")).toEqual(["1970-01-01", null, "2016-11-04"]);
    const hstore = { type: "map", optional: true, keys: { type: "string" }, values: { type: "string", optional: true } };
    expect(decodeColumn(hstore, '{"a":"1","b":null}')).toEqual({ a: "1", b: null });
    const byInt = { type: "map", optional: true, keys: { type: "int32" }, values: { type: "string" } };
    expect(decodeColumn(byInt, '[[1,"x"],[2,"y"]]')).toEqual([
      [1, "x"],
      [2, "y"],
    ]);
  });

  it("decodes geometry structs structurally", () => {
    const point = {
      type: "struct",
      optional: true,
      name: "io.debezium.data.geometry.Point",
      fields: [
        { type: "float64", optional: false, field: "x" },
        { type: "float64", optional: false, field: "y" },
        { type: "bytes", optional: true, field: "wkb" },
        { type: "int32", optional: true, field: "srid" },
      ],
    };
    expect(decodeColumn(point, '{"x":1.5,"y":-2,"wkb":null,"srid":null}')).toEqual({ x: 1.5, y: -2, wkb: null, srid: null });
  });

  it("keeps an unknown logical type raw only when asked to", () => {
    const fancy = named("int64", "io.debezium.time.FancyTime");
    expect(decodeColumn(fancy, "5", { unknownLogicalTypes: "raw" })).toBe(5);
  });
});
