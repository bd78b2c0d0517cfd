// Exact decimal arithmetic for money and quantities: values travel as strings and are
// computed with decimal.js, never with JavaScript numbers (which cannot hold 0.1 exactly).
import { Decimal } from "decimal.js";

export { Decimal };

const DECIMAL_PATTERN = /^-?(0|[1-9]\d*)(\.\d+)?$/;
const MAX_DIGITS = 38;

/** True when `text` is a plain decimal literal: optional minus, digits, optional fraction. */
export function isDecimalLiteral(text: string): boolean {
  if (!DECIMAL_PATTERN.test(text)) return false;
  return text.replace(/[-.]/g, "").length <= MAX_DIGITS;
}

/** Anything a database driver or Prisma returns for a numeric column, as a Decimal. */
export function toDecimal(value: Decimal.Value | { toString(): string }): Decimal {
  if (value instanceof Decimal) return value;
  if (typeof value === "number" || typeof value === "string" || typeof value === "bigint") return new Decimal(value.toString());
  return new Decimal(value.toString());
}

/** Canonical wire form: no exponent, no trailing zeros beyond the value's own scale. */
export function decimalToString(value: Decimal.Value | { toString(): string }): string {
  return toDecimal(value).toFixed();
}

/** Money as a string with exactly two fraction digits, e.g. "1234.50". */
export function moneyToString(value: Decimal.Value | { toString(): string }): string {
  return toDecimal(value).toFixed(2);
}

export function sumDecimals(values: Iterable<Decimal.Value | { toString(): string }>): Decimal {
  let total = new Decimal(0);
  for (const value of values) total = total.plus(toDecimal(value));
  return total;
}
