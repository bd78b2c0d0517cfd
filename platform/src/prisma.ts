// Wires a service's generated Prisma client to the metrics: every SQL statement is counted
// by table and operation, which is how tests and operators see that DataLoaders batch.
import type { Database, TransactionOptions } from "./database.js";
import type { RawSqlTransaction } from "./idempotency.js";
import type { ServiceMetrics } from "./metrics.js";

interface QueryEvent {
  query: string;
}

interface EventedClient {
  $on(event: "query", listener: (event: QueryEvent) => void): void;
}

/** Options to pass to the generated PrismaClient so that it emits query events. */
export const prismaLogOptions = [{ emit: "event", level: "query" }] as const;

const TABLE_PATTERN = /(?:FROM|INTO|UPDATE|JOIN)\s+(?:"[^"]+"\.)?"([^"]+)"/i;

export function describeStatement(sql: string): { model: string; operation: string } {
  const operation = (sql.trimStart().split(/\s+/, 1)[0] ?? "unknown").toUpperCase();
  const model = TABLE_PATTERN.exec(sql)?.[1] ?? "none";
  return { model, operation };
}

export function countStatements(client: EventedClient, metrics: ServiceMetrics): void {
  client.$on("query", (event) => {
    metrics.sqlStatements.inc(describeStatement(event.query));
  });
}

export type SqlQuery = <T = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;

/**
 * Plain SQL for a hot read path that Prisma cannot express in one statement (a join), counted
 * in the same metric as the Prisma client's statements, so batching stays observable.
 */
export function countedSql(db: Pick<Database, "query">, metrics: ServiceMetrics): SqlQuery {
  return (sql, params) => {
    metrics.sqlStatements.inc(describeStatement(sql));
    return db.query(sql, params);
  };
}

/** One transaction on one connection, in plain SQL, for the hottest writes; usable by runIdempotent and recordAudit. */
export interface SqlTransaction extends RawSqlTransaction {
  query: SqlQuery;
}

export type SqlTransactionRunner = <T>(fn: (tx: SqlTransaction) => Promise<T>) => Promise<T>;

/** How long a plain-SQL write may take, statement by statement and between statements (as Prisma's transaction timeout bounded the writes it replaced). */
export const WRITE_TRANSACTION_DEADLINE_MS = 15_000;

/** The transaction options that bound a plain-SQL write by `deadlineMs` on Postgres (see countedTransactions). */
export function writeDeadlineOptions(kind: Database["kind"], deadlineMs = WRITE_TRANSACTION_DEADLINE_MS): TransactionOptions | undefined {
  const ms = Math.max(1, Math.floor(deadlineMs));
  return kind === "postgres" ? { begin: `SET LOCAL statement_timeout = ${ms}; SET LOCAL idle_in_transaction_session_timeout = ${ms}` } : undefined;
}

/**
 * Transactions whose statements are counted like countedSql's: commit when `fn` resolves, roll back
 * when it throws. On Postgres a write holds its locks for at most `deadlineMs` per statement and
 * per pause between statements: a statement waiting longer is cancelled (and the write rolled
 * back), and a connection left idle inside the transaction longer is closed by the server, which
 * rolls it back. Sent with BEGIN, so it costs no round trip. (PGlite is one connection.)
 */
export function countedTransactions(
  db: Pick<Database, "transaction" | "kind">,
  metrics: ServiceMetrics,
  deadlineMs = WRITE_TRANSACTION_DEADLINE_MS,
): SqlTransactionRunner {
  const options = writeDeadlineOptions(db.kind, deadlineMs);
  return (fn) =>
    db.transaction((session) => {
      const query = countedSql(session, metrics);
      return fn({ query, $queryRawUnsafe: <T>(sql: string, ...values: unknown[]) => query(sql, values) as Promise<T> });
    }, options);
}
