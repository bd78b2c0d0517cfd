// The type of the ERP's interactive-transaction client, and the transaction options every
// Prisma write uses; the change cursor of a plain-SQL write. Writes stay short: on PGlite every
// other request queues behind them.
import type { ErpPrisma } from "../db.js";

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
