// Exact JSON (RFC 8259) parsing: numbers keep their source digits, so int64 values past
// 2^53 (LSNs, ts_ns, the infinity sentinels) and NUMERIC decimals survive unrounded.
// It owns syntax only and never interprets a value against a Connect schema.

/** A JSON number as written in the source text. */
export class JsonNumber {
  constructor(
    readonly raw: string,
    /** True when the literal has no fraction and no exponent. */
    readonly isInteger: boolean,
  ) {}
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** What plain JSON becomes: integers past 2^53 as bigint, every other number as number. */
export type PlainJson = null | boolean | number | bigint | string | PlainJson[] | PlainJsonObject;
export interface PlainJsonObject {
  [key: string]: PlainJson;
}

export class JsonSyntaxError extends Error {
  override readonly name = "JsonSyntaxError";
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
  }
}

// Deep enough for any Debezium envelope or jsonb document; shallow enough that recursion
// can never exhaust the stack (which would surface as a RangeError).
const MAX_DEPTH = 1000;

export function parseJsonExact(text: string): JsonValue {
  const parser = new ExactJsonParser(text);
  parser.skipWhitespace();
  const value = parser.parseValue(0);
  parser.skipWhitespace();
  if (parser.offset !== text.length) parser.fail("unexpected characters after the JSON value");
  return value;
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof JsonNumber);
}

/** Sets a property so that a key named `__proto__` stays data instead of replacing the prototype. */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

export function jsonNumberToPlain(value: JsonNumber): number | bigint {
  if (!value.isInteger) return Number(value.raw);
  const asNumber = Number(value.raw);
  return Number.isSafeInteger(asNumber) ? asNumber : BigInt(value.raw);
}

export function toPlainJson(value: JsonValue): PlainJson {
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (value instanceof JsonNumber) return jsonNumberToPlain(value);
  if (Array.isArray(value)) return value.map(toPlainJson);
  const out: PlainJsonObject = {};
  for (const key of Object.keys(value)) setOwn(out, key, toPlainJson(value[key] as JsonValue));
  return out;
}

/** The exact plain value of a JSON text (big integers as bigint); throws JsonSyntaxError. */
export function plainJsonValue(text: string): PlainJson {
  return toPlainJson(parseJsonExact(text));
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

class ExactJsonParser {
  offset = 0;
  constructor(private readonly text: string) {}

  fail(message: string): never {
    throw new JsonSyntaxError(this.offset >= this.text.length ? "unexpected end of input" : message, this.offset);
  }

  skipWhitespace(): void {
    const { text } = this;
    let i = this.offset;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      i++;
    }
    this.offset = i;
  }

  parseValue(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    const c = this.text.charCodeAt(this.offset);
    switch (c) {
      case 0x7b:
        return this.parseObject(depth);
      case 0x5b:
        return this.parseArray(depth);
      case QUOTE:
        return this.parseString();
      case 0x74:
        return this.parseLiteral("true", true);
      case 0x66:
        return this.parseLiteral("false", false);
      case 0x6e:
        return this.parseLiteral("null", null);
      default:
        if (c === 0x2d || isDigit(c)) return this.parseNumber();
        return this.fail("unexpected character");
    }
  }

  private parseLiteral<T extends JsonValue>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.offset)) this.fail(`invalid literal, expected ${word}`);
    this.offset += word.length;
    return value;
  }

  private parseNumber(): JsonNumber {
    const { text } = this;
    const start = this.offset;
    let i = start;
    let isInteger = true;
    if (text.charCodeAt(i) === 0x2d) i++;
    if (text.charCodeAt(i) === 0x30) {
      i++;
    } else if (isDigit(text.charCodeAt(i))) {
      while (isDigit(text.charCodeAt(i))) i++;
    } else {
      this.offset = i;
      this.fail("invalid number");
    }
    if (text.charCodeAt(i) === 0x2e) {
      isInteger = false;
      i++;
      if (!isDigit(text.charCodeAt(i))) {
        this.offset = i;
        this.fail("invalid number: digit expected after the decimal point");
      }
      while (isDigit(text.charCodeAt(i))) i++;
    }
    const e = text.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      isInteger = false;
      i++;
      const sign = text.charCodeAt(i);
      if (sign === 0x2b || sign === 0x2d) i++;
      if (!isDigit(text.charCodeAt(i))) {
        this.offset = i;
        this.fail("invalid number: digit expected in the exponent");
      }
      while (isDigit(text.charCodeAt(i))) i++;
    }
    this.offset = i;
    return new JsonNumber(text.slice(start, i), isInteger);
  }

  private parseString(): string {
    const { text } = this;
    let i = this.offset + 1;
    let chunkStart = i;
    let result = "";
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        result += text.slice(chunkStart, i);
        this.offset = i + 1;
        return result;
      }
      if (c === BACKSLASH) {
        result += text.slice(chunkStart, i);
        i = this.parseEscape(i + 1, (decoded) => {
          result += decoded;
        });
        chunkStart = i;
        continue;
      }
      if (Number.isNaN(c) || c < 0x20) {
        this.offset = i;
        this.fail("unescaped control character in string");
      }
      i++;
    }
  }

  private parseEscape(at: number, emit: (decoded: string) => void): number {
    const c = this.text.charCodeAt(at);
    const simple = SIMPLE_ESCAPES.get(c);
    if (simple !== undefined) {
      emit(simple);
      return at + 1;
    }
    if (c === 0x75) {
      const hex = this.text.slice(at + 1, at + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
        this.offset = at;
        this.fail("invalid \\u escape");
      }
      // Lone surrogates are kept as JSON.parse keeps them; pairs join by concatenation.
      emit(String.fromCharCode(parseInt(hex, 16)));
      return at + 5;
    }
    this.offset = at;
    return this.fail("invalid escape sequence");
  }

  private parseArray(depth: number): JsonValue[] {
    const items: JsonValue[] = [];
    this.offset++;
    this.skipWhitespace();
    if (this.text.charCodeAt(this.offset) === 0x5d) {
      this.offset++;
      return items;
    }
    for (;;) {
      this.skipWhitespace();
      items.push(this.parseValue(depth + 1));
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.offset);
      this.offset++;
      if (c === 0x5d) return items;
      if (c !== 0x2c) {
        this.offset--;
        this.fail("expected ',' or ']' in array");
      }
    }
  }

  private parseObject(depth: number): JsonObject {
    const object: JsonObject = {};
    this.offset++;
    this.skipWhitespace();
    if (this.text.charCodeAt(this.offset) === 0x7d) {
      this.offset++;
      return object;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text.charCodeAt(this.offset) !== QUOTE) this.fail("expected a string key in object");
      const key = this.parseString();
      this.skipWhitespace();
      if (this.text.charCodeAt(this.offset) !== 0x3a) this.fail("expected ':' after object key");
      this.offset++;
      this.skipWhitespace();
      setOwn(object, key, this.parseValue(depth + 1));
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.offset);
      this.offset++;
      if (c === 0x7d) return object;
      if (c !== 0x2c) {
        this.offset--;
        this.fail("expected ',' or '}' in object");
      }
    }
  }
}

const SIMPLE_ESCAPES = new Map<number, string>([
  [0x22, '"'],
  [0x5c, "\\"],
  [0x2f, "/"],
  [0x62, "\b"],
  [0x66, "\f"],
  [0x6e, "\n"],
  [0x72, "\r"],
  [0x74, "\t"],
]);

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
