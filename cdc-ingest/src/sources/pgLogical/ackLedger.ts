// Tracks which source transactions the read model has fully applied, so the slot is only
// confirmed up to the end of the last transaction whose every change (and every earlier one)
// was acked. Partially applied transactions are never confirmed: Postgres resends them whole.

interface LedgerEntry {
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

export class AckLedger {
  private readonly entries: LedgerEntry[] = [];
  private readonly owners = new WeakMap<object, LedgerEntry>();

  /** Nothing received is waiting to be applied, and no transaction is half received. */
  get idle(): boolean {
    return this.entries.length === 0;
  }

  open(snapshot = false): LedgerTransaction {
    const entry: LedgerEntry = { endLsn: null, closed: false, pending: 0, snapshot };
    this.entries.push(entry);
    return entry;
  }

  track(entry: LedgerTransaction, message: object): void {
    entry.pending++;
    this.owners.set(message, entry);
  }

  close(entry: LedgerTransaction, endLsn: bigint | null): LedgerProgress {
    entry.closed = true;
    entry.endLsn = endLsn;
    return this.settle();
  }

  /** Messages of an earlier connection are not in this ledger and change nothing. */
  ack(messages: readonly object[]): LedgerProgress {
    for (const message of messages) {
      const entry = this.owners.get(message);
      if (!entry) continue;
      this.owners.delete(message);
      entry.pending--;
    }
    return this.settle();
  }

  private settle(): LedgerProgress {
    let confirmLsn: bigint | null = null;
    let snapshotApplied = false;
    // In order only: a later transaction applied first must wait for the earlier ones.
    while (this.entries[0]?.closed && this.entries[0].pending === 0) {
      const entry = this.entries.shift() as LedgerEntry;
      if (entry.snapshot) snapshotApplied = true;
      if (entry.endLsn !== null) confirmLsn = entry.endLsn;
    }
    return { confirmLsn, snapshotApplied };
  }
}
