-- CreateEnum
CREATE TYPE "FulfillmentStatus" AS ENUM ('RELEASED', 'PICKING', 'PICKED', 'SHIPPED', 'EXCEPTION', 'CANCELLED');

-- CreateEnum
CREATE TYPE "ShipmentStatus" AS ENUM ('CREATED', 'IN_TRANSIT', 'OUT_FOR_DELIVERY', 'DELIVERED', 'EXCEPTION');

-- CreateEnum
CREATE TYPE "ReceiptKind" AS ENUM ('PURCHASE', 'RETURN');

-- CreateTable
CREATE TABLE "Warehouse" (
    "id" SERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "region" TEXT NOT NULL,

    CONSTRAINT "Warehouse_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Bin" (
    "id" SERIAL NOT NULL,
    "warehouseCode" TEXT NOT NULL,
    "code" TEXT NOT NULL,

    CONSTRAINT "Bin_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Stock" (
    "id" SERIAL NOT NULL,
    "sku" TEXT NOT NULL,
    "warehouseCode" TEXT NOT NULL,
    "binCode" TEXT NOT NULL,
    "onHand" DECIMAL(18,3) NOT NULL DEFAULT 0,
    "reserved" DECIMAL(18,3) NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Stock_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StockMovement" (
    "id" BIGSERIAL NOT NULL,
    "sku" TEXT NOT NULL,
    "warehouseCode" TEXT NOT NULL,
    "binCode" TEXT NOT NULL,
    "quantity" DECIMAL(18,3) NOT NULL,
    "reason" TEXT NOT NULL,
    "reference" TEXT,
    "occurredAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StockMovement_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FulfillmentOrder" (
    "id" SERIAL NOT NULL,
    "fulfillmentId" TEXT NOT NULL,
    "orderNumber" TEXT NOT NULL,
    "warehouseCode" TEXT NOT NULL,
    "status" "FulfillmentStatus" NOT NULL,
    "cancelReason" TEXT,
    "externalKey" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "FulfillmentOrder_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FulfillmentLine" (
    "id" SERIAL NOT NULL,
    "fulfillmentId" TEXT NOT NULL,
    "sku" TEXT NOT NULL,
    "binCode" TEXT NOT NULL,
    "quantity" DECIMAL(18,3) NOT NULL,
    "quantityPicked" DECIMAL(18,3) NOT NULL DEFAULT 0,
    "quantityShipped" DECIMAL(18,3) NOT NULL DEFAULT 0,

    CONSTRAINT "FulfillmentLine_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PickTask" (
    "id" SERIAL NOT NULL,
    "fulfillmentId" TEXT NOT NULL,
    "sku" TEXT NOT NULL,
    "binCode" TEXT NOT NULL,
    "quantity" DECIMAL(18,3) NOT NULL,
    "confirmedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "idempotencyKey" TEXT NOT NULL,

    CONSTRAINT "PickTask_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Shipment" (
    "id" SERIAL NOT NULL,
    "shipmentId" TEXT NOT NULL,
    "fulfillmentId" TEXT NOT NULL,
    "orderNumber" TEXT NOT NULL,
    "carrier" TEXT NOT NULL,
    "trackingNumber" TEXT NOT NULL,
    "status" "ShipmentStatus" NOT NULL,
    "shippedAt" TIMESTAMPTZ(3),
    "deliveredAt" TIMESTAMPTZ(3),

    CONSTRAINT "Shipment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ShipmentMilestone" (
    "id" SERIAL NOT NULL,
    "shipmentId" TEXT NOT NULL,
    "code" "ShipmentStatus" NOT NULL,
    "location" TEXT,
    "note" TEXT,
    "occurredAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ShipmentMilestone_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Receipt" (
    "id" SERIAL NOT NULL,
    "receiptNumber" TEXT NOT NULL,
    "warehouseCode" TEXT NOT NULL,
    "kind" "ReceiptKind" NOT NULL,
    "orderNumber" TEXT,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Receipt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReceiptLine" (
    "id" SERIAL NOT NULL,
    "receiptNumber" TEXT NOT NULL,
    "sku" TEXT NOT NULL,
    "binCode" TEXT NOT NULL,
    "quantity" DECIMAL(18,3) NOT NULL,

    CONSTRAINT "ReceiptLine_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Warehouse_code_key" ON "Warehouse"("code");

-- CreateIndex
CREATE UNIQUE INDEX "Bin_warehouseCode_code_key" ON "Bin"("warehouseCode", "code");

-- CreateIndex
CREATE INDEX "Stock_warehouseCode_idx" ON "Stock"("warehouseCode");

-- CreateIndex
CREATE UNIQUE INDEX "Stock_sku_warehouseCode_binCode_key" ON "Stock"("sku", "warehouseCode", "binCode");

-- CreateIndex
CREATE INDEX "StockMovement_sku_warehouseCode_binCode_idx" ON "StockMovement"("sku", "warehouseCode", "binCode");

-- CreateIndex
CREATE INDEX "StockMovement_warehouseCode_idx" ON "StockMovement"("warehouseCode");

-- CreateIndex
CREATE UNIQUE INDEX "FulfillmentOrder_fulfillmentId_key" ON "FulfillmentOrder"("fulfillmentId");

-- CreateIndex
CREATE UNIQUE INDEX "FulfillmentOrder_externalKey_key" ON "FulfillmentOrder"("externalKey");

-- CreateIndex
CREATE INDEX "FulfillmentOrder_orderNumber_idx" ON "FulfillmentOrder"("orderNumber");

-- CreateIndex
CREATE UNIQUE INDEX "FulfillmentLine_fulfillmentId_sku_key" ON "FulfillmentLine"("fulfillmentId", "sku");

-- CreateIndex
CREATE INDEX "PickTask_fulfillmentId_idx" ON "PickTask"("fulfillmentId");

-- CreateIndex
CREATE UNIQUE INDEX "Shipment_shipmentId_key" ON "Shipment"("shipmentId");

-- CreateIndex
CREATE INDEX "Shipment_fulfillmentId_idx" ON "Shipment"("fulfillmentId");

-- CreateIndex
CREATE INDEX "Shipment_orderNumber_idx" ON "Shipment"("orderNumber");

-- CreateIndex
CREATE INDEX "ShipmentMilestone_shipmentId_idx" ON "ShipmentMilestone"("shipmentId");

-- CreateIndex
CREATE UNIQUE INDEX "Receipt_receiptNumber_key" ON "Receipt"("receiptNumber");

-- CreateIndex
CREATE INDEX "ReceiptLine_receiptNumber_idx" ON "ReceiptLine"("receiptNumber");

-- AddForeignKey
ALTER TABLE "Bin" ADD CONSTRAINT "Bin_warehouseCode_fkey" FOREIGN KEY ("warehouseCode") REFERENCES "Warehouse"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Stock" ADD CONSTRAINT "Stock_warehouseCode_binCode_fkey" FOREIGN KEY ("warehouseCode", "binCode") REFERENCES "Bin"("warehouseCode", "code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StockMovement" ADD CONSTRAINT "StockMovement_warehouseCode_binCode_fkey" FOREIGN KEY ("warehouseCode", "binCode") REFERENCES "Bin"("warehouseCode", "code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FulfillmentOrder" ADD CONSTRAINT "FulfillmentOrder_warehouseCode_fkey" FOREIGN KEY ("warehouseCode") REFERENCES "Warehouse"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FulfillmentLine" ADD CONSTRAINT "FulfillmentLine_fulfillmentId_fkey" FOREIGN KEY ("fulfillmentId") REFERENCES "FulfillmentOrder"("fulfillmentId") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PickTask" ADD CONSTRAINT "PickTask_fulfillmentId_fkey" FOREIGN KEY ("fulfillmentId") REFERENCES "FulfillmentOrder"("fulfillmentId") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Shipment" ADD CONSTRAINT "Shipment_fulfillmentId_fkey" FOREIGN KEY ("fulfillmentId") REFERENCES "FulfillmentOrder"("fulfillmentId") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ShipmentMilestone" ADD CONSTRAINT "ShipmentMilestone_shipmentId_fkey" FOREIGN KEY ("shipmentId") REFERENCES "Shipment"("shipmentId") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Receipt" ADD CONSTRAINT "Receipt_warehouseCode_fkey" FOREIGN KEY ("warehouseCode") REFERENCES "Warehouse"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReceiptLine" ADD CONSTRAINT "ReceiptLine_receiptNumber_fkey" FOREIGN KEY ("receiptNumber") REFERENCES "Receipt"("receiptNumber") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Shared write bookkeeping (platform WRITE_BOOKKEEPING_SQL, copied verbatim)
CREATE TABLE "IdempotencyKey" (
  "scope" TEXT NOT NULL,
  "key" TEXT NOT NULL,
  "requestHash" TEXT NOT NULL,
  "response" JSONB,
  "createdAt" TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT "IdempotencyKey_pkey" PRIMARY KEY ("scope", "key")
);
CREATE TABLE "AuditEntry" (
  "id" BIGSERIAL PRIMARY KEY,
  "at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "principal" TEXT NOT NULL,
  "requestId" TEXT NOT NULL,
  "operation" TEXT NOT NULL,
  "entityType" TEXT NOT NULL,
  "entityKey" TEXT NOT NULL,
  "detail" JSONB
);
CREATE INDEX "AuditEntry_entity_idx" ON "AuditEntry" ("entityType", "entityKey");

-- Numbers for fulfilments and shipments the WMS creates itself (not part of the Prisma
-- schema: Prisma Migrate leaves standalone sequences alone). The "W" in FF-W…/SH-W… keeps
-- them apart from ids derived from ERP order numbers.
CREATE SEQUENCE "FulfillmentNumberSeq" START WITH 1;
CREATE SEQUENCE "ShipmentNumberSeq" START WITH 1;
