// Keeps the planner's statistics of the read model in step with its growth. The apply path's
// lookups stay index lookups only while Postgres knows how large the mirror is; a snapshot or a
// backlog grows it faster than autovacuum looks (PGlite has no autovacuum at all). Never runs
// inside an apply transaction, and never more than once at a time per hub.
import type { Database } from "@crossdock/platform";

const ANALYZED_TABLES = `"SourceRow", "OpenAllocation", "InventoryPosition", "OrderStatusView"`;
/** Rows written before the first ANALYZE; after that, half of everything written so far. */
const FIRST_THRESHOLD = 1_000;

class ReadModelStatistics {
  private sinceAnalyze = 0;
  private total = 0;
  private threshold = FIRST_THRESHOLD;
  private running: Promise<void> | undefined;

  constructor(private readonly hub: Database) {}

  /**
   * Called after a commit with the mirror rows it changed; analyzes in the background when the
   * mirror grew enough, so no batch waits for it. A failed ANALYZE (the hub closing) is only late
   * statistics: the next threshold tries again.
   */
  noteWritten(rows: number): void {
    this.sinceAnalyze += rows;
    if (this.sinceAnalyze < this.threshold || this.running) return;
    this.total += this.sinceAnalyze;
    this.sinceAnalyze = 0;
    // Geometric steps: a few ANALYZEs while the mirror is young, then autovacuum's business.
    this.threshold = Math.max(FIRST_THRESHOLD, this.total / 2);
    this.running = this.hub
      .query(`ANALYZE ${ANALYZED_TABLES}`)
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        this.running = undefined;
      });
  }
}

const perHub = new WeakMap<Database, ReadModelStatistics>();

/** The one tracker of a hub database, shared by every ingestor that writes to it. */
export function readModelStatistics(hub: Database): ReadModelStatistics {
  let statistics = perHub.get(hub);
  if (!statistics) {
    statistics = new ReadModelStatistics(hub);
    perHub.set(hub, statistics);
  }
  return statistics;
}
