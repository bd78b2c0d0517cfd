// Exact calendar arithmetic for Debezium's temporal types: epoch counts (ms/µs/ns, days)
// to ISO 8601 text and the normalisation of zoned strings. JS Date is never used: it only
// spans ±275760 years and milliseconds, while PostgreSQL timestamps reach year 294276 in µs.

export type EpochUnit = "ms" | "us" | "ns";

const UNITS: Record<EpochUnit, { perSecond: bigint; digits: number }> = {
  ms: { perSecond: 1_000n, digits: 3 },
  us: { perSecond: 1_000_000n, digits: 6 },
  ns: { perSecond: 1_000_000_000n, digits: 9 },
};

// pgjdbc's DATE_POSITIVE/NEGATIVE_INFINITY, which Debezium writes for 'infinity' timestamps
// whatever the unit, and Long.MAX/MIN, which it writes for NanoTimestamp (dbz#2524).
const POSITIVE_INFINITY_TIMESTAMPS = new Set([9223372036825200000n, 9223372036854775807n]);
const NEGATIVE_INFINITY_TIMESTAMPS = new Set([-9223372036832400000n, -9223372036854775808n]);

// 'infinity' dates. pgoutput sends PostgreSQL's DATEVAL_NOEND/NOBEGIN (int32 extremes from
// 2000-01-01) shifted to the Unix epoch, which wraps to -5877611-06-21 / -06-22; connectors
// since dbz#2524 write +5877611-06-21 for +infinity. Day numbers, all outside PostgreSQL's range:
const POSITIVE_INFINITY_DAYS = new Set([2146033979, -2147472692, 2147483647]);
const NEGATIVE_INFINITY_DAYS = new Set([-2147472691, -2147483648]);

/** Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm). */
export function civilFromDays(epochDay: number): { year: number; month: number; day: number } {
  const z = epochDay + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** ISO 8601 year as java.time prints it: 4 digits, '+' past 9999, '-' before year 0. */
function formatYear(year: number): string {
  if (year < 0) return `-${String(-year).padStart(4, "0")}`;
  return year > 9999 ? `+${year}` : String(year).padStart(4, "0");
}

function two(n: number | bigint): string {
  return String(n).padStart(2, "0");
}

function formatCivilDate(epochDay: number): string {
  const { year, month, day } = civilFromDays(epochDay);
  return `${formatYear(year)}-${two(month)}-${two(day)}`;
}

/** Days since the epoch to `YYYY-MM-DD`, or 'infinity' / '-infinity' for the sentinels. */
export function formatEpochDay(epochDay: number): string {
  if (POSITIVE_INFINITY_DAYS.has(epochDay)) return "infinity";
  if (NEGATIVE_INFINITY_DAYS.has(epochDay)) return "-infinity";
  return formatCivilDate(epochDay);
}

function formatClock(secondOfDay: bigint, fraction: string): string {
  const h = secondOfDay / 3600n;
  const m = (secondOfDay / 60n) % 60n;
  const s = secondOfDay % 60n;
  return `${two(h)}:${two(m)}:${two(s)}${fraction === "" ? "" : `.${fraction}`}`;
}

/** Epoch count to `YYYY-MM-DDTHH:MM:SS.fffZ` with the unit's digits (3, 6 or 9). */
export function formatEpochTimestamp(value: bigint, unit: EpochUnit): string {
  if (POSITIVE_INFINITY_TIMESTAMPS.has(value)) return "infinity";
  if (NEGATIVE_INFINITY_TIMESTAMPS.has(value)) return "-infinity";
  const { perSecond, digits } = UNITS[unit];
  const perDay = perSecond * 86400n;
  let days = value / perDay;
  let rest = value % perDay;
  if (rest < 0n) {
    days -= 1n;
    rest += perDay;
  }
  const fraction = String(rest % perSecond).padStart(digits, "0");
  return `${formatCivilDate(Number(days))}T${formatClock(rest / perSecond, fraction)}Z`;
}

/**
 * Time of day since midnight to `HH:MM:SS.fff` with the unit's digits; 24:00:00 is kept
 * because PostgreSQL's TIME allows it. Null when outside [0, 24h].
 */
export function formatTimeOfDay(value: bigint, unit: EpochUnit): string | null {
  const { perSecond, digits } = UNITS[unit];
  if (value < 0n || value > perSecond * 86400n) return null;
  return formatClock(value / perSecond, String(value % perSecond).padStart(digits, "0"));
}

// As java.time's ISO_OFFSET_DATE_TIME / ISO_OFFSET_TIME parse them: seconds optional.
const ZONED_TIMESTAMP = /^([+-]?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2}(?::\d{2})?)$/;
const ZONED_TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2}(?::\d{2})?)$/;

