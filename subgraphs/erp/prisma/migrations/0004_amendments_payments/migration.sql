-- Order amendments and the cash end of order-to-cash (docs/amendments-and-cash.md): each accepted
-- amendment is kept with the order as it was and as it became; payments settle invoices through
-- applications (so do credit memos), and an invoice keeps what was settled of it so far.

-- Invoices settled before this migration (seeded PAID ones) count as fully settled.
ALTER TABLE "Invoice" ADD COLUMN "paidAmount" DECIMAL(18,2) NOT NULL DEFAULT 0;
UPDATE "Invoice" SET "paidAmount" = "amount" WHERE "status" = 'PAID';
CREATE INDEX "Invoice_status_issuedAt_idx" ON "Invoice"("status", "issuedAt");

CREATE TABLE "OrderAmendment" (
    "id" SERIAL NOT NULL,
    "amendmentNumber" TEXT NOT NULL,
    "orderId" INTEGER NOT NULL,
    "orderNumber" TEXT NOT NULL,
    "customerNumber" TEXT NOT NULL,
    "previousStatus" "OrderStatus" NOT NULL,
    "status" "OrderStatus" NOT NULL,
    "previousWarehouseCode" TEXT NOT NULL,
    "warehouseCode" TEXT NOT NULL,
    "previousLines" JSONB NOT NULL,
    "lines" JSONB NOT NULL,
    "previousTotal" DECIMAL(18,2) NOT NULL,
    "total" DECIMAL(18,2) NOT NULL,
    "reason" TEXT NOT NULL,
    "revertsAmendment" TEXT,
    "amendedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OrderAmendment_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "OrderAmendment_amendmentNumber_key" ON "OrderAmendment"("amendmentNumber");

CREATE INDEX "OrderAmendment_orderId_idx" ON "OrderAmendment"("orderId");

ALTER TABLE "OrderAmendment" ADD CONSTRAINT "OrderAmendment_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "SalesOrder"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "Payment" (
    "id" SERIAL NOT NULL,
    "paymentId" TEXT NOT NULL,
    "customerNumber" TEXT NOT NULL,
    "amount" DECIMAL(18,2) NOT NULL,
    "unapplied" DECIMAL(18,2) NOT NULL,
    "reference" TEXT NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Payment_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "Payment_paymentId_key" ON "Payment"("paymentId");

CREATE INDEX "Payment_customerNumber_receivedAt_idx" ON "Payment"("customerNumber", "receivedAt");

ALTER TABLE "Payment" ADD CONSTRAINT "Payment_customerNumber_fkey" FOREIGN KEY ("customerNumber") REFERENCES "Customer"("customerNumber") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "InvoiceApplication" (
    "id" SERIAL NOT NULL,
    "invoiceId" INTEGER NOT NULL,
    "paymentId" INTEGER,
    "creditMemoId" INTEGER,
    "amount" DECIMAL(18,2) NOT NULL,
    "appliedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InvoiceApplication_pkey" PRIMARY KEY ("id"),
    -- Exactly one document settles each application.
    CONSTRAINT "InvoiceApplication_one_source" CHECK (("paymentId" IS NULL) <> ("creditMemoId" IS NULL))
);

CREATE INDEX "InvoiceApplication_invoiceId_idx" ON "InvoiceApplication"("invoiceId");

CREATE INDEX "InvoiceApplication_paymentId_idx" ON "InvoiceApplication"("paymentId");

CREATE INDEX "InvoiceApplication_creditMemoId_idx" ON "InvoiceApplication"("creditMemoId");

ALTER TABLE "InvoiceApplication" ADD CONSTRAINT "InvoiceApplication_invoiceId_fkey" FOREIGN KEY ("invoiceId") REFERENCES "Invoice"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "InvoiceApplication" ADD CONSTRAINT "InvoiceApplication_paymentId_fkey" FOREIGN KEY ("paymentId") REFERENCES "Payment"("id") ON DELETE SET NULL ON UPDATE CASCADE;

ALTER TABLE "InvoiceApplication" ADD CONSTRAINT "InvoiceApplication_creditMemoId_fkey" FOREIGN KEY ("creditMemoId") REFERENCES "CreditMemo"("id") ON DELETE SET NULL ON UPDATE CASCADE;
