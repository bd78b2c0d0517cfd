// The decoder's entry point: one raw record (topic, key, value, headers) in, a tombstone
// (null) or a DebeziumEnvelope out. It owns byte/text handling and the JsonConverter
// {schema, payload} framing; it must throw nothing but DebeziumDecodeError.
import { readConnectSchema, type ConnectSchema } from "./connectSchema.js";
import { childPath, createScope, fail, forPart, type DecodeScope } from "./decodeScope.js";
import { decodeAny } from "./decodeValue.js";
import { interpretPayload } from "./envelope.js";
import { cloudEventToPayload, isCloudEvent } from "./cloudEvents.js";
import { DebeziumDecodeError } from "./errors.js";
import { JsonSyntaxError, isJsonObject, parseJsonExact, type JsonObject, type JsonValue } from "./jsonBigParse.js";
import type { DebeziumDecodeOptions, DebeziumEnvelope, DebeziumHeaderValue, DebeziumKeyUpdate, DebeziumRawMessage, DebeziumValue } from "./types.js";

/**
 * Decodes one Debezium record written by JsonConverter, with or without schemas.
 * Returns null for a tombstone (null or empty value). Throws DebeziumDecodeError (with a
 * `reason`) for anything it cannot decode; the caller sends that record to the DLQ.
 */
export function decodeDebeziumMessage(message: DebeziumRawMessage, options?: DebeziumDecodeOptions): DebeziumEnvelope | null {
  const topic = typeof message?.topic === "string" ? message.topic : "";
  const scope = createScope(topic, options);
  try {
    return decode(message, scope);
  } catch (error) {
    if (error instanceof DebeziumDecodeError) throw error;
    throw new DebeziumDecodeError({
      reason: "INTERNAL_ERROR",
      message: error instanceof Error ? error.message : String(error),
      part: "value",
      path: "",
      topic,
      cause: error,
    });
  }
}

function decode(message: DebeziumRawMessage, scope: DecodeScope): DebeziumEnvelope | null {
  const value = parsePart(message.value, scope);
  if (value === null) return null;
  if (!isJsonObject(value)) return fail(scope, "NOT_AN_ENVELOPE", "", "the value is not a JSON object");
  const framed = unframe(value, scope);
  if (framed === null) return null;
  const key = decodeKey(message.key, forPart(scope, "key"));
  const keyUpdate = readKeyUpdate(message.headers, forPart(scope, "headers"));
  const { topic } = scope;
  if (framed.schema === undefined && isCloudEvent(framed.payload)) {
    const { payload, schema } = cloudEventToPayload(framed.payload, scope);
    return interpretPayload({ topic, payload, schema, path: "", key, keyUpdate, scope });
  }
  return interpretPayload({ topic, ...framed, key, keyUpdate, scope });
}

interface Unframed {
  readonly payload: JsonObject;
  readonly schema: ConnectSchema | undefined;
  readonly path: string;
}

/**
 * JsonConverter with `schemas.enable=true` writes exactly {schema, payload}; anything
 * else is the bare payload. A null payload is how it frames a null value: a tombstone.
 */
function unframe(value: JsonObject, scope: DecodeScope): Unframed | null {
  if (!isConverterFrame(value)) return { payload: value, schema: undefined, path: "" };
  if (!Object.hasOwn(value, "payload")) return fail(scope, "MISSING_PAYLOAD", "", "the message has a schema but no payload");
  const payload = value["payload"] as JsonValue;
  if (payload === null) return null;
  if (!isJsonObject(payload)) return fail(scope, "NOT_AN_ENVELOPE", "payload", "the payload is not a JSON object");
  const schemaNode = value["schema"] as JsonValue;
  const schema = schemaNode === null ? undefined : readConnectSchema(schemaNode, scope, "schema");
  return { payload, schema, path: "payload" };
}

function isConverterFrame(value: JsonObject): boolean {
  const keys = Object.keys(value);
  return Object.hasOwn(value, "schema") && keys.every((k) => k === "schema" || k === "payload");
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Bytes or text to parsed JSON; null for an absent, empty or JSON-null part. */
function parsePart(part: Buffer | string | null | undefined, scope: DecodeScope): JsonValue {
  if (part === null || part === undefined) return null;
  let text: string;
  if (typeof part === "string") {
    text = part;
  } else if (part instanceof Uint8Array) {
    try {
      text = utf8.decode(part);
    } catch (error) {
      return fail(scope, "INVALID_JSON", "", "the bytes are not valid UTF-8", error);
    }
  } else {
    return fail(scope, "BAD_FIELD_TYPE", "", "expected a Buffer, a string or null");
  }
  if (text.length === 0) return null;
  try {
    return parseJsonExact(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) return fail(scope, "INVALID_JSON", "", error.message, error);
    throw error;
  }
}

function decodeKey(part: Buffer | string | null | undefined, scope: DecodeScope): DebeziumValue {
  return decodeJsonPart(parsePart(part, scope), scope, "");
}

function decodeJsonPart(value: JsonValue, scope: DecodeScope, path: string): DebeziumValue {
  if (isJsonObject(value) && isConverterFrame(value)) {
    const schemaNode = value["schema"] as JsonValue;
    const schema = schemaNode === null ? undefined : readConnectSchema(schemaNode, scope, childPath(path, "schema"));
    const payload = Object.hasOwn(value, "payload") ? (value["payload"] as JsonValue) : null;
    return decodeAny(schema, payload, scope, childPath(path, "payload"));
  }
  return decodeAny(undefined, value, scope, path);
}

const KEY_HEADERS = [
  ["__debezium.newkey", "newKey"],
  ["__debezium.oldkey", "oldKey"],
] as const;

/**
 * The primary-key-change headers. Their encoding depends on the worker's
 * `header.converter`: JSON (with or without schema) is decoded, any other text is kept
 * as the string it is, since it identifies the key but is no Debezium JSON.
 */
function readKeyUpdate(headers: Readonly<Record<string, DebeziumHeaderValue>> | undefined, scope: DecodeScope): DebeziumKeyUpdate | undefined {
  if (headers === undefined || headers === null) return undefined;
  let update: { newKey?: DebeziumValue; oldKey?: DebeziumValue } | undefined;
  for (const [header, field] of KEY_HEADERS) {
    if (!Object.hasOwn(headers, header)) continue;
    const raw = headers[header];
    const last = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (last === undefined || last === null) continue;
    const text = typeof last === "string" ? last : Buffer.from(last as Uint8Array).toString("utf8");
    let parsed: JsonValue;
    try {
      parsed = parseJsonExact(text);
    } catch (error) {
      if (!(error instanceof JsonSyntaxError)) throw error;
      update = { ...update, [field]: text };
      continue;
    }
    update = { ...update, [field]: decodeJsonPart(parsed, scope, header) };
  }
  return update;
}
