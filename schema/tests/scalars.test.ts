import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Kind } from "graphql";
import { DecimalScalar, DateTimeScalar, Decimal, decodeCursor, encodeCursor, moneyToString, pageSize, isDecimalLiteral } from "../src/index.js";

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { extensions?: { code?: string } }).extensions?.code;
  }
  return "no error";
};

describe("Decimal scalar", () => {
  it("keeps the scale of a decimal string and never goes through a float", () => {
    expect(DecimalScalar.serialize("1234.50")).toBe("1234.50");
    expect(DecimalScalar.serialize(new Decimal("0.1").plus("0.2"))).toBe("0.3");
    expect(DecimalScalar.parseValue("12345678901234567890.123456789")).toBe("12345678901234567890.123456789");
    expect(DecimalScalar.parseValue(7)).toBe("7");
    expect(DecimalScalar.parseLiteral({ kind: Kind.STRING, value: "-2.5" }, {})).toBe("-2.5");
  });

  it("rejects anything that is not an exact decimal with INVALID_DECIMAL", () => {
    for (const bad of ["abc", "1e5", "1.", ".5", "", "NaN", "0x10", " 1 2"])
      expect(
        code(() => DecimalScalar.parseValue(bad)),
        bad,
      ).toBe("INVALID_DECIMAL");
    expect(code(() => DecimalScalar.parseValue(0.1))).toBe("INVALID_DECIMAL");
    expect(code(() => DecimalScalar.parseValue("1".repeat(39)))).toBe("INVALID_DECIMAL");
  });

  it("round-trips every decimal literal exactly (property)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.integer({ min: 0, max: 8 }), (unscaled, scale) => {
        const text = new Decimal(unscaled.toString()).div(new Decimal(10).pow(scale)).toFixed(scale);
        expect(isDecimalLiteral(text)).toBe(true);
        expect(new Decimal(DecimalScalar.parseValue(text) as string).eq(text)).toBe(true);
      }),
    );
  });

  it("formats money with two decimals", () => {
    expect(moneyToString("12")).toBe("12.00");
    expect(moneyToString(new Decimal("3.456"))).toBe("3.46");
  });
});

describe("DateTime scalar", () => {
  it("serializes to UTC ISO and rejects non-ISO input with INVALID_DATETIME", () => {
    expect(DateTimeScalar.serialize(new Date(Date.UTC(2026, 0, 31, 12)))).toBe("2026-01-31T12:00:00.000Z");
    expect((DateTimeScalar.parseValue("2026-01-31T12:00:00+02:00") as Date).toISOString()).toBe("2026-01-31T10:00:00.000Z");
    expect(code(() => DateTimeScalar.parseValue("yesterday"))).toBe("INVALID_DATETIME");
    expect(code(() => DateTimeScalar.parseValue("2026-13-45T00:00:00Z"))).toBe("INVALID_DATETIME");
  });
});

describe("cursors and page sizes", () => {
  it("round-trips opaque cursors and rejects foreign ones", () => {
    const cursor = encodeCursor(["SO-1", 42]);
    expect(decodeCursor(cursor, 2)).toEqual(["SO-1", 42]);
    expect(code(() => decodeCursor(cursor, 3))).toBe("INVALID_CURSOR");
    expect(code(() => decodeCursor("not-a-cursor", 1))).toBe("INVALID_CURSOR");
  });

  it("bounds page sizes", () => {
    expect(pageSize(undefined)).toBe(50);
    expect(pageSize(0)).toBe(0);
    expect(code(() => pageSize(-1))).toBe("BAD_USER_INPUT");
    expect(code(() => pageSize(501))).toBe("BAD_USER_INPUT");
  });
});
