// Applies one batch of decoded changes from one system of record to the read model in ONE
// transaction: mirror rows (guarded by source position, so redelivery changes nothing), the
// projections for the keys the batch touched (the search index too), the change-feed entries,
// the checkpoint, the applied source transactions, the captured audit entries and any dead
// letters found while decoding the batch.
import type { Database, SqlSession } from "@crossdock/platform";
import type { DebeziumRowChange } from "../debezium/index.js";
import type { FeedEntry, FeedEntryInput } from "../feed/feedTypes.js";
import { FEED_CHANNEL } from "@crossdock/schema";
import { appendedEntries, feedEntriesParam, feedInsertSql } from "../feed/changeFeed.js";
import { deadLettersInsertSql, deadLettersParam, type DeadLetterInput } from "../dlq/deadLetters.js";
import { foldMirrorWrites, type MirrorWrite } from "./mirrorChanges.js";
import { projectInventoryPositions } from "./inventoryProjection.js";
import { projectOrderStatuses } from "./orderStatusProjection.js";
import { collectDirectKeys, resolveOrderLineKeys, TouchedKeys } from "./touchedKeys.js";
import { projectShipmentEvents } from "./shipmentProjection.js";
import { projectCaseEvents } from "./caseProjection.js";
import { projectReceiptEvents } from "./receiptProjection.js";
import { projectAmendmentEvents } from "./amendmentProjection.js";
import { auditEntriesInsertSql, auditEntriesParam, type CapturedAuditEntry } from "./auditProjection.js";
import { projectSearchEntries } from "./searchProjection.js";

export interface BatchToApply {
  source: string;
  changes: readonly DebeziumRowChange[];
  /** Source transactions seen in the batch (markers included), for read-your-writes. */
  txIds: readonly string[];
  deadLetters: readonly DeadLetterInput[];
  /** The systems' audit entries the batch captured (auditProjection.ts), for the merged audit log. */
  auditEntries?: readonly CapturedAuditEntry[];
  /** Highest source position in the batch, for the checkpoint; null when it holds only dead letters. */
  position: string | null;
  lastCommittedAt: Date | null;
  eventCount: number;
  /** The apply's W3C traceparent, kept on the batch's feed entries (null or absent when tracing is off). */
  traceparent?: string | null;
}

export interface AppliedBatch {
  feed: FeedEntry[];
  mirrorRowsChanged: number;
}

/**
 * Serializes read-model applies across ingestors (one per source, possibly in several
 * processes). The projections mix sources: the ERP's batch recomputes a position from the
 * WMS stock mirror and vice versa. Under READ COMMITTED two concurrent batches would each
 * compute from the other's pre-commit mirror, and the later upsert would overwrite the
 * earlier with a half-stale row (lost update). Taken first, so every read sees the other's commit.
 */
const READ_MODEL_APPLY_LOCK = 7_730_002;

/** The mirror rows as one JSON document, written before the transaction (not while holding the lock). */
function mirrorPayload(writes: readonly MirrorWrite[]): string {
  return JSON.stringify(writes.map((w) => ({ t: w.table, id: w.sourceId, data: w.data, pos: w.position, ts: w.committedAt.toISOString(), del: w.deleted })));
}

async function upsertMirror(session: SqlSession, source: string, writes: readonly MirrorWrite[], payload: string): Promise<Set<string>> {
  if (writes.length === 0) return new Set();
  const changed = await session.query<{ tableName: string; sourceId: string }>(
    `INSERT INTO "SourceRow" ("source", "tableName", "sourceId", "data", "position", "committedAt", "deleted")
     SELECT $1, x.t, x.id, x.data, x.pos, x.ts, x.del FROM jsonb_to_recordset($2::jsonb) AS x(t text, id text, data jsonb, pos text, ts timestamptz, del boolean)
     ON CONFLICT ("source", "tableName", "sourceId") DO UPDATE SET
       "data" = CASE WHEN excluded."deleted" THEN "SourceRow"."data" WHEN "SourceRow"."deleted" THEN excluded."data" ELSE "SourceRow"."data" || excluded."data" END,
       "position" = excluded."position", "committedAt" = excluded."committedAt", "deleted" = excluded."deleted"
     WHERE excluded."position" > "SourceRow"."position"
     RETURNING "tableName", "sourceId"`,
    [source, payload],
  );
  return new Set(changed.map((row) => `${row.tableName}|${row.sourceId}`));
}

