// The one reader of the change feed per gateway process: on each commit notification (Postgres
// LISTEN, or the in-process bus) it reads everything after its head, in cursor order, and hands
// each page to the fan-out. A slow safety poll covers a notification lost with its connection.
import type { ChangeFeedReader, ChangeFeedRecord, Logger } from "@crossdock/platform";

export interface FeedTailOptions {
  reader: ChangeFeedReader;
  entityTypes: readonly string[];
  logger: Logger;
  pageSize: number;
  pollIntervalMs: number;
  onPage: (records: readonly ChangeFeedRecord[]) => void;
}

export class FeedTail {
  /** Every entry up to here was handed to the fan-out; later ones will be. */
  head = 0n;
  private reading = false;
  private again = false;
  private stopped = false;
  private unwatch: (() => Promise<void>) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;

  constructor(private readonly options: FeedTailOptions) {}

  async start(): Promise<void> {
    this.head = await this.options.reader.headCursor();
    this.unwatch = await this.options.reader.watch(() => this.wake());
    this.timer = setInterval(() => this.wake(), this.options.pollIntervalMs);
    this.timer.unref();
  }

  wake(): void {
    if (this.stopped) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    void this.readAll().finally(() => {
      this.reading = false;
      if (this.again && !this.stopped) {
        this.again = false;
        this.wake();
      }
    });
  }

  private async readAll(): Promise<void> {
    const { reader, entityTypes, pageSize, onPage, logger } = this.options;
    try {
      for (;;) {
        this.again = false;
        const page = await reader.readAfter(this.head, { limit: pageSize, entityTypes });
        if (this.stopped) return;
        if (page.length > 0) {
          this.head = page.at(-1)!.cursor;
          onPage(page);
        }
        if (page.length < pageSize) break;
      }
      this.failures = 0;
    } catch (error) {
      // Keep the head: the next wake-up (or poll) reads the same range again, nothing is skipped.
      this.failures++;
      if (this.failures === 1 || this.failures % 60 === 0) logger.warn({ err: error, failures: this.failures }, "change feed read failed; retrying");
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.unwatch?.().catch(() => undefined);
  }
}
