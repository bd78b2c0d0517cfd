// Opens a service's own database from a URL: `postgres://…` for Postgres, `pglite:<dir>`
// (or `pglite:memory`) for the embedded PGlite. It hands out the Prisma driver adapter plus
// raw SQL and LISTEN/NOTIFY, so services never care which engine they run on.
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PostgresListener } from "./postgresListener.js";

export type DatabaseKind = "pglite" | "postgres";
export type SqlDriverAdapterFactory = PrismaPGlite | PrismaPg;

export interface SqlSession {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  exec(sql: string): Promise<void>;
}

export interface TransactionOptions {
  /** Parameterless SQL run first inside the transaction (sent with BEGIN on Postgres). */
  begin?: string;
}

export interface Database {
  readonly kind: DatabaseKind;
  /** The URL without credentials, safe to log. */
  readonly displayUrl: string;
  readonly adapter: SqlDriverAdapterFactory;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs a script of several statements (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs `fn` on one dedicated connection (session-level locks, multi-statement work). */
  withSession<T>(fn: (session: SqlSession) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` in one transaction on one connection; commits when it resolves, rolls back when it
   * throws. `options.begin`: statements without parameters (a lock, a setting) that open the
   * transaction; on Postgres they travel with BEGIN in one round trip.
   */
  transaction<T>(fn: (session: SqlSession) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Subscribes to NOTIFY on `channel`; resolves to an unsubscribe function. On Postgres a lost
   * connection is re-established with backoff, after which `onPayload("")` is called once:
   * notifications sent meanwhile are lost, so the listener catches up from its own cursor.
   */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /**
   * Whether the database answers now (a trivial query within a short deadline, cached briefly):
   * what /readyz reports, so a load balancer stops sending work while the database is away.
   */
  reachable(): Promise<boolean>;
  close(): Promise<void>;
}

export function isPostgresUrl(url: string): boolean {
  return url.startsWith("postgres://") || url.startsWith("postgresql://");
}

export async function openDatabase(url: string): Promise<Database> {
  if (isPostgresUrl(url)) return openPostgres(url);
  if (url.startsWith("pglite:")) return openPGlite(url.slice("pglite:".length));
  throw new Error(`Unsupported database URL "${url.split("@").pop()}": use postgres://… or pglite:<directory>`);
}

async function openPGlite(location: string): Promise<Database> {
  const inMemory = location === "memory" || location === "";
  if (!inMemory) mkdirSync(location, { recursive: true });
  // pg_trgm, as on Postgres: the hub's search index (cdc-ingest migration 0009) is trigram GIN.
  const options = { extensions: { pg_trgm } };
  const client = inMemory ? new PGlite(options) : new PGlite(location, options);
  await client.waitReady;
  const session: SqlSession = {
    async query<T>(sql: string, params: unknown[] = []) {
      const result = await client.query<T>(sql, params);
      return result.rows;
    },
    async exec(sql: string) {
      await client.exec(sql);
    },
  };
  return {
    ...session,
    kind: "pglite",
    displayUrl: `pglite:${inMemory ? "memory" : location}`,
    adapter: new PrismaPGlite(client),
    withSession: (fn) => fn(session),
    // PGlite is one connection: its own transaction() holds the lock that keeps every other
    // caller (Prisma included) out until commit, so nothing interleaves with the transaction.
    transaction: (fn, options) =>
      client.transaction(async (tx) => {
        if (options?.begin) await tx.exec(options.begin);
        return fn({
          async query<T>(sql: string, params: unknown[] = []) {
            return (await tx.query<T>(sql, params)).rows;
          },
          async exec(sql: string) {
            await tx.exec(sql);
          },
        });
      }),
    async listen(channel, onPayload) {
      const unsubscribe = await client.listen(channel, onPayload);
      return async () => unsubscribe();
    },
    async reachable() {
      return !client.closed;
    },
    async close() {
      if (!client.closed) await client.close();
    },
  };
}

/**
 * Parameterised statements run as named prepared statements, so each connection parses and plans
 * a statement once instead of on every call (node-postgres otherwise sends an unnamed statement
 * each time). The hot statements (the read-model apply's CTEs, feed reads, stock writes) spent
 * more Postgres CPU in planning than in executing: 1.2 ms of planning against 0.3 ms of execution
 * for the inventory projection (pg_stat_statements; README "Performance notes"). Postgres re-plans a
 * prepared statement when a table it uses changes. See StatementNames for which texts get named.
 */
const MAX_PREPARED_TEXTS = 256;
const UNPREPARED = "";

/**
 * Statement names by SQL text. A text is named (prepared) from its second use on, so one-off
 * statements (a seed's bulk inserts, say) never take a place; at most `cap` texts are named, and
 * the rest stay unnamed ("": parsed and planned per call).
 */
class StatementNames {
  private readonly names = new Map<string, string>();
  /** Texts seen once, oldest first, bounded. */
  private readonly seenOnce = new Set<string>();

  constructor(private readonly cap: number) {}

  nameFor(sql: string): string {
    const known = this.names.get(sql);
    if (known !== undefined) return known;
    if (this.names.size >= this.cap) return UNPREPARED;
    if (!this.seenOnce.delete(sql)) {
      this.seenOnce.add(sql);
      if (this.seenOnce.size > 8 * this.cap) this.seenOnce.delete(this.seenOnce.values().next().value!);
      return UNPREPARED;
    }
    const name = `crossdock_${createHash("sha1").update(sql).digest("hex").slice(0, 20)}`;
    this.names.set(sql, name);
    return name;
  }

  neverPrepare(sql: string): void {
    this.names.set(sql, UNPREPARED);
  }
}

// Raw SQL only. Prisma's statements stay unnamed: naming them too (its pg adapter's
// statementNameGenerator) made no difference to bench:flows, whose cost is in the services' JS.
const preparedNames = new StatementNames(MAX_PREPARED_TEXTS);

function statement(sql: string, params: unknown[]): pg.QueryConfig {
  const name = preparedNames.nameFor(sql);
  return name ? { name, text: sql, values: params } : { text: sql, values: params };
}

/** Postgres refuses a prepared SELECT * whose table gained or lost columns since it was prepared. */
const isStaleResultType = (error: unknown) =>
  (error as { code?: string }).code === "0A000" && /cached plan must not change result type/.test((error as Error).message);

/**
 * A statement with parameters goes prepared; one without (scripts, BEGIN, LISTEN) as simple
 * query. A statement whose result type changed under it (a column added while the service runs)
 * is never prepared again, and a query outside a transaction is retried unprepared at once.
 */
async function run<T>(client: pg.Pool | pg.PoolClient, sql: string, params: unknown[], inTransaction: boolean): Promise<T[]> {
  if (params.length === 0) return (await client.query(sql)).rows as T[];
  try {
    return (await client.query(statement(sql, params))).rows as T[];
  } catch (error) {
    if (!isStaleResultType(error)) throw error;
    preparedNames.neverPrepare(sql);
    if (inTransaction) throw error;
    return (await client.query(sql, params)).rows as T[];
  }
}

/** How long a new connection may take before the request fails (SERVICE_UNAVAILABLE) instead of hanging. */
const CONNECT_TIMEOUT_MS = Number(process.env.CROSSDOCK_PG_CONNECT_TIMEOUT_MS ?? 5000);
/** A readiness answer is reused this long: probes from several balancers cost one query. */
const REACHABLE_CACHE_MS = 500;

async function openPostgres(url: string): Promise<Database> {
  // Connections open on demand and a dead one is replaced on the next checkout, so the pools
  // recover by themselves after a restart; a connect that cannot finish fails fast instead of
  // queuing every request behind it. TCP keepalive finds a peer that vanished without a word.
  const common = { connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true };
  const pool = new pg.Pool({ ...common, max: Number(process.env.CROSSDOCK_PG_POOL_SIZE ?? 10) });
  // Plain-SQL transactions (the hottest writes, read-model apply, flow steps) get their own
  // connections: a transaction holds its connection across round trips, and a burst of them must
  // not make reads queue behind it (nor reads starve the writes). Connections open on demand.
  const txPool = new pg.Pool({ ...common, max: Number(process.env.CROSSDOCK_PG_TX_POOL_SIZE ?? 10) });
  // Readiness probes get a connection of their own: a pool busy with work must not read as down.
  const probePool = new pg.Pool({ ...common, max: 1, connectionTimeoutMillis: 2000, idleTimeoutMillis: 60_000 });
  const listeners = new Set<PostgresListener>();
  // An idle connection dropped by the server (restart, failover, DROP DATABASE) must not crash
  // the process: the pool replaces it on the next checkout.
  // And a connection that fails while checked out or after it was handed back broken (a fast
  // shutdown's 57P01 can arrive while the pool ends it, after its borrower, ours or Prisma's,
  // stopped listening) must not either: every connection keeps a listener of its own for life.
  // The borrower still sees the failure on its statement, and the pool still drops the client.
  for (const each of [pool, txPool, probePool]) {
    each.on("error", () => undefined);
    each.on("connect", (client) => client.on("error", () => undefined));
  }
  let probe: { at: number; answer: Promise<boolean> } | undefined;
  // Fail the start early and clearly when the server is not reachable.
  const first = await pool.connect();
  first.release();
  return {
    kind: "postgres",
    displayUrl: url.replace(/\/\/[^@/]*@/, "//"),
    adapter: new PrismaPg(pool),
    async query<T>(sql: string, params: unknown[] = []) {
      return run<T>(pool, sql, params, false);
    },
    async exec(sql: string) {
      await pool.query(sql);
    },
    async withSession(fn) {
      const client = await pool.connect();
      let broken = false;
      // A session the server ends while it is checked out fails its pending or next statement;
      // unheard, the client's error event would crash the process.
      const onError = () => {
        broken = true;
      };
      client.on("error", onError);
      try {
        return await fn({
          async query<T>(sql: string, params: unknown[] = []) {
            return run<T>(client, sql, params, false);
          },
          async exec(sql: string) {
            await client.query(sql);
          },
        });
      } finally {
        client.off("error", onError);
        client.release(broken);
      }
    },
    async transaction(fn, options) {
      const client = await txPool.connect();
      let broken = false;
      // The server may end the connection while it is checked out (an idle-in-transaction timeout):
      // the pending or next statement fails with it; unheard, the client's error event would crash the process.
      const onError = () => {
        broken = true;
      };
      client.on("error", onError);
      try {
        // Simple-query protocol: BEGIN and the opening statements in one round trip.
        await client.query(options?.begin ? `BEGIN; ${options.begin}` : "BEGIN");
        const result = await fn({
          async query<T>(sql: string, params: unknown[] = []) {
            return run<T>(client, sql, params, true);
          },
          async exec(sql: string) {
            await client.query(sql);
          },
        });
        await client.query("COMMIT");
        return result;
      } catch (error) {
        const rolledBack = await client.query("ROLLBACK").then(
          () => true,
          () => false,
        );
        broken ||= !rolledBack;
        throw error;
      } finally {
        client.off("error", onError);
        // A connection that failed or cannot even roll back (the server closed it) is dropped, not
        // handed to the next caller.
        client.release(broken);
      }
    },
    async listen(channel, onPayload) {
      const listener = new PostgresListener({ connectionString: url, channel, onPayload, connectTimeoutMs: CONNECT_TIMEOUT_MS });
      await listener.start();
      listeners.add(listener);
      return async () => {
        listeners.delete(listener);
        await listener.stop();
      };
    },
    reachable() {
      const now = Date.now();
      if (probe && now - probe.at < REACHABLE_CACHE_MS) return probe.answer;
      const answer = probePool.query({ text: "SELECT 1", query_timeout: 2000 } as pg.QueryConfig).then(
        () => true,
        () => false,
      );
      probe = { at: now, answer };
      return answer;
    },
    async close() {
      await Promise.all([...listeners].map((listener) => listener.stop()));
      listeners.clear();
      await Promise.all([pool.end(), txPool.end(), probePool.end()]);
    },
  };
}
