// The change feed's one contract: the table and NOTIFY channel cdc-ingest appends to, the
// consumer registry its readers record their cursors in, and the entity types and change kinds
// an entry may carry. Every appender, reader and pruner imports these; none spells them itself.

/** The feed table: one row per read-model change, `cursor` ascending in commit order. */
export const FEED_TABLE = "ChangeFeedEntry";

/** Postgres NOTIFY channel signalled (with the newest cursor) on every feed commit. */
export const FEED_CHANNEL = "crossdock_feed";

/** Named consumers with their cursor: retention never prunes past the slowest live one. */
export const FEED_CONSUMER_TABLE = "FeedConsumer";

export const FEED_ENTITY_TYPES = ["InventoryPosition", "OrderStatus", "Shipment", "Case", "Receipt", "LowStock", "OrderAmended"] as const;
export type FeedEntityType = (typeof FEED_ENTITY_TYPES)[number];

export const FEED_CHANGE_KINDS = ["CREATED", "UPDATED", "DELETED"] as const;
export type FeedChangeKind = (typeof FEED_CHANGE_KINDS)[number];

export function isFeedEntityType(value: string): value is FeedEntityType {
  return (FEED_ENTITY_TYPES as readonly string[]).includes(value);
}
