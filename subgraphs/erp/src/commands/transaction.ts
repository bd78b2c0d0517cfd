// The type of the ERP's interactive-transaction client, and the transaction options every
// write uses. Writes stay short: on PGlite every other request queues behind them.
import type { ErpPrisma } from "../db.js";

export type ErpTransaction = Parameters<Parameters<ErpPrisma["$transaction"]>[0]>[0];

export const WRITE_TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 15_000 } as const;
