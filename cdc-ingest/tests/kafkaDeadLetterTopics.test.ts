// Kafka dead-letter topics against the FakeKafkaBroker test double: with KAFKA_DLQ=1 an
// undecodable message on a captured topic is parked in the database DLQ AND produced to
// `dlq.erp` with its original bytes and Kafka Connect's context headers, and the next good
// message is applied. When the broker refuses the DLQ topic (auto-creation off, topic missing),
// the database letter is still there, the failure is counted, the stream goes on, and the letter
// reaches the topic once it exists.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Kafka, logLevel, type KafkaMessage } from "kafkajs";
import { fetchMetrics, metricSum } from "@crossdock/test";
import { FakeKafkaBroker } from "@crossdock/test/kafkaTestBroker";
import { loadConfig, start, type IngestDependencies, type RunningIngest } from "../src/server.js";

const TOPIC = "erp.public.Customer";

let lsn = 7000;
/** A Debezium JSON-converter (schemas disabled) create event for Customer `id`. */
function customerCreated(id: number, name: string): string {
  lsn += 8;
  return JSON.stringify({
    before: null,
    after: { id, name },
    source: { connector: "postgresql", name: "erp", ts_ms: Date.now(), snapshot: "false", db: "erp", schema: "public", table: "Customer", txId: lsn, lsn },
    op: "c",
    ts_ms: Date.now(),
  });
}

// Not valid UTF-8, a NUL byte, not JSON: the database keeps a lossy text copy (Postgres text holds
// no NUL), the topic the exact bytes.
const POISON_KEY = Buffer.from([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x39, 0x7d, 0xfe]);
const POISON_VALUE = Buffer.from([0xff, 0x00, 0x7b, 0x22, 0x6f, 0x70, 0x22, 0x3a, 0xc3]);

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Reads a topic from the start with its own consumer group; `messages` grows as records arrive. */
async function readTopic(broker: FakeKafkaBroker, topic: string) {
  const kafka = new Kafka({ clientId: "dlq-reader", brokers: broker.brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `dlq-reader-${topic}`, sessionTimeout: 10_000, heartbeatInterval: 500 });
  const messages: KafkaMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      messages.push(message);
    },
  });
  return { messages, stop: () => consumer.disconnect() };
}

const header = (message: KafkaMessage, name: string) => message.headers?.[name]?.toString();

describe("Kafka dead-letter topic settings", () => {
  it("are off by default, read only with Kafka capture, and refuse a prefix Kafka would not accept", () => {
    expect(loadConfig({ CROSSDOCK_CAPTURE: "kafka" }).kafka.deadLetterTopicPrefix).toBeNull();
    expect(loadConfig({ CROSSDOCK_CAPTURE: "kafka", KAFKA_DLQ: "1" }).kafka.deadLetterTopicPrefix).toBe("dlq.");
    expect(loadConfig({ CROSSDOCK_CAPTURE: "kafka", KAFKA_DLQ: "1", KAFKA_DLQ_TOPIC_PREFIX: "crossdock-dlq-" }).kafka.deadLetterTopicPrefix).toBe(
      "crossdock-dlq-",
    );
    expect(loadConfig({ CROSSDOCK_CAPTURE: "outbox", KAFKA_DLQ: "1", KAFKA_DLQ_TOPIC_PREFIX: "bad/prefix" }).kafka.deadLetterTopicPrefix).toBeNull();
    expect(() => loadConfig({ CROSSDOCK_CAPTURE: "kafka", KAFKA_DLQ: "1", KAFKA_DLQ_TOPIC_PREFIX: "bad/prefix" })).toThrow(/KAFKA_DLQ_TOPIC_PREFIX/);
  });
});

