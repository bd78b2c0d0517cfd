// `outbox` capture: reads the envelopes the source's row triggers wrote to "_crossdock_outbox",
// in id order, woken by LISTEN/NOTIFY, and deletes exactly the rows it was told are applied.
// Only committed rows are visible, so a slow transaction's rows simply arrive later; per
// source row, id order is commit order because a later change waits on the row lock.
import type { Database } from "@crossdock/platform";
import { CAPTURED_TABLES, type SourceName } from "../capture/capturedTables.js";
import { installOutboxCapture, OUTBOX_CHANNEL, OUTBOX_TABLE } from "../capture/outboxCapture.js";
import { Waker, type CaptureSource, type CapturedMessage, type SourceHeadReading } from "./captureSource.js";

export class OutboxSource implements CaptureSource {
  readonly kind = "outbox" as const;
  private readonly waker = new Waker();
  private unlisten: (() => Promise<void>) | undefined;
  private inFlight = new Set<string>();

  constructor(
    readonly name: SourceName,
    private readonly db: Database,
    /** Snapshot every captured table again (the read model has nothing from this source yet). */
    private readonly options: { resnapshot?: boolean } = {},
  ) {}

  async start(): Promise<void> {
    await installOutboxCapture(this.db, this.name, CAPTURED_TABLES[this.name], this.options);
    this.unlisten = await this.db.listen(OUTBOX_CHANNEL, () => this.waker.wake());
  }

  async poll(max: number, waitMs: number): Promise<CapturedMessage[]> {
    let rows = await this.read(max);
    if (rows.length === 0) {
      await this.waker.wait(waitMs);
      rows = await this.read(max);
    }
    return rows;
  }

  private async read(max: number): Promise<CapturedMessage[]> {
    // The row id becomes the change's LSN: the position projections compare per source row.
    // Rows already handed out (an apply in flight) are skipped in SQL, not after the LIMIT, so a
    // concurrent reader still gets the next rows. Ordered by the bigint id, never its text form.
    const rows = await this.db.query<{ id: string; tableName: string; value: string }>(
      `SELECT o.id::text AS id, o."tableName", jsonb_set(o.payload, '{source,lsn}', to_jsonb(o.id))::text AS value
       FROM "${OUTBOX_TABLE}" o WHERE NOT (o.id = ANY($2::bigint[])) ORDER BY o.id LIMIT $1`,
      [max, [...this.inFlight]],
    );
    return rows
      .filter((row) => !this.inFlight.has(row.id))
      .map((row) => {
        this.inFlight.add(row.id);
        return { topic: `${this.name}.public.${row.tableName}`, key: null, value: row.value, ackToken: row.id };
      });
  }

  async ack(messages: readonly CapturedMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const ids = messages.map((m) => m.ackToken);
    await this.db.query(`DELETE FROM "${OUTBOX_TABLE}" WHERE id = ANY($1::bigint[])`, [ids]);
    for (const id of ids) this.inFlight.delete(id);
  }

  /** Forget in-flight rows after a failed apply so they are read again. */
  release(messages: readonly CapturedMessage[]): void {
    for (const m of messages) this.inFlight.delete(m.ackToken);
  }

  async backlog(): Promise<number> {
    const [row] = await this.db.query<{ count: string }>(`SELECT count(*)::text AS count FROM "${OUTBOX_TABLE}"`);
    return Number(row?.count ?? 0);
  }

  /**
   * The outbox holds exactly the changes not yet applied (a row goes when its apply commits), so
   * the head is caught up when it is empty; the oldest row's capture time dates the backlog.
   */
  async probeHead(): Promise<SourceHeadReading> {
    const [row] = await this.db.query<{ pending: string; oldest: string | null }>(
      `SELECT count(*)::text AS pending, (SELECT o.payload->'source'->>'ts_ms' FROM "${OUTBOX_TABLE}" o ORDER BY o.id LIMIT 1) AS oldest
       FROM "${OUTBOX_TABLE}"`,
    );
    const pending = Number(row?.pending ?? 0);
    const oldest = row?.oldest ? new Date(Number(row.oldest)) : null;
    return { caughtUp: pending === 0, pendingChanges: pending, behindBytes: null, oldestPendingCommittedAt: oldest, retainedWal: null };
  }

  async stop(): Promise<void> {
    await this.unlisten?.();
    this.waker.wake();
  }
}
