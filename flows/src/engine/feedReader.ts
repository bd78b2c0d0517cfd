// The flows' durable feed reader: reads the change feed after its own cursor, asks each flow
// which runs and steps an entry triggers, and commits those triggers together with the new
// cursor in ONE hub transaction — so after a crash it resumes exactly where it stopped, and a
// re-read entry adds nothing (step names are unique per run). It never executes a step itself.
import type { ChangeFeedReader, Database, Logger } from "@crossdock/platform";
import type { FlowMetrics } from "./flowMetrics.js";
import type { FlowRegistry } from "./flowRegistry.js";
import { applyTriggers } from "./runStore.js";
import { runIdOf, type Facts, type FeedEvent, type RunLookup, type RunSummary, type RunTrigger } from "./types.js";

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

class CursorMovedError extends Error {}

export class FlowFeedReader {
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private wakeUp: (() => void) | null = null;
  private pendingWake = false;
  private unwatch: (() => Promise<void>) | null = null;
  /** The committed cursor as this reader last wrote it; null = read it from the database (start, after a failure). */
  private position: bigint | null = null;

  constructor(private readonly options: FeedReaderOptions) {}

  async start(): Promise<void> {
    const { hub, feed, startFrom } = this.options;
    const head = startFrom === "latest" ? await feed.headCursor() : 0n;
    // A fresh reader starts at the head (history before flows existed is not replayed) or at 0.
    await hub.query(`INSERT INTO "FlowCursor" ("name", "cursor") VALUES ($1, $2::bigint) ON CONFLICT ("name") DO NOTHING`, [FLOWS_CURSOR, head.toString()]);
    this.unwatch = await feed.watch(() => this.wake());
    this.running = true;
    this.loopDone = this.loop();
  }

  wake(): void {
    this.pendingWake = true;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loopDone;
    await this.unwatch?.().catch(() => undefined);
  }

  async cursor(): Promise<bigint> {
    const [row] = await this.options.hub.query<{ cursor: string }>(`SELECT "cursor"::text AS cursor FROM "FlowCursor" WHERE "name" = $1`, [FLOWS_CURSOR]);
    return BigInt(row?.cursor ?? "0");
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (this.running) {
      this.pendingWake = false;
      let read = 0;
      try {
        read = await this.pump();
        failures = 0;
      } catch (error) {
        // Another replica may have moved the cursor, or the commit's outcome is unknown: re-read it.
        this.position = null;
        if (!this.running) break;
        failures++;
        if (!(error instanceof CursorMovedError)) this.options.logger.warn({ err: error }, "flows feed batch failed; retrying");
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 50 * 2 ** failures)));
        continue;
      }
      if (read >= this.options.batchSize || this.pendingWake) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollMs);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = null;
    }
  }

  /** Reads one batch, routes it and commits triggers + cursor; returns how many entries it read. */
  async pump(): Promise<number> {
    const { hub, feed, registry, batchSize } = this.options;
    const after = this.position ?? (await this.cursor());
    // The head is read first: entries committed after it are read next time, never skipped.
    const head = await feed.headCursor();
    const events: FeedEvent[] = await feed.readAfter(after, { limit: batchSize, entityTypes: registry.entityTypes, upTo: head });
    if (events.length === 0) {
      // Only entries of other types up to the head: follow it so the lag reads true.
      if (head > after) {
        const moved = await hub.query(
          `UPDATE "FlowCursor" SET "cursor" = $2::bigint, "updatedAt" = now() WHERE "name" = $1 AND "cursor" = $3::bigint RETURNING 1`,
          [FLOWS_CURSOR, head.toString(), after.toString()],
        );
        this.position = moved.length > 0 ? head : null;
      } else this.position = after;
      return 0;
    }
    await this.options.prepare(events);
    const triggers: RunTrigger[] = [];
    const lookup = this.lookupWith(triggers);
    for (const event of events) triggers.push(...(await registry.route(event, lookup)));
    const last = events.at(-1)!.cursor;
    const { steps, finished } = await hub.transaction(async (session) => {
      // Optimistic: another reader (a second replica) that moved the cursor first wins the batch.
      const moved = await session.query(
        `UPDATE "FlowCursor" SET "cursor" = $2::bigint, "updatedAt" = now() WHERE "name" = $1 AND "cursor" = $3::bigint RETURNING 1`,
        [FLOWS_CURSOR, last.toString(), after.toString()],
      );
      if (moved.length === 0) throw new CursorMovedError("the flows cursor moved under this reader");
      return applyTriggers(session, triggers);
    });
    this.position = last;
    this.options.metrics.observeFinished(finished);
    if (steps > 0) this.options.onSteps();
    return events.length;
  }

  /**
   * Run lookups see committed runs plus the ones this batch has triggered so far. The committed
   * active runs of a flow are read once per batch (the first time a router asks about that flow)
   * and filtered here, instead of one query per event.
   */
  private lookupWith(pending: readonly RunTrigger[]): RunLookup {
    const hub = this.options.hub;
    const committed = new Map<string, Promise<RunSummary[]>>();
    const activeOf = (flow: string) => {
      let rows = committed.get(flow);
      if (!rows) {
        rows = hub.query<RunSummary>(
          `SELECT "id", "flow", "subjectKey", "orderNumber", "status", "facts" FROM "FlowRun"
           WHERE "flow" = $1 AND "status" IN ('RUNNING', 'PARKED') AND ("facts"->>'done') IS DISTINCT FROM 'true'`,
          [flow],
        );
        committed.set(flow, rows);
      }
      return rows;
    };
    return {
      reorderPoint: this.options.reorderPoint,
      async activeRuns(flow, where) {
        const rows = await activeOf(flow);
        const byId = new Map(rows.map((row) => [row.id, row]));
        for (const trigger of pending) {
          if (trigger.flow !== flow) continue;
          const id = runIdOf(trigger.flow, trigger.subjectKey);
          const known = byId.get(id);
          if (!known && !trigger.create) continue;
          const facts: Facts = { ...(known?.facts ?? {}), ...(trigger.facts ?? {}) };
          byId.set(id, { id, flow, subjectKey: trigger.subjectKey, orderNumber: known?.orderNumber ?? trigger.orderNumber ?? null, status: "RUNNING", facts });
        }
        return [...byId.values()].filter(
          (run) =>
            run.facts["done"] !== true &&
            (!where.fact || run.facts[where.fact[0]] === where.fact[1]) &&
            (!where.orderNumber || run.orderNumber === where.orderNumber),
        );
      },
    };
  }
}
