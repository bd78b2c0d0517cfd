// `pg-logical` capture: reads a system database's logical replication stream (pgoutput), like
// Debezium's Postgres connector: an initial snapshot consistent with the slot, then streaming.
// The slot is confirmed only up to transactions the read model committed; never beyond. When the
// server goes down with changes still unapplied, it lets go of the stream instead of holding up
// the shutdown (they are sent again after the restart). Several ingests may run for one source:
// the one holding the capture lock streams, the others stand by and take over when it dies.
import type pg from "pg";
import { CAPTURED_TABLES, type SourceName } from "../capture/capturedTables.js";
import { Waker, type CaptureSource, type CapturedMessage, type CompletedSnapshot, type SourceHeadReading } from "./captureSource.js";
import { AckLedger, type LedgerProgress, type LedgerTransaction } from "./pgLogical/ackLedger.js";
import {
  dropSlot,
  loadArrayElements,
  openControlClient,
  prepareCatalog,
  quoteIdent,
  recordSnapshot,
  slotRestartLsn,
  tryCaptureLock,
  waitForSlotRelease,
  CAPTURE_STATE_TABLE,
} from "./pgLogical/captureSetup.js";
import { ChangeAssembler, type AssembledChange } from "./pgLogical/changeAssembler.js";
import { ReplicationConnection } from "./pgLogical/replicationConnection.js";
import { readSourceHead } from "./pgLogical/sourceHead.js";
import { SnapshotReader } from "./pgLogical/snapshotReader.js";

export interface PgLogicalSourceOptions {
  readonly name: SourceName;
  readonly connectionString: string;
  /** Default: CAPTURED_TABLES[name]. */
  readonly tables?: readonly string[];
  /** Default: crossdock_<name>. */
  readonly slotName?: string;
  /** Default: crossdock_<name>. */
  readonly publicationName?: string;
  /**
   * Received but not yet polled messages above which reading the stream pauses. Default 4 000:
   * the walsender outpaces the apply, so a backlog keeps the buffer full, and every buffered
   * change is an object graph the garbage collector copies and marks again and again. About one
   * large batch ahead is enough; at 10 000 per source the CDC bench used a fifth more CPU and
   * applied a quarter slower.
   */
  readonly maxBuffered?: number;
  /** How often a standby asks for the capture lock again (default 1 000 ms): the bound on its takeover time. */
  readonly standbyRetryMs?: number;
}

/**
 * How long a head probe waits for the stream to reach the head it read: WAL that held nothing
 * captured (other tables, other databases, checkpoints) is confirmed within moments of arriving.
 */
const HEAD_SETTLE_MS = 500;

interface SnapshotPhase {
  readonly reader: SnapshotReader;
  readonly entry: LedgerTransaction;
  /** The slot's restart LSN minus one: below every change the slot streams (see start). */
  readonly position: bigint;
  readonly consistentPoint: bigint;
  readonly startedMs: number;
}

export class PgLogicalSource implements CaptureSource {
  readonly kind = "pg-logical" as const;
  readonly name: SourceName;
  private readonly tables: readonly string[];
  private readonly slot: string;
  private readonly publication: string;
  private readonly maxBuffered: number;
  private readonly standbyRetryMs: number;
  private readonly waker = new Waker();
  private control: pg.Client | undefined;
  private replication: ReplicationConnection | undefined;
  private snapshot: SnapshotPhase | undefined;
  /** The position of the snapshot being applied (kept after reading ends, until it is recorded). */
  private snapshotPosition: bigint | undefined;
  onSnapshotApplied: ((snapshot: CompletedSnapshot) => Promise<void>) | undefined;
  private assembler: ChangeAssembler | undefined;
  private ledger = new AckLedger();
  private transaction: LedgerTransaction | undefined;
  private buffer: CapturedMessage[] = [];
  private paused = false;
  private failure: Error | undefined;
  private running = false;
  private reconnecting = false;
  /** The walsender's end of WAL from its latest keepalive (everything it sent lies below). */
  private serverWalEnd = 0n;
  /** The highest LSN confirmed (applied, or known to hold nothing captured); survives reconnects. */
  private appliedLsn = 0n;
  private readonly appliedWaiters = new Set<() => void>();
  private waitingAsStandby = false;
  private lastLockAttemptMs = 0;

