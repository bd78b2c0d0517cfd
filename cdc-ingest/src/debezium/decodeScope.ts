// The context every decoding step carries: which record part is being read, the options
// resolved once per message, and the one way to fail. Nothing here reads message data.
import { DebeziumDecodeError, type DebeziumDecodeReason, type DebeziumMessagePart } from "./errors.js";
import type { DebeziumDecodeOptions } from "./types.js";
import { DEFAULT_UNAVAILABLE_VALUE_PLACEHOLDER, placeholderForms, type UnavailablePlaceholderForms } from "./unchanged.js";

export interface DecodeScope {
  readonly topic: string;
  readonly part: DebeziumMessagePart;
  readonly placeholder: UnavailablePlaceholderForms;
  readonly unknownLogicalTypes: "error" | "raw";
}

const defaultForms = placeholderForms(DEFAULT_UNAVAILABLE_VALUE_PLACEHOLDER);

export function createScope(topic: string, options: DebeziumDecodeOptions | undefined): DecodeScope {
  const text = options?.unavailableValuePlaceholder;
  return {
    topic,
    part: "value",
    placeholder: text === undefined || text === DEFAULT_UNAVAILABLE_VALUE_PLACEHOLDER ? defaultForms : placeholderForms(text),
    unknownLogicalTypes: options?.unknownLogicalTypes ?? "error",
  };
}

export function forPart(scope: DecodeScope, part: DebeziumMessagePart): DecodeScope {
  return part === scope.part ? scope : { ...scope, part };
}

export function fail(scope: DecodeScope, reason: DebeziumDecodeReason, path: string, message: string, cause?: unknown): never {
  throw new DebeziumDecodeError({ reason, message, part: scope.part, path, topic: scope.topic, cause });
}

export function childPath(path: string, field: string | number): string {
  if (typeof field === "number") return `${path}[${field}]`;
  return path === "" ? field : `${path}.${field}`;
}
