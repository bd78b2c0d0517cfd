// Replays one parked dead letter: decode its raw message again and apply it through the same
// path as live changes. Still failing -> stays PARKED with the new error and one more attempt.
// The letter's new status is written with the operator's audit entry (platform write frame).
import type { Database, WriteActor } from "@crossdock/platform";
import { MARKER_TABLES } from "../capture/capturedTables.js";
import { decodeCaptured } from "../apply/decodeCaptured.js";
import { applyBatch } from "../apply/applyBatch.js";
import { capturedAuditEntry } from "../apply/auditProjection.js";
import { positionOf } from "../apply/mirrorChanges.js";
import type { FeedBus } from "../feed/feedBus.js";
import { getDeadLetter, recordDeadLetterAction } from "./deadLetters.js";

export async function replayDeadLetter(options: { hub: Database; bus: FeedBus; id: string; actor: WriteActor }): Promise<void> {
  const { hub, bus, id, actor } = options;
  const letter = await getDeadLetter(hub, id);
  // Only a parked letter is replayed: a discarded or already replayed one stays as it is.
  if (!letter || letter.status !== "PARKED") return;
  const finish = (status: "PARKED" | "REPLAYED", error?: string) =>
    recordDeadLetterAction(hub, actor, { id, operation: "replayDeadLetter", status, ...(error === undefined ? {} : { failure: { error } }) });
  const decoded = decodeCaptured({ topic: letter.topic, key: letter.rawKey, value: letter.rawValue, ackToken: letter.position ?? "0" }, letter.source);
  if (decoded.deadLetter) return finish("PARKED", `${decoded.deadLetter.reason}: ${decoded.deadLetter.error}`);
  const change = decoded.change;
  if (change && decoded.system) {
    try {
      const marker = MARKER_TABLES.has(change.table.table);
      const audit = marker ? capturedAuditEntry(decoded.system, change) : null;
      const result = await applyBatch(hub, {
        source: decoded.system,
        changes: marker ? [] : [change],
        txIds: change.source.txId ? [change.source.txId] : [],
        deadLetters: [],
        auditEntries: audit ? [audit] : [],
        position: positionOf(change),
        lastCommittedAt: new Date(change.source.tsMs),
        eventCount: 1,
      });
      bus.publish(result.feed, change.source.txId ? [{ source: decoded.system, txId: change.source.txId }] : []);
    } catch (error) {
      return finish("PARKED", `APPLY_FAILED: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return finish("REPLAYED");
}
