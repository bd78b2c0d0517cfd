-- Open ERP allocations as typed rows: one per open order line (RELEASED / PARTIALLY_SHIPPED,
-- quantity not yet shipped). Allocation per sku x warehouse sums only these, so its cost no
-- longer grows with the order history mirrored in "SourceRow".
CREATE TABLE "OpenAllocation" (
    "lineId" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "sku" TEXT NOT NULL,
    "warehouseCode" TEXT NOT NULL,
    "openQuantity" DECIMAL(18,3) NOT NULL,
    CONSTRAINT "OpenAllocation_pkey" PRIMARY KEY ("lineId")
);
CREATE INDEX "OpenAllocation_sku_warehouseCode_idx" ON "OpenAllocation"("sku", "warehouseCode");
CREATE INDEX "OpenAllocation_orderId_idx" ON "OpenAllocation"("orderId");

INSERT INTO "OpenAllocation" ("lineId", "orderId", "sku", "warehouseCode", "openQuantity")
SELECT l."sourceId", o."sourceId", l."data"->>'sku', o."data"->>'warehouseCode',
       (l."data"->>'quantity')::numeric - COALESCE((l."data"->>'quantityShipped')::numeric, 0)
FROM "SourceRow" l
JOIN "SourceRow" o ON o."source" = 'erp' AND o."tableName" = 'SalesOrder' AND o."sourceId" = l."data"->>'orderId' AND NOT o."deleted"
WHERE l."source" = 'erp' AND l."tableName" = 'SalesOrderLine' AND NOT l."deleted"
  AND o."data"->>'status' IN ('RELEASED', 'PARTIALLY_SHIPPED')
  AND (l."data"->>'quantity')::numeric - COALESCE((l."data"->>'quantityShipped')::numeric, 0) > 0;

-- Retention prunes a prefix of the feed by when entries were appended (source commit times are
-- not monotonic in cursor order, so pruning by them could cut holes into the middle).
ALTER TABLE "ChangeFeedEntry" ADD COLUMN "appendedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT now();
CREATE INDEX "ChangeFeedEntry_appendedAt_idx" ON "ChangeFeedEntry"("appendedAt");

-- A redelivered batch must not park the same bad message twice.
CREATE UNIQUE INDEX "DeadLetter_source_topic_position_key" ON "DeadLetter"("source", "topic", "position");
