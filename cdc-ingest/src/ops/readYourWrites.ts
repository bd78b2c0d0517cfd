// Read-your-writes: a mutation's changeCursor ("erp:1234" = source system and transaction id)
// is applied once the ingest has recorded that transaction in "AppliedTransaction". Waiters
// re-check when the in-process bus reports newly applied transactions, and on a short poll
// when the ingest runs in another process.
import { crossdockError, ErrorCode } from "@crossdock/schema";
import { databaseUnavailableError, isDatabaseUnavailable, type Database } from "@crossdock/platform";
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
  return new Promise<ChangeCursorStatus>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: boolean | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(poll);
      unsubscribe();
      if (outcome instanceof Error) reject(outcome);
      else resolve({ changeCursor, applied: outcome, waitedMs: Date.now() - started });
    };
    const unsubscribe = bus.onApplied((_entries, txIds) => {
      if (txIds.some((t) => t.source === source && t.txId === txId)) finish(true);
    });
    // A failed poll (the database restarting) is only a poll missed; the last check must answer,
    // and when it cannot, the request fails (as SERVICE_UNAVAILABLE) rather than the process.
    const poll = setInterval(
      () =>
        void isApplied().then(
          (applied) => applied && finish(true),
          () => undefined,
        ),
      250,
    );
    const timer = setTimeout(
      () => void isApplied().then(finish, (error: unknown) => finish(isDatabaseUnavailable(error) ? databaseUnavailableError() : (error as Error))),
      timeoutMs,
    );
  });
}
