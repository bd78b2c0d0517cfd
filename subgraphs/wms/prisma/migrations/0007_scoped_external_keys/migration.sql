-- A fulfilment's externalKey is the creating caller's idempotency key (issue 15), and idempotency
-- keys belong to their caller: the key is now unique per creator ("createdBy", the verified
-- principal's "<kind>:<subject>", as in "IdempotencyKey"."caller"), no longer across everyone.
-- Another caller choosing the same key no longer collides with, or learns of, an existing
-- fulfilment. Fulfilments created before this migration keep the creator '' (not attributed),
-- as idempotency keys claimed before write attribution do.
ALTER TABLE "FulfillmentOrder" ADD COLUMN "createdBy" TEXT NOT NULL DEFAULT '';
DROP INDEX "FulfillmentOrder_externalKey_key";
CREATE UNIQUE INDEX "FulfillmentOrder_createdBy_externalKey_key" ON "FulfillmentOrder"("createdBy", "externalKey");
