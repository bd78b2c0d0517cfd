-- Write attribution (README "Writes, audit and idempotency"): audit entries name the verified
-- subject and its kind (user, partner, service, anonymous); idempotency keys belong to their
-- caller; the audit log is append-only.

-- Existing entries stay readable: "principal" held "<kind>:<subject>".
ALTER TABLE "AuditEntry" ADD COLUMN "subject" TEXT, ADD COLUMN "subjectKind" TEXT;
UPDATE "AuditEntry" SET "subjectKind" = split_part("principal", ':', 1), "subject" = substr("principal", strpos("principal", ':') + 1);
ALTER TABLE "AuditEntry" ALTER COLUMN "subject" SET NOT NULL, ALTER COLUMN "subjectKind" SET NOT NULL, DROP COLUMN "principal";

-- Keys claimed before this migration keep the caller '' (they were not attributed); the claim
-- (platform/src/idempotency.ts) still answers such a key as before, for whoever retries it.
ALTER TABLE "IdempotencyKey" ADD COLUMN "caller" TEXT NOT NULL DEFAULT '';
ALTER TABLE "IdempotencyKey" DROP CONSTRAINT "IdempotencyKey_pkey";
ALTER TABLE "IdempotencyKey" ADD CONSTRAINT "IdempotencyKey_pkey" PRIMARY KEY ("caller", "scope", "key");

-- Append-only: no row of the audit log is ever changed or removed (the same text as the
-- platform's AUDIT_APPEND_ONLY_SQL).
CREATE OR REPLACE FUNCTION "AuditEntry_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'AuditEntry is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER "AuditEntry_append_only" BEFORE UPDATE OR DELETE ON "AuditEntry" FOR EACH ROW EXECUTE FUNCTION "AuditEntry_refuse_change"();
CREATE TRIGGER "AuditEntry_no_truncate" BEFORE TRUNCATE ON "AuditEntry" FOR EACH STATEMENT EXECUTE FUNCTION "AuditEntry_refuse_change"();

-- An order's idempotency key is its caller's: two callers may use the same key.
DROP INDEX "SalesOrder_idempotencyKey_key";
CREATE INDEX "SalesOrder_idempotencyKey_idx" ON "SalesOrder"("idempotencyKey");
