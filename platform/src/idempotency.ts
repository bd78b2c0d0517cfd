// Idempotent writes: a mutation that carries an idempotency key claims it inside its own
// transaction. The same key again from the same caller returns the first result and changes
// nothing; the same key with different input is IDEMPOTENCY_KEY_REUSED. Keys belong to the caller
// (kind and subject of the verified principal): one caller can neither read another's stored
// response nor poison another's key. Each service keeps the keys in its own "IdempotencyKey" table.
import { createHash } from "node:crypto";
import { crossdockError, ErrorCode } from "@crossdock/schema";
import { auditInsertSql, auditParameters, type AuditRecord } from "./audit.js";
import type { Principal } from "./principal.js";

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

/** Whose key it is: the verified principal's kind and subject (never anything the caller sends). */
export function idempotencyCaller(principal: Pick<Principal, "kind" | "subject">): string {
  return `${principal.kind}:${principal.subject}`;
}

export interface IdempotencyClaim {
  caller: string;
  /** The operation. */
  scope: string;
  key: string;
  request: unknown;
}

/** A new key (the write goes ahead), or the stored response of the caller's earlier identical request. */
export type ClaimOutcome<T> = { claimed: true } | { claimed: false; response: T };

/** Claims the caller's key within `tx`; throws IDEMPOTENCY_KEY_REUSED when the key was used for a different request. */
export async function claimIdempotencyKey<T>(tx: RawSqlTransaction, claim: IdempotencyClaim): Promise<ClaimOutcome<T>> {
  const { caller, scope, key } = claim;
  if (key.trim() === "" || key.length > 200) {
    throw crossdockError(ErrorCode.BAD_USER_INPUT, "idempotencyKey must be 1 to 200 characters", { field: "idempotencyKey" });
  }
  const fingerprint = requestFingerprint(claim.request);
  // Keys claimed before keys belonged to their caller carry the caller '' (the attribution
  // migrations): such a key still answers as it did then, for whoever retries it across the
  // upgrade, so a request in flight during a deploy is not run a second time.
  const claimed = await tx.$queryRawUnsafe<{ key: string }[]>(
    `INSERT INTO "IdempotencyKey" ("caller", "scope", "key", "requestHash")
     SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM "IdempotencyKey" WHERE "caller" = '' AND "scope" = $2 AND "key" = $3)
     ON CONFLICT DO NOTHING RETURNING "key"`,
    caller,
    scope,
    key,
    fingerprint,
  );
  if (claimed.length > 0) return { claimed: true };
  const [existing] = await tx.$queryRawUnsafe<{ requestHash: string; response: T | null }[]>(
    `SELECT "requestHash", "response" FROM "IdempotencyKey" WHERE "caller" IN ($1, '') AND "scope" = $2 AND "key" = $3
     ORDER BY ("caller" = $1) DESC LIMIT 1`,
    caller,
    scope,
    key,
  );
  if (!existing || existing.requestHash !== fingerprint || existing.response === null) {
    throw crossdockError(ErrorCode.IDEMPOTENCY_KEY_REUSED, `idempotencyKey "${key}" was already used for a different ${scope} request`, {
      field: "idempotencyKey",
    });
  }
  return { claimed: false, response: existing.response };
}

/** Stores the response of a claimed key, with the write's audit entry (if any) in the same statement. */
export async function storeIdempotentResponse(
  tx: RawSqlTransaction,
  claim: Omit<IdempotencyClaim, "request">,
  response: unknown,
  audit: AuditRecord | null,
  auditTable?: string,
) {
  const store = `UPDATE "IdempotencyKey" SET "response" = $4::jsonb WHERE "caller" = $1 AND "scope" = $2 AND "key" = $3`;
  const values = [claim.caller, claim.scope, claim.key, JSON.stringify(response)];
  // One round trip for both: the audit row rides along as a CTE (its parameters from $5 on).
  if (audit)
    await tx.$queryRawUnsafe(`WITH audit AS (${auditInsertSql(values.length + 1, auditTable)}) ${store}`, ...values, ...auditParameters(audit, auditTable));
  else await tx.$queryRawUnsafe(store, ...values);
}

/** The id of the current transaction, as the change cursor a write hands back. */
export async function currentChangeCursor(tx: RawSqlTransaction, service: string): Promise<string> {
  const [row] = await tx.$queryRawUnsafe<{ txid: string }[]>(`SELECT pg_current_xact_id()::text AS txid`);
  return `${service}:${row?.txid ?? "0"}`;
}
