// The exact JSON parser: it must accept and reject exactly what JSON.parse does, agree with
// it on every value a double can hold, and keep integer digits that a double cannot.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { JsonSyntaxError, parseJsonExact, toPlainJson, type PlainJson } from "../src/debezium/jsonBigParse.js";

function asDoubles(value: PlainJson): unknown {
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map(asDoubles);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asDoubles(v)]));
  }
  return value;
}

function outcome(parse: () => unknown): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: parse() };
  } catch {
    return { ok: false };
  }
}

describe("parseJsonExact", () => {
  it("agrees with JSON.parse on any JSON document", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(0, 2), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        expect(asDoubles(toPlainJson(parseJsonExact(text)))).toEqual(JSON.parse(text));
      }),
      { numRuns: 500 },
    );
  });

  it("accepts and rejects exactly what JSON.parse does", () => {
    const nearlyJson = fc.tuple(fc.json(), fc.nat(), fc.string({ maxLength: 2 })).map(([text, at, insert]) => {
      const i = at % (text.length + 1);
      return text.slice(0, i) + insert + text.slice(i + (at % 2));
    });
    fc.assert(
      fc.property(fc.oneof(nearlyJson, fc.string({ maxLength: 12 })), (text) => {
        const ours = outcome(() => asDoubles(toPlainJson(parseJsonExact(text))));
        const reference = outcome(() => JSON.parse(text) as unknown);
        expect(ours.ok).toBe(reference.ok);
        if (ours.ok && reference.ok) expect(ours.value).toEqual(reference.value);
      }),
      { numRuns: 2000 },
    );
  });

  it("keeps every digit of integers beyond 2^53 and uses numbers below", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }), (n) => {
        const parsed = toPlainJson(parseJsonExact(`{"v":${n}}`)) as { v: number | bigint };
        if (n >= -(2n ** 53n) + 1n && n <= 2n ** 53n - 1n) expect(parsed.v).toBe(Number(n));
        else expect(parsed.v).toBe(n);
      }),
    );
    expect(toPlainJson(parseJsonExact("[9223372036825200000, -9223372036832400000, 1.5e3, 9007199254740993]"))).toEqual([
      9223372036825200000n,
      -9223372036832400000n,
      1500,
      9007199254740993n,
    ]);
  });

  it("decodes escapes and surrogate pairs like JSON.parse", () => {
    const text = String.raw`"tab\t quote\" slash\/ \u00e9 \ud83d\ude00 lone \ud800"`;
    expect(parseJsonExact(text)).toBe(JSON.parse(text));
  });

  it("reports the offset of a syntax error", () => {
    const error = outcome(() => parseJsonExact('{"a": tru}'));
    expect(error.ok).toBe(false);
    expect(() => parseJsonExact('{"a": tru}')).toThrow(JsonSyntaxError);
    expect(() => parseJsonExact('{"a": 01}')).toThrow(/offset 7/);
  });
});
