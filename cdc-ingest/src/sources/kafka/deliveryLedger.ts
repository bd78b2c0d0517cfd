// Bookkeeping of the Kafka source per assigned partition: fetched but not handed out (queue),
// handed out but not acked (in flight), highest acked offset, last committed position. From
// these it derives the only safe commit: never past a message that was not acked. It never talks
// to Kafka and holds nothing for a partition this member does not own.
import type { CapturedMessage } from "../captureSource.js";

export interface LedgerRecord {
  readonly offset: bigint;
  readonly message: CapturedMessage;
}

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface CommitPosition extends TopicPartition {
  /** The next offset to read: highest safely acked + 1. */
  readonly offset: bigint;
}

const keyOf = (topic: string, partition: number) => `${topic}/${partition}`;

class PartitionLedger {
  queue: LedgerRecord[] = [];
  readonly inFlight = new Map<bigint, LedgerRecord>();
  /** Offsets below this were buffered already; kafkajs re-fetches them after a rejoin. */
  nextToBuffer: bigint | null = null;
  highestAcked: bigint | null = null;
  /** Last position committed, or where reading started: committing at or below it says nothing new. */
  committed: bigint | null = null;

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  /** Where the group may resume; null when there is nothing new to commit. */
  commitPosition(): bigint | null {
    if (this.highestAcked === null) return null;
    let position = this.highestAcked + 1n;
    // An ack out of order must not carry the commit past an earlier message still being applied.
    for (const offset of this.inFlight.keys()) if (offset < position) position = offset;
    const head = this.queue[0];
    if (head && head.offset < position) position = head.offset;
    return this.committed !== null && position <= this.committed ? null : position;
  }
}

export class DeliveryLedger {
  private readonly partitions = new Map<string, PartitionLedger>();
  private rotation = 0;

  get queued(): number {
    let total = 0;
    for (const p of this.partitions.values()) total += p.queue.length;
    return total;
  }

  get inFlight(): number {
    let total = 0;
    for (const p of this.partitions.values()) total += p.inFlight.size;
    return total;
  }

  assigned(): TopicPartition[] {
    return [...this.partitions.values()]
      .map(({ topic, partition }) => ({ topic, partition }))
      .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  }

  owns(topic: string, partition: number): boolean {
    return this.partitions.has(keyOf(topic, partition));
  }

  /**
   * Adopts a new assignment. Revoked partitions are forgotten with everything queued or in
   * flight, so nothing is ever committed for them by this member; the new owner re-reads from
   * the committed offset. Retained partitions keep their state.
   */
  assign(assignment: readonly TopicPartition[]): TopicPartition[] {
    const next = new Set(assignment.map((tp) => keyOf(tp.topic, tp.partition)));
    const revoked: TopicPartition[] = [];
    for (const [key, ledger] of this.partitions) {
      if (next.has(key)) continue;
      this.partitions.delete(key);
      revoked.push({ topic: ledger.topic, partition: ledger.partition });
    }
    for (const { topic, partition } of assignment) {
      const key = keyOf(topic, partition);
      if (!this.partitions.has(key)) this.partitions.set(key, new PartitionLedger(topic, partition));
    }
    return revoked;
  }

  /** Queues fetched records in offset order; null when the partition is not owned (a stale batch). */
  enqueue(topic: string, partition: number, records: readonly LedgerRecord[]): number | null {
    const ledger = this.partitions.get(keyOf(topic, partition));
    if (!ledger) return null;
    let added = 0;
    for (const record of records) {
      if (ledger.nextToBuffer !== null && record.offset < ledger.nextToBuffer) continue;
      ledger.committed ??= record.offset;
      ledger.queue.push(record);
      ledger.nextToBuffer = record.offset + 1n;
      added += 1;
    }
    return added;
  }

  /** Hands out up to `max` queued messages, per-partition order kept, partitions taken in turn. */
  take(max: number): CapturedMessage[] {
    const ready = [...this.partitions.values()].filter((p) => p.queue.length > 0);
    const taken: CapturedMessage[] = [];
    if (ready.length === 0) return taken;
    const start = this.rotation++ % ready.length;
    for (let i = 0; i < ready.length && taken.length < max; i++) {
      const ledger = ready[(start + i) % ready.length]!;
      const batch = ledger.queue.splice(0, max - taken.length);
      for (const record of batch) {
        ledger.inFlight.set(record.offset, record);
        taken.push(record.message);
      }
    }
    return taken;
  }

  /** false when the message is not in flight here (revoked partition, already acked, unknown). */
  ack(topic: string, partition: number, offset: bigint): boolean {
    const ledger = this.partitions.get(keyOf(topic, partition));
    if (!ledger?.inFlight.delete(offset)) return false;
    if (ledger.highestAcked === null || offset > ledger.highestAcked) ledger.highestAcked = offset;
    return true;
  }

  /** Puts an in-flight message back at the head of its queue, to be handed out again. */
  release(topic: string, partition: number, offset: bigint): void {
    const ledger = this.partitions.get(keyOf(topic, partition));
    const record = ledger?.inFlight.get(offset);
    if (!ledger || !record) return;
    ledger.inFlight.delete(offset);
    ledger.queue.push(record);
    ledger.queue.sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
  }

  commitPlan(): CommitPosition[] {
    const plan: CommitPosition[] = [];
    for (const ledger of this.partitions.values()) {
      const offset = ledger.commitPosition();
      if (offset !== null) plan.push({ topic: ledger.topic, partition: ledger.partition, offset });
    }
    return plan;
  }

  markCommitted({ topic, partition, offset }: CommitPosition): void {
    const ledger = this.partitions.get(keyOf(topic, partition));
    if (ledger && (ledger.committed === null || offset > ledger.committed)) ledger.committed = offset;
  }

  /** Partitions holding queued messages: the ones to pause when the buffer is full. */
  withQueued(): TopicPartition[] {
    return [...this.partitions.values()].filter((p) => p.queue.length > 0).map(({ topic, partition }) => ({ topic, partition }));
  }
}
