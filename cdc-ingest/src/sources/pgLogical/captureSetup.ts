// Catalog work in the source database that pg-logical capture needs: the publication, REPLICA
// IDENTITY FULL, the slot's status and the snapshot-completion record. It never drops a slot
// that still streams for someone else unless asked to tear everything down.
import pg from "pg";
import { BUILTIN_ARRAY_ELEMENTS } from "./columnText.js";
import { parseLsn } from "./lsn.js";
import { SESSION_OPTIONS } from "./replicationConnection.js";

export const CAPTURE_STATE_TABLE = "_crossdock_capture_state";

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * Server-side TCP keepalives for the control session: it holds the capture lock, and a session
 * whose client host vanished (no FIN, a partition) would otherwise keep the lock, and a standby
 * out, for the operating system's default of two hours. With these the server ends it within
 * about 25 s, about when the walsender's own timeout ends the stream. Ignored on Unix sockets.
 */
const CONTROL_KEEPALIVES = "-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3";

export async function openControlClient(connectionString: string, options: { connectTimeoutMs?: number } = {}): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString,
    options: `${SESSION_OPTIONS} ${CONTROL_KEEPALIVES}`,
    ...(options.connectTimeoutMs ? { connectionTimeoutMillis: options.connectTimeoutMs } : {}),
  });
  // A lost idle connection must not crash the process: the next query on it fails instead.
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

/**
 * Publication (created, or extended with newly captured tables) and REPLICA IDENTITY FULL.
 * FULL makes updates and deletes carry the whole old row: deletes then say which row and
 * what it held, and an unchanged TOASTed column of an update can be filled from the old row
 * instead of arriving as a placeholder. It costs WAL volume on updates of those tables.
 */
