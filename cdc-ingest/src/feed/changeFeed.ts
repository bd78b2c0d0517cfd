// The change feed: every read-model change appended in the same transaction as the change,
// with a monotonic cursor. The one appender, the read-model apply, holds its transaction-scoped
// lock (READ_MODEL_APPLY_LOCK) until commit, so cursor order is commit order: a reader that has
// seen cursor N can never later find a smaller one appear.
import type { SqlSession } from "@crossdock/platform";
import type { FeedEntry, FeedEntryInput } from "./feedTypes.js";

export const FEED_CHANNEL = "crossdock_feed";

/**
 * The INSERT that appends a batch's entries, as a statement part (a CTE body) so the apply can
 * append, checkpoint and notify in one round trip. `$source`, `$position` and `$entries` name
 * the parameters; the entries are feedEntriesParam's JSON. The caller holds READ_MODEL_APPLY_LOCK.
 */
export function feedInsertSql(params: { source: string; position: string; entries: string }): string {
  return `INSERT INTO "ChangeFeedEntry" ("entityType", "entityKey", "changeKind", "occurredAt", "source", "sourcePosition", "payload")
     SELECT x.et, x.ek, x.ck, x.at, ${params.source}, ${params.position}, x.p
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
  origin: { source: string; sourcePosition: string },
): FeedEntry[] {
  const { source, sourcePosition } = origin;
  // Cursors come from the sequence in the SELECT's order, so sorted cursors line up with entries.
  const sorted = cursors.map((c) => BigInt(c)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.map((entry, i) => ({ ...entry, cursor: sorted[i]!.toString(), source, sourcePosition }));
}

export interface FeedReadOptions {
  after: string;
  limit: number;
  entityTypes?: readonly string[];
}

export async function readFeed(session: SqlSession, options: FeedReadOptions): Promise<FeedEntry[]> {
  const rows = await session.query<{
    cursor: string;
    entityType: FeedEntry["entityType"];
    entityKey: string;
    changeKind: FeedEntry["changeKind"];
    occurredAt: Date;
    source: string;
    sourcePosition: string;
    payload: Record<string, unknown>;
  }>(
    `SELECT "cursor"::text AS cursor, "entityType", "entityKey", "changeKind", "occurredAt", "source", "sourcePosition", "payload"
     FROM "ChangeFeedEntry" WHERE "cursor" > $1::bigint AND ($3::text[] IS NULL OR "entityType" = ANY($3::text[]))
     ORDER BY "ChangeFeedEntry"."cursor" LIMIT $2`, // qualified: a bare "cursor" sorts the text alias
    [options.after, options.limit, options.entityTypes ? [...options.entityTypes] : null],
  );
  return rows.map((r) => ({ ...r, occurredAt: new Date(r.occurredAt) }));
}

/** The oldest cursor still retained (0 when the feed is empty): resuming before it is CURSOR_EXPIRED. */
export async function oldestRetainedCursor(session: SqlSession): Promise<string> {
  const [row] = await session.query<{ cursor: string | null }>(`SELECT MIN("cursor")::text AS cursor FROM "ChangeFeedEntry"`);
  return row?.cursor ?? "0";
}

/**
 * Deletes entries appended before the retention window, as a prefix of cursors only: every
 * entry below the first one still inside the window goes, none above it, so the retained feed
 * never has holes (a reader either resumes exactly or gets CURSOR_EXPIRED).
 */
export async function pruneFeed(session: SqlSession, retentionHours: number): Promise<number> {
  const rows = await session.query<{ n: string }>(
    `WITH boundary AS (
       SELECT COALESCE((SELECT MIN("cursor") FROM "ChangeFeedEntry" WHERE "appendedAt" >= now() - make_interval(hours => $1)),
                       (SELECT MAX("cursor") + 1 FROM "ChangeFeedEntry"), 0) AS c),
     gone AS (DELETE FROM "ChangeFeedEntry" WHERE "cursor" < (SELECT c FROM boundary) RETURNING 1)
     SELECT count(*)::text AS n FROM gone`,
    [retentionHours],
  );
  await session.query(`DELETE FROM "AppliedTransaction" WHERE "appliedAt" < now() - make_interval(hours => $1)`, [retentionHours]);
  return Number(rows[0]?.n ?? 0);
}
