-- Lookups the apply path makes per batch, each by an index on exactly the key it has in hand.
-- Open allocations replaced the per-sku walk over order lines, so that index only misled the
-- planner (it matched the same partial predicate as the line lookups and got picked for them).
DROP INDEX IF EXISTS "SourceRow_line_sku_idx";
CREATE INDEX "SourceRow_shipment_id_idx" ON "SourceRow" (("data"->>'shipmentId')) WHERE "source" = 'wms' AND "tableName" = 'Shipment';
CREATE INDEX "SourceRow_receipt_line_idx" ON "SourceRow" (("data"->>'receiptNumber')) WHERE "source" = 'wms' AND "tableName" = 'ReceiptLine';
