// The change feed's consumer registry ("FeedConsumer", made by cdc-ingest's migrations) as seen
// by a consumer: where its cursor lives, so the one feed tail can serve a durable consumer (the
// flows: cursor committed with their own writes) and an ephemeral one (a gateway's subscription
// tail: cursor in memory, heartbeat in the registry) alike. Only retention marks one expired.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { FEED_CONSUMER_TABLE } from "@crossdock/schema";
import type { Database, SqlSession } from "./database.js";

export interface FeedCursorPosition {
  cursor: bigint;
  /** Retention pruned entries after `cursor` before this consumer read them. */
  expired: boolean;
}

/** Where a feed tail keeps its cursor. */
export interface FeedCursorStore {
  readonly name: string;
  /** Registers the consumer (first time at `initial()`) and returns where it stands. */
  open(initial: () => Promise<bigint>): Promise<FeedCursorPosition>;
  load(): Promise<FeedCursorPosition>;
  /**
   * Records that everything up to `to` is handled. With a session it commits with the consumer's
   * own writes. False when another reader moved the cursor first, or retention expired it.
   */
  advance(move: { from: bigint; to: bigint }, session?: SqlSession): Promise<boolean>;
  /** Tells retention this consumer is alive (and where it is). */
  heartbeat(): Promise<void>;
  /** After recovering from expiry (a re-scan): continue at `cursor`, no longer expired. */
  restart(cursor: bigint): Promise<void>;
  close(): Promise<void>;
}

const T = `"${FEED_CONSUMER_TABLE}"`;

interface ConsumerRow {
  cursor: string;
  expired: boolean;
}

async function readRow(db: Database | SqlSession, name: string): Promise<FeedCursorPosition | null> {
  const [row] = await db.query<ConsumerRow>(`SELECT "cursor"::text AS cursor, "expiredAt" IS NOT NULL AS expired FROM ${T} WHERE "name" = $1`, [name]);
  return row ? { cursor: BigInt(row.cursor), expired: row.expired } : null;
}

/** A consumer whose cursor lives in the registry row itself: it survives restarts and crashes. */
export class DurableFeedCursor implements FeedCursorStore {
  constructor(
    private readonly hub: Database,
    readonly name: string,
  ) {}

  async open(initial: () => Promise<bigint>): Promise<FeedCursorPosition> {
    const known = await readRow(this.hub, this.name);
    if (known) return known;
    await this.hub.query(`INSERT INTO ${T} ("name", "cursor", "durable") VALUES ($1, $2::bigint, true) ON CONFLICT ("name") DO NOTHING`, [
      this.name,
      (await initial()).toString(),
    ]);
    return this.load();
  }

  async load(): Promise<FeedCursorPosition> {
    const position = await readRow(this.hub, this.name);
    if (!position) throw new Error(`feed consumer ${this.name} is not registered`);
    return position;
  }

  async advance(move: { from: bigint; to: bigint }, session?: SqlSession): Promise<boolean> {
    // Optimistic: a second replica that moved it first wins; an expired cursor moves no more.
    const moved = await (session ?? this.hub).query(
      `UPDATE ${T} SET "cursor" = $2::bigint, "lastSeenAt" = now() WHERE "name" = $1 AND "cursor" = $3::bigint AND "expiredAt" IS NULL RETURNING 1`,
      [this.name, move.to.toString(), move.from.toString()],
    );
    return moved.length > 0;
  }

  async heartbeat(): Promise<void> {
    await this.hub.query(`UPDATE ${T} SET "lastSeenAt" = now() WHERE "name" = $1`, [this.name]);
  }

  async restart(cursor: bigint): Promise<void> {
    await this.hub.query(`UPDATE ${T} SET "cursor" = $2::bigint, "expiredAt" = NULL, "lastSeenAt" = now() WHERE "name" = $1`, [this.name, cursor.toString()]);
  }

  async close(): Promise<void> {}
}

/**
 * A consumer whose cursor lives in this process (a gateway's tail starts at the head each time):
 * the registry row only reports it, refreshed by heartbeats, and goes when the process stops.
 * Retention removes the row of a process that died without saying so once it stops heartbeating.
 */
export class EphemeralFeedCursor implements FeedCursorStore {
  readonly name: string;
  private cursor = 0n;
  private expired = false;
  /** The row exists (a hub still being migrated may not have the registry yet). */
  private registered = false;

  constructor(
    private readonly hub: Database,
    prefix: string,
  ) {
    this.name = `${prefix}:${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  async open(initial: () => Promise<bigint>): Promise<FeedCursorPosition> {
    this.cursor = await initial();
    // The registry only reports this consumer: when it cannot be written yet, the next heartbeat tries again.
    await this.register().catch(() => undefined);
    return this.load();
  }

  private async register(): Promise<void> {
    await this.hub.query(
      `INSERT INTO ${T} ("name", "cursor", "durable") VALUES ($1, $2::bigint, false)
       ON CONFLICT ("name") DO UPDATE SET "cursor" = EXCLUDED."cursor", "lastSeenAt" = now(), "expiredAt" = NULL`,
      [this.name, this.cursor.toString()],
    );
    this.registered = true;
  }

  load(): Promise<FeedCursorPosition> {
    return Promise.resolve({ cursor: this.cursor, expired: this.expired });
  }

  advance(move: { from: bigint; to: bigint }): Promise<boolean> {
    if (this.expired || this.cursor !== move.from) return Promise.resolve(false);
    this.cursor = move.to;
    return Promise.resolve(true);
  }

  async heartbeat(): Promise<void> {
    if (!this.registered) return this.register();
    const [row] = await this.hub.query<{ expired: boolean }>(
      `UPDATE ${T} SET "cursor" = $2::bigint, "lastSeenAt" = now() WHERE "name" = $1 RETURNING "expiredAt" IS NOT NULL AS expired`,
      [this.name, this.cursor.toString()],
    );
    // No row: retention took this process for dead (it stopped heartbeating) and may have pruned
    // past it; that is expiry too, never a silent skip.
    if (!row || row.expired) this.expired = true;
  }

  async restart(cursor: bigint): Promise<void> {
    this.cursor = cursor;
    this.expired = false;
    await this.register();
  }

  async close(): Promise<void> {
    if (this.registered) await this.hub.query(`DELETE FROM ${T} WHERE "name" = $1`, [this.name]);
  }
}

export interface FeedConsumerStatus {
  name: string;
  cursor: bigint;
  durable: boolean;
  lastSeenAt: Date;
  expiredAt: Date | null;
}

/** Every registered consumer, for status pages (syncStatus). */
export async function listFeedConsumers(db: Database): Promise<FeedConsumerStatus[]> {
  const rows = await db.query<{ name: string; cursor: string; durable: boolean; lastSeenAt: Date | string; expiredAt: Date | string | null }>(
    `SELECT "name", "cursor"::text AS cursor, "durable", "lastSeenAt", "expiredAt" FROM ${T} ORDER BY "name"`,
  );
  return rows.map((r) => ({
    name: r.name,
    cursor: BigInt(r.cursor),
    durable: r.durable,
    lastSeenAt: new Date(r.lastSeenAt),
    expiredAt: r.expiredAt === null ? null : new Date(r.expiredAt),
  }));
}
