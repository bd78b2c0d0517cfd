// Shapes of change-feed entries: what subscribers and flows read, in apply order.
export type FeedEntityType = "InventoryPosition" | "OrderStatus" | "Shipment" | "Case" | "Receipt" | "OrderAmended";
export type FeedChangeKind = "CREATED" | "UPDATED" | "DELETED";

export interface FeedEntryInput {
  entityType: FeedEntityType;
  entityKey: string;
  changeKind: FeedChangeKind;
  occurredAt: Date;
  payload: Record<string, unknown>;
}

export interface FeedEntry extends FeedEntryInput {
  cursor: string;
  source: string;
  sourcePosition: string;
}
