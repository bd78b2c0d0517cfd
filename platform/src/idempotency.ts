// Idempotent writes: a mutation that carries an idempotency key claims it inside its own
// transaction. The same key again returns the first result and changes nothing; the same
// key with different input is IDEMPOTENCY_KEY_REUSED. Each service keeps the keys in its
// own "IdempotencyKey" table (see any service's first migration).
import { createHash } from "node:crypto";
import { crossdockError, ErrorCode } from "@crossdock/schema";
import { auditInsertSql, auditParameters, type AuditRecord } from "./audit.js";

export interface RawSqlTransaction {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value && typeof value === "object" && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export function requestFingerprint(request: unknown): string {
  return createHash("sha256").update(stableStringify(request)).digest("hex");
}

export type IdempotentOutcome<T> = { replayed: false; result: T } | { replayed: true; result: T };

/**
 * Claims `key` in `scope` within `tx`; runs `execute` only for the first claim. `execute`
 * must return plain JSON (identifiers, outcome), which is stored and returned on replays.
 * `audit`, asked once `execute` has run, is written in the same statement that stores the result.
 */
export async function runIdempotent<T>(options: {
  tx: RawSqlTransaction;
  scope: string;
  key: string;
  request: unknown;
  execute: () => Promise<T>;
  audit?: () => AuditRecord | null;
}): Promise<IdempotentOutcome<T>> {
  const { tx, scope, key } = options;
  if (key.trim() === "" || key.length > 200) {
    throw crossdockError(ErrorCode.BAD_USER_INPUT, "idempotencyKey must be 1 to 200 characters", { field: "idempotencyKey" });
  }
  const fingerprint = requestFingerprint(options.request);
  const claimed = await tx.$queryRawUnsafe<{ key: string }[]>(
    `INSERT INTO "IdempotencyKey" ("scope", "key", "requestHash") VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING "key"`,
    scope,
    key,
    fingerprint,
  );
  if (claimed.length === 0) {
    const [existing] = await tx.$queryRawUnsafe<{ requestHash: string; response: T | null }[]>(
      `SELECT "requestHash", "response" FROM "IdempotencyKey" WHERE "scope" = $1 AND "key" = $2`,
      scope,
      key,
    );
    if (!existing || existing.requestHash !== fingerprint || existing.response === null) {
      throw crossdockError(ErrorCode.IDEMPOTENCY_KEY_REUSED, `idempotencyKey "${key}" was already used for a different ${scope} request`, {
        field: "idempotencyKey",
      });
    }
    return { replayed: true, result: existing.response };
  }
  const result = await options.execute();
  const audit = options.audit?.() ?? null;
  const store = `UPDATE "IdempotencyKey" SET "response" = $3::jsonb WHERE "scope" = $1 AND "key" = $2`;
  if (audit) {
    // One round trip for both: the audit row rides along as a CTE ($4..$9).
    await tx.$queryRawUnsafe(`WITH audit AS (${auditInsertSql(4)}) ${store}`, scope, key, JSON.stringify(result), ...auditParameters(audit));
  } else {
    await tx.$queryRawUnsafe(store, scope, key, JSON.stringify(result));
  }
  return { replayed: false, result };
}

/** The id of the current transaction, as the change cursor a write hands back. */
export async function currentChangeCursor(tx: RawSqlTransaction, service: string): Promise<string> {
  const [row] = await tx.$queryRawUnsafe<{ txid: string }[]>(`SELECT pg_current_xact_id()::text AS txid`);
  return `${service}:${row?.txid ?? "0"}`;
}