  constructor(private readonly options: PgLogicalSourceOptions) {
    this.name = options.name;
    this.tables = options.tables ?? CAPTURED_TABLES[options.name];
    this.slot = options.slotName ?? defaultSlotName(options.name, options.connectionString);
    this.publication = options.publicationName ?? `crossdock_${options.name}`;
    this.maxBuffered = options.maxBuffered ?? 4_000;
    this.standbyRetryMs = options.standbyRetryMs ?? 1_000;
  }

  /** True while another ingest holds this source's capture lock and this one waits to take over. */
  get standby(): boolean {
    return this.waitingAsStandby;
  }

  /**
   * A slot with a finished snapshot resumes from its confirmed_flush_lsn. A slot whose
   * snapshot never finished (the process died during it) is dropped and made again, snapshot
   * included: simpler than resuming a half snapshot, and harmless because the apply is
   * idempotent. Snapshot rows carry the new slot's restart LSN minus one as their position:
   * every change the slot streams lies at or after its restart LSN (it cannot decode earlier
   * WAL), so a streamed change always wins over the snapshot image of the same row, even one
   * from a transaction that began before the consistent point.
   *
   * All of that happens only under the capture lock. Without it (another ingest streams this
   * slot) the source starts as a standby: its polls return nothing and ask for the lock again
   * every `standbyRetryMs`, and the first poll that gets it takes over where the slot stands.
   */
  async start(): Promise<void> {
    const control = await openControlClient(this.options.connectionString);
    this.control = control;
    this.running = true;
    // A fast shutdown terminates ordinary backends first, this idle one included, then waits for
    // every walsender's client to confirm the end of WAL. Changes received but not yet applied
    // cannot be confirmed (the read model may live on this very server, going down too), so the
    // end of this connection is the signal to let go of the stream at once.
    const lost = () => {
      if (this.control === control) this.fail(new Error(`the ${this.name} source database closed the connection (restart or failover?)`));
    };
    control.on("error", lost);
    control.on("end", lost);
    this.lastLockAttemptMs = Date.now();
    this.waitingAsStandby = !(await tryCaptureLock(control, this.slot));
    if (!this.waitingAsStandby) await this.capture(control);
  }

  /** With the capture lock held on `control`: publication, slot, then the snapshot or the stream. */
  private async capture(control: pg.Client): Promise<void> {
    await prepareCatalog(control, this.publication, this.tables);
    const [{ db }] = (await control.query<{ db: string }>("SELECT current_database() AS db")).rows as [{ db: string }];
    this.assembler = new ChangeAssembler({ sourceName: this.name, db, arrayElements: await loadArrayElements(control) });
    this.ledger = new AckLedger();
    this.serverWalEnd = 0n;
    this.replication = await ReplicationConnection.open(this.options.connectionString);
    let slot = await waitForSlotRelease(control, this.slot);
    if (slot && !slot.snapshotDone) {
      await dropSlot(control, this.slot);
      slot = null;
    }
    if (slot) {
      this.stream(slot.confirmedFlush ?? 0n);
      return;
    }
    const { consistentPoint, snapshotName } = await this.replication.createSlot(this.slot);
    const reader = await SnapshotReader.open(this.options.connectionString, snapshotName, this.tables);
    const position = (await slotRestartLsn(control, this.slot)) - 1n;
    await recordSnapshot(control, this.slot, false, position);
    this.snapshot = { reader, entry: this.ledger.open(true), position, consistentPoint, startedMs: Date.now() };
    this.snapshotPosition = position;
  }

