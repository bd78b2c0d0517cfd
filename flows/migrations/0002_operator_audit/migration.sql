-- Who retried, skipped or cancelled a flow run: the flows' operator actions, one entry each, with
-- the verified subject, its kind and the request id (the platform write frame's audit columns).
-- Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE. The ops read model serves it in
-- auditLog as system "flows".
CREATE TABLE "FlowAuditEntry" (
  "id" BIGSERIAL PRIMARY KEY,
  "at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "subject" TEXT NOT NULL,
  "subjectKind" TEXT NOT NULL,
  "requestId" TEXT NOT NULL,
  "operation" TEXT NOT NULL,
  "entityType" TEXT NOT NULL,
  "entityKey" TEXT NOT NULL,
  "detail" JSONB
);
CREATE INDEX "FlowAuditEntry_at_idx" ON "FlowAuditEntry" ("at", "id");

CREATE OR REPLACE FUNCTION "FlowAuditEntry_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'FlowAuditEntry is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER "FlowAuditEntry_append_only" BEFORE UPDATE OR DELETE ON "FlowAuditEntry" FOR EACH ROW EXECUTE FUNCTION "FlowAuditEntry_refuse_change"();
CREATE TRIGGER "FlowAuditEntry_no_truncate" BEFORE TRUNCATE ON "FlowAuditEntry" FOR EACH STATEMENT EXECUTE FUNCTION "FlowAuditEntry_refuse_change"();
