-- The audit log as a hash chain (issue 15): each "AuditLog" row carries the hash of the row
-- before it ("prevHash", NULL for the first) and its own "hash", the SHA-256 of a canonical
-- encoding of the previous hash and its contents. A row changed or removed afterwards, even by
-- the table's owner with the append-only trigger dropped, no longer verifies
-- (cdc-ingest/src/ops/auditChain.ts recomputes every hash independently: `crossdock audit
-- verify`, the graph's auditIntegrity, the metric crossdock_audit_chain_broken).
--
-- The encoding (auditChain.ts builds the same text): 'crossdock-audit-v1' followed by each field
-- as <UTF-8 byte length>:<text>, or '-' for NULL, in this order: prevHash, system, sourceId,
-- at (microseconds since the epoch), subject, subjectKind, requestId, operation, entityType,
-- entityKey, detail (jsonb's text). sha256() is core Postgres (11+), so PGlite has it too.
ALTER TABLE "AuditLog" ADD COLUMN "prevHash" TEXT, ADD COLUMN "hash" TEXT;

CREATE FUNCTION "AuditLog_chain_field"(value text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN value IS NULL THEN '-' ELSE octet_length(value)::text || ':' || value END
$$;

CREATE FUNCTION "AuditLog_chain_hash"(previous text, entry "AuditLog") RETURNS text LANGUAGE sql STABLE AS $$
  SELECT encode(sha256(convert_to('crossdock-audit-v1'
    || "AuditLog_chain_field"(previous)
    || "AuditLog_chain_field"(entry."system")
    || "AuditLog_chain_field"(entry."sourceId")
    || "AuditLog_chain_field"(((extract(epoch FROM entry."at") * 1000000)::bigint)::text)
    || "AuditLog_chain_field"(entry."subject")
    || "AuditLog_chain_field"(entry."subjectKind")
    || "AuditLog_chain_field"(entry."requestId")
    || "AuditLog_chain_field"(entry."operation")
    || "AuditLog_chain_field"(entry."entityType")
    || "AuditLog_chain_field"(entry."entityKey")
    || "AuditLog_chain_field"(entry."detail"::text), 'UTF8')), 'hex')
$$;

-- The rows already there are chained once, in id order (the owner running this migration may
-- pass its own append-only trigger).
ALTER TABLE "AuditLog" DISABLE TRIGGER "AuditLog_append_only";
DO $$
DECLARE
  previous text;
  entry "AuditLog";
BEGIN
  FOR entry IN SELECT * FROM "AuditLog" ORDER BY "id" LOOP
    UPDATE "AuditLog" SET "prevHash" = previous, "hash" = "AuditLog_chain_hash"(previous, entry) WHERE "id" = entry."id" RETURNING "hash" INTO previous;
  END LOOP;
END
$$;
ALTER TABLE "AuditLog" ENABLE TRIGGER "AuditLog_append_only";

-- Every new row extends the chain. Writers take turns on one transaction-level advisory lock
-- (the ingest's batches already hold the read-model lock; operator actions are rare), and the
-- row's id is drawn only once the lock is held, so id order is chain order even when two
-- transactions insert at once. The lock is held until commit, so the next writer sees this row.
CREATE FUNCTION "AuditLog_extend_chain"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  previous text;
BEGIN
  PERFORM pg_advisory_xact_lock(7730012);
  NEW."id" := nextval(pg_get_serial_sequence('"AuditLog"', 'id'));
  SELECT "hash" INTO previous FROM "AuditLog" ORDER BY "id" DESC LIMIT 1;
  NEW."prevHash" := previous;
  NEW."hash" := "AuditLog_chain_hash"(previous, NEW);
  RETURN NEW;
END
$$;
CREATE TRIGGER "AuditLog_chain" BEFORE INSERT ON "AuditLog" FOR EACH ROW EXECUTE FUNCTION "AuditLog_extend_chain"();