  async poll(max: number, waitMs: number): Promise<CapturedMessage[]> {
    await this.recoverIfFailed();
    if (this.waitingAsStandby && !(await this.takeOverIfFree())) {
      const untilNextAttempt = this.lastLockAttemptMs + this.standbyRetryMs - Date.now();
      await this.waker.wait(Math.max(0, Math.min(waitMs, untilNextAttempt)));
      return [];
    }
    if (this.snapshot && this.buffer.length < max) {
      // A lost snapshot connection is a failure like any other: the restart redoes the snapshot.
      await this.readSnapshot(max - this.buffer.length).catch((error: unknown) => this.fail(error));
    }
    // A wake left over from an earlier enqueue must not cut the wait short: loop to the deadline.
    const deadline = Date.now() + waitMs;
    while (this.buffer.length === 0 && this.running && !this.failure && Date.now() < deadline) {
      await this.waker.wait(deadline - Date.now());
    }
    if (this.buffer.length === 0) await this.recoverIfFailed();
    const batch = this.buffer.splice(0, max);
    if (this.paused && this.buffer.length < this.maxBuffered / 2) {
      this.paused = false;
      this.replication?.resume();
    }
    return batch;
  }

  async ack(messages: readonly CapturedMessage[]): Promise<void> {
    await this.advance(this.ledger.ack(messages));
  }

  /** Hands back messages whose apply failed; the next poll returns them first. */
  release(messages: readonly CapturedMessage[]): void {
    this.buffer.unshift(...messages);
  }

  async backlog(): Promise<number> {
    return this.buffer.length;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.closeConnections();
    this.waker.wake();
  }

  /**
   * Caught up when nothing received waits to be applied and the confirmed position has reached
   * the server's flushed end of WAL as read now (allowing the walsender a moment to pass WAL that
   * held nothing captured). Behind bytes are that end minus the confirmed position. While the
   * stream is down, a short-lived connection still reads the head and the slot's retained WAL,
   * and the reading says why the capture is not running.
   */
  async probeHead(): Promise<SourceHeadReading> {
    const control = this.control;
    if (this.waitingAsStandby && control) return this.probeAsStandby(control);
    if (!this.running || this.reconnecting || this.failure || !control || !this.replication) return this.probeWhileDown();
    const source = await readSourceHead(control, this.slot);
    const caughtUp = await this.waitForApplied(source.head, HEAD_SETTLE_MS);
    const oldest = (this.buffer[0] as { decoded?: { source: { tsMs: number } } | null } | undefined)?.decoded?.source.tsMs;
    return {
      caughtUp,
      pendingChanges: null,
      behindBytes: source.head > this.appliedLsn ? source.head - this.appliedLsn : 0n,
      oldestPendingCommittedAt: oldest === undefined ? (this.snapshot ? new Date(this.snapshot.startedMs) : null) : new Date(oldest),
      retainedWal: source.retainedBytes === null ? null : { slot: this.slot, bytes: source.retainedBytes },
    };
  }

  /** A standby reads how far the active ingest's slot is behind the head, and the WAL the slot keeps. */
  private async probeAsStandby(control: pg.Client): Promise<SourceHeadReading> {
    const source = await readSourceHead(control, this.slot);
    const confirmed = source.confirmedFlush ?? source.head;
    return {
      caughtUp: false,
      standby: true,
      pendingChanges: null,
      behindBytes: source.head > confirmed ? source.head - confirmed : 0n,
      oldestPendingCommittedAt: null,
      retainedWal: source.retainedBytes === null ? null : { slot: this.slot, bytes: source.retainedBytes },
    };
  }

  private async probeWhileDown(): Promise<SourceHeadReading> {
    const client = await openControlClient(this.options.connectionString, { connectTimeoutMs: 3000 });
    let source;
    try {
      source = await readSourceHead(client, this.slot);
    } finally {
      await client.end().catch(() => undefined);
    }
    const confirmed = source.confirmedFlush ?? this.appliedLsn;
    return {
      caughtUp: false,
      down: this.running ? `the ${this.name} capture is reconnecting to its source database` : `the ${this.name} capture is stopped`,
      pendingChanges: null,
      behindBytes: source.head > confirmed ? source.head - confirmed : 0n,
      oldestPendingCommittedAt: null,
      retainedWal: source.retainedBytes === null ? null : { slot: this.slot, bytes: source.retainedBytes },
    };
  }

