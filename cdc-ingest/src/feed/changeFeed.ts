// The change feed's append side: every read-model change appended in the same transaction as
// the change, with a monotonic cursor. The one appender, the read-model apply, holds its
// transaction-scoped lock (READ_MODEL_APPLY_LOCK) until commit, so cursor order is commit order:
// a reader that has seen cursor N can never later find a smaller one appear. Reading is the
// platform's ChangeFeedReader; pruning is feedRetention.ts.
import { FEED_TABLE } from "@crossdock/schema";
import type { FeedEntry, FeedEntryInput } from "./feedTypes.js";

/**
 * The INSERT that appends a batch's entries, as a statement part (a CTE body) so the apply can
 * append, checkpoint and notify in one round trip. `$source`, `$position` and `$entries` name
 * the parameters; the entries are feedEntriesParam's JSON. The caller holds READ_MODEL_APPLY_LOCK.
 */
export function feedInsertSql(params: { source: string; position: string; entries: string; traceparent?: string }): string {
  return `INSERT INTO "${FEED_TABLE}" ("entityType", "entityKey", "changeKind", "occurredAt", "source", "sourcePosition", "payload", "traceparent")
     SELECT x.et, x.ek, x.ck, x.at, ${params.source}, ${params.position}, x.p, ${params.traceparent ?? "NULL::text"}
     FROM jsonb_to_recordset(${params.entries}::jsonb) AS x(n int, et text, ek text, ck text, at timestamptz, p jsonb)
     ORDER BY x.n
     RETURNING "cursor"`;
}

export function feedEntriesParam(entries: readonly FeedEntryInput[]): string {
  return JSON.stringify(entries.map((e, n) => ({ n, et: e.entityType, ek: e.entityKey, ck: e.changeKind, at: e.occurredAt.toISOString(), p: e.payload })));
}

/** The appended entries with their cursors (as returned by feedInsertSql, in any order). */
export function appendedEntries(
  entries: readonly FeedEntryInput[],
  cursors: readonly string[],
  origin: { source: string; sourcePosition: string; traceparent?: string | null },
): FeedEntry[] {
  const { source, sourcePosition } = origin;
  const traceparent = origin.traceparent ?? null;
  // Cursors come from the sequence in the SELECT's order, so sorted cursors line up with entries.
  const sorted = cursors.map((c) => BigInt(c)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.map((entry, i) => ({ ...entry, cursor: sorted[i]!.toString(), source, sourcePosition, traceparent }));
}
