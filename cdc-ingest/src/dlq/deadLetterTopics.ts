// Kafka dead-letter topics: with Kafka capture and KAFKA_DLQ=1, every dead letter is also produced
// to `<prefix><system>` (default `dlq.erp`, `dlq.crm`, `dlq.wms`) for Kafka-native tooling, as
// Kafka Connect's errors.deadletterqueue.topic.name does. The record keeps the original key and
// value bytes and headers; Kafka Connect's context headers (`__connect.errors.*`) and
// `crossdock.*` headers say where it came from and why it was parked.
//
// The hub database stays the system of record (operators list, replay and discard there). Order:
// the letter is inserted in the batch's transaction, and only after that commit is it queued here;
// a background loop produces it (idempotent producer, acks=all). A failed produce never stops the
// stream and never loses the letter (it is in the database): it is counted in
// crossdock_cdc_dlq_publish_failures_total, logged, and retried with backoff while the process
// runs. Letters still queued at shutdown, or pushed out of a full queue, are logged as errors
// with their positions. Redelivery after a crash can produce a letter twice: deduplicate on
// `__connect.errors.topic` / `.partition` / `.offset`.
import { Kafka, Partitioners, type IHeaders, type KafkaConfig, type Message, type Producer, type RetryOptions } from "kafkajs";
import { Counter, Gauge, type Logger, type Registry } from "@crossdock/platform";
import type { CapturedMessage } from "../sources/captureSource.js";
import { parseAckToken } from "../sources/kafka/ackToken.js";
import { kafkaLogCreator } from "../sources/kafka/kafkaLogBridge.js";
import type { DeadLetterInput } from "./deadLetters.js";

/** A dead letter the read model committed, with the captured message it was made from. */
export interface ParkedDeadLetter {
  readonly letter: DeadLetterInput;
  readonly message: CapturedMessage;
}

/** Where the ingestor hands committed dead letters; never throws, never waits. */
export interface DeadLetterSink {
  publish(parked: readonly ParkedDeadLetter[]): void;
}

export interface DeadLetterTopicMetrics {
  published: Counter<"source">;
  publishFailures: Counter<"source">;
  pending: Gauge;
}

export function createDeadLetterTopicMetrics(registry: Registry): DeadLetterTopicMetrics {
  return {
    published: new Counter({
      name: "crossdock_cdc_dlq_published_total",
      help: "Dead letters produced to their Kafka dead-letter topic, by source",
      labelNames: ["source"],
      registers: [registry],
    }),
    publishFailures: new Counter({
      name: "crossdock_cdc_dlq_publish_failures_total",
      help: "Failed attempts to produce a dead letter to its Kafka dead-letter topic (the letter stays in the database), by source",
      labelNames: ["source"],
      registers: [registry],
    }),
    pending: new Gauge({
      name: "crossdock_cdc_dlq_publish_pending",
      help: "Dead letters waiting to be produced to a Kafka dead-letter topic",
      registers: [registry],
    }),
  };
}

export interface DeadLetterTopicOptions {
  brokers: string[];
  clientId: string;
  /** Topic name before the system (`dlq.` gives `dlq.erp`). */
  topicPrefix: string;
  metrics: DeadLetterTopicMetrics;
  logger: Logger;
  /** TLS, SASL and timeouts, as for the capture's consumer. */
  kafka?: Partial<Omit<KafkaConfig, "brokers" | "clientId">>;
  /** kafkajs's own retries inside one produce attempt; default 5. */
  producerRetry?: RetryOptions;
  /** Waits between failed attempts, the last one repeated; default 1 s doubling to 60 s. */
  retryDelaysMs?: readonly number[];
  /** Letters held for producing; past it the oldest are given up (logged); default 10,000. */
  maxPending?: number;
  /** Letters per produce request; default 500. */
  maxPerSend?: number;
  /** How long stop() waits for a last produce of what is queued; default 5 s. */
  stopTimeoutMs?: number;
}

/** Kafka Connect's DLQ context header names (errors.deadletterqueue.context.headers.enable). */
export const CONNECT_ERROR_HEADERS = {
  topic: "__connect.errors.topic",
  partition: "__connect.errors.partition",
  offset: "__connect.errors.offset",
  exceptionClassName: "__connect.errors.exception.class.name",
  exceptionMessage: "__connect.errors.exception.message",
} as const;

export const CROSSDOCK_DLQ_HEADERS = {
  reason: "crossdock.reason",
  source: "crossdock.source",
  attempts: "crossdock.attempts",
} as const;

const DEFAULT_RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 15_000, 30_000, 60_000];

/** The record produced for one dead letter: original key, value and headers, plus the error context. */
export function deadLetterRecord(parked: ParkedDeadLetter): Message {
  const { letter, message } = parked;
  const headers: IHeaders = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value === null || value === undefined) continue;
    headers[name] = typeof value === "string" || Buffer.isBuffer(value) ? value : [...value];
  }
  headers[CONNECT_ERROR_HEADERS.topic] = message.topic;
  const position = parseAckToken(message.ackToken);
  if (position) {
    headers[CONNECT_ERROR_HEADERS.partition] = String(position.partition);
    headers[CONNECT_ERROR_HEADERS.offset] = position.offset.toString();
  }
  // Crossdock has no Java exception class: the reason code is the closest thing to one.
  headers[CONNECT_ERROR_HEADERS.exceptionClassName] = letter.reason;
  headers[CONNECT_ERROR_HEADERS.exceptionMessage] = letter.error;
  headers[CROSSDOCK_DLQ_HEADERS.reason] = letter.reason;
  headers[CROSSDOCK_DLQ_HEADERS.source] = letter.source;
  headers[CROSSDOCK_DLQ_HEADERS.attempts] = String(letter.attempts);
  return { key: message.key ?? null, value: message.value ?? null, headers };
}

