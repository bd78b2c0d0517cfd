// Read-your-writes: a mutation's changeCursor ("erp:1234" = source system and transaction id)
// is applied once the ingest has recorded that transaction in "AppliedTransaction". Waiters
// re-check when the in-process bus reports newly applied transactions, and on a short poll
// when the ingest runs in another process.
import { crossdockError, ErrorCode } from "@crossdock/schema";
import type { Database } from "@crossdock/platform";
import type { FeedBus } from "../feed/feedBus.js";

export interface ChangeCursorStatus {
  changeCursor: string;
  applied: boolean;
  waitedMs: number;
}

export function parseChangeCursor(changeCursor: string): { source: string; txId: string } {
  const match = /^(erp|crm|wms):(\d+)$/.exec(changeCursor);
  if (!match)
    throw crossdockError(ErrorCode.INVALID_CURSOR, `"${changeCursor}" is not a change cursor (expected e.g. "erp:1234" from a mutation payload)`, {
      field: "changeCursor",
    });
  return { source: match[1]!, txId: match[2]! };
}

export async function awaitChangeCursor(db: Database, bus: FeedBus, changeCursor: string, timeoutMs: number): Promise<ChangeCursorStatus> {
  const { source, txId } = parseChangeCursor(changeCursor);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 0 || timeoutMs > 30_000)
    throw crossdockError(ErrorCode.BAD_USER_INPUT, "timeoutMs must be between 0 and 30000", { field: "timeoutMs" });
  const started = Date.now();
  const isApplied = async () => (await db.query(`SELECT 1 FROM "AppliedTransaction" WHERE "source" = $1 AND "txId" = $2`, [source, txId])).length > 0;
  if (await isApplied()) return { changeCursor, applied: true, waitedMs: 0 };
  // A failing check must never escape as an unhandled rejection (it would end the process): a
  // failed poll is skipped (the next poll or the deadline checks again); a failed final check
  // fails this request only.
  return new Promise<ChangeCursorStatus>((resolve, reject) => {
    let settled = false;
    const settle = () => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      clearInterval(poll);
      unsubscribe();
      return true;
    };
    const finish = (applied: boolean) => {
      if (settle()) resolve({ changeCursor, applied, waitedMs: Date.now() - started });
    };
    const unsubscribe = bus.onApplied((_entries, txIds) => {
      if (txIds.some((t) => t.source === source && t.txId === txId)) finish(true);
    });
    const poll = setInterval(() => {
      isApplied().then(
        (applied) => applied && finish(true),
        () => undefined,
      );
    }, 250);
    const timer = setTimeout(() => {
      isApplied().then(finish, (error: unknown) => {
        if (settle()) reject(error instanceof Error ? error : new Error(String(error)));
      });
    }, timeoutMs);
  });
}
