// Installs `outbox` capture in a source database: row triggers on the captured tables write
// a Debezium-shaped envelope (schemas.enable=false form) into "_crossdock_outbox" in the same
// transaction as the change. Numbers are written as strings (Debezium's decimal.handling.mode
// =string) so money never passes through a JavaScript float.
import type { Database } from "@crossdock/platform";
import { MARKER_TABLES, type SourceName } from "./capturedTables.js";

export const OUTBOX_TABLE = "_crossdock_outbox";
export const OUTBOX_CHANNEL = "crossdock_outbox";
const SNAPSHOT_STATE_TABLE = "_crossdock_outbox_tables";

function captureFunctionSql(source: SourceName): string {
  return `
CREATE OR REPLACE FUNCTION "_crossdock_row"(r jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $fn$
  SELECT COALESCE(jsonb_object_agg(key, CASE WHEN jsonb_typeof(value) = 'number' THEN to_jsonb(value #>> '{}') ELSE value END), '{}'::jsonb)
  FROM jsonb_each(r)
$fn$;

CREATE OR REPLACE FUNCTION "_crossdock_envelope"(op text, tbl text, before_row jsonb, after_row jsonb, snapshot text) RETURNS jsonb LANGUAGE sql VOLATILE AS $fn$
  SELECT jsonb_build_object(
    'before', before_row,
    'after', after_row,
    'op', op,
    'ts_ms', (extract(epoch FROM clock_timestamp()) * 1000)::bigint,
    'source', jsonb_build_object(
      'connector', 'crossdock-outbox', 'name', '${source}', 'version', '1',
      'db', current_database(), 'schema', 'public', 'table', tbl,
      'txId', pg_current_xact_id()::text, 'lsn', NULL,
      'ts_ms', (extract(epoch FROM clock_timestamp()) * 1000)::bigint,
      'snapshot', snapshot))
$fn$;

CREATE OR REPLACE FUNCTION "_crossdock_capture"() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "${OUTBOX_TABLE}" ("tableName", "payload") VALUES (TG_TABLE_NAME, "_crossdock_envelope"('c', TG_TABLE_NAME, NULL, "_crossdock_row"(to_jsonb(NEW)), 'false'));
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO "${OUTBOX_TABLE}" ("tableName", "payload") VALUES (TG_TABLE_NAME, "_crossdock_envelope"('u', TG_TABLE_NAME, "_crossdock_row"(to_jsonb(OLD)), "_crossdock_row"(to_jsonb(NEW)), 'false'));
  ELSE
    INSERT INTO "${OUTBOX_TABLE}" ("tableName", "payload") VALUES (TG_TABLE_NAME, "_crossdock_envelope"('d', TG_TABLE_NAME, "_crossdock_row"(to_jsonb(OLD)), NULL, 'false'));
  END IF;
  -- Identical payloads are folded into one notification per transaction by Postgres.
  PERFORM pg_notify('${OUTBOX_CHANNEL}', '');
  RETURN NULL;
END
$fn$;`;
}

/**
 * Installs (or refreshes) capture. A table's current rows are written as snapshot reads
 * (op "r") in the same transaction that creates its trigger, so the ingest sees each row
 * exactly once: no gap before the trigger, no duplicate after. Tables are snapshotted once
 * (remembered in "_crossdock_outbox_tables"), so a table added to the capture later still
 * arrives whole; `resnapshot` snapshots everything again, for a read model rebuilt from empty.
 */
export async function installOutboxCapture(
  db: Database,
  source: SourceName,
  tables: readonly string[],
  options: { resnapshot?: boolean } = {},
): Promise<{ snapshotRows: number }> {
  return db.transaction(async (session) => {
    // One installer at a time per database (several ingest replicas may start together).
    await session.query("SELECT pg_advisory_xact_lock(hashtext('crossdock_outbox_install'))");
    await session.exec(`
      CREATE TABLE IF NOT EXISTS "${OUTBOX_TABLE}" (
        "id" BIGSERIAL PRIMARY KEY,
        "tableName" TEXT NOT NULL,
        "payload" JSONB NOT NULL,
        "capturedAt" TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
      );
      CREATE TABLE IF NOT EXISTS "${SNAPSHOT_STATE_TABLE}" (
        "tableName" TEXT PRIMARY KEY,
        "snapshotAt" TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      ${captureFunctionSql(source)}`);
    const done = new Set((await session.query<{ tableName: string }>(`SELECT "tableName" FROM "${SNAPSHOT_STATE_TABLE}"`)).map((row) => row.tableName));
    let snapshotRows = 0;
    for (const table of tables) {
      await session.exec(`
        DROP TRIGGER IF EXISTS "_crossdock_capture" ON "${table}";
        CREATE TRIGGER "_crossdock_capture" AFTER INSERT OR UPDATE OR DELETE ON "${table}" FOR EACH ROW EXECUTE FUNCTION "_crossdock_capture"();`);
      if (MARKER_TABLES.has(table) || (done.has(table) && !options.resnapshot)) continue;
      const rows = await session.query<{ count: string }>(
        `WITH inserted AS (
           INSERT INTO "${OUTBOX_TABLE}" ("tableName", "payload")
           SELECT '${table}', "_crossdock_envelope"('r', '${table}', NULL, "_crossdock_row"(to_jsonb(t)), 'true') FROM "${table}" t
           RETURNING 1)
         SELECT count(*)::text AS count FROM inserted`,
      );
      await session.query(`INSERT INTO "${SNAPSHOT_STATE_TABLE}" ("tableName") VALUES ($1) ON CONFLICT ("tableName") DO UPDATE SET "snapshotAt" = now()`, [
        table,
      ]);
      snapshotRows += Number(rows[0]?.count ?? 0);
    }
    return { snapshotRows };
  });
}
