-- What each credit memo credited, per order line: the sum over an order line's memo lines is the
-- quantity already credited, which createCreditMemo keeps at or below the quantity shipped.
-- Memos issued before this migration have no lines (their quantities were never recorded).
CREATE TABLE "CreditMemoLine" (
    "id" SERIAL NOT NULL,
    "memoId" INTEGER NOT NULL,
    "orderLineId" INTEGER NOT NULL,
    "sku" TEXT NOT NULL,
    "quantity" DECIMAL(18,3) NOT NULL,
    "warehouseCode" TEXT NOT NULL,

    CONSTRAINT "CreditMemoLine_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "CreditMemoLine_memoId_idx" ON "CreditMemoLine"("memoId");

CREATE INDEX "CreditMemoLine_orderLineId_idx" ON "CreditMemoLine"("orderLineId");

ALTER TABLE "CreditMemoLine" ADD CONSTRAINT "CreditMemoLine_memoId_fkey" FOREIGN KEY ("memoId") REFERENCES "CreditMemo"("id") ON DELETE CASCADE ON UPDATE CASCADE;
