// The type of the ERP's interactive-transaction client, and the transaction options every
// Prisma write uses; the frame and change cursor of a plain-SQL write. Writes stay short: on
// PGlite every other request queues behind them.
import { runIdempotent, type AuditRecord, type SqlTransaction, type SqlTransactionRunner } from "@crossdock/platform";
import type { ErpPrisma } from "../db.js";
import type { WrittenRows } from "./orderRows.js";

export type ErpTransaction = Parameters<Parameters<ErpPrisma["$transaction"]>[0]>[0];

export const WRITE_TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 15_000 } as const;

/**
 * The change cursor a write hands back, from a `pg_current_xact_id()::text` the write read along
 * with other columns: the same value as the platform's currentChangeCursor(tx, "erp"), without
 * a statement of its own.
 */
export function changeCursorOf(txid: string): string {
  return `erp:${txid}`;
}

/** What a plain-SQL write decided: the result stored with its key, its audit entry, and the rows it wrote. */
export interface SqlWriteDecision<R> {
  result: R;
  audit: AuditRecord;
  written: WrittenRows | null;
}

/**
 * A plain-SQL write in one transaction under its idempotency key: the key claimed, `decide` run
 * only for a new key, and the stored response written with the audit entry in one statement. A
 * replay hands back the stored result and no rows.
 */
export async function runErpSqlWrite<R>(
  transaction: SqlTransactionRunner,
  options: { scope: string; key: string; request: unknown; decide: (tx: SqlTransaction) => Promise<SqlWriteDecision<R>> },
): Promise<{ result: R; written: WrittenRows | null }> {
  return transaction(async (tx) => {
    let decision: SqlWriteDecision<R> | undefined;
    const { result } = await runIdempotent({
      tx,
      scope: options.scope,
      key: options.key,
      request: options.request,
      execute: async () => (decision = await options.decide(tx)).result,
      audit: () => decision?.audit ?? null,
    });
    return { result, written: decision?.written ?? null };
  });
}
