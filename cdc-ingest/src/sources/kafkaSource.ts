// `kafka` capture: a kafkajs consumer group on Debezium topics. Offsets are committed only in
// ack(), i.e. after the read model committed, and never past a message that was not acked; a
// member never commits for a partition it no longer owns. At-least-once; the apply is idempotent.
//
// Why eachBatch into a bounded buffer (and not eachMessage): the ingestor pulls (poll -> apply ->
// ack) on its own schedule, while kafkajs pushes. eachBatch with eachBatchAutoResolve=false and
// autoCommit=false lets the handler only *queue* a batch and move kafkajs's fetch cursor
// (resolveOffset), returning at once, so kafkajs keeps heartbeating and never commits by itself.
// An eachMessage handler would have to block until the ingestor acked, holding a kafkajs worker
// (and its heartbeats) hostage to the database. When the buffer reaches `maxBuffered`, the
// partitions holding queued messages are paused (consumer.pause); they resume once poll() has
// drained the buffer to half. Commits go through consumer.commitOffsets, which carries the
// member's generation, so the broker fences a commit that races a rebalance.
//
// Rebalances: on GROUP_JOIN the new assignment replaces the old one; queued and in-flight
// messages of revoked partitions are dropped (their acks become no-ops), and the new owner
// re-reads from the committed offset. kafkajs restarts retained partitions from the committed
// offset too; records already queued are skipped, so they are not handed out twice. Between
// REBALANCING and GROUP_JOIN poll() hands out nothing, like Kafka's eager revocation.
import { Kafka, type Admin, type Consumer, type ConsumerConfig, type EachBatchPayload, type KafkaConfig } from "kafkajs";
import type { Logger } from "@crossdock/platform";
import type { SystemResolver } from "../apply/decodeCaptured.js";
import { Waker, type CaptureSource, type CapturedMessage, type SourceHeadReading } from "./captureSource.js";
import { formatAckToken, parseAckToken } from "./kafka/ackToken.js";
import { DeliveryLedger, type TopicPartition } from "./kafka/deliveryLedger.js";
import { kafkaLogCreator } from "./kafka/kafkaLogBridge.js";
import { topicSystemResolver, type TopicSystemMapping } from "./kafka/topicSystems.js";

export { systemOfTopic, type TopicSystemMapping } from "./kafka/topicSystems.js";
export type { TopicPartition } from "./kafka/deliveryLedger.js";

export interface KafkaSourceOptions {
  /** The system these topics carry (erp, crm, wms) or a label when they span several. */
  name: string;
  brokers: string[];
  groupId: string;
  /** Topic names and/or patterns; patterns are resolved against the topics existing at start. */
  topics: ReadonlyArray<string | RegExp>;
  clientId?: string;
  /** Overrides Debezium `<system>.<schema>.<table>` naming for the ingestor's `systemOf`. */
  topicSystems?: TopicSystemMapping;
  /** Where a group without committed offsets starts; default true (replay the whole topic). */
  fromBeginning?: boolean;
  /** Buffered (fetched, not yet polled) messages before partitions are paused; default 2000. */
  maxBuffered?: number;
  logger?: Logger;
  /** Passed to kafkajs (timeouts, retry, ssl, sasl...). */
  kafka?: Partial<Omit<KafkaConfig, "brokers" | "clientId">>;
  consumer?: Partial<Omit<ConsumerConfig, "groupId">>;
}

export interface KafkaSourceStats {
  readonly queued: number;
  readonly inFlight: number;
  readonly assigned: readonly TopicPartition[];
  readonly paused: readonly TopicPartition[];
  readonly rebalancing: boolean;
}

// Errors that mean "this member's generation is over": the commit is simply not made; what it
// covered is re-read by whoever owns the partition next.
const FENCED = new Set(["REBALANCE_IN_PROGRESS", "ILLEGAL_GENERATION", "UNKNOWN_MEMBER_ID", "NOT_COORDINATOR_FOR_GROUP", "COORDINATOR_NOT_AVAILABLE"]);

function isFencedCommit(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    if (FENCED.has((e as { type?: string }).type ?? "")) return true;
  }
  return false;
}

const tpKey = ({ topic, partition }: TopicPartition) => `${topic}/${partition}`;

function byTopic(partitions: Iterable<TopicPartition>): Array<{ topic: string; partitions: number[] }> {
  const grouped = new Map<string, number[]>();
  for (const { topic, partition } of partitions) grouped.set(topic, [...(grouped.get(topic) ?? []), partition]);
  return [...grouped].map(([topic, list]) => ({ topic, partitions: list }));
}

