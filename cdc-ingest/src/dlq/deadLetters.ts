// The dead-letter queue: a change that cannot be decoded or applied is stored with its raw
// message, position, reason, error and attempts, and the stream goes on. Operators list,
// replay or discard dead letters through the ops subgraph.
import { databaseWriteTransactions, runWrite, type Database, type SqlSession, type WriteActor } from "@crossdock/platform";
import { crossdockError, ErrorCode } from "@crossdock/schema";

export interface DeadLetterInput {
  source: string;
  topic: string;
  position: string | null;
  rawKey: string | null;
  rawValue: string | null;
  reason: string;
  error: string;
  attempts: number;
}

export type DeadLetterStatus = "PARKED" | "REPLAYED" | "DISCARDED";

export interface DeadLetterRow extends DeadLetterInput {
  id: string;
  status: DeadLetterStatus;
  firstFailedAt: Date;
  lastFailedAt: Date;
}

export function rawText(value: Buffer | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : value.toString("utf8");
}

/**
 * Text Postgres can store: it refuses U+0000 in text and jsonb, so a message with a NUL byte could
 * not be parked and would stall its stream. NUL becomes U+FFFD, as invalid UTF-8 already does in
 * rawText; the Kafka dead-letter topic (deadLetterTopics.ts) keeps the exact bytes.
 */
export function storableText<T extends string | null>(text: T): T {
  return (text === null ? text : text.replaceAll("\u0000", "\uFFFD")) as T;
}

/** The INSERT that parks a batch's dead letters (a CTE body); `$letters` is deadLettersParam's JSON. */
export function deadLettersInsertSql(letters: string): string {
  return `INSERT INTO "DeadLetter" ("source", "topic", "position", "rawKey", "rawValue", "reason", "error", "attempts", "status", "firstFailedAt", "lastFailedAt")
     SELECT x.source, x.topic, x.position, x.k, x.v, x.reason, x.error, x.attempts, 'PARKED', now(), now()
     FROM jsonb_to_recordset(${letters}::jsonb) AS x(source text, topic text, position text, k text, v text, reason text, error text, attempts int)
     ON CONFLICT ("source", "topic", "position") DO NOTHING`;
}

export function deadLettersParam(letters: readonly DeadLetterInput[]): string {
  return JSON.stringify(
    letters.map((l) => ({
      source: storableText(l.source),
      topic: storableText(l.topic),
      position: storableText(l.position),
      k: storableText(l.rawKey),
      v: storableText(l.rawValue),
      reason: storableText(l.reason),
      error: storableText(l.error),
      attempts: l.attempts,
    })),
  );
}

const COLUMNS = `id::text AS id, "source", "topic", "position", "rawKey", "rawValue", "reason", "error", "attempts", "status", "firstFailedAt", "lastFailedAt"`;

export async function listDeadLetters(
  session: SqlSession,
  options: { source?: string | null; status?: DeadLetterStatus | null; afterId: string; limit: number },
): Promise<DeadLetterRow[]> {
  return session.query<DeadLetterRow>(
    `SELECT ${COLUMNS} FROM "DeadLetter" WHERE ($1::text IS NULL OR "source" = $1) AND ($2::text IS NULL OR "status" = $2) AND id > $3::bigint ORDER BY id LIMIT $4`,
    [options.source ?? null, options.status ?? null, options.afterId, options.limit],
  );
}

export async function getDeadLetter(session: SqlSession, id: string): Promise<DeadLetterRow | null> {
  const [row] = await session.query<DeadLetterRow>(`SELECT ${COLUMNS} FROM "DeadLetter" WHERE id = $1::bigint`, [id]);
  return row ?? null;
}

export async function setDeadLetterStatus(
  session: SqlSession,
  id: string,
  status: DeadLetterStatus,
  failure?: { error: string },
): Promise<DeadLetterRow | null> {
  const [row] = await session.query<DeadLetterRow>(
    `UPDATE "DeadLetter" SET "status" = $2, "attempts" = "attempts" + CASE WHEN $3::text IS NULL THEN 0 ELSE 1 END,
       "error" = COALESCE($3, "error"), "lastFailedAt" = CASE WHEN $3::text IS NULL THEN "lastFailedAt" ELSE now() END
     WHERE id = $1::bigint RETURNING ${COLUMNS}`,
    [id, status, storableText(failure?.error ?? null)],
  );
  return row ?? null;
}

export async function parkedCountsBySource(session: SqlSession): Promise<Map<string, number>> {
  const rows = await session.query<{ source: string; n: number }>(
    `SELECT "source", count(*)::int AS n FROM "DeadLetter" WHERE "status" = 'PARKED' GROUP BY "source"`,
  );
  return new Map(rows.map((r) => [r.source, r.n]));
}

/** The hub's own audit table (the merged log; the hub's entries have system "ops"). */
export const HUB_AUDIT_TABLE = "AuditLog";

/**
 * An operator's action on a parked letter (replay's outcome, discard): the letter locked, still
 * PARKED, its new status written with the operator's audit entry in one transaction. A letter no
 * longer parked (another operator got there first) is NOT_FOUND or INVALID_STATE, and nothing changes.
 */
export async function recordDeadLetterAction(
  hub: Database,
  actor: WriteActor,
  action: { id: string; operation: "replayDeadLetter" | "discardDeadLetter"; status: DeadLetterStatus; failure?: { error: string } },
): Promise<void> {
  const { id, operation, status } = action;
  await runWrite(databaseWriteTransactions(hub), {
    actor,
    operation,
    auditTable: HUB_AUDIT_TABLE,
    decide: async (tx) => {
      const [letter] = await tx.query<{ status: string; source: string }>(`SELECT "status", "source" FROM "DeadLetter" WHERE id = $1::bigint FOR UPDATE`, [id]);
      if (!letter) throw crossdockError(ErrorCode.NOT_FOUND, `No dead letter ${id}`, { field: "id" });
      if (letter.status !== "PARKED") throw crossdockError(ErrorCode.INVALID_STATE, `Dead letter ${id} is ${letter.status}, not PARKED`);
      await setDeadLetterStatus(tx, id, status, action.failure);
      const detail = { source: letter.source, status, error: action.failure?.error ?? null };
      return { result: null, audit: { entityType: "DeadLetter", entityKey: id, detail } };
    },
  });
}
