// The one tail of the change feed, for every consumer (a gateway's subscription fan-out, the
// flows): on each commit notification, and on a slow safety poll, it reads everything after
// its cursor up to the head and hands it on page by page; where the cursor lives is pluggable.
// A cursor retention expired is never skipped silently: the consumer recovers first.
import type { SqlSession } from "./database.js";
import type { Logger } from "./logger.js";
import type { ChangeFeedReader, ChangeFeedRecord } from "./changeFeedReader.js";
import type { FeedCursorStore } from "./feedConsumers.js";

/** Records the page as handled; inside the consumer's transaction when given its session. */
export type FeedPageCommit = (session?: SqlSession) => Promise<void>;

export interface FeedTailOptions {
  reader: ChangeFeedReader;
  cursor: FeedCursorStore;
  /** Only these entity types; the cursor still follows the head past the others. */
  entityTypes?: readonly string[];
  logger: Logger;
  pageSize: number;
  pollIntervalMs: number;
  /** How often the consumer tells the registry it is alive (default 30 s). */
  heartbeatMs?: number;
  /** Where a consumer seen for the first time starts: the head (no history) or the beginning. */
  startFrom: "head" | "earliest";
  /**
   * Handles one page. It may commit the page itself (the flows, with their own writes in one
   * transaction); otherwise the tail records it once `handle` returns.
   */
  handle: (page: readonly ChangeFeedRecord[], commit: FeedPageCommit) => Promise<void> | void;
  /** Entries after `cursor` were pruned unread: recover (re-scan, tell subscribers) and say where to go on from. */
  onExpired: (cursor: bigint) => Promise<bigint>;
}

/** Another reader (a second replica) moved the shared cursor first, or retention expired it. */
export class FeedCursorMovedError extends Error {
  override name = "FeedCursorMovedError";
}

export class FeedTail {
  /** Every entry up to here was handed on (and recorded); later ones will be. */
  cursor = 0n;
  /** Known good position; null = ask the store (at start, after a failure or a lost race). */
  private known: bigint | null = null;
  private reading = false;
  private again = false;
  private stopped = false;
  private current: Promise<void> = Promise.resolve();
  private unwatch: (() => Promise<void>) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastHeartbeat = Date.now();
  private failures = 0;

  constructor(private readonly options: FeedTailOptions) {}

  get name(): string {
    return this.options.cursor.name;
  }

  async start(): Promise<void> {
    const { reader, cursor, startFrom } = this.options;
    const position = await cursor.open(() => (startFrom === "head" ? reader.headCursor() : Promise.resolve(0n)));
    this.cursor = position.cursor;
    this.unwatch = await reader.watch(() => this.wake());
    this.timer = setInterval(() => this.tick(), this.options.pollIntervalMs);
    this.timer.unref();
    this.wake();
  }

  wake(): void {
    if (this.stopped) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    this.current = this.readAll().finally(() => {
      this.reading = false;
      if (this.again && !this.stopped) {
        this.again = false;
        this.wake();
      }
    });
  }

  /** Resolves once the tail has read up to the head as it stands now (tests, shutdown). */
  async settle(): Promise<void> {
    this.wake();
    while (this.reading) await this.current;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.current;
    await this.unwatch?.().catch(() => undefined);
    await this.options.cursor
      .close()
      .catch((error: unknown) => this.options.logger.warn({ err: error, consumer: this.name }, "feed consumer did not deregister"));
  }

  private tick(): void {
    if (Date.now() - this.lastHeartbeat >= (this.options.heartbeatMs ?? 30_000)) {
      this.lastHeartbeat = Date.now();
      void this.options.cursor
        .heartbeat()
        .catch((error: unknown) => this.options.logger.warn({ err: error, consumer: this.name }, "feed consumer heartbeat failed"));
    }
    this.wake();
  }

  private async readAll(): Promise<void> {
    try {
      while (!this.stopped && (await this.readOnce())) this.again = false;
      this.failures = 0;
    } catch (error) {
      // Keep nothing: the next wake-up (or poll) asks the store where the cursor is and reads
      // the same range again, so nothing is skipped.
      this.known = null;
      if (error instanceof FeedCursorMovedError) return;
      this.failures++;
      if (this.failures === 1 || this.failures % 60 === 0)
        this.options.logger.warn({ err: error, consumer: this.name, failures: this.failures }, "change feed read failed; retrying");
    }
  }

  /** Reads and hands on one page; true when there may be more up to the head. */
  private async readOnce(): Promise<boolean> {
    const { reader, cursor: store, entityTypes, pageSize } = this.options;
    let after = this.known;
    if (after === null) {
      const position = await store.load();
      after = position.expired ? await this.recover(position.cursor) : position.cursor;
    }
    // The head first: entries committed after it are read next time, never skipped.
    const head = await reader.headCursor();
    if (head <= after) {
      this.known = after;
      return false;
    }
    const { records, scannedTo, complete } = await reader.readPage(after, { limit: pageSize, ...(entityTypes ? { entityTypes } : {}), upTo: head });
    if (this.stopped) return false;
    // The whole range read: the cursor follows the head past entries of other types, so the
    // consumer's lag reads true and retention is not held for entries it will never read.
    const through = complete || scannedTo === null ? head : scannedTo;
    let committed = false;
    const commit: FeedPageCommit = async (session) => {
      if (!(await store.advance({ from: after, to: through }, session)))
        throw new FeedCursorMovedError(`feed consumer ${this.name} was moved by another reader or expired`);
      committed = true;
    };
    // `cursor` moves in the same tick the page is handed on: a subscriber that registers after
    // the hand-off must see the new cursor, or it would neither catch up on the page nor get it.
    this.cursor = through;
    try {
      if (records.length > 0) await this.options.handle(records, commit);
      if (!committed) await commit();
    } catch (error) {
      this.cursor = after;
      throw error;
    }
    this.known = through;
    return through < head;
  }

  private async recover(expiredAt: bigint): Promise<bigint> {
    this.options.logger.error({ consumer: this.name, cursor: expiredAt.toString() }, "change feed entries this consumer had not read were pruned; recovering");
    const next = await this.options.onExpired(expiredAt);
    await this.options.cursor.restart(next);
    this.cursor = next;
    return next;
  }
}
