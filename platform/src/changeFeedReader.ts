// The one reader of the read model's change feed (appended by cdc-ingest with cursor order =
// commit order), for every consumer: entries after a cursor with their payloads checked against
// the feed contract, the retained range, and a wake-up when new entries commit. It only reads.
import { checkFeedPayload, FEED_CHANNEL, FEED_TABLE } from "@crossdock/schema";
import type { Database } from "./database.js";
import type { Logger } from "./logger.js";

/** Postgres NOTIFY channel cdc-ingest signals on every feed commit (the contract's FEED_CHANNEL). */
export const CHANGE_FEED_CHANNEL = FEED_CHANNEL;

export interface ChangeFeedRecord {
  cursor: bigint;
  entityType: string;
  entityKey: string;
  changeKind: string;
  occurredAt: Date;
  payload: Record<string, unknown>;
  /** The W3C traceparent of the apply that appended the entry (null or absent when tracing was off). */
  traceparent?: string | null;
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
  /** In-process wake-ups (embedded mode); defaults to LISTEN on the feed channel. */
  notifier?: ChangeFeedNotifier;
  /** Close the database with the reader (when the reader opened it). */
  ownsDatabase?: boolean;
  /** Told about every entry whose payload breaks the contract (it is left out of the page). */
  onInvalidEntry?: (entry: { cursor: bigint; entityType: string; entityKey: string }, problem: string) => void;
  logger?: Logger;
}

interface FeedRow {
  cursor: string;
  entityType: string;
  entityKey: string;
  changeKind: string;
  occurredAt: Date | string;
  payload: Record<string, unknown> | string;
  traceparent: string | null;
}

export class ChangeFeedReader {
  readonly database: Database;
  /** Entries refused for a payload that breaks the contract, since this reader was made. */
  invalidEntries = 0;
  private readonly notifier: ChangeFeedNotifier;

  constructor(private readonly options: ChangeFeedReaderOptions) {
    this.database = options.database;
    this.notifier = options.notifier ?? ((onCommitted) => options.database.listen(FEED_CHANNEL, () => onCommitted()));
  }

  /** Entries with cursor > `after`, oldest first. */
  async readAfter(after: bigint, options: ChangeFeedReadOptions): Promise<ChangeFeedRecord[]> {
    return (await this.readPage(after, options)).records;
  }

  /**
   * One page after `after`, the last cursor it covered (refused entries included: a tail moves
   * past a refused entry instead of reading, and reporting, it again) and whether it reached
   * the end of the range (`upTo`, or the newest entry).
   */
  async readPage(after: bigint, options: ChangeFeedReadOptions): Promise<{ records: ChangeFeedRecord[]; scannedTo: bigint | null; complete: boolean }> {
    const prefix = options.entityKeyPrefix === undefined ? null : `${options.entityKeyPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = await this.database.query<FeedRow>(
      `SELECT "cursor"::text AS cursor, "entityType", "entityKey", "changeKind", "occurredAt", "payload", "traceparent"
       FROM "${FEED_TABLE}"
       WHERE "cursor" > $1::bigint AND ($3::bigint IS NULL OR "cursor" <= $3::bigint)
         AND ($4::text[] IS NULL OR "entityType" = ANY($4::text[]))
         AND ($5::text IS NULL OR "entityKey" = $5::text) AND ($6::text IS NULL OR "entityKey" LIKE $6::text)
       ORDER BY "${FEED_TABLE}"."cursor" LIMIT $2`, // qualified: a bare "cursor" sorts the text alias
      [
        after.toString(),
        options.limit,
        options.upTo === undefined ? null : options.upTo.toString(),
        options.entityTypes ? [...options.entityTypes] : null,
        options.entityKey ?? null,
        prefix,
      ],
    );
    const records: ChangeFeedRecord[] = [];
    let scannedTo: bigint | null = null;
    for (const row of rows) {
      const cursor = BigInt(row.cursor);
      scannedTo = cursor;
      const raw = typeof row.payload === "string" ? (JSON.parse(row.payload) as unknown) : row.payload;
      const checked = checkFeedPayload(row.entityType, raw);
      if (!checked.ok) {
        this.refuse({ cursor, entityType: row.entityType, entityKey: row.entityKey }, checked.problem);
        continue;
      }
      records.push({
        cursor,
        entityType: row.entityType,
        entityKey: row.entityKey,
        changeKind: row.changeKind,
        occurredAt: new Date(row.occurredAt),
        payload: checked.payload,
        traceparent: row.traceparent ?? null,
      });
    }
    return { records, scannedTo, complete: rows.length < options.limit };
  }

  /**
   * The newest committed cursor. With an empty table (everything pruned) it is the sequence's
   * last value, so a resume from before the prune is still recognised as expired.
   */
  async headCursor(): Promise<bigint> {
    const [row] = await this.database.query<{ head: string | null }>(
      `SELECT COALESCE((SELECT MAX("cursor") FROM "${FEED_TABLE}"),
         pg_sequence_last_value(pg_get_serial_sequence($1, $2)::regclass), 0)::text AS head`,
      // Parameters (rather than literals) make it a prepared statement on Postgres: every feed
      // reader asks for the head on each wake-up.
      [`"${FEED_TABLE}"`, "cursor"],
    );
    return BigInt(row?.head ?? "0");
  }

  /** The oldest cursor still retained, or null when the table is empty. */
  async oldestRetainedCursor(): Promise<bigint | null> {
    const [row] = await this.database.query<{ oldest: string | null }>(`SELECT MIN("cursor")::text AS oldest FROM "${FEED_TABLE}"`);
    return row?.oldest ? BigInt(row.oldest) : null;
  }

  /** Subscribes to commit notifications; resolves to an unsubscribe function. */
  watch(onCommitted: () => void): Promise<() => Promise<void>> {
    return this.notifier(onCommitted);
  }

  async close(): Promise<void> {
    if (this.options.ownsDatabase) await this.database.close();
  }

  // A contract breach is the appender's bug: loud (log, count, callback), and the entry is not
  // handed on, so no consumer acts on a half-understood change. The stream goes on past it.
  private refuse(entry: { cursor: bigint; entityType: string; entityKey: string }, problem: string): void {
    this.invalidEntries++;
    this.options.logger?.error(
      { cursor: entry.cursor.toString(), entityType: entry.entityType, entityKey: entry.entityKey, problem },
      "change feed entry breaks the feed contract; not delivered",
    );
    this.options.onInvalidEntry?.(entry, problem);
  }
}