export async function prepareCatalog(client: pg.Client, publication: string, tables: readonly string[]): Promise<void> {
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${quoteIdent(CAPTURE_STATE_TABLE)} (
       "slotName" text PRIMARY KEY, "snapshotDone" boolean NOT NULL, "snapshotLsn" text, "updatedAt" timestamptz NOT NULL DEFAULT now())`,
  );
  const existing = await client.query<{ table: string }>(`SELECT tablename AS table FROM pg_publication_tables WHERE pubname = $1 AND schemaname = 'public'`, [
    publication,
  ]);
  const [pub] = (await client.query(`SELECT 1 FROM pg_publication WHERE pubname = $1`, [publication])).rows;
  const list = (names: readonly string[]) => names.map((t) => `public.${quoteIdent(t)}`).join(", ");
  if (!pub) {
    await client.query(`CREATE PUBLICATION ${quoteIdent(publication)} FOR TABLE ${list(tables)}`);
  } else {
    const present = new Set(existing.rows.map((r) => r.table));
    const missing = tables.filter((t) => !present.has(t));
    if (missing.length > 0) await client.query(`ALTER PUBLICATION ${quoteIdent(publication)} ADD TABLE ${list(missing)}`);
  }
  const identities = await client.query<{ table: string; identity: string }>(
    `SELECT c.relname AS table, c.relreplident AS identity FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relname = ANY($1::text[])`,
    [tables],
  );
  // ALTER TABLE takes an exclusive lock: only where the identity is not FULL yet.
  for (const row of identities.rows) {
    if (row.identity !== "f") await client.query(`ALTER TABLE public.${quoteIdent(row.table)} REPLICA IDENTITY FULL`);
  }
}

export interface SlotStatus {
  readonly confirmedFlush: bigint | null;
  readonly activePid: number | null;
  readonly snapshotDone: boolean;
}

export async function readSlot(client: pg.Client, slot: string): Promise<SlotStatus | null> {
  const result = await client.query<{ confirmed: string | null; pid: number | null; done: boolean | null }>(
    `SELECT s.confirmed_flush_lsn::text AS confirmed, s.active_pid AS pid, st."snapshotDone" AS done
     FROM pg_replication_slots s LEFT JOIN ${quoteIdent(CAPTURE_STATE_TABLE)} st ON st."slotName" = s.slot_name
     WHERE s.slot_name = $1 AND s.database = current_database()`,
    [slot],
  );
  const row = result.rows[0];
  if (!row) return null;
  return { confirmedFlush: row.confirmed ? parseLsn(row.confirmed) : null, activePid: row.pid, snapshotDone: row.done === true };
}

/** The first key of the capture lock (the second is the slot name's hash): "CDCL". */
const CAPTURE_LOCK_CLASS = 0x4344434c;

/**
 * The capture lock of a slot: a session advisory lock in the source database, held on the
 * source's control connection by the one ingest that streams the slot. Another ingest for the
 * same source is a standby: it asks again from time to time and takes over when it gets the
 * lock, which Postgres frees the moment the holder's connection ends (a crash included).
 */
export async function tryCaptureLock(client: pg.Client, slot: string): Promise<boolean> {
  const result = await client.query<{ held: boolean }>(`SELECT pg_try_advisory_lock($1, hashtext($2)) AS held`, [CAPTURE_LOCK_CLASS, slot]);
  return result.rows[0]?.held === true;
}

/** A walsender that just lost its client keeps the slot for a moment; wait that out. */
export async function waitForSlotRelease(client: pg.Client, slot: string, timeoutMs = 5000): Promise<SlotStatus | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await readSlot(client, slot);
    if (!status || status.activePid === null || Date.now() > deadline) return status;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Where the new slot starts reading WAL: every change it streams lies at or after it. */
export async function slotRestartLsn(client: pg.Client, slot: string): Promise<bigint> {
  const result = await client.query<{ lsn: string }>(`SELECT restart_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1`, [slot]);
  const lsn = result.rows[0]?.lsn;
  if (!lsn) throw new Error(`replication slot ${slot} has no restart_lsn`);
  return parseLsn(lsn);
}

export async function recordSnapshot(client: pg.Client, slot: string, done: boolean, lsn?: bigint): Promise<void> {
  await client.query(
    `INSERT INTO ${quoteIdent(CAPTURE_STATE_TABLE)} AS st ("slotName", "snapshotDone", "snapshotLsn") VALUES ($1, $2, $3)
     ON CONFLICT ("slotName") DO UPDATE SET "snapshotDone" = excluded."snapshotDone",
       "snapshotLsn" = COALESCE(excluded."snapshotLsn", st."snapshotLsn"), "updatedAt" = now()`,
    [slot, done, lsn?.toString() ?? null],
  );
}

/** Drops the slot; with `force`, first ends the walsender that holds it (teardown only). */
export async function dropSlot(client: pg.Client, slot: string, force = false): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const [row] = (await client.query<{ pid: number | null }>(`SELECT active_pid AS pid FROM pg_replication_slots WHERE slot_name = $1`, [slot])).rows;
    if (!row) return;
    if (row.pid === null) {
      await client.query(`SELECT pg_drop_replication_slot($1)`, [slot]);
      return;
    }
    if (!force) throw new Error(`replication slot ${slot} is in use by process ${row.pid}`);
    await client.query(`SELECT pg_terminate_backend($1)`, [row.pid]);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`replication slot ${slot} stayed in use`);
}

/** Array type → element type, including enum and domain arrays that have no fixed OID. */
export async function loadArrayElements(client: pg.Client): Promise<Map<number, number>> {
  // int2vector and oidvector are category A too but print without braces: not arrays here.
  const result = await client.query<{ oid: string; elem: string }>(
    `SELECT oid::text AS oid, typelem::text AS elem FROM pg_type WHERE typcategory = 'A' AND typelem <> 0 AND typname NOT IN ('int2vector', 'oidvector')`,
  );
  const map = new Map(BUILTIN_ARRAY_ELEMENTS);
  for (const row of result.rows) map.set(Number(row.oid), Number(row.elem));
  return map;
}
