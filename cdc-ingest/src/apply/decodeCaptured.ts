// Classifies one captured message: a row change to apply (with the system of record it
// belongs to), something to skip (tombstone, heartbeat, transaction marker, other table),
// or a dead letter with its reason. Never throws: bad input is data, not a crash.
import { decodeDebeziumMessage, isDebeziumDecodeError, type DebeziumRowChange } from "../debezium/index.js";
import { CAPTURED_TABLES, isSourceName } from "../capture/capturedTables.js";
import { rawText, type DeadLetterInput } from "../dlq/deadLetters.js";
import { hasSourcePosition } from "./mirrorChanges.js";
import type { CapturedMessage } from "../sources/captureSource.js";

export interface DecodedMessage {
  message: CapturedMessage;
  system: string | null;
  change: DebeziumRowChange | null;
  deadLetter: DeadLetterInput | null;
  skipped?: string;
  heartbeatAt?: Date;
}

export type SystemResolver = (message: CapturedMessage, change: DebeziumRowChange | null) => string | null;

/** Default: the connector's name (outbox, Debezium `topic.prefix`) or the topic's first segment. */
export function defaultSystemOf(message: CapturedMessage, change: DebeziumRowChange | null): string | null {
  const named = change?.source.serverName;
  if (named && isSourceName(named)) return named;
  const prefix = message.topic.split(".", 1)[0] ?? "";
  return isSourceName(prefix) ? prefix : null;
}

export function deadLetterFor(message: CapturedMessage, source: string, reason: string, error: string, attempts = 1): DecodedMessage {
  return {
    message,
    system: source,
    change: null,
    deadLetter: {
      source,
      topic: message.topic,
      position: message.ackToken,
      rawKey: rawText(message.key),
      rawValue: rawText(message.value),
      reason,
      error,
      attempts,
    },
  };
}

function skipped(message: CapturedMessage, reason: string): DecodedMessage {
  return { message, system: null, change: null, deadLetter: null, skipped: reason };
}

export function decodeCaptured(message: CapturedMessage, sourceName: string, systemOf: SystemResolver = defaultSystemOf): DecodedMessage {
  // Undecodable messages are still attributed to a system when the topic names one.
  const fallback = isSourceName(sourceName) ? sourceName : defaultSystemOf(message, null);
  try {
    const envelope = message.decoded ?? decodeDebeziumMessage(message);
    if (envelope === null) return skipped(message, "tombstone");
    if (envelope.kind === "heartbeat") return { ...skipped(message, "heartbeat"), heartbeatAt: new Date(envelope.tsMs) };
    if (envelope.kind === "transaction") return skipped(message, "transaction");
    if (envelope.op === "m") return skipped(message, "logical_message");
    if (envelope.op === "t") {
      return deadLetterFor(
        message,
        fallback ?? sourceName,
        "TRUNCATE_NOT_APPLIED",
        `TRUNCATE of ${envelope.table.table} is not replayed onto the read model; resnapshot the source`,
      );
    }
    const system = systemOf(message, envelope) ?? fallback;
    if (!system || !isSourceName(system))
      return deadLetterFor(message, sourceName, "UNKNOWN_SOURCE", `cannot tell which system of record topic ${message.topic} belongs to`);
    if (!CAPTURED_TABLES[system].includes(envelope.table.table)) return skipped(message, "uncaptured_table");
    // The source position orders changes of a row and guards the mirror against going back:
    // without one a change can neither be ordered nor told apart from a redelivery. Snapshot
    // reads are the exception (positionOf): Debezium's incremental snapshot sends them without one.
    if (!hasSourcePosition(envelope))
      return deadLetterFor(message, system, "NO_POSITION", `change on ${envelope.table.table} carries no source position (source.lsn); it cannot be ordered`);
    return { message, system, change: envelope, deadLetter: null };
  } catch (error) {
    if (isDebeziumDecodeError(error)) return deadLetterFor(message, fallback ?? sourceName, error.reason, error.message);
    return deadLetterFor(message, fallback ?? sourceName, "DECODE_FAILED", error instanceof Error ? error.message : String(error));
  }
}
