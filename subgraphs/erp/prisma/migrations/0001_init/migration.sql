-- CreateEnum
CREATE TYPE "CustomerStatus" AS ENUM ('ACTIVE', 'CREDIT_HOLD', 'BLOCKED');

-- CreateEnum
CREATE TYPE "OrderStatus" AS ENUM ('CREDIT_HOLD', 'RELEASED', 'PARTIALLY_SHIPPED', 'SHIPPED', 'INVOICED', 'CLOSED', 'CANCELLED', 'REJECTED');

-- CreateEnum
CREATE TYPE "InvoiceStatus" AS ENUM ('OPEN', 'PAID', 'VOID');

-- CreateTable
CREATE TABLE "Customer" (
    "id" SERIAL NOT NULL,
    "customerNumber" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" "CustomerStatus" NOT NULL DEFAULT 'ACTIVE',
    "creditLimit" DECIMAL(18,2) NOT NULL,
    "openBalance" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "paymentTerms" TEXT NOT NULL,
    "currency" TEXT NOT NULL,

    CONSTRAINT "Customer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Product" (
    "id" SERIAL NOT NULL,
    "sku" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "listPrice" DECIMAL(18,2) NOT NULL,
    "unitOfMeasure" TEXT NOT NULL,
    "unitWeightKg" DECIMAL(18,3),
    "reorderPoint" DECIMAL(18,3) NOT NULL DEFAULT 0,

    CONSTRAINT "Product_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CustomerPrice" (
    "id" SERIAL NOT NULL,
    "customerNumber" TEXT NOT NULL,
    "sku" TEXT NOT NULL,
    "unitPrice" DECIMAL(18,2) NOT NULL,

    CONSTRAINT "CustomerPrice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SalesOrder" (
    "id" SERIAL NOT NULL,
    "orderNumber" TEXT NOT NULL,
    "customerNumber" TEXT NOT NULL,
    "status" "OrderStatus" NOT NULL,
    "warehouseCode" TEXT NOT NULL,
    "total" DECIMAL(18,2) NOT NULL,
    "currency" TEXT NOT NULL,
    "placedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "billingHold" BOOLEAN NOT NULL DEFAULT false,
    "channel" TEXT NOT NULL,
    "externalReference" TEXT,
    "idempotencyKey" TEXT,
    "requestedBy" TEXT,
    "cancelReason" TEXT,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SalesOrder_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SalesOrderLine" (
    "id" SERIAL NOT NULL,
    "orderId" INTEGER NOT NULL,
    "lineNumber" INTEGER NOT NULL,
    "sku" TEXT NOT NULL,
    "quantity" DECIMAL(18,3) NOT NULL,
    "unitPrice" DECIMAL(18,2) NOT NULL,
    "quantityShipped" DECIMAL(18,3) NOT NULL DEFAULT 0,

    CONSTRAINT "SalesOrderLine_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Invoice" (
    "id" SERIAL NOT NULL,
    "invoiceNumber" TEXT NOT NULL,
    "orderId" INTEGER NOT NULL,
    "amount" DECIMAL(18,2) NOT NULL,
    "status" "InvoiceStatus" NOT NULL DEFAULT 'OPEN',
    "issuedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Invoice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InventoryLedger" (
    "id" SERIAL NOT NULL,
    "sku" TEXT NOT NULL,
    "warehouseCode" TEXT NOT NULL,
    "onHand" DECIMAL(18,3) NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InventoryLedger_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CreditMemo" (
    "id" SERIAL NOT NULL,
    "memoNumber" TEXT NOT NULL,
    "orderNumber" TEXT,
    "customerNumber" TEXT NOT NULL,
    "amount" DECIMAL(18,2) NOT NULL,
    "reason" TEXT NOT NULL,
    "issuedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CreditMemo_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PurchaseSuggestion" (
    "id" SERIAL NOT NULL,
    "sku" TEXT NOT NULL,
    "warehouseCode" TEXT NOT NULL,
    "quantity" DECIMAL(18,3) NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'OPEN',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PurchaseSuggestion_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Customer_customerNumber_key" ON "Customer"("customerNumber");

-- CreateIndex
CREATE UNIQUE INDEX "Product_sku_key" ON "Product"("sku");

-- CreateIndex
CREATE INDEX "CustomerPrice_sku_idx" ON "CustomerPrice"("sku");

-- CreateIndex
CREATE UNIQUE INDEX "CustomerPrice_customerNumber_sku_key" ON "CustomerPrice"("customerNumber", "sku");

-- CreateIndex
CREATE UNIQUE INDEX "SalesOrder_orderNumber_key" ON "SalesOrder"("orderNumber");

-- CreateIndex
CREATE UNIQUE INDEX "SalesOrder_idempotencyKey_key" ON "SalesOrder"("idempotencyKey");

-- CreateIndex
CREATE INDEX "SalesOrder_customerNumber_placedAt_idx" ON "SalesOrder"("customerNumber", "placedAt");

-- CreateIndex
CREATE INDEX "SalesOrder_placedAt_idx" ON "SalesOrder"("placedAt");

-- CreateIndex
CREATE INDEX "SalesOrder_status_warehouseCode_idx" ON "SalesOrder"("status", "warehouseCode");

-- CreateIndex
CREATE INDEX "SalesOrderLine_sku_idx" ON "SalesOrderLine"("sku");

-- CreateIndex
CREATE UNIQUE INDEX "SalesOrderLine_orderId_lineNumber_key" ON "SalesOrderLine"("orderId", "lineNumber");

-- CreateIndex
CREATE UNIQUE INDEX "Invoice_invoiceNumber_key" ON "Invoice"("invoiceNumber");

-- CreateIndex
CREATE UNIQUE INDEX "Invoice_orderId_key" ON "Invoice"("orderId");

-- CreateIndex
CREATE INDEX "InventoryLedger_warehouseCode_idx" ON "InventoryLedger"("warehouseCode");

-- CreateIndex
CREATE UNIQUE INDEX "InventoryLedger_sku_warehouseCode_key" ON "InventoryLedger"("sku", "warehouseCode");

-- CreateIndex
CREATE UNIQUE INDEX "CreditMemo_memoNumber_key" ON "CreditMemo"("memoNumber");

-- CreateIndex
CREATE INDEX "CreditMemo_customerNumber_idx" ON "CreditMemo"("customerNumber");

-- CreateIndex
CREATE INDEX "CreditMemo_orderNumber_idx" ON "CreditMemo"("orderNumber");

-- CreateIndex
CREATE INDEX "PurchaseSuggestion_sku_warehouseCode_idx" ON "PurchaseSuggestion"("sku", "warehouseCode");

-- AddForeignKey
ALTER TABLE "CustomerPrice" ADD CONSTRAINT "CustomerPrice_customerNumber_fkey" FOREIGN KEY ("customerNumber") REFERENCES "Customer"("customerNumber") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CustomerPrice" ADD CONSTRAINT "CustomerPrice_sku_fkey" FOREIGN KEY ("sku") REFERENCES "Product"("sku") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SalesOrder" ADD CONSTRAINT "SalesOrder_customerNumber_fkey" FOREIGN KEY ("customerNumber") REFERENCES "Customer"("customerNumber") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SalesOrderLine" ADD CONSTRAINT "SalesOrderLine_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "SalesOrder"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SalesOrderLine" ADD CONSTRAINT "SalesOrderLine_sku_fkey" FOREIGN KEY ("sku") REFERENCES "Product"("sku") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Invoice" ADD CONSTRAINT "Invoice_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "SalesOrder"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InventoryLedger" ADD CONSTRAINT "InventoryLedger_sku_fkey" FOREIGN KEY ("sku") REFERENCES "Product"("sku") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CreditMemo" ADD CONSTRAINT "CreditMemo_orderNumber_fkey" FOREIGN KEY ("orderNumber") REFERENCES "SalesOrder"("orderNumber") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CreditMemo" ADD CONSTRAINT "CreditMemo_customerNumber_fkey" FOREIGN KEY ("customerNumber") REFERENCES "Customer"("customerNumber") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PurchaseSuggestion" ADD CONSTRAINT "PurchaseSuggestion_sku_fkey" FOREIGN KEY ("sku") REFERENCES "Product"("sku") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Order numbers for submitted orders (SO-<n>). Not a Prisma model: the seed moves it past
-- the highest seeded number with setval, and nextval is safe under concurrent submits.
CREATE SEQUENCE "SalesOrderNumber_seq" START WITH 100001;

-- Shared write bookkeeping (copied verbatim from @crossdock/platform WRITE_BOOKKEEPING_SQL)
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
