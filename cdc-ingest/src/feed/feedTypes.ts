// Shapes of change-feed entries as the apply produces them; the entity types, change kinds and
// payload schemas are the feed contract's (@crossdock/schema), not defined again here.
import type { FeedChangeKind, FeedEntityType } from "@crossdock/schema";

export type { FeedChangeKind, FeedEntityType };

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
  /** The W3C traceparent of the apply that appended it; null when tracing is off. */
  traceparent: string | null;
}
