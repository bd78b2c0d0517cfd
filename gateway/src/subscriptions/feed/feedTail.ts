// The gateway process's subscription tail: the platform's one feed tail, registered as an
// ephemeral feed consumer (its cursor lives in this process and starts at the head), handing
// each page to the fan-out. A slow safety poll covers a notification lost with its connection.
import { EphemeralFeedCursor, FeedTail as PlatformFeedTail, type ChangeFeedReader, type ChangeFeedRecord, type Logger } from "@crossdock/platform";

export interface FeedTailOptions {
  reader: ChangeFeedReader;
  entityTypes: readonly string[];
  logger: Logger;
  pageSize: number;
  pollIntervalMs: number;
  onPage: (records: readonly ChangeFeedRecord[]) => void;
}

export class FeedTail {
  private readonly tail: PlatformFeedTail;

  constructor(options: FeedTailOptions) {
    const { reader, logger } = options;
    this.tail = new PlatformFeedTail({
      reader,
      cursor: new EphemeralFeedCursor(reader.database, "gateway"),
      entityTypes: options.entityTypes,
      logger,
      pageSize: options.pageSize,
      pollIntervalMs: options.pollIntervalMs,
      startFrom: "head",
      handle: (page) => options.onPage(page),
      // Only a process stalled past the retention cap gets here. Live subscribers have missed
      // entries; the tail says so loudly and goes on from the head (subscribers resuming with
      // `after` from before the pruned range get CURSOR_EXPIRED from their catch-up).
      onExpired: async (cursor) => {
        logger.error({ cursor: cursor.toString() }, "subscription tail fell behind the feed's retention cap; live subscribers missed events");
        return reader.headCursor();
      },
    });
  }

  /** Every entry up to here was handed to the fan-out; later ones will be. */
  get head(): bigint {
    return this.tail.cursor;
  }

  start(): Promise<void> {
    return this.tail.start();
  }

  wake(): void {
    this.tail.wake();
  }

  stop(): Promise<void> {
    return this.tail.stop();
  }
}
