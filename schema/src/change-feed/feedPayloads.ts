// The payload each feed entity type carries, as zod schemas checked where the feed is read: a
// payload that does not match is refused at the reader with the entry and field it is about,
// rather than travelling on into a subscription event or a flow step. Decimals stay strings.
import { z } from "zod";
import { isDecimalLiteral } from "../decimal.js";
import type { FeedEntityType } from "./feedContract.js";

const decimal = z.string().refine(isDecimalLiteral, { message: "must be an exact decimal string" });
const text = z.string().min(1);
const optionalText = z.string().nullable().optional();
const quantityLine = z.looseObject({ sku: text, quantity: decimal });

// Loose objects: the appender may add fields before every reader knows them (additive change).
/** The figures of one SKU in one warehouse, as both inventory entity types carry them. */
const stockFigures = {
  sku: text,
  warehouseCode: text,
  onHand: decimal,
  allocated: decimal,
  available: decimal,
};

export const InventoryPositionPayloadSchema = z.looseObject({
  ...stockFigures,
  previousAvailable: decimal.nullable().optional(),
  previousOnHand: decimal.nullable().optional(),
});

export const OrderStatusPayloadSchema = z.looseObject({
  orderNumber: text,
  customerNumber: optionalText,
  stage: text,
  previousStage: optionalText,
  erpStatus: optionalText,
  warehouseCode: optionalText,
  lines: z.array(quantityLine).optional(),
});

export const ShipmentPayloadSchema = z.looseObject({
  shipmentId: text,
  orderNumber: optionalText,
  status: optionalText,
  carrier: optionalText,
  trackingNumber: optionalText,
  lines: z.array(quantityLine).optional(),
  milestone: z.looseObject({ code: text, location: optionalText, occurredAt: z.unknown(), note: optionalText }).nullable().optional(),
});

export const CasePayloadSchema = z.looseObject({
  caseNumber: text,
  orderNumber: optionalText,
  customerNumber: optionalText,
  status: optionalText,
  previousStatus: optionalText,
});

export const ReceiptPayloadSchema = z.looseObject({
  receiptNumber: text,
  warehouseCode: optionalText,
  kind: optionalText,
  orderNumber: optionalText,
  lines: z.array(quantityLine).optional(),
});

/** A position crossing its reorder point, either way (`below` says which side it is on now). */
export const LowStockPayloadSchema = z.looseObject({
  ...stockFigures,
  reorderPoint: decimal.nullable().optional(),
  availableToPromise: decimal.nullable().optional(),
  below: z.boolean(),
});

/** An amendment the ERP accepted (or the undo of one), for the flows to adjust the fulfilment. */
export const OrderAmendedPayloadSchema = z.looseObject({
  amendmentNumber: text,
  orderNumber: text,
  customerNumber: optionalText,
  status: optionalText,
  previousStatus: optionalText,
  warehouseCode: optionalText,
  previousWarehouseCode: optionalText,
  lines: z.unknown(),
  previousLines: z.unknown(),
  reason: optionalText,
  revertsAmendment: z.unknown(),
});

export const FEED_PAYLOAD_SCHEMAS = {
  InventoryPosition: InventoryPositionPayloadSchema,
  OrderStatus: OrderStatusPayloadSchema,
  Shipment: ShipmentPayloadSchema,
  Case: CasePayloadSchema,
  Receipt: ReceiptPayloadSchema,
  LowStock: LowStockPayloadSchema,
  OrderAmended: OrderAmendedPayloadSchema,
} as const satisfies Record<FeedEntityType, z.ZodType>;

export type FeedPayload<T extends FeedEntityType> = z.infer<(typeof FEED_PAYLOAD_SCHEMAS)[T]>;

export type FeedPayloadCheck = { ok: true; payload: Record<string, unknown> } | { ok: false; problem: string };

/** Checks one entry's payload against its entity type's schema; the problem names the field. */
export function checkFeedPayload(entityType: string, payload: unknown): FeedPayloadCheck {
  const schema = (FEED_PAYLOAD_SCHEMAS as Record<string, z.ZodType>)[entityType];
  if (!schema) return { ok: false, problem: `unknown entity type ${entityType}` };
  const result = schema.safeParse(payload);
  if (result.success) return { ok: true, payload: result.data as Record<string, unknown> };
  const issue = result.error.issues[0]!;
  const field = issue.path.join(".");
  return { ok: false, problem: `${entityType}${field ? `.${field}` : ""}: ${issue.message}` };
}
