// Reads the captured tables inside the snapshot the slot exported, so the snapshot and the
// stream meet at the slot's consistent point: no gap, no duplicate. Rows come in text form,
// page by page through cursors, so a large table never sits in memory at once.
import type pg from "pg";
import { openControlClient, quoteIdent } from "./captureSetup.js";
import type { PgColumn, PgTupleValue } from "./pgoutputDecoder.js";

export interface SnapshotPage {
  readonly table: string;
  readonly columns: PgColumn[];
  readonly rows: PgTupleValue[][];
}

// Raw text for every type: the same text pgoutput sends, converted by the same code.
const rawText = { getTypeParser: () => (value: string) => value };

export class SnapshotReader {
  private tableIndex = 0;
  private cursorOpen = false;

  private constructor(
    private readonly client: pg.Client,
    private readonly tables: readonly string[],
  ) {}

  /** Imports the exported snapshot right away: it dies with the replication connection's next command. */
  static async open(connectionString: string, snapshotName: string, tables: readonly string[]): Promise<SnapshotReader> {
    const client = await openControlClient(connectionString);
    try {
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      await client.query(`SET TRANSACTION SNAPSHOT '${snapshotName.replace(/'/g, "''")}'`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return new SnapshotReader(client, tables);
  }

  /** The next page of up to `max` rows, or null once every table has been read. */
  async next(max: number): Promise<SnapshotPage | null> {
    while (this.tableIndex < this.tables.length) {
      const table = this.tables[this.tableIndex] as string;
      if (!this.cursorOpen) {
        await this.client.query(`DECLARE crossdock_snapshot NO SCROLL CURSOR FOR SELECT * FROM public.${quoteIdent(table)}`);
        this.cursorOpen = true;
      }
      const result = await this.client.query({ text: `FETCH FORWARD ${Math.max(1, max)} FROM crossdock_snapshot`, rowMode: "array", types: rawText });
      if (result.rows.length > 0) {
        const columns = result.fields.map((f) => ({ name: f.name, typeOid: f.dataTypeID, isKey: false }));
        const rows = (result.rows as Array<Array<string | null>>).map((row) =>
          row.map((value): PgTupleValue => (value === null ? { kind: "null" } : { kind: "text", text: value })),
        );
        return { table, columns, rows };
      }
      await this.client.query("CLOSE crossdock_snapshot");
      this.cursorOpen = false;
      this.tableIndex++;
    }
    return null;
  }

  async close(): Promise<void> {
    await this.client.query("COMMIT").catch(() => undefined);
    await this.client.end().catch(() => undefined);
  }
}
