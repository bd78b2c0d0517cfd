// The one error type of the Debezium decoder and its registry of reason codes.
// Every malformed message must surface as a DebeziumDecodeError with a reason, so the
// caller can park it in the dead-letter queue; never a bare TypeError or RangeError.

/** Reason codes, each with the meaning a dead-letter queue operator reads. */
export const DEBEZIUM_DECODE_REASONS = {
  INVALID_JSON: "the bytes are not well-formed UTF-8 JSON",
  NOT_AN_ENVELOPE: "the JSON is not a Debezium change, heartbeat or transaction event",
  MISSING_PAYLOAD: "a {schema, payload} message has no payload",
  MISSING_FIELD: "a field the envelope needs is absent or null",
  UNKNOWN_OP: "the op code is not one of c, u, d, r, t, m",
  BAD_FIELD_TYPE: "a value does not have the type its schema or the envelope requires",
  BAD_SCHEMA: "the Connect schema that came with the message is malformed",
  UNSUPPORTED_LOGICAL_TYPE: "a Debezium or Connect logical type this decoder does not know",
  UNSUPPORTED_FORMAT: "a recognised format that this decoder cannot read (e.g. CloudEvents with Avro data)",
  INTERNAL_ERROR: "the decoder itself failed; the message is kept, the decoder needs a fix",
} as const;

export type DebeziumDecodeReason = keyof typeof DEBEZIUM_DECODE_REASONS;

/** Which part of the Kafka record was being decoded. */
export type DebeziumMessagePart = "key" | "value" | "headers";

export interface DebeziumDecodeErrorInit {
  readonly reason: DebeziumDecodeReason;
  readonly message: string;
  readonly part: DebeziumMessagePart;
  /** Dotted path inside the part, e.g. `payload.after.price`; '' for the part itself. */
  readonly path: string;
  readonly topic: string;
  readonly cause?: unknown;
}

export class DebeziumDecodeError extends Error {
  override readonly name = "DebeziumDecodeError";
  readonly reason: DebeziumDecodeReason;
  readonly part: DebeziumMessagePart;
  readonly path: string;
  readonly topic: string;

  constructor(init: DebeziumDecodeErrorInit) {
    const where = init.path === "" ? init.part : `${init.part} ${init.path}`;
    super(`${init.reason} at ${where} (topic ${init.topic}): ${init.message}`, {
      cause: init.cause,
    });
    this.reason = init.reason;
    this.part = init.part;
    this.path = init.path;
    this.topic = init.topic;
  }
}

export function isDebeziumDecodeError(error: unknown): error is DebeziumDecodeError {
  return error instanceof DebeziumDecodeError;
}
