-- The merged audit log the graph's auditLog serves: the systems' "AuditEntry" rows as captured
-- (system erp, crm or wms; sourceId = their id, so redelivery adds nothing) and the ops read
-- model's own operator actions (system ops, no sourceId). Append-only: a trigger refuses
-- UPDATE, DELETE and TRUNCATE.
CREATE TABLE "AuditLog" (
    "id" BIGSERIAL NOT NULL,
    "system" TEXT NOT NULL DEFAULT 'ops',
    "sourceId" TEXT,
    "at" TIMESTAMPTZ(6) NOT NULL DEFAULT now(),
    "subject" TEXT NOT NULL,
    "subjectKind" TEXT NOT NULL,
    "requestId" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "entityType" TEXT NOT NULL,
    "entityKey" TEXT NOT NULL,
    "detail" JSONB,

    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "AuditLog_system_sourceId_key" ON "AuditLog"("system", "sourceId");

CREATE INDEX "AuditLog_at_id_idx" ON "AuditLog"("at", "id");

CREATE INDEX "AuditLog_subject_at_idx" ON "AuditLog"("subject", "at");

CREATE INDEX "AuditLog_entityKey_at_idx" ON "AuditLog"("entityKey", "at");

CREATE OR REPLACE FUNCTION "AuditLog_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'AuditLog is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER "AuditLog_append_only" BEFORE UPDATE OR DELETE ON "AuditLog" FOR EACH ROW EXECUTE FUNCTION "AuditLog_refuse_change"();
CREATE TRIGGER "AuditLog_no_truncate" BEFORE TRUNCATE ON "AuditLog" FOR EACH STATEMENT EXECUTE FUNCTION "AuditLog_refuse_change"();
