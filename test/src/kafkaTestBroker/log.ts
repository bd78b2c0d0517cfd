// The fake broker's storage: per topic-partition, the record batches producers sent, kept as
// the producer's bytes with only the base offset rewritten (the CRC does not cover it), so the
// broker never decodes records. Offsets start at 0; nothing is ever deleted or compacted.

const MAGIC_V2 = 2;
// Byte positions inside a v2 record batch (see Kafka's DefaultRecordBatch).
const BATCH_LENGTH_AT = 8;
const MAGIC_AT = 16;
const LAST_OFFSET_DELTA_AT = 23;
const MAX_TIMESTAMP_AT = 35;
const BATCH_HEADER_SIZE = 61;

export class CorruptRecordBatchError extends Error {}

interface StoredBatch {
  readonly baseOffset: bigint;
  readonly lastOffset: bigint;
  readonly maxTimestamp: bigint;
  readonly bytes: Buffer;
}

export class PartitionLog {
  private readonly batches: StoredBatch[] = [];
  private nextOffset = 0n;

  get highWatermark(): bigint {
    return this.nextOffset;
  }

  get logStartOffset(): bigint {
    return 0n;
  }

  /** Appends every batch of a producer's record set; returns the base offset of the first. */
  append(recordSet: Buffer): bigint {
    const baseOffset = this.nextOffset;
    const parsed: StoredBatch[] = [];
    let next = this.nextOffset;
    for (let at = 0; at < recordSet.length;) {
      if (at + BATCH_HEADER_SIZE > recordSet.length) throw new CorruptRecordBatchError("truncated record batch header");
      const size = 12 + recordSet.readInt32BE(at + BATCH_LENGTH_AT);
      if (recordSet.readInt8(at + MAGIC_AT) !== MAGIC_V2) throw new CorruptRecordBatchError("only magic v2 record batches are stored");
      if (at + size > recordSet.length) throw new CorruptRecordBatchError("truncated record batch");
      const bytes = Buffer.from(recordSet.subarray(at, at + size));
      bytes.writeBigInt64BE(next, 0);
      const lastOffset = next + BigInt(bytes.readInt32BE(LAST_OFFSET_DELTA_AT));
      parsed.push({ baseOffset: next, lastOffset, maxTimestamp: bytes.readBigInt64BE(MAX_TIMESTAMP_AT), bytes });
      next = lastOffset + 1n;
      at += size;
    }
    // All or nothing, like a real append: a corrupt tail must not leave half a produce behind.
    this.batches.push(...parsed);
    this.nextOffset = next;
    return baseOffset;
  }

  /** Whole batches from the one holding `offset`; at least one batch even past `maxBytes`. */
  read(offset: bigint, maxBytes: number): Buffer {
    const selected: Buffer[] = [];
    let size = 0;
    for (const batch of this.batches) {
      if (batch.lastOffset < offset) continue;
      if (selected.length > 0 && size + batch.bytes.length > maxBytes) break;
      selected.push(batch.bytes);
      size += batch.bytes.length;
    }
    return Buffer.concat(selected);
  }

  /** First offset whose batch has a record at or after `timestamp` (ListOffsets by time). */
  offsetForTimestamp(timestamp: bigint): bigint {
    return this.batches.find((batch) => batch.maxTimestamp >= timestamp)?.baseOffset ?? this.nextOffset;
  }
}

export class TopicStore {
  private readonly topics = new Map<string, PartitionLog[]>();
  private readonly appendListeners = new Set<() => void>();

  constructor(private readonly defaultPartitions: number) {}

  /** false when the topic already exists. */
  create(name: string, partitions = this.defaultPartitions): boolean {
    if (this.topics.has(name)) return false;
    this.topics.set(
      name,
      Array.from({ length: Math.max(1, partitions) }, () => new PartitionLog()),
    );
    return true;
  }

  names(): string[] {
    return [...this.topics.keys()].sort();
  }

  partitions(topic: string): readonly PartitionLog[] | undefined {
    return this.topics.get(topic);
  }

  partition(topic: string, partition: number): PartitionLog | undefined {
    return this.topics.get(topic)?.[partition];
  }

  append(topic: string, partition: number, recordSet: Buffer): bigint {
    const log = this.partition(topic, partition);
    if (!log) throw new RangeError(`unknown partition ${topic}/${partition}`);
    const baseOffset = log.append(recordSet);
    for (const listener of [...this.appendListeners]) listener();
    return baseOffset;
  }

  /** Resolves on the next append anywhere, or after `ms`; long-polling fetches wait on this. */
  waitForAppend(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.appendListeners.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.appendListeners.add(done);
    });
  }

  /** Releases every waiting fetch (broker shutdown). */
  wakeAll(): void {
    for (const listener of [...this.appendListeners]) listener();
  }
}
