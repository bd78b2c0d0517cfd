// The one frame every write in every service runs in: claim the caller's idempotency key,
// decide (read, check, write), then store the response and the audit entry, all in one
// transaction. Both persistence styles use it: Prisma interactive transactions and the plain-SQL
// transactions of the hottest writes. The outcome, audit entry included, comes back as a value.
import { type AuditRecord, recordAudit } from "./audit.js";
import { claimIdempotencyKey, idempotencyCaller, storeIdempotentResponse, type RawSqlTransaction } from "./idempotency.js";
import type { Principal } from "./principal.js";
import type { Database, SqlSession } from "./database.js";
import { WRITE_TRANSACTION_DEADLINE_MS, writeDeadlineOptions, type SqlTransaction } from "./prisma.js";

/** Who writes: the verified principal (the audit subject) and the request it came with. */
export interface WriteActor {
  principal: Principal;
  requestId: string;
  /** The request's trace, recorded with the audit entry so capture carries it on; absent or null untraced. */
  traceparent?: string | null;
}

/** What a write touched, for its audit entry. */
export interface AuditSubject {
  entityType: string;
  entityKey: string;
  detail?: unknown;
}

/**
 * What `decide` returns: `result` (plain JSON: stored with the key and handed back on replays),
 * `audit` (null = nothing was written, nothing to audit), and optionally the rows it wrote, for the
 * response (never stored).
 */
export interface WriteDecision<R, W = never> {
  result: R;
  audit: AuditSubject | null;
  written?: W;
}

export interface WriteOutcome<R, W = never> {
  result: R;
  /** The entry this write recorded; null on a replay or when the write changed nothing. */
  audit: AuditRecord | null;
  written: W | null;
  replayed: boolean;
}

export interface WriteOptions<Tx, R, W = never> {
  actor: WriteActor;
  /** The mutation's name: the audit operation and the idempotency scope. */
  operation: string;
  /** Absent for writes that are idempotent by nature (cancelling a cancelled order). */
  idempotency?: { key: string; request: unknown } | null;
  decide: (tx: Tx) => Promise<WriteDecision<R, W>>;
  /** The table the audit entry goes to; default "AuditEntry". */
  auditTable?: string;
}

/** A plain-SQL session of a platform Database transaction, usable as the frame's transaction. */
export type SessionTransaction = SqlSession & SqlTransaction;

export function sessionTransaction(session: SqlSession): SessionTransaction {
  return {
    query: (sql, params) => session.query(sql, params),
    exec: (sql) => session.exec(sql),
    $queryRawUnsafe: <T>(sql: string, ...values: unknown[]) => session.query(sql, values) as Promise<T>,
  };
}

/** Transactions on a platform Database (the hub's operator actions): plain SQL, bounded by the write deadline. */
export function databaseWriteTransactions(
  db: Pick<Database, "transaction" | "kind">,
  deadlineMs = WRITE_TRANSACTION_DEADLINE_MS,
): WriteTransactions<SessionTransaction> {
  const options = writeDeadlineOptions(db.kind, deadlineMs);
  return (fn) => db.transaction((session) => fn(sessionTransaction(session)), options);
}

/** Opens one transaction, commits when `fn` resolves, rolls back when it throws. */
export type WriteTransactions<Tx> = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;

/** A client with Prisma's interactive transactions. */
export interface InteractiveTransactionClient<Tx> {
  $transaction<T>(fn: (tx: Tx) => Promise<T>, options?: { maxWait?: number; timeout?: number }): Promise<T>;
}

/**
 * Prisma interactive transactions bounded by the one write deadline: waiting for a connection
 * (PGlite is one connection, so writes queue) and running each take at most `deadlineMs`, as the
 * plain-SQL writes' statements do (countedTransactions).
 */
export function prismaWriteTransactions<Tx>(client: InteractiveTransactionClient<Tx>, deadlineMs = WRITE_TRANSACTION_DEADLINE_MS): WriteTransactions<Tx> {
  const options = { maxWait: deadlineMs, timeout: deadlineMs };
  return (fn) => client.$transaction(fn, options);
}

/** Runs one write in its own transaction (see writeInTransaction). */
export function runWrite<Tx extends RawSqlTransaction, R, W = never>(
  transactions: WriteTransactions<Tx>,
  options: WriteOptions<Tx, R, W>,
): Promise<WriteOutcome<R, W>> {
  return transactions((tx) => writeInTransaction(tx, options));
}

/**
 * The frame inside a transaction the caller opened: the key's claim (a replay returns the stored
 * result and writes nothing), `decide`, then the stored response with the audit entry in one
 * statement. Without a key the audit entry is one INSERT. No statement beyond those.
 */
export async function writeInTransaction<Tx extends RawSqlTransaction, R, W = never>(tx: Tx, options: WriteOptions<Tx, R, W>): Promise<WriteOutcome<R, W>> {
  const { actor, operation, idempotency } = options;
  const claim = idempotency ? { caller: idempotencyCaller(actor.principal), scope: operation, key: idempotency.key, request: idempotency.request } : null;
  if (claim) {
    const claimed = await claimIdempotencyKey<R>(tx, claim);
    if (!claimed.claimed) return { result: claimed.response, audit: null, written: null, replayed: true };
  }
  const decision = await options.decide(tx);
  const audit: AuditRecord | null = decision.audit && {
    principal: actor.principal,
    requestId: actor.requestId,
    traceparent: actor.traceparent ?? null,
    operation,
    ...decision.audit,
  };
  if (claim) await storeIdempotentResponse(tx, claim, decision.result, audit, options.auditTable);
  else if (audit) await recordAudit(tx, audit, options.auditTable);
  return { result: decision.result, audit, written: decision.written ?? null, replayed: false };
}
