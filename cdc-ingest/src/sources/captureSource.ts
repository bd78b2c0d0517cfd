// The contract every capture source (outbox, pg-logical, kafka, jsonl) fulfils: hand over
// Debezium-format records in source order, and forget them only when told the read model
// has committed them (`ack`). At-least-once by construction; the apply is idempotent.
import type { DebeziumRawMessage, DebeziumRowChange } from "../debezium/index.js";

export interface CapturedMessage extends DebeziumRawMessage {
  /** Source-specific token for `ack` (outbox row id, LSN, Kafka offset). */
  readonly ackToken: string;
  /**
   * The change already decoded, when the source built it itself (pg-logical): exactly what
   * decoding `value` would give, so the apply path skips parsing. `value` stays the record.
   */
  readonly decoded?: DebeziumRowChange | null;
}

/** A full snapshot of these tables, every row applied; its rows carry `position` in the mirror. */
export interface CompletedSnapshot {
  readonly tables: readonly string[];
  readonly position: string;
}

/**
 * What a source's head probe saw: how the position the read model applied compares with the
 * source's own head (its newest committed change). Measured at the source, so a stalled ingest
 * shows as behind even though it receives nothing.
 */
export interface SourceHeadReading {
  /** Everything committed at the source when the probe read its head has been applied. */
  readonly caughtUp: boolean;
  /** Changes committed at the source and not yet applied, when the source can count them (outbox rows, Kafka offsets). */
  readonly pendingChanges: number | null;
  /** Bytes between the applied position and the head, where positions are bytes (pg-logical WAL). */
  readonly behindBytes: bigint | null;
  /** Commit time of the oldest change not yet applied, when the source knows it. */
  readonly oldestPendingCommittedAt: Date | null;
  /** WAL the source server keeps for this capture's replication slot (pg-logical). */
  readonly retainedWal: { readonly slot: string; readonly bytes: bigint } | null;
  /** The source answered but the capture is not running (reconnecting, stopped): why. The source is DOWN. */
  readonly down?: string;
  /** Another ingest holds this source's capture and this one stands by: the lag is the active one's to report. */
  readonly standby?: boolean;
}

export interface CaptureSource {
  /** The system of record this source reads (erp, crm, wms) or a replay label. */
  readonly name: string;
  readonly kind: "outbox" | "pg-logical" | "kafka" | "jsonl";
  start(): Promise<void>;
  /** Up to `max` messages in source order; waits up to `waitMs` for new ones when idle. */
  poll(max: number, waitMs: number): Promise<CapturedMessage[]>;
  /** The read model committed everything up to and including these messages. */
  ack(messages: readonly CapturedMessage[]): Promise<void>;
  /** Hands back messages whose apply failed so the next poll returns them again, in order. */
  release?(messages: readonly CapturedMessage[]): void;
  /** How many messages are waiting at the source, when the source can tell cheaply. */
  backlog?(): Promise<number>;
  /**
   * Compares the applied position with the source's head (sourceHealth.ts runs it every few
   * seconds and on queries and scrapes, so it must be cheap). Throws when the source cannot be
   * reached or the capture is not connected: the source is then DOWN.
   */
  probeHead?(): Promise<SourceHeadReading>;
  /**
   * Set by the ingestor (sources that snapshot: pg-logical): called once every row of a full
   * snapshot is applied and before the source records the snapshot as done, so a crash in
   * between redoes the snapshot (and this call) rather than skipping it.
   */
  onSnapshotApplied?: ((snapshot: CompletedSnapshot) => Promise<void>) | undefined;
  /**
   * True while another process captures this source and this one stands by to take over
   * (pg-logical: the capture lock is held elsewhere). A standby's polls return nothing.
   */
  readonly standby?: boolean;
  /** True once a finite source (a file) has handed over everything. */
  readonly exhausted?: boolean;
  stop(): Promise<void>;
}

/** Resolves after `ms`, or earlier when `wake` is called. */
export class Waker {
  private pending: (() => void) | undefined;
  private signalled = false;

  wake(): void {
    this.signalled = true;
    this.pending?.();
  }

  async wait(ms: number): Promise<void> {
    if (this.signalled) {
      this.signalled = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.pending = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.pending = done;
    });
    this.signalled = false;
  }
}
