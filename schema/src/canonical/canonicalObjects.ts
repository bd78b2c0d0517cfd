// The canonical business objects every consumer of the hub agrees on (Customer, Product,
// Order, Shipment, InventoryPosition), as runtime-validated schemas. cdc-ingest and flows
// check what they read against these, so a malformed payload is rejected at the edge with a
// typed error instead of travelling on. Decimals stay strings; timestamps are ISO strings.
import { z } from "zod";
import { crossdockError, ErrorCode } from "../errors.js";
import { isDecimalLiteral } from "../decimal.js";

const decimal = z.string().refine(isDecimalLiteral, { message: "must be an exact decimal string" });
const isoInstant = z.string().refine((v) => /^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v)), { message: "must be an ISO-8601 timestamp" });

export const CustomerSchema = z.object({
  customerNumber: z.string().min(1),
  name: z.string().min(1),
  status: z.enum(["ACTIVE", "CREDIT_HOLD", "BLOCKED"]),
  creditLimit: decimal,
  openBalance: decimal,
  currency: z.string().length(3),
});

export const ProductSchema = z.object({
  sku: z.string().min(1),
  description: z.string().min(1),
  listPrice: decimal,
  unitWeightKg: decimal.nullable(),
});

export const OrderStatusSchema = z.enum(["CREDIT_HOLD", "RELEASED", "PARTIALLY_SHIPPED", "SHIPPED", "INVOICED", "CLOSED", "CANCELLED", "REJECTED"]);

export const OrderSchema = z.object({
  orderNumber: z.string().min(1),
  customerNumber: z.string().min(1),
  status: OrderStatusSchema,
  warehouseCode: z.string().min(1),
  currency: z.string().length(3),
  total: decimal,
  placedAt: isoInstant,
  billingHold: z.boolean(),
  lines: z
    .array(z.object({ lineNumber: z.number().int().positive(), sku: z.string().min(1), quantity: decimal, unitPrice: decimal, quantityShipped: decimal }))
    .min(1),
});

export const ShipmentStatusSchema = z.enum(["CREATED", "IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED", "EXCEPTION"]);

export const ShipmentSchema = z.object({
  shipmentId: z.string().min(1),
  orderNumber: z.string().min(1),
  carrier: z.string().min(1),
  trackingNumber: z.string().min(1),
  status: ShipmentStatusSchema,
  milestones: z.array(z.object({ code: ShipmentStatusSchema, location: z.string().nullable(), occurredAt: isoInstant, note: z.string().nullable() })),
});

export const InventoryPositionSchema = z.object({
  sku: z.string().min(1),
  warehouseCode: z.string().min(1),
  onHand: decimal,
  allocated: decimal,
  available: decimal,
});

export type Customer = z.infer<typeof CustomerSchema>;
export type Product = z.infer<typeof ProductSchema>;
export type Order = z.infer<typeof OrderSchema>;
export type Shipment = z.infer<typeof ShipmentSchema>;
export type InventoryPosition = z.infer<typeof InventoryPositionSchema>;

export const CANONICAL_SCHEMAS = {
  Customer: CustomerSchema,
  Product: ProductSchema,
  Order: OrderSchema,
  Shipment: ShipmentSchema,
  InventoryPosition: InventoryPositionSchema,
} as const;

export type CanonicalKind = keyof typeof CANONICAL_SCHEMAS;
export type CanonicalObject<K extends CanonicalKind> = z.infer<(typeof CANONICAL_SCHEMAS)[K]>;

/** Validates `value` as a canonical `kind`; a mismatch is a BAD_USER_INPUT error naming the field. */
export function parseCanonical<K extends CanonicalKind>(kind: K, value: unknown): CanonicalObject<K> {
  const result = CANONICAL_SCHEMAS[kind].safeParse(value);
  if (result.success) return result.data as CanonicalObject<K>;
  const issue = result.error.issues[0]!;
  const field = issue.path.join(".");
  throw crossdockError(ErrorCode.BAD_USER_INPUT, `${kind}${field ? `.${field}` : ""}: ${issue.message}`, field ? { field } : {});
}
