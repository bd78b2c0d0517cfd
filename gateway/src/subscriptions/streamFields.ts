// The subscription fields and how each maps onto the change feed: which feed entity type
// feeds it, how its filter arguments match a feed payload (and index subscribers by key), which
// list-by-key query field resolves a batch of its entities through the graph, what of that
// field's own answer the feed payload already carries, and the event's own fields.
import { mayAccessCustomer, type ChangeFeedRecord, type Principal } from "@crossdock/platform";

export type StreamFieldName = "inventoryChanged" | "lowStockChanged" | "orderStatusChanged" | "shipmentUpdated";

export type StreamFilter = Readonly<Record<string, string>>;

/** One feed entry as a subscription event: the cursor plus the values at that change. */
export interface StreamEvent {
  cursor: bigint;
  /** Stable key of the entity the event is about (sku|warehouse, order number, shipment id). */
  entityKey: string;
  /** The entity's key as an item of the batch field's key list (e.g. `{ sku, warehouseCode }`). */
  entityRef: unknown;
  occurredAt: Date;
  payload: Readonly<Record<string, unknown>>;
  /** The trace of the push that delivered it (tracing on and the change traced): its resolution continues it. */
  traceparent?: string | null;
}

export interface StreamField {
  name: StreamFieldName;
  feedEntityType: string;
  eventTypeName: string;
  filterArgs: readonly string[];
  /** The field of the event type that carries the entity (resolved through the supergraph). */
  entityField: string;
  /**
   * The query root field that resolves many of these entities in one call (one `_entities` fetch
   * per subgraph for the whole batch): its name, its key-list argument and that argument's type.
   */
  entityBatch: { field: string; argument: string; type: string };
  /** The entity's key as a list item of `entityBatch`'s argument. */
  entityRef(payload: Readonly<Record<string, unknown>>): unknown;
  /**
   * The entity as `entityBatch`'s own subgraph would answer it, from the feed payload (the
   * projection wrote exactly these values at this change); fields not here are fetched.
   */
  entityAtChange(event: StreamEvent): Readonly<Record<string, unknown>>;
  /** Index buckets an event can be found under; a subscriber registers under exactly one of them. */
  eventBuckets(payload: Readonly<Record<string, unknown>>): string[];
  subscriberBucket(filter: StreamFilter): string;
  matches(filter: StreamFilter, payload: Readonly<Record<string, unknown>>): boolean;
  /** Values of the event type's own (non-entity) fields. */
  eventFieldValue(fieldName: string, event: StreamEvent): unknown;
  /**
   * Whose data an event is: the customer number in its payload (null when the payload does not
   * say), or undefined for streams that are not customer data (inventory). Partners receive only
   * events of their own customer.
   */
  customerOf(payload: Readonly<Record<string, unknown>>): string | null | undefined;
  /** Narrows a replay read to the filter's key when the filter pins it (index use only). */
  replayKey(filter: StreamFilter): { entityKey?: string; entityKeyPrefix?: string };
  /**
   * Whether `includeCurrent` may go without a filter: the initial state then pages through every
   * entity at the client's pace instead of being bounded (positions: a dashboard's first screen).
   */
  currentUnfiltered?: boolean;
}

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined);

function matchesAll(filter: StreamFilter, payload: Readonly<Record<string, unknown>>, fields: Readonly<Record<string, string>>): boolean {
  for (const [arg, payloadField] of Object.entries(fields)) {
    const wanted = filter[arg];
    if (wanted !== undefined && text(payload[payloadField]) !== wanted) return false;
  }
  return true;
}

const common = (fieldName: string, event: StreamEvent): unknown => {
  if (fieldName === "cursor") return event.cursor.toString();
  if (fieldName === "occurredAt") return event.occurredAt.toISOString();
  return undefined;
};

/** The position as the ops subgraph answers it, from the values the payload carries at this change. */
function positionAtChange({ payload: p, occurredAt }: StreamEvent): Record<string, unknown> {
  const sku = text(p.sku);
  const code = text(p.warehouseCode);
  const position: Record<string, unknown> = {
    __typename: "InventoryPosition",
    sku,
    warehouseCode: code,
    product: { __typename: "Product", sku },
    warehouse: { __typename: "Warehouse", code },
    sourceCommittedAt: occurredAt.toISOString(),
  };
  // Only values the payload carries: an older payload without one leaves it to the fetch.
  for (const name of ["onHand", "allocated", "available", "availableToPromise"]) if (typeof p[name] === "string") position[name] = p[name];
  if ("reorderPoint" in p && (typeof p.reorderPoint === "string" || p.reorderPoint === null)) position.reorderPoint = p.reorderPoint;
  if (typeof p.below === "boolean") position.lowStock = p.below;
  return position;
}

/** What inventoryChanged and lowStockChanged share: both are about positions (sku x warehouse). */
const positionStream = {
  filterArgs: ["sku", "warehouseCode"],
  entityField: "position",
  entityBatch: { field: "inventoryPositionsByKey", argument: "keys", type: "[InventoryPositionKey!]!" },
  entityRef: (p: Readonly<Record<string, unknown>>) => ({ sku: text(p.sku) ?? "", warehouseCode: text(p.warehouseCode) ?? "" }),
  entityAtChange: positionAtChange,
  eventBuckets: (p: Readonly<Record<string, unknown>>) => [`${text(p.sku)}|${text(p.warehouseCode)}`, `${text(p.sku)}|*`, `*|${text(p.warehouseCode)}`, "*|*"],
  subscriberBucket: (f: StreamFilter) => `${f.sku ?? "*"}|${f.warehouseCode ?? "*"}`,
  matches: (f: StreamFilter, p: Readonly<Record<string, unknown>>) => matchesAll(f, p, { sku: "sku", warehouseCode: "warehouseCode" }),
  customerOf: () => undefined,
  replayKey: (f: StreamFilter) =>
    f.sku !== undefined && f.warehouseCode !== undefined
      ? { entityKey: `${f.sku}|${f.warehouseCode}` }
      : f.sku !== undefined
        ? { entityKeyPrefix: `${f.sku}|` }
        : {},
  currentUnfiltered: true,
} satisfies Partial<StreamField>;