export async function applyBatch(db: Database, batch: BatchToApply, applyTruncate?: (session: SqlSession) => Promise<void>): Promise<AppliedBatch> {
  const writes = foldMirrorWrites(batch.changes);
  const payload = mirrorPayload(writes);
  return db.transaction(
    async (session) => {
      if (applyTruncate) await applyTruncate(session);
      const changedIds = await upsertMirror(session, batch.source, writes, payload);
      const changed = writes.filter((w) => changedIds.has(`${w.table}|${w.sourceId}`));
      const keys = new TouchedKeys();
      collectDirectKeys(changed, keys);
      await resolveOrderLineKeys(session, changed, keys);
      const { inventory, orders } = keys;
      const entries: FeedEntryInput[] = [
        ...(await projectInventoryPositions(session, inventory)),
        ...(await projectOrderStatuses(session, orders)),
        ...(await projectShipmentEvents(session, changed)),
        ...(await projectCaseEvents(changed)),
        ...(await projectReceiptEvents(session, changed)),
        ...projectAmendmentEvents(changed),
      ];
      await projectSearchEntries(session, batch.source, changed);
      // Feed entries, dead letters, checkpoint, applied source transactions and the NOTIFY in one
      // round trip (every statement of a batch is one more wait at a sustained rate). Other
      // processes (gateway replicas, flows) tail the feed from Postgres; NOTIFY fires on commit.
      const [result] = await session.query<{ cursors: string[] }>(
        `WITH feed AS (${feedInsertSql({ source: "$1", position: "$2::text", entries: "$6", traceparent: "$9::text" })}),
       letters AS (${deadLettersInsertSql("$7")} RETURNING 1),
       audits AS (${auditEntriesInsertSql("$8")} RETURNING 1),
       checkpoint AS (
         INSERT INTO "SourceCheckpoint" ("source", "position", "lastEventAt", "lastCommittedAt", "eventsApplied", "updatedAt")
         VALUES ($1, COALESCE($2, ''), now(), $3, $4, now())
         ON CONFLICT ("source") DO UPDATE SET "position" = GREATEST("SourceCheckpoint"."position", excluded."position"), "lastEventAt" = excluded."lastEventAt",
           "lastCommittedAt" = COALESCE(excluded."lastCommittedAt", "SourceCheckpoint"."lastCommittedAt"),
           "eventsApplied" = "SourceCheckpoint"."eventsApplied" + excluded."eventsApplied", "updatedAt" = excluded."updatedAt"
         RETURNING 1),
       applied AS (
         INSERT INTO "AppliedTransaction" ("source", "txId", "appliedAt") SELECT $1, unnest($5::text[]), now() ON CONFLICT DO NOTHING RETURNING 1),
       last AS (SELECT max("cursor") AS c FROM feed)
       SELECT ARRAY(SELECT "cursor"::text FROM feed) AS cursors,
              (SELECT count(*) FROM checkpoint) + (SELECT count(*) FROM applied) + (SELECT count(*) FROM letters) + (SELECT count(*) FROM audits) AS n,
              CASE WHEN (SELECT c FROM last) IS NULL THEN NULL ELSE pg_notify('${FEED_CHANNEL}', (SELECT c FROM last)::text) END AS notified`,
        [
          batch.source,
          batch.position,
          batch.lastCommittedAt?.toISOString() ?? null,
          batch.eventCount,
          batch.txIds,
          feedEntriesParam(entries),
          deadLettersParam(batch.deadLetters),
          auditEntriesParam(batch.auditEntries ?? []),
          batch.traceparent ?? null,
        ],
      );
      const feed = appendedEntries(entries, result?.cursors ?? [], {
        source: batch.source,
        sourcePosition: batch.position ?? "",
        traceparent: batch.traceparent ?? null,
      });
      return { feed, mirrorRowsChanged: changed.length };
    },
    // Sent with BEGIN (one round trip fewer per batch). The read-model lock orders the feed
    // appends (changeFeed.ts) and is held until commit. JIT off for this transaction: batch
    // statements are many cheap index probes whose cost estimates can still cross
    // jit_above_cost, and compiling them took longer than running them.
    { begin: `SELECT pg_advisory_xact_lock(${READ_MODEL_APPLY_LOCK}), set_config('jit', 'off', true)` },
  );
}
