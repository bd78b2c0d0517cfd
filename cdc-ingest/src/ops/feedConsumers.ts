// The change feed's registered consumers as syncStatus shows them (ops:admin): how far each has
// read, how far behind the head it is, whether retention expired it. Read-only.
import { ChangeFeedReader, listFeedConsumers, type Database } from "@crossdock/platform";
import { FEED_CONSUMER_TABLE } from "@crossdock/schema";

const MAX_INT = 2_147_483_647;

export interface FeedConsumerView {
  name: string;
  cursor: string;
  lagEvents: number;
  expired: boolean;
  expiredAt: Date | null;
  lastSeenAt: Date;
  durable: boolean;
}

export async function feedConsumerViews(hub: Database): Promise<FeedConsumerView[]> {
  const [consumers, head] = await Promise.all([listFeedConsumers(hub), new ChangeFeedReader({ database: hub }).headCursor()]);
  return consumers.map((c) => ({
    name: c.name,
    cursor: c.cursor.toString(),
    // Cursor positions behind the head (GraphQL Int is 32-bit: a consumer that far behind reports the largest value).
    lagEvents: Number(head > c.cursor ? (head - c.cursor > BigInt(MAX_INT) ? BigInt(MAX_INT) : head - c.cursor) : 0n),
    expired: c.expiredAt !== null,
    expiredAt: c.expiredAt,
    lastSeenAt: c.lastSeenAt,
    durable: c.durable,
  }));
}

export async function countExpiredConsumers(hub: Database): Promise<number> {
  const [row] = await hub.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${FEED_CONSUMER_TABLE}" WHERE "expiredAt" IS NOT NULL`);
  return row?.n ?? 0;
}