export class KafkaSource implements CaptureSource {
  readonly kind = "kafka" as const;
  readonly name: string;
  /** Pass as the ingestor's `systemOf`; honours `topicSystems`. */
  readonly systemOf: SystemResolver;
  private readonly ledger = new DeliveryLedger();
  private readonly waker = new Waker();
  private readonly paused = new Map<string, TopicPartition>();
  private readonly lag = new Map<string, number>();
  private readonly maxBuffered: number;
  private consumer: Consumer | undefined;
  private kafka: Kafka | undefined;
  /** Asks the brokers for high watermarks and the group's committed offsets (head probe); made on first use. */
  private admin: Promise<Admin> | undefined;
  private commits: Promise<void> = Promise.resolve();
  private rebalancing = false;
  private stopped = false;
  private fatal: Error | undefined;

  constructor(private readonly options: KafkaSourceOptions) {
    this.name = options.name;
    this.systemOf = topicSystemResolver(options.topicSystems);
    this.maxBuffered = Math.max(1, options.maxBuffered ?? 2000);
  }

  async start(): Promise<void> {
    const { options } = this;
    const kafka = new Kafka({
      clientId: options.clientId ?? `crossdock-cdc-${options.name}`,
      brokers: options.brokers,
      ...(options.logger ? { logCreator: kafkaLogCreator(options.logger) } : {}),
      ...options.kafka,
    });
    this.kafka = kafka;
    const consumer = kafka.consumer({ ...options.consumer, groupId: options.groupId });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => this.onAssignment(payload.memberAssignment));
    consumer.on(consumer.events.REBALANCING, () => {
      this.rebalancing = true;
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) {
        this.fatal = payload.error;
        this.waker.wake();
      }
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning ?? true });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (payload) => this.onBatch(payload) });
  }

  async poll(max: number, waitMs: number): Promise<CapturedMessage[]> {
    if (this.fatal) throw this.fatal;
    if (this.ledger.commitPlan().length > 0) this.flushCommitsInBackground();
    let messages = this.take(max);
    if (messages.length === 0 && waitMs > 0 && !this.stopped) {
      await this.waker.wait(waitMs);
      if (this.fatal) throw this.fatal;
      messages = this.take(max);
    }
    return messages;
  }

  async ack(messages: readonly CapturedMessage[]): Promise<void> {
    for (const message of messages) {
      const position = parseAckToken(message.ackToken);
      if (position) this.ledger.ack(position.topic, position.partition, position.offset);
    }
    await this.flushCommits();
  }

  /** Hands messages of a failed apply out again (the ingestor calls this before retrying). */
  release(messages: readonly CapturedMessage[]): void {
    for (const message of messages) {
      const position = parseAckToken(message.ackToken);
      if (position) this.ledger.release(position.topic, position.partition, position.offset);
    }
    if (messages.length > 0) this.waker.wake();
  }

  async backlog(): Promise<number> {
    let behind = 0;
    for (const lag of this.lag.values()) behind += lag;
    return this.ledger.queued + this.ledger.inFlight + behind;
  }

  /**
   * The head is each assigned partition's high watermark; the applied position is the group's
   * committed offset there (committed only after the read model committed). Pending changes are
   * the offsets between them; caught up when there are none and nothing is queued or in flight.
   */
  async probeHead(): Promise<SourceHeadReading> {
    if (this.fatal) throw this.fatal;
    if (this.stopped || !this.kafka) throw new Error(`the ${this.name} capture is stopped`);
    const assigned = this.ledger.assigned();
    let pending = 0n;
    const topics = [...new Set(assigned.map((tp) => tp.topic))];
    if (topics.length > 0) {
      this.admin ??= this.connectAdmin(this.kafka);
      const admin = await this.admin;
      const committed = new Map<string, bigint>();
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId: this.options.groupId, topics })) {
        for (const { partition, offset } of partitions) committed.set(tpKey({ topic, partition }), BigInt(offset));
      }
      const heads = new Map<string, { high: bigint; low: bigint }>();
      for (const topic of topics) {
        for (const { partition, high, low } of await admin.fetchTopicOffsets(topic))
          heads.set(tpKey({ topic, partition }), { high: BigInt(high), low: BigInt(low) });
      }
      for (const tp of assigned) {
        const head = heads.get(tpKey(tp));
        if (!head) continue;
        const offset = committed.get(tpKey(tp)) ?? -1n;
        // Nothing committed yet: the group starts at the beginning (or the end) of the partition.
        const from = offset >= 0n ? offset : (this.options.fromBeginning ?? true) ? head.low : head.high;
        if (head.high > from) pending += head.high - from;
      }
    }
    const caughtUp = !this.rebalancing && pending === 0n && this.ledger.queued === 0 && this.ledger.inFlight === 0;
    const pendingChanges = pending > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(pending);
    return { caughtUp, pendingChanges, behindBytes: null, oldestPendingCommittedAt: null, retainedWal: null };
  }

  private async connectAdmin(kafka: Kafka): Promise<Admin> {
    const admin = kafka.admin();
    try {
      await admin.connect();
      return admin;
    } catch (error) {
      // Not kept: the next probe tries again.
      this.admin = undefined;
      throw error;
    }
  }

  stats(): KafkaSourceStats {
    return {
      queued: this.ledger.queued,
      inFlight: this.ledger.inFlight,
      assigned: this.ledger.assigned(),
      paused: [...this.paused.values()],
      rebalancing: this.rebalancing,
    };
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.waker.wake();
    // Acks that arrived before stop still get their commit; anything later is re-read next time.
    await this.flushCommits().catch((error: unknown) => this.options.logger?.warn({ err: error }, "final offset commit failed"));
    await this.consumer?.disconnect();
    const admin = this.admin;
    this.admin = undefined;
    await admin?.then((connected) => connected.disconnect()).catch(() => undefined);
  }

  private take(max: number): CapturedMessage[] {
    if (this.rebalancing || this.stopped) return [];
    const messages = this.ledger.take(max);
    this.resumeIfDrained();
    return messages;
  }

  private async onBatch({ batch, resolveOffset, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (this.stopped || !isRunning() || isStale()) return;
    const { topic, partition } = batch;
    const records = batch.messages.map((m) => ({
      offset: BigInt(m.offset),
      message: { topic, key: m.key, value: m.value, headers: m.headers, ackToken: formatAckToken(topic, partition, m.offset) },
    }));
    // A batch fetched under an assignment that is gone: do not queue it, do not move the cursor.
    if (this.ledger.enqueue(topic, partition, records) === null) return;
    // Moves kafkajs's fetch cursor only: autoCommit is off, commits happen in ack().
    resolveOffset(batch.lastOffset());
    this.lag.set(tpKey(batch), Number(batch.offsetLag()));
    if (this.ledger.queued >= this.maxBuffered) this.pauseBuffered();
    this.waker.wake();
  }

  private onAssignment(memberAssignment: Record<string, number[]>): void {
    const assignment = Object.entries(memberAssignment).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })));
    const revoked = this.ledger.assign(assignment);
    for (const tp of revoked) this.lag.delete(tpKey(tp));
    // kafkajs keeps pause state per partition across rebalances; a revoked partition must not
    // come back paused if it is assigned to this member again later.
    const revokedPaused = revoked.filter((tp) => this.paused.delete(tpKey(tp)));
    if (revokedPaused.length > 0) this.consumer?.resume(byTopic(revokedPaused));
    this.rebalancing = false;
    this.resumeIfDrained();
    // Acks that were fenced during the rebalance are committed under the new generation.
    this.flushCommitsInBackground();
    this.waker.wake();
  }

  private pauseBuffered(): void {
    const toPause = this.ledger.withQueued().filter((tp) => !this.paused.has(tpKey(tp)));
    if (toPause.length === 0 || !this.consumer) return;
    for (const tp of toPause) this.paused.set(tpKey(tp), tp);
    this.consumer.pause(byTopic(toPause));
  }

  private resumeIfDrained(): void {
    if (this.paused.size === 0 || this.ledger.queued > this.maxBuffered / 2 || !this.consumer) return;
    const toResume = [...this.paused.values()];
    this.paused.clear();
    this.consumer.resume(byTopic(toResume));
  }

  /** Serialised, so two commits never race each other to the broker out of order. */
  private flushCommits(): Promise<void> {
    const run = this.commits.then(() => this.commitAcked());
    this.commits = run.catch(() => undefined);
    return run;
  }

  private flushCommitsInBackground(): void {
    this.flushCommits().catch((error: unknown) =>
      this.options.logger?.warn({ err: error, source: this.name }, "offset commit failed; retried on the next ack"),
    );
  }

  private async commitAcked(): Promise<void> {
    // Planned at send time, under the generation kafkajs stamps on this same request.
    const plan = this.ledger.commitPlan();
    if (plan.length === 0 || !this.consumer) return;
    try {
      await this.consumer.commitOffsets(plan.map(({ topic, partition, offset }) => ({ topic, partition, offset: offset.toString() })));
    } catch (error) {
      if (isFencedCommit(error)) return;
      throw error;
    }
    for (const position of plan) this.ledger.markCommitted(position);
  }
}