  private get idle(): boolean {
    return this.ledger.idle && this.buffer.length === 0 && !this.transaction && !this.snapshot;
  }

  private async waitForApplied(lsn: bigint, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!(this.idle && this.appliedLsn >= lsn)) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.appliedWaiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.appliedWaiters.add(done);
      });
    }
    return true;
  }

  /** A standby's turn to ask for the capture lock; true once it holds it and captures. */
  private async takeOverIfFree(): Promise<boolean> {
    const control = this.control;
    if (!control || !this.running || Date.now() - this.lastLockAttemptMs < this.standbyRetryMs) return false;
    this.lastLockAttemptMs = Date.now();
    if (!(await tryCaptureLock(control, this.slot))) return false;
    this.waitingAsStandby = false;
    try {
      await this.capture(control);
    } catch (error) {
      // Closing the control connection lets go of the lock; the next poll starts over.
      await this.closeConnections();
      this.reconnecting = true;
      throw error;
    }
    return true;
  }

  /** Confirms `lsn` to the walsender and wakes head probes waiting for it. */
  private confirm(lsn: bigint): void {
    this.replication?.confirm(lsn);
    if (lsn <= this.appliedLsn) return;
    this.appliedLsn = lsn;
    for (const waiter of [...this.appliedWaiters]) waiter();
  }

  private async readSnapshot(room: number): Promise<void> {
    const phase = this.snapshot as SnapshotPhase;
    const page = await phase.reader.next(room);
    if (page) {
      this.enqueue(phase.entry, (this.assembler as ChangeAssembler).snapshotChanges(page, phase.position, phase.startedMs));
      return;
    }
    // Every row is read: the stream takes over at the consistent point the snapshot matches.
    this.snapshot = undefined;
    await phase.reader.close();
    const progress = this.ledger.close(phase.entry, null);
    this.stream(phase.consistentPoint);
    await this.advance(progress);
  }

  private stream(fromLsn: bigint): void {
    if (fromLsn > this.appliedLsn) this.appliedLsn = fromLsn;
    const assembler = this.assembler as ChangeAssembler;
    (this.replication as ReplicationConnection).stream(
      { slot: this.slot, publication: this.publication, fromLsn },
      {
        onMessage: (walStart, payload) => {
          for (const event of assembler.accept(walStart, payload)) {
            if (event.kind === "begin") this.transaction = this.ledger.open();
            else if (event.kind === "change") this.enqueue(this.transaction as LedgerTransaction, [event.change]);
            else {
              const progress = this.ledger.close(this.transaction as LedgerTransaction, event.endLsn);
              this.transaction = undefined;
              // A transaction with no captured rows can be confirmed at once.
              this.advance(progress).catch((error: unknown) => this.fail(error));
            }
          }
        },
        onKeepalive: (walEnd) => {
          if (walEnd > this.serverWalEnd) this.serverWalEnd = walEnd;
          this.confirmServerEndIfIdle();
        },
        onError: (error) => this.fail(error),
      },
    );
  }

  private enqueue(entry: LedgerTransaction, changes: readonly AssembledChange[]): void {
    for (const change of changes) {
      // The change is its own message: decoded already, its envelope text written only if asked.
      this.ledger.track(entry, change);
      this.buffer.push(change);
    }
    if (!this.paused && this.buffer.length >= this.maxBuffered && this.replication) {
      this.paused = true;
      this.replication.pause();
    }
    this.waker.wake();
  }

  private async advance(progress: LedgerProgress): Promise<void> {
    // Recorded before any later transaction is confirmed: a restart then never resumes
    // streaming on top of a snapshot that was not completely applied.
    if (progress.snapshotApplied) {
      // Rows deleted at the source while no slot streamed are reconciled before the snapshot counts as done.
      const position = this.snapshotPosition;
      if (position !== undefined) await this.onSnapshotApplied?.({ tables: this.tables, position: position.toString() });
      this.snapshotPosition = undefined;
      if (this.control) await recordSnapshot(this.control, this.slot, true);
    }
    if (progress.confirmLsn !== null) this.confirm(progress.confirmLsn);
    this.confirmServerEndIfIdle();
  }

  /**
   * Nothing received is unapplied and no transaction is half received: the WAL up to the server's
   * reported end held nothing more for us, so confirm it. Otherwise an idle publication makes the
   * slot retain WAL without bound, and a fast shutdown waits for a confirmation of the shutdown
   * checkpoint that would never come. Checked on every keepalive and whenever an ack drains the
   * ledger (the keepalive that asked may have come while changes were still being applied).
   */
  private confirmServerEndIfIdle(): void {
    if (this.serverWalEnd > 0n && this.ledger.idle && !this.transaction && !this.snapshot) this.confirm(this.serverWalEnd);
  }

  private fail(error: unknown): void {
    this.failure ??= error instanceof Error ? error : new Error(String(error));
    // Let go of the stream now, not at the next poll: the ingest may be busy retrying an apply
    // against a database that is going away, and the walsender (and a shutdown) waits for us.
    // What was received but not confirmed is dropped at the next poll and sent again.
    const replication = this.replication;
    if (replication) void replication.close();
    this.waker.wake();
  }

  /**
   * After a lost connection everything unconfirmed is dropped and streaming starts again from
   * the slot's confirmed position: Postgres resends those transactions (at-least-once). The
   * failure is thrown once (the ingestor logs it); the next poll reconnects, until it works.
   */
  private async recoverIfFailed(): Promise<void> {
    if (!this.running) return;
    const failure = this.failure;
    if (failure) {
      this.failure = undefined;
      this.reconnecting = true;
      await this.closeConnections();
      this.buffer = [];
      this.transaction = undefined;
      this.paused = false;
      throw failure;
    }
    if (!this.reconnecting) return;
    try {
      await this.start();
      this.reconnecting = false;
    } catch (error) {
      await this.closeConnections();
      throw error;
    }
  }

  private async closeConnections(): Promise<void> {
    const { replication, snapshot, control } = this;
    // Cleared first: ending the control connection on purpose is not a lost connection.
    this.replication = undefined;
    this.snapshot = undefined;
    this.control = undefined;
    await replication?.close();
    await snapshot?.reader.close();
    await control?.end().catch(() => undefined);
  }
}

