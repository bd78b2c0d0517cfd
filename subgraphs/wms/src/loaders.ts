// Per-request DataLoaders for everything the WMS resolves by key or relation: N keys in one
// request cost one SQL statement per loader, never N. They are created fresh for every
// request (createWmsLoaders in the context) and must never be shared between requests.
import { groupLoader, uniqueLoader, type DataLoader, type SqlQuery } from "@crossdock/platform";
import type {
  Bin,
  FulfillmentLine,
  FulfillmentOrder,
  ReceiptLine,
  Shipment,
  ShipmentMilestone,
  Stock,
  StockMovement,
  Warehouse,
} from "./__generated__/prisma/client.js";
import type { WmsPrisma } from "./db.js";

export interface WmsLoaders {
  warehouseByCode: DataLoader<string, Warehouse | null>;
  binsByWarehouseCode: DataLoader<string, Bin[]>;
  /** Every bin's stock row of a sku, across warehouses, ordered by warehouse then bin. */
  stockBySku: DataLoader<string, StockRow[]>;
  fulfillmentById: DataLoader<string, FulfillmentOrder | null>;
  fulfillmentsByOrderNumber: DataLoader<string, FulfillmentOrder[]>;
  linesByFulfillmentId: DataLoader<string, FulfillmentLine[]>;
  shipmentById: DataLoader<string, Shipment | null>;
  shipmentsByFulfillmentId: DataLoader<string, Shipment[]>;
  milestonesByShipmentId: DataLoader<string, ShipmentMilestone[]>;
  shipmentMovementsByShipmentId: DataLoader<string, StockMovement[]>;
  receiptLinesByNumber: DataLoader<string, ReceiptLine[]>;
}

// The reads every order and product view makes (stock per sku, an order's fulfilments and their
// shipments) are plain SQL: the same statement Prisma would send, without its per-query work.
// Numeric columns come back as exact decimal strings (StockRow); consumers read them with toDecimal.
export type StockRow = Omit<Stock, "onHand" | "reserved"> & { onHand: string; reserved: string };

const STOCK_BY_SKU = `SELECT "id", "sku", "warehouseCode", "binCode", "onHand", "reserved", "updatedAt" FROM "Stock"
  WHERE "sku" = ANY($1::text[]) ORDER BY "warehouseCode", "binCode"`;
const FULFILLMENTS_BY_ORDER = `SELECT "id", "fulfillmentId", "orderNumber", "warehouseCode", "status"::text AS "status", "cancelReason",
  "externalKey", "createdBy", "createdAt", "updatedAt" FROM "FulfillmentOrder" WHERE "orderNumber" = ANY($1::text[]) ORDER BY "createdAt", "id"`;
const SHIPMENTS_BY_FULFILLMENT = `SELECT "id", "shipmentId", "fulfillmentId", "orderNumber", "carrier", "trackingNumber", "status"::text AS "status",
  "shippedAt", "deliveredAt", "lines" FROM "Shipment" WHERE "fulfillmentId" = ANY($1::text[]) ORDER BY "id"`;

export function createWmsLoaders(prisma: WmsPrisma, sql: SqlQuery): WmsLoaders {
  return {
    warehouseByCode: uniqueLoader(
      (codes: readonly string[]) => prisma.warehouse.findMany({ where: { code: { in: [...codes] } } }),
      (warehouse) => warehouse.code,
    ),
    binsByWarehouseCode: groupLoader(
      (codes: readonly string[]) => prisma.bin.findMany({ where: { warehouseCode: { in: [...codes] } }, orderBy: [{ warehouseCode: "asc" }, { code: "asc" }] }),
      (bin) => bin.warehouseCode,
    ),
    stockBySku: groupLoader(
      (skus: readonly string[]) => sql<StockRow>(STOCK_BY_SKU, [[...skus]]),
      (stock) => stock.sku,
    ),
    fulfillmentById: uniqueLoader(
      (ids: readonly string[]) => prisma.fulfillmentOrder.findMany({ where: { fulfillmentId: { in: [...ids] } } }),
      (fulfillment) => fulfillment.fulfillmentId,
    ),
    fulfillmentsByOrderNumber: groupLoader(
      (orderNumbers: readonly string[]) => sql<FulfillmentOrder>(FULFILLMENTS_BY_ORDER, [[...orderNumbers]]),
      (fulfillment) => fulfillment.orderNumber,
    ),
    linesByFulfillmentId: groupLoader(
      (ids: readonly string[]) => prisma.fulfillmentLine.findMany({ where: { fulfillmentId: { in: [...ids] } }, orderBy: { id: "asc" } }),
      (line) => line.fulfillmentId,
    ),
    shipmentById: uniqueLoader(
      (ids: readonly string[]) => prisma.shipment.findMany({ where: { shipmentId: { in: [...ids] } } }),
      (shipment) => shipment.shipmentId,
    ),
    shipmentsByFulfillmentId: groupLoader(
      (ids: readonly string[]) => sql<Shipment>(SHIPMENTS_BY_FULFILLMENT, [[...ids]]),
      (shipment) => shipment.fulfillmentId,
    ),
    milestonesByShipmentId: groupLoader(
      (ids: readonly string[]) =>
        prisma.shipmentMilestone.findMany({ where: { shipmentId: { in: [...ids] } }, orderBy: [{ occurredAt: "asc" }, { id: "asc" }] }),
      (milestone) => milestone.shipmentId,
    ),
    shipmentMovementsByShipmentId: groupLoader(
      (ids: readonly string[]) => prisma.stockMovement.findMany({ where: { reason: "SHIPMENT", reference: { in: [...ids] } }, orderBy: { id: "asc" } }),
      (movement) => movement.reference ?? "",
    ),
    receiptLinesByNumber: groupLoader(
      (numbers: readonly string[]) => prisma.receiptLine.findMany({ where: { receiptNumber: { in: [...numbers] } }, orderBy: { id: "asc" } }),
      (line) => line.receiptNumber,
    ),
  };
}