function offsetSeconds(offset: string): number | null {
  if (offset === "Z") return 0;
  const [hours, minutes, seconds] = offset.slice(1).split(":").map(Number);
  if (hours === undefined || minutes === undefined || hours > 18 || minutes > 59 || (seconds ?? 0) > 59) return null;
  const total = hours * 3600 + minutes * 60 + (seconds ?? 0);
  return offset.startsWith("-") ? -total : total;
}

function daysInMonth(year: number, month: number): number {
  return daysFromCivil(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1) - daysFromCivil(year, month, 1);
}

/**
 * An ISO timestamp with offset, shifted to UTC and written with 'Z', fraction digits kept
 * as given; 'infinity' / '-infinity' pass. Null when the text is not such a timestamp.
 */
export function normaliseZonedTimestamp(text: string): string | null {
  if (text === "infinity" || text === "-infinity") return text;
  const match = ZONED_TIMESTAMP.exec(text);
  if (!match) return null;
  const [, y, mo, d, h, mi, s, fraction, offset] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const shift = offsetSeconds(offset ?? "");
  if (!Number.isSafeInteger(year) || Math.abs(year) > 1_000_000 || shift === null) return null;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59) return null;
  const utcSeconds = daysFromCivil(year, month, day) * 86400 + Number(h) * 3600 + Number(mi) * 60 + Number(s ?? 0) - shift;
  const epochDay = Math.floor(utcSeconds / 86400);
  const clock = formatClock(BigInt(utcSeconds - epochDay * 86400), fraction ?? "");
  return `${formatCivilDate(epochDay)}T${clock}Z`;
}

/** An ISO time with offset, shifted to UTC modulo 24h as Debezium does for TIMETZ. */
export function normaliseZonedTime(text: string): string | null {
  const match = ZONED_TIME.exec(text);
  if (!match) return null;
  const [, h, mi, s, fraction, offset] = match;
  const shift = offsetSeconds(offset ?? "");
  if (shift === null || Number(h) > 24 || Number(mi) > 59 || Number(s ?? 0) > 59) return null;
  const local = Number(h) * 3600 + Number(mi) * 60 + Number(s ?? 0);
  if (local > 86400) return null;
  const utc = shift === 0 ? local : (((local - shift) % 86400) + 86400) % 86400;
  return `${formatClock(BigInt(utc), fraction ?? "")}Z`;
}

/**
 * MicroDuration (µs, months counted as 30.4375 days by Debezium) as an ISO 8601 duration in
 * seconds, e.g. `PT37091106.78S`; PostgreSQL's interval input reads it back exactly.
 */
export function formatMicroDuration(micros: bigint): string {
  const negative = micros < 0n;
  const magnitude = negative ? -micros : micros;
  const whole = magnitude / 1_000_000n;
  const fraction = String(magnitude % 1_000_000n)
    .padStart(6, "0")
    .replace(/0+$/, "");
  return `PT${negative ? "-" : ""}${whole}${fraction === "" ? "" : `.${fraction}`}S`;
}
