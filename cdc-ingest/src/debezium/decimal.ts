// Exact decimal arithmetic for Connect's Decimal and Debezium's VariableScaleDecimal:
// two's-complement unscaled bytes to bigint, and bigint + scale to plain decimal text.
// Nothing here may pass through a JS number: that would round past 15-17 digits.

/** Reads a big-endian two's-complement integer, as Java's `new BigInteger(byte[])` does. */
export function unscaledFromBytes(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  const magnitude = BigInt(`0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}`);
  const negative = (bytes[0] ?? 0) >= 0x80;
  return negative ? magnitude - (1n << BigInt(bytes.length * 8)) : magnitude;
}

/** `unscaled × 10^-scale` as plain text, like Java's `BigDecimal.toPlainString()`. */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  const sign = negative ? "-" : "";
  if (scale <= 0) return unscaled === 0n ? "0" : `${sign}${digits}${"0".repeat(-scale)}`;
  const padded = digits.padStart(scale + 1, "0");
  return `${sign}${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
}

/**
 * A JSON number literal (`decimal.format=NUMERIC`) rescaled exactly to `scale`; null when
 * that would drop non-zero digits, which Connect's `setScale` would also refuse.
 */
export function decimalFromNumberLiteral(raw: string, scale: number): string | null {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(raw);
  if (!match) return null;
  const fraction = match[3] ?? "";
  const exponent = Number(match[4] ?? "0");
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > MAX_DECIMAL_SCALE) return null;
  let digits = `${match[2]}${fraction}`;
  const literalScale = fraction.length - exponent;
  if (literalScale < scale) {
    digits += "0".repeat(scale - literalScale);
  } else if (literalScale > scale) {
    const dropped = digits.slice(digits.length - (literalScale - scale));
    if (/[^0]/.test(dropped)) return null;
    digits = digits.slice(0, digits.length - (literalScale - scale)) || "0";
  }
  return formatDecimal(BigInt(`${match[1]}${digits}`), scale);
}

// PostgreSQL NUMERIC allows scales up to 16383; the bound keeps '0'.repeat() from
// allocating gigabytes on a hostile scale value.
export const MAX_DECIMAL_SCALE = 100_000;
