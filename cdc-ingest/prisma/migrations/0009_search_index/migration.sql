-- The service desk's search index (Query.search in the ops subgraph): one row per searchable value
-- of a customer, contact, order or shipment, kept by the search projection (apply/searchProjection.ts)
-- from the mirrored rows. "folded" is what a search compares: lower case and trimmed, a phone number
-- its digits only. Trigram GIN (pg_trgm, on Postgres and on PGlite) answers substring and fuzzy
-- matches; the btree answers exact ones. "customerNumber" is whose the value is (partner
-- confinement), resolved through "parentKey" for a shipment (its order) and a contact (its account).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE "SearchEntry" (
    "kind" TEXT NOT NULL,
    "entityKey" TEXT NOT NULL,
    "field" TEXT NOT NULL,
    "folded" TEXT NOT NULL,
    "customerNumber" TEXT,
    "parentKey" TEXT,

    CONSTRAINT "SearchEntry_pkey" PRIMARY KEY ("kind", "entityKey", "field")
);

CREATE INDEX "SearchEntry_folded_idx" ON "SearchEntry" ("folded");
CREATE INDEX "SearchEntry_customerNumber_idx" ON "SearchEntry" ("customerNumber");
CREATE INDEX "SearchEntry_kind_parentKey_idx" ON "SearchEntry" ("kind", "parentKey");
CREATE INDEX "SearchEntry_folded_trgm_idx" ON "SearchEntry" USING gin ("folded" gin_trgm_ops);
-- Fuzzy matches (word similarity) are for names only: their own, smaller index.
CREATE INDEX "SearchEntry_fuzzy_trgm_idx" ON "SearchEntry" USING gin ("folded" gin_trgm_ops) WHERE "field" = 'name';
-- Phone numbers, searched by their digits: apart, so digits typed do not walk every order number.
CREATE INDEX "SearchEntry_phone_trgm_idx" ON "SearchEntry" USING gin ("folded" gin_trgm_ops) WHERE "field" = 'phone';

-- A contact's customer comes through its CRM account: the projection looks accounts up by id.
CREATE INDEX "SourceRow_account_id_idx" ON "SourceRow" (("data"->>'accountId')) WHERE "source" = 'crm' AND "tableName" = 'Account';

-- What the read model already mirrors (customers, orders, shipments; the CRM's accounts and
-- contacts arrive with their first capture) enters the index now, as the projection would add it.
INSERT INTO "SearchEntry" ("kind", "entityKey", "field", "folded", "customerNumber", "parentKey")
SELECT DISTINCT ON (e."kind", e."entityKey", e."field") e."kind", e."entityKey", e."field", e."folded", e."customerNumber", e."parentKey"
FROM (
    SELECT 'Customer' AS "kind", s."data"->>'customerNumber' AS "entityKey", 'name' AS "field", lower(btrim(s."data"->>'name')) AS "folded",
           s."data"->>'customerNumber' AS "customerNumber", NULL AS "parentKey"
    FROM "SourceRow" s WHERE s."source" = 'erp' AND s."tableName" = 'Customer' AND NOT s."deleted"
    UNION ALL
    SELECT 'Customer', s."data"->>'customerNumber', 'customerNumber', lower(btrim(s."data"->>'customerNumber')), s."data"->>'customerNumber', NULL
    FROM "SourceRow" s WHERE s."source" = 'erp' AND s."tableName" = 'Customer' AND NOT s."deleted"
    UNION ALL
    SELECT 'Order', s."data"->>'orderNumber', 'orderNumber', lower(btrim(s."data"->>'orderNumber')), s."data"->>'customerNumber', NULL
    FROM "SourceRow" s WHERE s."source" = 'erp' AND s."tableName" = 'SalesOrder' AND NOT s."deleted"
    UNION ALL
    SELECT 'Order', s."data"->>'orderNumber', 'externalReference', lower(btrim(s."data"->>'externalReference')), s."data"->>'customerNumber', NULL
    FROM "SourceRow" s WHERE s."source" = 'erp' AND s."tableName" = 'SalesOrder' AND NOT s."deleted"
    UNION ALL
    SELECT 'Shipment', s."data"->>'shipmentId', 'trackingNumber', lower(btrim(s."data"->>'trackingNumber')), o."data"->>'customerNumber', s."data"->>'orderNumber'
    FROM "SourceRow" s
    LEFT JOIN "SourceRow" o ON o."source" = 'erp' AND o."tableName" = 'SalesOrder' AND o."data"->>'orderNumber' = s."data"->>'orderNumber' AND NOT o."deleted"
    WHERE s."source" = 'wms' AND s."tableName" = 'Shipment' AND NOT s."deleted"
) e
WHERE e."entityKey" IS NOT NULL AND e."folded" <> '';
