// Turns a column's Postgres text form (as pgoutput and a text-mode snapshot both deliver it)
// into the JSON text Debezium's noschema converter would write, matching the outbox capture:
// every number as a string (no float ever touches money), booleans as booleans, json/jsonb
// spliced in verbatim (JSON.parse would round big numbers), timestamps as ISO 8601 text.

/** Type OIDs whose text form needs more than a string (shared with changeRow.ts). */
export const BOOL = 16;
export const BYTEA = 17;
export const JSON_OID = 114;
export const JSONB = 3802;
export const TIMESTAMP = 1114;
export const TIMESTAMPTZ = 1184;

/** Built-in array types → element type; enum and domain arrays are added from pg_type at start. */
export const BUILTIN_ARRAY_ELEMENTS: ReadonlyMap<number, number> = new Map([
  [1000, BOOL],
  [1001, BYTEA],
  [1005, 21],
  [1007, 23],
  [1016, 20],
  [1021, 700],
  [1022, 701],
  [1231, 1700],
  [1009, 25],
  [1015, 1043],
  [1014, 1042],
  [2951, 2950],
  [199, JSON_OID],
  [3807, JSONB],
  [1182, 1082],
  [1115, TIMESTAMP],
  [1185, TIMESTAMPTZ],
]);

/** JSON text of one column value; `arrayElements` maps array type OIDs to their element type. */
export function columnJson(typeOid: number, text: string, arrayElements: ReadonlyMap<number, number>): string {
  if (typeOid === BOOL) return text === "t" ? "true" : "false";
  if (typeOid === JSON_OID || typeOid === JSONB) return text;
  if (typeOid === BYTEA) return JSON.stringify(Buffer.from(text.slice(2), "hex").toString("base64"));
  if (typeOid === TIMESTAMP || typeOid === TIMESTAMPTZ) return JSON.stringify(isoTimestamp(text));
  const element = arrayElements.get(typeOid);
  if (element !== undefined) return arrayJson(text, element, arrayElements);
  // Numbers of every kind (int2..int8, numeric, float, money), text, uuid and enums: the text
  // form as a JSON string, which is exactly what the outbox writes for numbers too.
  return JSON.stringify(text);
}

const TIMESTAMP_TEXT = /^(\d{4,}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)(?:([+-]\d\d)(?::?(\d\d))?(?::?(\d\d))?)?$/;

/**
 * ISO text from the ISO DateStyle ("2024-01-02 03:04:05.123+00"): zoned values in UTC end in
 * "Z" like Debezium's ZonedTimestamp; local timestamps keep no zone. 'infinity' and BC dates
 * have no ISO form and pass through unchanged.
 */
export function isoTimestamp(text: string): string {
  const match = TIMESTAMP_TEXT.exec(text);
  if (!match) return text;
  const [, date, time, hours, minutes, seconds] = match;
  if (hours === undefined) return `${date}T${time}`;
  if (hours.slice(1) === "00" && (minutes ?? "00") === "00" && seconds === undefined) return `${date}T${time}Z`;
  return `${date}T${time}${hours}:${minutes ?? "00"}${seconds ? `:${seconds}` : ""}`;
}

/** Parses Postgres array text ("{1,NULL,\"a,b\"}", nested braces) into a JSON array text. */
function arrayJson(text: string, elementOid: number, arrayElements: ReadonlyMap<number, number>): string {
  // Arrays with non-default bounds print as "[0:1]={...}"; the bounds carry no data here.
  let pos = text.startsWith("[") ? text.indexOf("=") + 1 : 0;
  const parseLevel = (): string => {
    if (text[pos] !== "{") throw new Error(`malformed array text: ${text}`);
    pos++;
    const items: string[] = [];
    while (pos < text.length && text[pos] !== "}") {
      if (text[pos] === "{") items.push(parseLevel());
      else if (text[pos] === '"') {
        let value = "";
        pos++;
        while (text[pos] !== '"') {
          if (text[pos] === "\\") pos++;
          value += text[pos++];
        }
        pos++;
        items.push(columnJson(elementOid, value, arrayElements));
      } else {
        let end = pos;
        while (text[end] !== "," && text[end] !== "}") end++;
        const raw = text.slice(pos, end);
        pos = end;
        items.push(raw === "NULL" ? "null" : columnJson(elementOid, raw, arrayElements));
      }
      if (text[pos] === ",") pos++;
    }
    pos++;
    return `[${items.join(",")}]`;
  };
  return parseLevel();
}
