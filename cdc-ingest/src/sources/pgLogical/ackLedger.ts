// Tracks which source transactions the read model has fully applied, so the slot is only
// confirmed up to the end of the last transaction whose every change (and every earlier one)
// was acked. Partially applied transactions are never confirmed: Postgres resends them whole.

interface LedgerEntry {
  readonly ledger: AckLedger;
  /** End LSN of the commit record; null for the snapshot, which confirms nothing. */
  endLsn: bigint | null;
  closed: boolean;
  pending: number;
  readonly snapshot: boolean;
}

export interface LedgerProgress {
  /** Highest commit end LSN now safe to confirm, if it moved. */
  readonly confirmLsn: bigint | null;
  /** Every snapshot row has been applied. */
  readonly snapshotApplied: boolean;
}

export type LedgerTransaction = LedgerEntry;

/**
 * A message the ledger tracks carries its transaction itself: a WeakMap of every buffered
 * message cost a hash insert and delete per change and made each GC cycle walk the ephemerons.
 */
export interface LedgerMessage {
  ledgerEntry: object | undefined;
}

export class AckLedger {
  private entries: LedgerEntry[] = [];
  /** Index of the oldest unsettled entry: settled ones are cut off in bulk, not shifted one by one. */
  private head = 0;

  /** Nothing received is waiting to be applied, and no transaction is half received. */
  get idle(): boolean {
    return this.head === this.entries.length;
  }

  open(snapshot = false): LedgerTransaction {
    const entry: LedgerEntry = { ledger: this, endLsn: null, closed: false, pending: 0, snapshot };
    this.entries.push(entry);
    return entry;
  }

  track(entry: LedgerTransaction, message: LedgerMessage): void {
    entry.pending++;
    message.ledgerEntry = entry;
  }

  close(entry: LedgerTransaction, endLsn: bigint | null): LedgerProgress {
    entry.closed = true;
    entry.endLsn = endLsn;
    return this.settle();
  }

  /** Messages of an earlier connection are not in this ledger and change nothing. */
  ack(messages: readonly object[]): LedgerProgress {
    for (const message of messages as readonly Partial<LedgerMessage>[]) {
      const entry = message.ledgerEntry as LedgerEntry | undefined;
      if (entry?.ledger !== this) continue;
      message.ledgerEntry = undefined;
      entry.pending--;
    }
    return this.settle();
  }

  private settle(): LedgerProgress {
    let confirmLsn: bigint | null = null;
    let snapshotApplied = false;
    // In order only: a later transaction applied first must wait for the earlier ones.
    for (let entry = this.entries[this.head]; entry?.closed && entry.pending === 0; entry = this.entries[this.head]) {
      this.head++;
      if (entry.snapshot) snapshotApplied = true;
      if (entry.endLsn !== null) confirmLsn = entry.endLsn;
    }
    // A backlog holds tens of thousands of transactions: shift() per settled one was O(n) each.
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    return { confirmLsn, snapshotApplied };
  }
}
