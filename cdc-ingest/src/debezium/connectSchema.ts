// The Kafka Connect schema that JsonConverter sends with `schemas.enable=true`: reading its
// JSON form into a checked tree. It owns schema shape only; values are decoded against it
// in decodeValue.ts. A malformed schema fails with BAD_SCHEMA, never with a TypeError.
import { childPath, fail, type DecodeScope } from "./decodeScope.js";
import { JsonNumber, isJsonObject, type JsonValue } from "./jsonBigParse.js";

export type ConnectType = "int8" | "int16" | "int32" | "int64" | "float32" | "float64" | "boolean" | "string" | "bytes" | "array" | "map" | "struct";

const CONNECT_TYPES = new Set<string>(["int8", "int16", "int32", "int64", "float32", "float64", "boolean", "string", "bytes", "array", "map", "struct"]);

export interface ConnectSchema {
  readonly type: ConnectType;
  readonly optional: boolean;
  /** Logical type (`io.debezium.time.Date`) or record name (`server.schema.table.Value`). */
  readonly name: string | undefined;
  readonly parameters: Readonly<Record<string, string>>;
  /** Kept in JSON form; decoded against this schema only when it is used. */
  readonly defaultValue: JsonValue | undefined;
  readonly fields: readonly ConnectField[] | undefined;
  readonly items: ConnectSchema | undefined;
  readonly keys: ConnectSchema | undefined;
  readonly values: ConnectSchema | undefined;
}

export interface ConnectField {
  readonly name: string;
  readonly schema: ConnectSchema;
}

export function readConnectSchema(node: JsonValue | undefined, scope: DecodeScope, path: string): ConnectSchema {
  if (!isJsonObject(node)) return fail(scope, "BAD_SCHEMA", path, "a schema must be an object");
  const type = node["type"];
  if (typeof type !== "string" || !CONNECT_TYPES.has(type)) {
    return fail(scope, "BAD_SCHEMA", childPath(path, "type"), `unknown Connect type ${JSON.stringify(type ?? null)}`);
  }
  const optional = node["optional"] ?? false;
  if (typeof optional !== "boolean") return fail(scope, "BAD_SCHEMA", childPath(path, "optional"), "must be a boolean");
  const name = node["name"] ?? undefined;
  if (name !== undefined && typeof name !== "string") {
    return fail(scope, "BAD_SCHEMA", childPath(path, "name"), "must be a string");
  }
  return {
    type: type as ConnectType,
    optional,
    name,
    parameters: readParameters(node["parameters"], scope, childPath(path, "parameters")),
    defaultValue: Object.hasOwn(node, "default") ? node["default"] : undefined,
    fields: type === "struct" ? readFields(node["fields"], scope, childPath(path, "fields")) : undefined,
    items: type === "array" ? readConnectSchema(node["items"], scope, childPath(path, "items")) : undefined,
    keys: type === "map" ? readConnectSchema(node["keys"], scope, childPath(path, "keys")) : undefined,
    values: type === "map" ? readConnectSchema(node["values"], scope, childPath(path, "values")) : undefined,
  };
}

function readFields(node: JsonValue | undefined, scope: DecodeScope, path: string): ConnectField[] {
  if (!Array.isArray(node)) return fail(scope, "BAD_SCHEMA", path, "a struct schema needs a fields array");
  const seen = new Set<string>();
  return node.map((fieldNode, index) => {
    const fieldPath = childPath(path, index);
    const name = isJsonObject(fieldNode) ? fieldNode["field"] : undefined;
    if (typeof name !== "string") return fail(scope, "BAD_SCHEMA", fieldPath, 'a struct field needs a string "field"');
    if (seen.has(name)) return fail(scope, "BAD_SCHEMA", fieldPath, `duplicate struct field "${name}"`);
    seen.add(name);
    return { name, schema: readConnectSchema(fieldNode, scope, fieldPath) };
  });
}

function readParameters(node: JsonValue | undefined, scope: DecodeScope, path: string): Record<string, string> {
  const parameters: Record<string, string> = Object.create(null) as Record<string, string>;
  if (node === undefined || node === null) return parameters;
  if (!isJsonObject(node)) return fail(scope, "BAD_SCHEMA", path, "parameters must be an object");
  for (const [key, value] of Object.entries(node)) {
    // JsonConverter writes parameters as strings; numbers are accepted as their digits.
    if (typeof value === "string") parameters[key] = value;
    else if (value instanceof JsonNumber) parameters[key] = value.raw;
    else return fail(scope, "BAD_SCHEMA", childPath(path, key), "a parameter must be a string");
  }
  return parameters;
}

/** Looks a struct member's schema up by name. */
export function fieldSchema(schema: ConnectSchema | undefined, name: string): ConnectSchema | undefined {
  return schema?.fields?.find((field) => field.name === name)?.schema;
}
