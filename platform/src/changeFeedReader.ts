// Reads the read model's change feed ("ChangeFeedEntry", appended by cdc-ingest with cursor
// order = commit order) from any Database: entries after a cursor, the retained range, and a
// wake-up when new entries commit. It only reads; it never appends to or prunes the feed.
import type { Database } from "./database.js";

/** Postgres NOTIFY channel cdc-ingest signals (with the newest cursor) on every feed commit. */
export const CHANGE_FEED_CHANNEL = "crossdock_feed";

export interface ChangeFeedRecord {
  cursor: bigint;
  entityType: string;
  entityKey: string;
  changeKind: string;
  occurredAt: Date;
  payload: Record<string, unknown>;
}

export interface ChangeFeedReadOptions {
  limit: number;
  entityTypes?: readonly string[];
  /** Only entries of this exact entity key (uses the feed's (entityType, entityKey) index). */
  entityKey?: string;
  /** Only entries whose key starts with this prefix, e.g. `SKU-1|` for one sku at every warehouse. */
  entityKeyPrefix?: string;
  /** Read no entry past this cursor. */
  upTo?: bigint;
}

/** Calls `onCommitted` whenever new entries may have committed; resolves to an unsubscribe function. */
export type ChangeFeedNotifier = (onCommitted: () => void) => Promise<() => Promise<void>>;

export interface ChangeFeedReaderOptions {
  database: Database;
  /** In-process wake-ups (embedded mode); defaults to LISTEN on CHANGE_FEED_CHANNEL. */
  notifier?: ChangeFeedNotifier;
  /** Close the database with the reader (when the reader opened it). */
  ownsDatabase?: boolean;
}

interface FeedRow {
  cursor: string;
  entityType: string;
  entityKey: string;
  changeKind: string;
  occurredAt: Date | string;
  payload: Record<string, unknown> | string;
}

export class ChangeFeedReader {
  readonly database: Database;
  private readonly notifier: ChangeFeedNotifier;

  constructor(private readonly options: ChangeFeedReaderOptions) {
    this.database = options.database;
    this.notifier = options.notifier ?? ((onCommitted) => options.database.listen(CHANGE_FEED_CHANNEL, () => onCommitted()));
  }

  /** Entries with cursor > `after`, oldest first. */
  async readAfter(after: bigint, options: ChangeFeedReadOptions): Promise<ChangeFeedRecord[]> {
    const prefix = options.entityKeyPrefix === undefined ? null : `${options.entityKeyPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = await this.database.query<FeedRow>(
      `SELECT "cursor"::text AS cursor, "entityType", "entityKey", "changeKind", "occurredAt", "payload"
       FROM "ChangeFeedEntry"
       WHERE "cursor" > $1::bigint AND ($3::bigint IS NULL OR "cursor" <= $3::bigint)
         AND ($4::text[] IS NULL OR "entityType" = ANY($4::text[]))
         AND ($5::text IS NULL OR "entityKey" = $5::text) AND ($6::text IS NULL OR "entityKey" LIKE $6::text)
       ORDER BY "ChangeFeedEntry"."cursor" LIMIT $2`, // qualified: a bare "cursor" sorts the text alias
      [
        after.toString(),
        options.limit,
        options.upTo === undefined ? null : options.upTo.toString(),
        options.entityTypes ? [...options.entityTypes] : null,
        options.entityKey ?? null,
        prefix,
      ],
    );
    return rows.map((row) => ({
      cursor: BigInt(row.cursor),
      entityType: row.entityType,
      entityKey: row.entityKey,
      changeKind: row.changeKind,
      occurredAt: new Date(row.occurredAt),
      payload: typeof row.payload === "string" ? (JSON.parse(row.payload) as Record<string, unknown>) : row.payload,
    }));
  }

  /**
   * The newest committed cursor. With an empty table (everything pruned) it is the sequence's
   * last value, so a resume from before the prune is still recognised as expired.
   */
  async headCursor(): Promise<bigint> {
    const [row] = await this.database.query<{ head: string | null }>(
      `SELECT COALESCE((SELECT MAX("cursor") FROM "ChangeFeedEntry"),
         pg_sequence_last_value(pg_get_serial_sequence($1, $2)::regclass), 0)::text AS head`,
      // Parameters (rather than literals) make it a prepared statement on Postgres: every feed
      // reader asks for the head on each wake-up.
      ['"ChangeFeedEntry"', "cursor"],
    );
    return BigInt(row?.head ?? "0");
  }

  /** The oldest cursor still retained, or null when the table is empty. */
  async oldestRetainedCursor(): Promise<bigint | null> {
    const [row] = await this.database.query<{ oldest: string | null }>(`SELECT MIN("cursor")::text AS oldest FROM "ChangeFeedEntry"`);
    return row?.oldest ? BigInt(row.oldest) : null;
  }

  /** Subscribes to commit notifications; resolves to an unsubscribe function. */
  watch(onCommitted: () => void): Promise<() => Promise<void>> {
    return this.notifier(onCommitted);
  }

  async close(): Promise<void> {
    if (this.options.ownsDatabase) await this.database.close();
  }
}
