-- The flows' operator actions as a hash chain, like the hub's "AuditLog" (cdc-ingest migration
-- 0012_audit_chain; see docs/security.md, Audit log integrity): each "FlowAuditEntry" row carries
-- the previous row's hash ("prevHash", NULL for the first) and its own "hash", the SHA-256 of the
-- same canonical encoding with system 'flows' and no source id. cdc-ingest/src/ops/auditChain.ts
-- verifies both chains. Self-contained: the flows may migrate the hub before or after cdc-ingest.
ALTER TABLE "FlowAuditEntry" ADD COLUMN "prevHash" TEXT, ADD COLUMN "hash" TEXT;

CREATE FUNCTION "FlowAuditEntry_chain_field"(value text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN value IS NULL THEN '-' ELSE octet_length(value)::text || ':' || value END
$$;

CREATE FUNCTION "FlowAuditEntry_chain_hash"(previous text, entry "FlowAuditEntry") RETURNS text LANGUAGE sql STABLE AS $$
  SELECT encode(sha256(convert_to('crossdock-audit-v1'
    || "FlowAuditEntry_chain_field"(previous)
    || "FlowAuditEntry_chain_field"('flows')
    || "FlowAuditEntry_chain_field"(NULL)
    || "FlowAuditEntry_chain_field"(((extract(epoch FROM entry."at") * 1000000)::bigint)::text)
    || "FlowAuditEntry_chain_field"(entry."subject")
    || "FlowAuditEntry_chain_field"(entry."subjectKind")
    || "FlowAuditEntry_chain_field"(entry."requestId")
    || "FlowAuditEntry_chain_field"(entry."operation")
    || "FlowAuditEntry_chain_field"(entry."entityType")
    || "FlowAuditEntry_chain_field"(entry."entityKey")
    || "FlowAuditEntry_chain_field"(entry."detail"::text), 'UTF8')), 'hex')
$$;

ALTER TABLE "FlowAuditEntry" DISABLE TRIGGER "FlowAuditEntry_append_only";
DO $$
DECLARE
  previous text;
  entry "FlowAuditEntry";
BEGIN
  FOR entry IN SELECT * FROM "FlowAuditEntry" ORDER BY "id" LOOP
    UPDATE "FlowAuditEntry" SET "prevHash" = previous, "hash" = "FlowAuditEntry_chain_hash"(previous, entry) WHERE "id" = entry."id" RETURNING "hash" INTO previous;
  END LOOP;
END
$$;
ALTER TABLE "FlowAuditEntry" ENABLE TRIGGER "FlowAuditEntry_append_only";

-- Writers take turns on their own advisory lock; the id is drawn once it is held (id order is chain order).
CREATE FUNCTION "FlowAuditEntry_extend_chain"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  previous text;
BEGIN
  PERFORM pg_advisory_xact_lock(7730102);
  NEW."id" := nextval(pg_get_serial_sequence('"FlowAuditEntry"', 'id'));
  SELECT "hash" INTO previous FROM "FlowAuditEntry" ORDER BY "id" DESC LIMIT 1;
  NEW."prevHash" := previous;
  NEW."hash" := "FlowAuditEntry_chain_hash"(previous, NEW);
  RETURN NEW;
END
$$;
CREATE TRIGGER "FlowAuditEntry_chain" BEFORE INSERT ON "FlowAuditEntry" FOR EACH ROW EXECUTE FUNCTION "FlowAuditEntry_extend_chain"();
