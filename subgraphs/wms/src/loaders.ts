// Per-request DataLoaders for everything the WMS resolves by key or relation: N keys in one
// request cost one SQL statement per loader, never N. They are created fresh for every
// request (createWmsLoaders in the context) and must never be shared between requests.
import { groupLoader, uniqueLoader, type DataLoader } from "@crossdock/platform";
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
  stockBySku: DataLoader<string, Stock[]>;
  fulfillmentById: DataLoader<string, FulfillmentOrder | null>;
  fulfillmentsByOrderNumber: DataLoader<string, FulfillmentOrder[]>;
  linesByFulfillmentId: DataLoader<string, FulfillmentLine[]>;
  shipmentById: DataLoader<string, Shipment | null>;
  shipmentsByFulfillmentId: DataLoader<string, Shipment[]>;
  milestonesByShipmentId: DataLoader<string, ShipmentMilestone[]>;
  shipmentMovementsByShipmentId: DataLoader<string, StockMovement[]>;
  receiptLinesByNumber: DataLoader<string, ReceiptLine[]>;
}

export function createWmsLoaders(prisma: WmsPrisma): WmsLoaders {
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
      (skus: readonly string[]) => prisma.stock.findMany({ where: { sku: { in: [...skus] } }, orderBy: [{ warehouseCode: "asc" }, { binCode: "asc" }] }),
      (stock) => stock.sku,
    ),
    fulfillmentById: uniqueLoader(
      (ids: readonly string[]) => prisma.fulfillmentOrder.findMany({ where: { fulfillmentId: { in: [...ids] } } }),
      (fulfillment) => fulfillment.fulfillmentId,
    ),
    fulfillmentsByOrderNumber: groupLoader(
      (orderNumbers: readonly string[]) =>
        prisma.fulfillmentOrder.findMany({ where: { orderNumber: { in: [...orderNumbers] } }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }),
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
      (ids: readonly string[]) => prisma.shipment.findMany({ where: { fulfillmentId: { in: [...ids] } }, orderBy: { id: "asc" } }),
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
