-- What left in each shipment, per sku ([{"sku": "...", "quantity": "..."}]), written with the shipment:
-- its manifest, so readers (the change feed among them) need not sum its stock movements.
-- Shipments from before this migration keep [] and are read from their movements.
ALTER TABLE "Shipment" ADD COLUMN "lines" JSONB NOT NULL DEFAULT '[]';
