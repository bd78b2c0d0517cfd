-- A fulfilment reserves a sku across as many bins as it takes: one line per (sku, bin).
DROP INDEX "FulfillmentLine_fulfillmentId_sku_key";

CREATE UNIQUE INDEX "FulfillmentLine_fulfillmentId_sku_binCode_key" ON "FulfillmentLine"("fulfillmentId", "sku", "binCode");
