// How ERP writes reach the platform's write frame: the interactive-transaction client type, the
// two kinds of transactions (Prisma's, and plain SQL for the hottest writes), and the change
// cursor of a plain-SQL write. Writes stay short: on PGlite every other request queues behind them.
import { prismaWriteTransactions, type SqlTransaction, type SqlTransactionRunner, type WriteActor, type WriteTransactions } from "@crossdock/platform";
import type { ErpPrisma } from "../db.js";

export type { WriteActor };

export type ErpTransaction = Parameters<Parameters<ErpPrisma["$transaction"]>[0]>[0];

/** Where an ERP write runs: Prisma interactive transactions, or the counted plain-SQL ones. */
export interface ErpWrites {
  prisma: WriteTransactions<ErpTransaction>;
  sql: WriteTransactions<SqlTransaction>;
}

export function erpWrites(prisma: ErpPrisma, sql: SqlTransactionRunner): ErpWrites {
  return { prisma: prismaWriteTransactions<ErpTransaction>(prisma), sql };
}

/**
 * The change cursor a write hands back, from a `pg_current_xact_id()::text` the write read along
 * with other columns: the same value as the platform's currentChangeCursor(tx, "erp"), without
 * a statement of its own.
 */
export function changeCursorOf(txid: string): string {
  return `erp:${txid}`;
}