export class DeadLetterTopicPublisher implements DeadLetterSink {
  private readonly queue: ParkedDeadLetter[] = [];
  private readonly producer: Producer;
  private readonly retryDelays: readonly number[];
  private readonly maxPending: number;
  private readonly maxPerSend: number;
  private connected = false;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private failuresInRow = 0;

  constructor(private readonly options: DeadLetterTopicOptions) {
    this.retryDelays = options.retryDelaysMs && options.retryDelaysMs.length > 0 ? options.retryDelaysMs : DEFAULT_RETRY_DELAYS_MS;
    this.maxPending = Math.max(1, options.maxPending ?? 10_000);
    this.maxPerSend = Math.max(1, options.maxPerSend ?? 500);
    const kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logCreator: kafkaLogCreator(options.logger),
      ...options.kafka,
    });
    // Idempotent: a produce kafkajs retries inside one attempt is written once. Retries are
    // bounded (kafkajs warns that this weakens exactly-once): an unbounded produce would hold the
    // queue forever, and a letter re-sent by this loop may appear twice anyway (documented).
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      retry: options.producerRetry ?? { retries: 5 },
      // Kafka's own partitioner (murmur2 of the key): a key lands where a Java client would put it.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  topicFor(source: string): string {
    return `${this.options.topicPrefix}${source}`;
  }

  publish(parked: readonly ParkedDeadLetter[]): void {
    if (parked.length === 0) return;
    if (this.stopped) {
      this.giveUp(parked, "the ingest is stopping");
      return;
    }
    this.queue.push(...parked);
    const overflow = this.queue.length - this.maxPending;
    if (overflow > 0) this.giveUp(this.queue.splice(0, overflow), `more than ${this.maxPending} dead letters wait for the topic`);
    this.options.metrics.pending.set(this.queue.length);
    // A loop waiting out a backoff is not woken: a broken broker is not retried per new letter.
    this.loop ??= this.run();
  }

  /** Produces what is queued (one last attempt, bounded), then disconnects; what is left is logged. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.wake?.();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.loop, new Promise((resolve) => (timer = setTimeout(resolve, this.options.stopTimeoutMs ?? 5000)))]);
    clearTimeout(timer);
    if (this.queue.length > 0) this.giveUp(this.queue.splice(0), "the ingest stopped before they could be produced");
    this.options.metrics.pending.set(0);
    if (this.connected) await this.producer.disconnect().catch(() => undefined);
  }

  private async run(): Promise<void> {
    while (this.queue.length > 0) {
      const ok = await this.sendSome();
      if (this.stopped && (!ok || this.queue.length === 0)) return;
      if (ok) continue;
      const delay = this.retryDelays[Math.min(this.failuresInRow - 1, this.retryDelays.length - 1)]!;
      // Backoff; stop() cuts it short (clearing the timer, so it holds no process open).
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => this.wake?.(), delay);
        this.wake = () => {
          clearTimeout(timer);
          this.wake = undefined;
          resolve();
        };
      });
    }
    this.loop = undefined;
  }

  /** One produce request for the head of the queue; false when it failed (letters stay queued). */
  private async sendSome(): Promise<boolean> {
    const batch = this.queue.slice(0, this.maxPerSend);
    const byTopic = new Map<string, Message[]>();
    for (const parked of batch) {
      const topic = this.topicFor(parked.letter.source);
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), deadLetterRecord(parked)]);
    }
    const { metrics, logger } = this.options;
    try {
      if (!this.connected) {
        await this.producer.connect();
        this.connected = true;
      }
      await this.producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
    } catch (error) {
      this.failuresInRow++;
      for (const parked of batch) metrics.publishFailures.inc({ source: parked.letter.source });
      logger.error(
        {
          err: error,
          topics: [...byTopic.keys()],
          letters: batch.length,
          pending: this.queue.length,
          attempt: this.failuresInRow,
        },
        "dead letters could not be produced to their Kafka dead-letter topic; they are in the database DLQ and will be retried",
      );
      return false;
    }
    this.failuresInRow = 0;
    // By identity: a full queue may have dropped its head while this produce was under way.
    const sent = new Set(batch);
    const rest = this.queue.filter((parked) => !sent.has(parked));
    this.queue.splice(0, this.queue.length, ...rest);
    for (const parked of batch) metrics.published.inc({ source: parked.letter.source });
    metrics.pending.set(this.queue.length);
    return true;
  }

  private giveUp(letters: readonly ParkedDeadLetter[], why: string): void {
    this.options.logger.error(
      { letters: letters.map(({ letter }) => ({ source: letter.source, topic: letter.topic, position: letter.position, reason: letter.reason })) },
      `dead letters not produced to their Kafka dead-letter topic (${why}); they stay in the database DLQ`,
    );
  }
}
