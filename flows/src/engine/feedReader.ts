// The flows' durable feed consumer: the platform's feed tail with its cursor in the consumer
// registry ("flows"). Each page is routed to the flows and the triggers are committed with the
// new cursor in ONE hub transaction, so after a crash it resumes exactly where it stopped, and a
// re-read entry adds nothing (step names are unique per run). It never executes a step itself.
import {
  DurableFeedCursor,
  FeedTail,
  type ChangeFeedReader,
  type ChangeFeedRecord,
  type Database,
  type FeedPageCommit,
  type Logger,
} from "@crossdock/platform";
import type { FlowMetrics } from "./flowMetrics.js";
import type { FlowRegistry } from "./flowRegistry.js";
import { runLookup } from "./runLookup.js";
import { applyTriggers } from "./runStore.js";
import { rescanReadModel } from "./rescan.js";
import type { FeedEvent, RunTrigger } from "./types.js";

/** The flows' name in the feed consumer registry. */
export const FLOWS_CURSOR = "flows";

export interface FeedReaderOptions {
  hub: Database;
  feed: ChangeFeedReader;
  registry: FlowRegistry;
  metrics: FlowMetrics;
  logger: Logger;
  batchSize: number;
  pollMs: number;
  startFrom: "latest" | "earliest";
  /** Called before routing a batch (e.g. to load reorder points through the gateway). */
  prepare: (events: readonly FeedEvent[]) => Promise<void>;
  reorderPoint: (sku: string) => string | undefined;
  /** New steps were committed: wake the workers. */
  onSteps: () => void;
}

export class FlowFeedReader {
  private readonly store: DurableFeedCursor;
  private readonly tail: FeedTail;

  constructor(private readonly options: FeedReaderOptions) {
    const { hub, feed, registry, logger } = options;
    this.store = new DurableFeedCursor(hub, FLOWS_CURSOR);
    this.tail = new FeedTail({
      reader: feed,
      cursor: this.store,
      entityTypes: registry.entityTypes,
      logger,
      pageSize: options.batchSize,
      pollIntervalMs: options.pollMs,
      // A fresh consumer starts at the head (history before flows existed is not replayed) or at 0.
      startFrom: options.startFrom === "latest" ? "head" : "earliest",
      handle: (page, commit) => this.route(page, commit),
      onExpired: (cursor) => this.rescan(cursor),
    });
  }

  async start(): Promise<void> {
    // Hubs from before the consumer registry kept the cursor in the flows' own "FlowCursor".
    await this.options.hub.query(
      `INSERT INTO "FeedConsumer" ("name", "cursor", "durable", "lastSeenAt")
       SELECT "name", "cursor", true, "updatedAt" FROM "FlowCursor" WHERE "name" = $1 ON CONFLICT ("name") DO NOTHING`,
      [FLOWS_CURSOR],
    );
    await this.tail.start();
  }

  wake(): void {
    this.tail.wake();
  }

  async stop(): Promise<void> {
    await this.tail.stop();
  }

  /** How far the flows have read (the committed cursor). */
  async cursor(): Promise<bigint> {
    return (await this.store.load()).cursor;
  }

  /** Resolves once everything committed so far has been routed (tests). */
  settle(): Promise<void> {
    return this.tail.settle();
  }

  private async route(events: readonly ChangeFeedRecord[], commit: FeedPageCommit): Promise<void> {
    const { hub, registry } = this.options;
    await this.options.prepare(events);
    const triggers: RunTrigger[] = [];
    const lookup = runLookup({ hub, pending: triggers, reorderPoint: this.options.reorderPoint });
    for (const event of events) {
      const routed = await registry.route(event, lookup);
      if (event.traceparent) for (const trigger of routed) trigger.traceparent ??= event.traceparent;
      triggers.push(...routed);
    }
    const { steps, finished } = await hub.transaction(async (session) => {
      // Optimistic: another reader (a second replica) that moved the cursor first wins the batch.
      await commit(session);
      return applyTriggers(session, triggers);
    });
    this.options.metrics.observeFinished(finished);
    if (steps > 0) this.options.onSteps();
  }

  /**
   * Entries the flows had not read were pruned (the flows were down past the retention cap):
   * what they would have triggered is recomputed from the read model as it stands, then reading
   * goes on from the head as of before the re-scan (anything newer is read as usual).
   */
  private async rescan(expiredAt: bigint): Promise<bigint> {
    const { hub, feed, registry, logger } = this.options;
    const head = await feed.headCursor();
    const triggers: RunTrigger[] = [];
    const lookup = runLookup({ hub, pending: triggers, reorderPoint: this.options.reorderPoint });
    const events = await rescanReadModel(hub, head);
    for (const event of events) triggers.push(...(await registry.route(event, lookup)));
    const { steps, finished } = await hub.transaction((session) => applyTriggers(session, triggers));
    this.options.metrics.observeFinished(finished);
    this.options.metrics.rescans.inc();
    logger.error(
      { expiredAt: expiredAt.toString(), head: head.toString(), orders: events.length, steps },
      "flows feed cursor expired; re-scanned the order status read model and go on from the head",
    );
    if (steps > 0) this.options.onSteps();
    return head;
  }
}
