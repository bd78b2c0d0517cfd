-- Order-number lookups of the order-status projection, one partial index per table with exactly
-- the predicate the query has: under the shared index the planner walked every fulfilment or
-- shipment per order (its cost grew with the mirror) instead of probing by order number.
DROP INDEX IF EXISTS "SourceRow_order_number_idx";
CREATE INDEX "SourceRow_order_number_erp_idx" ON "SourceRow" (("data"->>'orderNumber')) WHERE "source" = 'erp' AND "tableName" = 'SalesOrder';
CREATE INDEX "SourceRow_fulfillment_order_idx" ON "SourceRow" (("data"->>'orderNumber')) WHERE "source" = 'wms' AND "tableName" = 'FulfillmentOrder';
CREATE INDEX "SourceRow_shipment_order_idx" ON "SourceRow" (("data"->>'orderNumber')) WHERE "source" = 'wms' AND "tableName" = 'Shipment';