describe("Kafka dead-letter topics (FakeKafkaBroker)", () => {
  const cleanups: Array<() => Promise<unknown> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp(options: { autoCreateTopics: boolean; deps?: IngestDependencies }) {
    const broker = await FakeKafkaBroker.start({ port: 0, autoCreateTopics: options.autoCreateTopics });
    cleanups.push(() => broker.stop());
    broker.createTopic(TOPIC, 1);
    const dataDir = mkdtempSync(join(tmpdir(), "crossdock-kafka-dlq-"));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const base = loadConfig({ LOG_LEVEL: "silent", CROSSDOCK_CAPTURE: "kafka", KAFKA_DLQ: "1" });
    const ingest: RunningIngest = await start(
      {
        ...base,
        port: 0,
        hubDatabaseUrl: `pglite:${dataDir}`,
        kafka: { ...base.kafka, brokers: broker.brokers, groupId: "crossdock-dlq-test", clientId: "crossdock-dlq-test", topics: [TOPIC], maxBuffered: 100 },
      },
      options.deps,
    );
    cleanups.push(() => ingest.stop());
    const producer = new Kafka({ clientId: "test-producer", brokers: broker.brokers, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    const send = (messages: Array<{ key: Buffer | string; value: Buffer | string; headers?: Record<string, string> }>) =>
      producer.send({ topic: TOPIC, messages });
    const customerName = async (id: number) =>
      (
        await ingest.hub.query<{ name: string }>(
          `SELECT data->>'name' AS name FROM "SourceRow" WHERE source = 'erp' AND "tableName" = 'Customer' AND "sourceId" = $1`,
          [String(id)],
        )
      )[0]?.name ?? null;
    const deadLetters = () =>
      ingest.hub.query<{ source: string; topic: string; position: string; reason: string; rawValue: string | null; status: string }>(
        `SELECT "source", "topic", "position", "reason", "rawValue", "status" FROM "DeadLetter" ORDER BY id`,
      );
    const metric = async (name: string) => metricSum(await fetchMetrics(ingest.url), name, { source: "erp" });
    return { broker, ingest, send, customerName, deadLetters, metric };
  }

  it("parks an undecodable message in the database and on dlq.erp with its bytes and headers; the stream goes on", async () => {
    const { broker, send, customerName, deadLetters, metric } = await setUp({ autoCreateTopics: true });
    await send([
      { key: '{"id":1}', value: customerCreated(1, "Before the poison") },
      { key: POISON_KEY, value: POISON_VALUE, headers: { "trace-id": "trace-42" } },
      { key: '{"id":2}', value: customerCreated(2, "After the poison") },
    ]);

    expect(
      await until(
        () => customerName(2),
        (name) => name !== null,
        "the message after the poison to be applied",
      ),
    ).toBe("After the poison");
    expect(await customerName(1)).toBe("Before the poison");
    const letters = await deadLetters();
    expect(letters).toEqual([
      { source: "erp", topic: TOPIC, position: `${TOPIC}/0/1`, reason: "INVALID_JSON", rawValue: '\uFFFD\uFFFD{"op":\uFFFD', status: "PARKED" },
    ]);

    const reader = await readTopic(broker, "dlq.erp");
    cleanups.push(reader.stop);
    await until(
      async () => reader.messages.length,
      (n) => n >= 1,
      "the dead letter on dlq.erp",
    );
    expect(reader.messages).toHaveLength(1);
    const [record] = reader.messages;
    expect(Buffer.compare(record!.key!, POISON_KEY)).toBe(0);
    expect(Buffer.compare(record!.value!, POISON_VALUE)).toBe(0);
    expect(header(record!, "__connect.errors.topic")).toBe(TOPIC);
    expect(header(record!, "__connect.errors.partition")).toBe("0");
    expect(header(record!, "__connect.errors.offset")).toBe("1");
    expect(header(record!, "__connect.errors.exception.class.name")).toBe("INVALID_JSON");
    expect(header(record!, "__connect.errors.exception.message")).toBeTruthy();
    expect(header(record!, "crossdock.reason")).toBe("INVALID_JSON");
    expect(header(record!, "crossdock.source")).toBe("erp");
    expect(header(record!, "crossdock.attempts")).toBe("1");
    // The original record's own headers travel with it, as Kafka Connect's DLQ keeps them.
    expect(header(record!, "trace-id")).toBe("trace-42");
    expect(await metric("crossdock_cdc_dlq_published_total")).toBe(1);
    expect(await metric("crossdock_cdc_dlq_publish_failures_total")).toBe(0);
  });

  it("keeps and counts the dead letter when the broker refuses the DLQ topic, and produces it once the topic exists", async () => {
    const { broker, send, customerName, deadLetters, metric } = await setUp({
      autoCreateTopics: false,
      deps: { deadLetterTopicRetry: { producerRetry: { retries: 1, initialRetryTime: 20, maxRetryTime: 200 }, retryDelaysMs: [100] } },
    });
    await send([
      { key: '{"id":3}', value: "not json at all" },
      { key: '{"id":4}', value: customerCreated(4, "Applied while the DLQ topic is missing") },
    ]);

    expect(
      await until(
        () => customerName(4),
        (name) => name !== null,
        "the message after the poison to be applied",
      ),
    ).toBe("Applied while the DLQ topic is missing");
    expect((await deadLetters()).map(({ topic, position, reason, status }) => ({ topic, position, reason, status }))).toEqual([
      { topic: TOPIC, position: `${TOPIC}/0/0`, reason: "INVALID_JSON", status: "PARKED" },
    ]);
    await until(
      () => metric("crossdock_cdc_dlq_publish_failures_total"),
      (n) => n >= 1,
      "the failed produce to be counted",
    );
    expect(broker.highWatermark("dlq.erp", 0)).toBeNull();
    expect(await metric("crossdock_cdc_dlq_published_total")).toBe(0);

    // The operator creates the topic: the queued letter goes out on a later attempt.
    broker.createTopic("dlq.erp", 1);
    await until(
      () => metric("crossdock_cdc_dlq_published_total"),
      (n) => n === 1,
      "the retried produce to succeed",
    );
    expect(broker.highWatermark("dlq.erp", 0)).toBe("1");
    expect((await deadLetters()).map((letter) => letter.status)).toEqual(["PARKED"]);
  });
});
