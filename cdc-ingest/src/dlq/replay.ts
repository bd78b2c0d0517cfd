// Replays one parked dead letter: decode its raw message again and apply it through the same
// path as live changes. Still failing -> stays PARKED with the new error and one more attempt.
import type { Database } from "@crossdock/platform";
import { MARKER_TABLES } from "../capture/capturedTables.js";
import { decodeCaptured } from "../apply/decodeCaptured.js";
import { applyBatch } from "../apply/applyBatch.js";
import { positionOf } from "../apply/mirrorChanges.js";
import type { FeedBus } from "../feed/feedBus.js";
import { getDeadLetter, setDeadLetterStatus } from "./deadLetters.js";

export async function replayDeadLetter(options: { hub: Database; bus: FeedBus; id: string }): Promise<void> {
  const { hub, bus, id } = options;
  const letter = await getDeadLetter(hub, id);
  // Only a parked letter is replayed: a discarded or already replayed one stays as it is.
  if (!letter || letter.status !== "PARKED") return;
  const decoded = decodeCaptured({ topic: letter.topic, key: letter.rawKey, value: letter.rawValue, ackToken: letter.position ?? "0" }, letter.source);
  if (decoded.deadLetter) {
    await setDeadLetterStatus(hub, id, "PARKED", { error: `${decoded.deadLetter.reason}: ${decoded.deadLetter.error}` });
    return;
  }
  const change = decoded.change;
  if (change && decoded.system) {
    try {
      const result = await applyBatch(hub, {
        source: decoded.system,
        changes: MARKER_TABLES.has(change.table.table) ? [] : [change],
        txIds: change.source.txId ? [change.source.txId] : [],
        deadLetters: [],
        position: positionOf(change),
        lastCommittedAt: new Date(change.source.tsMs),
        eventCount: 1,
      });
      bus.publish(result.feed, change.source.txId ? [{ source: decoded.system, txId: change.source.txId }] : []);
    } catch (error) {
      await setDeadLetterStatus(hub, id, "PARKED", { error: `APPLY_FAILED: ${error instanceof Error ? error.message : String(error)}` });
      return;
    }
  }
  await setDeadLetterStatus(hub, id, "REPLAYED");
}
