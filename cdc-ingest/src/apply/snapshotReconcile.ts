// After a full snapshot (a new replication slot: first start, or a slot lost and made again)
// every row the source still has carries the snapshot's position in the mirror. A mirrored row
// below it was not in the snapshot: it was deleted at the source while nothing streamed, so it
// becomes a delete at the snapshot's position, applied like any other change.
import type { Database } from "@crossdock/platform";
import type { DebeziumRow, DebeziumRowChange } from "../debezium/index.js";
import type { CompletedSnapshot } from "../sources/captureSource.js";

export interface GoneRowsPage {
  changes: DebeziumRowChange[];
  /** Where the next page starts (keyset on table, row id). */
  next: { table: string; sourceId: string } | null;
}

/** Mirrored rows of the snapshot's tables that it did not see, as deletes; one page at a time. */
export async function rowsGoneSinceSnapshot(
  hub: Database,
  options: { source: string; snapshot: CompletedSnapshot; after: { table: string; sourceId: string } | null; limit: number },
): Promise<GoneRowsPage> {
  const { source, snapshot, after, limit } = options;
  const position = snapshot.position.padStart(20, "0");
  const rows = await hub.query<{ tableName: string; sourceId: string; data: Record<string, unknown> | string }>(
    `SELECT "tableName", "sourceId", "data" FROM "SourceRow"
     WHERE "source" = $1 AND "tableName" = ANY($2::text[]) AND NOT "deleted" AND "position" < $3
       AND ($4::text IS NULL OR ("tableName", "sourceId") > ($4::text, $5::text))
     ORDER BY "tableName", "sourceId" LIMIT $6`,
    [source, [...snapshot.tables], position, after?.table ?? null, after?.sourceId ?? null, limit],
  );
  const now = Date.now();
  const changes = rows.map((row): DebeziumRowChange => {
    const before = (typeof row.data === "string" ? JSON.parse(row.data) : row.data) as DebeziumRow;
    return {
      kind: "change",
      topic: `${source}.public.${row.tableName}`,
      // The mirror's key for the row: the image's id, or the key's values joined (see mirrorChanges).
      key: { id: row.sourceId },
      op: "d",
      table: { schema: "public", table: row.tableName },
      before,
      after: null,
      tsMs: now,
      source: {
        connector: "postgresql",
        serverName: source,
        version: null,
        db: source,
        schema: "public",
        table: row.tableName,
        lsn: snapshot.position,
        txId: null,
        tsMs: now,
        snapshot: false,
      },
    };
  });
  const last = rows.at(-1);
  return { changes, next: rows.length < limit || !last ? null : { table: last.tableName, sourceId: last.sourceId } };
}
