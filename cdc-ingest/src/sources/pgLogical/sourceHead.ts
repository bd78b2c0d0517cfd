// The source server's side of the lag reading for pg-logical capture: its flushed end of WAL
// (everything committed lies below it; the walsender streams no further), the slot's confirmed
// position, and how much WAL the slot makes the server keep (an idle or abandoned slot pins WAL
// until the disk fills). One cheap catalog query.
import type pg from "pg";
import { parseLsn } from "./lsn.js";

export interface SourceHead {
  /** pg_current_wal_flush_lsn(): the newest committed change lies below it. */
  readonly head: bigint;
  /** The slot's confirmed_flush_lsn; null when the slot does not exist (yet). */
  readonly confirmedFlush: bigint | null;
  /** WAL bytes kept for the slot: the head minus its restart_lsn; null without a slot. */
  readonly retainedBytes: bigint | null;
}

export async function readSourceHead(client: pg.Client, slot: string): Promise<SourceHead> {
  const result = await client.query<{ head: string; confirmed: string | null; retained: string | null }>(
    `SELECT pg_current_wal_flush_lsn()::text AS head, s.confirmed_flush_lsn::text AS confirmed,
            pg_wal_lsn_diff(pg_current_wal_flush_lsn(), s.restart_lsn)::text AS retained
     FROM (SELECT 1) AS one LEFT JOIN pg_replication_slots s ON s.slot_name = $1 AND s.database = current_database()`,
    [slot],
  );
  const row = result.rows[0];
  if (!row) throw new Error("pg_current_wal_flush_lsn() returned nothing");
  return {
    head: parseLsn(row.head),
    confirmedFlush: row.confirmed ? parseLsn(row.confirmed) : null,
    // pg_wal_lsn_diff is numeric: kept as an integer string, never a float.
    retainedBytes: row.retained === null ? null : BigInt(row.retained.replace(/\..*$/, "")),
  };
}
