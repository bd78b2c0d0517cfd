-- Reorder points are warehouse master data: per sku and warehouse, the available quantity at or
-- below which the position counts as low stock, and the safety stock held back from promising.
-- Captured by the hub like stock, which projects them onto its InventoryPosition.
-- CreateTable
CREATE TABLE "ReorderPoint" (
    "id" SERIAL NOT NULL,
    "sku" TEXT NOT NULL,
    "warehouseCode" TEXT NOT NULL,
    "reorderPoint" DECIMAL(18,3) NOT NULL,
    "safetyStock" DECIMAL(18,3) NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReorderPoint_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ReorderPoint_sku_warehouseCode_key" ON "ReorderPoint"("sku", "warehouseCode");

-- CreateIndex
CREATE INDEX "ReorderPoint_warehouseCode_idx" ON "ReorderPoint"("warehouseCode");

-- AddForeignKey
ALTER TABLE "ReorderPoint" ADD CONSTRAINT "ReorderPoint_warehouseCode_fkey" FOREIGN KEY ("warehouseCode") REFERENCES "Warehouse"("code") ON DELETE RESTRICT ON UPDATE CASCADE;
