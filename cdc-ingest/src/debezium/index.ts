// Public face of the Debezium change-event decoder: decode a record into a typed envelope,
// detect unchanged TOAST columns, encode envelopes back to noschema JSON. Internals
// (parser, schema reader, logical types) stay behind this barrel.
export { decodeDebeziumMessage } from "./decodeMessage.js";
export { encodeDebeziumEnvelope, encodeDebeziumValue, type DebeziumEncodeOptions } from "./encodeEnvelope.js";
export {
  DEBEZIUM_DECODE_REASONS,
  DebeziumDecodeError,
  isDebeziumDecodeError,
  type DebeziumDecodeErrorInit,
  type DebeziumDecodeReason,
  type DebeziumMessagePart,
} from "./errors.js";
export { isNonFiniteMarker } from "./jsonReaders.js";
export { plainJsonValue } from "./jsonBigParse.js";
export { DEFAULT_UNAVAILABLE_VALUE_PLACEHOLDER, UNCHANGED, isUnchanged, unchangedColumns, type Unchanged } from "./unchanged.js";
export type {
  DebeziumChange,
  DebeziumDataCollectionCount,
  DebeziumDecodeOptions,
  DebeziumEnvelope,
  DebeziumHeaderValue,
  DebeziumHeartbeat,
  DebeziumKeyUpdate,
  DebeziumLogicalMessage,
  DebeziumMessageChange,
  DebeziumOp,
  DebeziumRawMessage,
  DebeziumRow,
  DebeziumRowChange,
  DebeziumRowOp,
  DebeziumSnapshotMarker,
  DebeziumSourcePosition,
  DebeziumTableRef,
  DebeziumTransactionBlock,
  DebeziumTransactionEvent,
  DebeziumTruncate,
  DebeziumValue,
  NonFiniteNumberMarker,
} from "./types.js";
