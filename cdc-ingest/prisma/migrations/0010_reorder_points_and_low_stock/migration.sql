-- Reorder points on the unified inventory position (projected from the WMS's ReorderPoint master
-- data): the point itself (null: none set), the safety stock held back from promising, what can
-- be promised (onHand - allocated - safetyStock), and whether available stock is at or below the
-- point ("lowStock"), kept by the projection so the lowStock query reads an index, and so a
-- crossing (either way) can be told apart in the apply transaction.
ALTER TABLE "InventoryPosition" ADD COLUMN "reorderPoint" DECIMAL(18,3);
ALTER TABLE "InventoryPosition" ADD COLUMN "safetyStock" DECIMAL(18,3) NOT NULL DEFAULT 0;
ALTER TABLE "InventoryPosition" ADD COLUMN "availableToPromise" DECIMAL(18,3);
UPDATE "InventoryPosition" SET "availableToPromise" = "available";
ALTER TABLE "InventoryPosition" ALTER COLUMN "availableToPromise" SET NOT NULL;
ALTER TABLE "InventoryPosition" ADD COLUMN "lowStock" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE INDEX "InventoryPosition_lowStock_warehouseCode_sku_idx" ON "InventoryPosition"("lowStock", "warehouseCode", "sku");

-- The projection finds a position's mirrored reorder point by its key, as it finds its stock rows.
CREATE INDEX "SourceRow_reorder_point_key_idx" ON "SourceRow" (("data"->>'sku'), ("data"->>'warehouseCode')) WHERE "source" = 'wms' AND "tableName" = 'ReorderPoint';