/** Removes the slot, the publication and the snapshot record (tests and decommissioning). */
export async function dropPgLogicalCapture(
  connectionString: string,
  name: SourceName,
  options: { slotName?: string; publicationName?: string } = {},
): Promise<void> {
  const slot = options.slotName ?? defaultSlotName(name, connectionString);
  const client = await openControlClient(connectionString);
  try {
    await dropSlot(client, slot, true);
    await client.query(`DROP PUBLICATION IF EXISTS ${quoteIdent(options.publicationName ?? `crossdock_${name}`)}`);
    const [state] = (await client.query(`SELECT to_regclass($1) AS t`, [`public.${quoteIdent(CAPTURE_STATE_TABLE)}`])).rows as Array<{ t: string | null }>;
    if (state?.t) await client.query(`DELETE FROM ${quoteIdent(CAPTURE_STATE_TABLE)} WHERE "slotName" = $1`, [slot]);
  } finally {
    await client.end();
  }
}

/**
 * Replication slots are cluster-wide while publications live per database, so the default
 * slot name carries the database name: two hubs (or test runs) on one server never collide.
 */
export function defaultSlotName(name: string, connectionString: string): string {
  const database = decodeURIComponent(new URL(connectionString).pathname.replace(/^\//, "")) || "postgres";
  return `crossdock_${name}_${database}`
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_")
    .slice(0, 63);
}