const lowStockChanged: StreamField = {
  ...positionStream,
  name: "lowStockChanged",
  feedEntityType: "LowStock",
  eventTypeName: "LowStockEvent",
  eventFieldValue: (name, e) => (name === "below" ? e.payload.below === true : common(name, e)),
};

const inventoryChanged: StreamField = {
  ...positionStream,
  name: "inventoryChanged",
  feedEntityType: "InventoryPosition",
  eventTypeName: "InventoryEvent",
  eventFieldValue: (name, e) => (name === "previousAvailable" ? (e.payload.previousAvailable ?? null) : common(name, e)),
};

const orderStatusChanged: StreamField = {
  name: "orderStatusChanged",
  feedEntityType: "OrderStatus",
  eventTypeName: "OrderStatusEvent",
  filterArgs: ["orderNumber", "customerNumber"],
  entityField: "order",
  entityBatch: { field: "ordersByNumber", argument: "orderNumbers", type: "[ID!]!" },
  entityRef: (p) => text(p.orderNumber) ?? "",
  entityAtChange: ({ payload: p }) => ({ __typename: "Order", orderNumber: text(p.orderNumber) }),
  eventBuckets: (p) => [`o:${text(p.orderNumber)}`, `c:${text(p.customerNumber)}`, "*"],
  // With both filters the order number is the narrower bucket; matches() checks the customer.
  subscriberBucket: (f) => (f.orderNumber !== undefined ? `o:${f.orderNumber}` : f.customerNumber !== undefined ? `c:${f.customerNumber}` : "*"),
  matches: (f, p) => matchesAll(f, p, { orderNumber: "orderNumber", customerNumber: "customerNumber" }),
  eventFieldValue: (name, e) => (name === "stage" ? e.payload.stage : name === "previousStage" ? (e.payload.previousStage ?? null) : common(name, e)),
  customerOf: (p) => text(p.customerNumber) ?? null,
  replayKey: (f) => (f.orderNumber !== undefined ? { entityKey: f.orderNumber } : {}),
};

const shipmentUpdated: StreamField = {
  name: "shipmentUpdated",
  feedEntityType: "Shipment",
  eventTypeName: "ShipmentEvent",
  filterArgs: ["orderNumber", "shipmentId"],
  entityField: "shipment",
  entityBatch: { field: "shipmentsById", argument: "shipmentIds", type: "[ID!]!" },
  entityRef: (p) => text(p.shipmentId) ?? "",
  entityAtChange: ({ payload: p }) => ({ __typename: "Shipment", shipmentId: text(p.shipmentId) }),
  eventBuckets: (p) => [`s:${text(p.shipmentId)}`, `o:${text(p.orderNumber)}`, "*"],
  subscriberBucket: (f) => (f.shipmentId !== undefined ? `s:${f.shipmentId}` : f.orderNumber !== undefined ? `o:${f.orderNumber}` : "*"),
  matches: (f, p) => matchesAll(f, p, { orderNumber: "orderNumber", shipmentId: "shipmentId" }),
  eventFieldValue: (name, e) => (name === "milestone" ? (e.payload.milestone ?? null) : common(name, e)),
  // Shipment entries do not name the customer: partners get no shipment events (they follow their orders).
  customerOf: (p) => text(p.customerNumber) ?? null,
  replayKey: (f) => (f.shipmentId !== undefined ? { entityKey: f.shipmentId } : {}),
};

export const STREAM_FIELDS: Readonly<Record<StreamFieldName, StreamField>> = { inventoryChanged, lowStockChanged, orderStatusChanged, shipmentUpdated };

export const FEED_ENTITY_TYPES = Object.values(STREAM_FIELDS).map((f) => f.feedEntityType);

/** Whether `principal` may receive an event with this payload (partners: their own customer's only). */
export function visibleToSubscriber(field: StreamField, principal: Principal, payload: Readonly<Record<string, unknown>>): boolean {
  const customerNumber = field.customerOf(payload);
  return customerNumber === undefined || mayAccessCustomer(principal, customerNumber);
}

export function streamFieldOf(name: string): StreamField | undefined {
  return Object.hasOwn(STREAM_FIELDS, name) ? STREAM_FIELDS[name as StreamFieldName] : undefined;
}

export function streamFieldForEntityType(entityType: string): StreamField | undefined {
  return Object.values(STREAM_FIELDS).find((f) => f.feedEntityType === entityType);
}

/** A feed record as an event of its stream: the entity's query arguments come from the payload. */
export function toStreamEvent(field: StreamField, record: Pick<ChangeFeedRecord, "cursor" | "entityKey" | "occurredAt" | "payload">): StreamEvent {
  return {
    cursor: record.cursor,
    entityKey: record.entityKey,
    entityRef: field.entityRef(record.payload),
    occurredAt: record.occurredAt,
    payload: record.payload,
  };
}
