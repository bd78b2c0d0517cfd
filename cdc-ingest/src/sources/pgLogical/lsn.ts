// WAL positions and Postgres protocol timestamps. LSNs travel as "X/Y" text in SQL and as
// 64-bit integers on the wire; the read model compares them as decimal digit strings, so a
// position must never pass through a JavaScript float.

/** "16/B374D848" → 0x16B374D848n. */
export function parseLsn(text: string): bigint {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text);
  if (!match) throw new Error(`not an LSN: ${text}`);
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

export function formatLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** Microseconds between the Unix epoch and the Postgres epoch (2000-01-01). */
const PG_EPOCH_MICROS = 946_684_800_000_000n;

export function pgMicrosToEpochMillis(micros: bigint): number {
  return Number((micros + PG_EPOCH_MICROS) / 1000n);
}

export function epochMillisToPgMicros(ms: number): bigint {
  return BigInt(ms) * 1000n - PG_EPOCH_MICROS;
}
