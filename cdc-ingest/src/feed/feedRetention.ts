// Feed retention: prunes a prefix of the change feed, but never past what a live registered
// consumer has not read, up to a hard cap; a consumer the cap overtakes is marked expired and
// reported (error log, metric, syncStatus) so it recovers instead of skipping entries silently.
// The rules (what "live" means, what happens to dead gateway replicas) are in docs/changeFeed.md.
import { FEED_CONSUMER_TABLE, FEED_TABLE } from "@crossdock/schema";
import type { Database, Logger } from "@crossdock/platform";

export interface FeedRetentionPolicy {
  /** Entries appended longer ago than this go, unless a live consumer still needs them. */
  retentionHours: number;
  /** Entries appended longer ago than this go whatever any consumer needs. */
  maxRetentionHours: number;
}

export interface PruneOutcome {
  pruned: number;
  /** Consumers whose unread entries this prune removed: they must recover. */
  expired: { name: string; cursor: string }[];
  /** Ephemeral consumers (dead gateway replicas) removed for not heartbeating. */
  forgotten: string[];
}

const FEED = `"${FEED_TABLE}"`;
const CONSUMERS = `"${FEED_CONSUMER_TABLE}"`;

/** The first cursor appended within the last `hours` (everything when none: the whole feed is older). */
const boundaryAt = (hours: string) =>
  `COALESCE((SELECT MIN("cursor") FROM ${FEED} WHERE "appendedAt" >= now() - make_interval(hours => ${hours})),
            (SELECT MAX("cursor") + 1 FROM ${FEED}), 0)`;

/**
 * Deletes entries as a prefix of cursors only, so the retained feed never has holes (a reader
 * either resumes exactly or gets CURSOR_EXPIRED). Live consumers are those seen within the
 * retention window and not expired; the slowest one holds the prefix back, the cap does not wait.
 */
export async function pruneFeed(hub: Database, policy: FeedRetentionPolicy): Promise<PruneOutcome> {
  const retention = policy.retentionHours;
  const cap = Math.max(policy.retentionHours, policy.maxRetentionHours);
  return hub.transaction(async (session) => {
    // A gateway replica heartbeats every half minute; one silent for the whole window is gone.
    const forgotten = await session.query<{ name: string }>(
      `DELETE FROM ${CONSUMERS} WHERE NOT "durable" AND "lastSeenAt" < now() - make_interval(hours => $1) RETURNING "name"`,
      [retention],
    );
    const [gone] = await session.query<{ n: string; last: string | null }>(
      `WITH boundary AS (
         SELECT GREATEST(${boundaryAt("$2")},
                         LEAST(${boundaryAt("$1")},
                               COALESCE((SELECT MIN("cursor") + 1 FROM ${CONSUMERS}
                                          WHERE "expiredAt" IS NULL AND "lastSeenAt" >= now() - make_interval(hours => $1)), ${boundaryAt("$1")}))) AS c),
       gone AS (DELETE FROM ${FEED} WHERE "cursor" < (SELECT c FROM boundary) RETURNING "cursor")
       SELECT count(*)::text AS n, MAX("cursor")::text AS last FROM gone`,
      [retention, cap],
    );
    // Any consumer that had not read the newest pruned entry lost entries: expired, not skipped.
    const expired =
      gone?.last == null
        ? []
        : await session.query<{ name: string; cursor: string }>(
            `UPDATE ${CONSUMERS} SET "expiredAt" = now() WHERE "expiredAt" IS NULL AND "cursor" < $1::bigint RETURNING "name", "cursor"::text AS cursor`,
            [gone.last],
          );
    await session.query(`DELETE FROM "AppliedTransaction" WHERE "appliedAt" < now() - make_interval(hours => $1)`, [retention]);
    return { pruned: Number(gone?.n ?? 0), expired, forgotten: forgotten.map((f) => f.name) };
  });
}

export interface RetentionReport {
  logger: Logger;
  /** Counts consumers expired by the cap (crossdock_feed_consumer_expired_total). */
  onExpired: (consumer: string) => void;
}

/** Prunes and reports what the prune did; failures are logged (the next run tries again). */
export async function runFeedRetention(hub: Database, policy: FeedRetentionPolicy, report: RetentionReport): Promise<PruneOutcome | null> {
  try {
    const outcome = await pruneFeed(hub, policy);
    for (const consumer of outcome.expired) {
      report.onExpired(consumer.name);
      report.logger.error(
        { consumer: consumer.name, cursor: consumer.cursor, maxRetentionHours: policy.maxRetentionHours },
        "feed consumer fell behind the retention cap; entries it had not read were pruned and it is marked expired",
      );
    }
    if (outcome.forgotten.length > 0) report.logger.info({ consumers: outcome.forgotten }, "forgot feed consumers that stopped heartbeating");
    return outcome;
  } catch (error) {
    report.logger.warn({ err: error }, "feed pruning failed");
    return null;
  }
}
