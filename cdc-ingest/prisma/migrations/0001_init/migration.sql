-- CreateTable
CREATE TABLE "SourceRow" (
    "source" TEXT NOT NULL,
    "tableName" TEXT NOT NULL,
    "sourceId" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "position" TEXT NOT NULL,
    "committedAt" TIMESTAMPTZ(3) NOT NULL,
    "deleted" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "SourceRow_pkey" PRIMARY KEY ("source","tableName","sourceId")
);

-- Expression indexes the projections join on (not expressible in schema.prisma).
CREATE INDEX "SourceRow_stock_key_idx" ON "SourceRow" (("data"->>'sku'), ("data"->>'warehouseCode')) WHERE "source" = 'wms' AND "tableName" = 'Stock';
CREATE INDEX "SourceRow_line_order_idx" ON "SourceRow" (("data"->>'orderId')) WHERE "source" = 'erp' AND "tableName" = 'SalesOrderLine';
CREATE INDEX "SourceRow_line_sku_idx" ON "SourceRow" (("data"->>'sku')) WHERE "source" = 'erp' AND "tableName" = 'SalesOrderLine';
CREATE INDEX "SourceRow_order_number_idx" ON "SourceRow" (("data"->>'orderNumber')) WHERE "tableName" IN ('SalesOrder', 'FulfillmentOrder', 'Shipment');
CREATE INDEX "SourceRow_invoice_order_idx" ON "SourceRow" (("data"->>'orderId')) WHERE "source" = 'erp' AND "tableName" = 'Invoice';
CREATE INDEX "SourceRow_milestone_shipment_idx" ON "SourceRow" (("data"->>'shipmentId')) WHERE "source" = 'wms' AND "tableName" = 'ShipmentMilestone';

-- CreateTable
CREATE TABLE "InventoryPosition" (
    "sku" TEXT NOT NULL,
    "warehouseCode" TEXT NOT NULL,
    "onHand" DECIMAL(18,3) NOT NULL,
    "allocated" DECIMAL(18,3) NOT NULL,
    "available" DECIMAL(18,3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "sourceCommittedAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "InventoryPosition_pkey" PRIMARY KEY ("sku","warehouseCode")
);
CREATE INDEX "InventoryPosition_warehouseCode_idx" ON "InventoryPosition"("warehouseCode");

-- CreateTable
CREATE TABLE "OrderStatusView" (
    "orderNumber" TEXT NOT NULL,
    "customerNumber" TEXT,
    "stage" TEXT NOT NULL,
    "erpStatus" TEXT,
    "lastEventAt" TIMESTAMPTZ(3) NOT NULL,
    "sourceCommittedAt" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "OrderStatusView_pkey" PRIMARY KEY ("orderNumber")
);
CREATE INDEX "OrderStatusView_customerNumber_idx" ON "OrderStatusView"("customerNumber");

-- CreateTable
CREATE TABLE "ChangeFeedEntry" (
    "cursor" BIGSERIAL NOT NULL,
    "entityType" TEXT NOT NULL,
    "entityKey" TEXT NOT NULL,
    "changeKind" TEXT NOT NULL,
    "occurredAt" TIMESTAMPTZ(3) NOT NULL,
    "source" TEXT NOT NULL,
    "sourcePosition" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    CONSTRAINT "ChangeFeedEntry_pkey" PRIMARY KEY ("cursor")
);
CREATE INDEX "ChangeFeedEntry_entityType_entityKey_idx" ON "ChangeFeedEntry"("entityType", "entityKey");
CREATE INDEX "ChangeFeedEntry_occurredAt_idx" ON "ChangeFeedEntry"("occurredAt");

-- CreateTable
CREATE TABLE "SourceCheckpoint" (
    "source" TEXT NOT NULL,
    "position" TEXT NOT NULL,
    "lastEventAt" TIMESTAMPTZ(3),
    "lastCommittedAt" TIMESTAMPTZ(3),
    "eventsApplied" BIGINT NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "SourceCheckpoint_pkey" PRIMARY KEY ("source")
);

-- CreateTable
CREATE TABLE "AppliedTransaction" (
    "source" TEXT NOT NULL,
    "txId" TEXT NOT NULL,
    "appliedAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "AppliedTransaction_pkey" PRIMARY KEY ("source","txId")
);
CREATE INDEX "AppliedTransaction_appliedAt_idx" ON "AppliedTransaction"("appliedAt");

-- CreateTable
CREATE TABLE "DeadLetter" (
    "id" BIGSERIAL NOT NULL,
    "source" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "position" TEXT,
    "rawKey" TEXT,
    "rawValue" TEXT,
    "reason" TEXT NOT NULL,
    "error" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PARKED',
    "firstFailedAt" TIMESTAMPTZ(3) NOT NULL,
    "lastFailedAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "DeadLetter_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "DeadLetter_source_status_idx" ON "DeadLetter"("source", "status");
