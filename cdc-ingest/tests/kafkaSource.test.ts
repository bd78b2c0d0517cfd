// KafkaSource over the wire: a kafkajs producer and KafkaSource consumer groups against the
// FakeKafkaBroker test double (in-memory, single node; not a Kafka). Checks per-partition order,
// commit-only-after-ack, restart from committed offsets, backpressure and rebalances.
import { Kafka, Partitioners, logLevel, type Producer } from "kafkajs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeKafkaBroker } from "@crossdock/test/kafkaTestBroker";
import { decodeCaptured } from "../src/apply/decodeCaptured.js";
import { decodeDebeziumMessage, type DebeziumRowChange } from "../src/debezium/index.js";
import type { CapturedMessage } from "../src/sources/captureSource.js";
import { parseAckToken } from "../src/sources/kafka/ackToken.js";
import { KafkaSource, systemOfTopic, type KafkaSourceOptions } from "../src/sources/kafkaSource.js";

const TOPIC = "erp.public.Customer";

/** A Debezium JSON-converter (schemas disabled) create event for Customer `id`. */
function customerCreated(id: number): string {
  const tsMs = 1_700_000_000_000 + id;
  return JSON.stringify({
    before: null,
    after: { id, name: `customer-${id}` },
    source: {
      version: "2.7.0.Final",
      connector: "postgresql",
      name: "erp",
      ts_ms: tsMs,
      snapshot: "false",
      db: "erp",
      schema: "public",
      table: "Customer",
      txId: 1000 + id,
      lsn: 5000 + id,
    },
    op: "c",
    ts_ms: tsMs,
  });
}

function customerId(message: CapturedMessage): number {
  const change = decodeDebeziumMessage(message) as DebeziumRowChange;
  return change.after!["id"] as number;
}

function position(message: CapturedMessage): { partition: number; offset: number } {
  const parsed = parseAckToken(message.ackToken)!;
  return { partition: parsed.partition, offset: Number(parsed.offset) };
}

/** "partition:offset" labels, sorted, for set-like comparisons. */
const labels = (messages: readonly CapturedMessage[]) =>
  messages
    .map(position)
    .map((p) => `${p.partition}:${p.offset}`)
    .sort();

const range = (partition: number, from: number, to: number) => Array.from({ length: to - from }, (_, i) => `${partition}:${from + i}`);

async function eventually(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Polls until `count` messages arrived (or fails), like the ingestor's loop without applying. */
async function pollAtLeast(source: KafkaSource, count: number, timeoutMs = 15_000): Promise<CapturedMessage[]> {
  const received: CapturedMessage[] = [];
  const deadline = Date.now() + timeoutMs;
  while (received.length < count) {
    if (Date.now() > deadline) throw new Error(`received ${received.length} of ${count} messages`);
    received.push(...(await source.poll(500, 100)));
  }
  return received;
}

/** Polls for a while and returns whatever came: for asserting that nothing (more) arrives. */
async function pollFor(source: KafkaSource, ms: number): Promise<CapturedMessage[]> {
  const received: CapturedMessage[] = [];
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) received.push(...(await source.poll(500, 50)));
  return received;
}

describe("KafkaSource against FakeKafkaBroker", () => {
  let broker: FakeKafkaBroker;
  let producer: Producer;
  let sources: KafkaSource[];
  let nextId: number;

  beforeEach(async () => {
    broker = await FakeKafkaBroker.start({ defaultPartitions: 1 });
    const kafka = new Kafka({ clientId: "test-producer", brokers: broker.brokers, logLevel: logLevel.NOTHING });
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    sources = [];
    nextId = 1;
  });

  afterEach(async () => {
    for (const source of sources) await source.stop();
    await producer.disconnect();
    await broker.stop();
    expect(broker.protocolErrors).toEqual([]);
  });

  function source(overrides: Partial<KafkaSourceOptions> = {}): KafkaSource {
    const created = new KafkaSource({
      name: "erp",
      brokers: broker.brokers,
      groupId: "cdc-erp",
      topics: [TOPIC],
      kafka: { logLevel: logLevel.NOTHING, retry: { initialRetryTime: 50, retries: 8 } },
      consumer: { sessionTimeout: 10_000, rebalanceTimeout: 5_000, heartbeatInterval: 100, maxWaitTimeInMs: 100 },
      ...overrides,
    });
    sources.push(created);
    return created;
  }

  async function stopSource(stopped: KafkaSource): Promise<void> {
    await stopped.stop();
    sources = sources.filter((s) => s !== stopped);
  }

  /** Produces `perPartition` customers to each partition, one send each; returns ids by partition. */
  async function produce(partitions: number, perPartition: number): Promise<number[][]> {
    const ids: number[][] = Array.from({ length: partitions }, () => []);
    for (let round = 0; round < perPartition; round++) {
      for (let partition = 0; partition < partitions; partition++) {
        const id = nextId++;
        ids[partition]!.push(id);
        await producer.send({
          topic: TOPIC,
          messages: [{ partition, key: JSON.stringify({ id }), value: customerCreated(id), headers: { "crossdock-test": `p${partition}` } }],
        });
      }
    }
    return ids;
  }

  const committed = (partition: number, group = "cdc-erp") => broker.committedOffset(group, TOPIC, partition);

  it("hands over Debezium records in per-partition order and commits only what was acked", async () => {
    broker.createTopic(TOPIC, 3);
    const produced = await produce(3, 10);
    const kafka = source();
    await kafka.start();

    const received = await pollAtLeast(kafka, 30);
    expect(received).toHaveLength(30);
    for (let partition = 0; partition < 3; partition++) {
      const mine = received.filter((m) => position(m).partition === partition);
      expect(mine.map((m) => position(m).offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(mine.map(customerId)).toEqual(produced[partition]);
      expect(mine.every((m) => String(m.headers?.["crossdock-test"]) === `p${partition}`)).toBe(true);
    }
    const first = received[0]!;
    expect(first.ackToken).toBe(`${TOPIC}/${position(first).partition}/0`);
    expect(systemOfTopic(first)).toBe("erp");
    expect(decodeCaptured(first, kafka.name, kafka.systemOf)).toMatchObject({ system: "erp", deadLetter: null });

    // Nothing is committed by polling alone.
    await pollFor(kafka, 300);
    expect([committed(0), committed(1), committed(2)]).toEqual([null, null, null]);

    const ofPartition = (partition: number, from: number, to: number) =>
      received.filter((m) => position(m).partition === partition && position(m).offset >= from && position(m).offset < to);
    await kafka.ack(ofPartition(0, 0, 5));
    expect([committed(0), committed(1), committed(2)]).toEqual(["5", null, null]);

    // Acking a later range first must not carry the commit past offsets still being applied.
    await kafka.ack(ofPartition(1, 5, 10));
    expect(committed(1)).toBeNull();
    await kafka.ack(ofPartition(1, 0, 5));
    expect(committed(1)).toBe("10");

    await kafka.ack(received);
    expect([committed(0), committed(1), committed(2)]).toEqual(["10", "10", "10"]);
    expect(kafka.stats()).toMatchObject({ queued: 0, inFlight: 0 });
  });

  it("measures its head: high watermarks against the group's committed offsets", async () => {
    broker.createTopic(TOPIC, 2);
    await produce(2, 5);
    const kafka = source();
    await kafka.start();
    const received = await pollAtLeast(kafka, 10);
    // Received but not applied: all ten are still pending at the broker.
    expect(await kafka.probeHead()).toMatchObject({ caughtUp: false, pendingChanges: 10, retainedWal: null });
    await kafka.ack(received.filter((m) => position(m).partition === 0));
    expect(await kafka.probeHead()).toMatchObject({ caughtUp: false, pendingChanges: 5 });
    await kafka.ack(received.filter((m) => position(m).partition === 1));
    expect(await kafka.probeHead()).toMatchObject({ caughtUp: true, pendingChanges: 0 });
    // Produced while nothing is polled: the head moves ahead of what was applied.
    await produce(2, 2);
    expect(await kafka.probeHead()).toMatchObject({ caughtUp: false, pendingChanges: 4 });
    await stopSource(kafka);
    await expect(kafka.probeHead()).rejects.toThrow(/stopped/);
  });

  it("hands released records (a failed apply) out again, in order, before newer ones", async () => {
    broker.createTopic(TOPIC, 1);
    const [produced] = await produce(1, 6);
    const kafka = source();
    await kafka.start();
    const first = await pollAtLeast(kafka, 6);
    // The ingestor's apply failed for the whole batch: it hands the batch back and polls again.
    kafka.release(first);
    expect(kafka.stats()).toMatchObject({ queued: 6, inFlight: 0 });
    const [newer] = await produce(1, 2);
    const retried = await pollAtLeast(kafka, 8);
    expect(retried.map((m) => position(m).offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(retried.map(customerId)).toEqual([...produced!, ...newer!]);
    expect(committed(0)).toBeNull();
    await kafka.ack(retried);
    expect(committed(0)).toBe("8");
  });

  it("re-reads unacked records after the source stops before acking them", async () => {
    broker.createTopic(TOPIC, 2);
    await produce(2, 4);
    const first = source();
    await first.start();
    const received = await pollAtLeast(first, 8);
    // Only partition 0's first two records reach the read model before the stop.
    await first.ack(received.filter((m) => position(m).partition === 0 && position(m).offset < 2));
    await stopSource(first);
    expect([committed(0), committed(1)]).toEqual(["2", null]);

    const second = source();
    await second.start();
    const again = await pollAtLeast(second, 6);
    expect(labels(again)).toEqual([...range(0, 2, 4), ...range(1, 0, 4)]);
    expect(await pollFor(second, 300)).toEqual([]);
  });

  it("resumes exactly from the committed offsets after a restart: no gap, no acked record again", async () => {
    broker.createTopic(TOPIC, 2);
    await produce(2, 5);
    const first = source();
    await first.start();
    await first.ack(await pollAtLeast(first, 10));
    await stopSource(first);
    expect([committed(0), committed(1)]).toEqual(["5", "5"]);

    const produced = await produce(2, 3);
    const second = source();
    await second.start();
    const resumed = await pollAtLeast(second, 6);
    expect(labels(resumed)).toEqual([...range(0, 5, 8), ...range(1, 5, 8)]);
    for (let partition = 0; partition < 2; partition++) {
      expect(resumed.filter((m) => position(m).partition === partition).map(customerId)).toEqual(produced[partition]);
    }
    expect(await pollFor(second, 300)).toEqual([]);
    await second.ack(resumed);
    expect([committed(0), committed(1)]).toEqual(["8", "8"]);
  });

  it("pauses the partition when the buffer is full and resumes once poll drained it", async () => {
    broker.createTopic(TOPIC, 1);
    const [produced] = await produce(1, 60);
    const kafka = source({ maxBuffered: 10, consumer: { sessionTimeout: 10_000, heartbeatInterval: 100, maxWaitTimeInMs: 100, maxBytesPerPartition: 1024 } });
    await kafka.start();

    await eventually(() => kafka.stats().paused.length === 1, "the partition to be paused");
    const whenPaused = kafka.stats().queued;
    expect(whenPaused).toBeGreaterThanOrEqual(10);
    // Paused means no more fetching: the buffer stays put instead of swallowing the topic.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(kafka.stats().queued).toBe(whenPaused);
    expect(whenPaused).toBeLessThan(60);
    expect(kafka.stats().paused).toEqual([{ topic: TOPIC, partition: 0 }]);

    const received: CapturedMessage[] = [];
    let sawResume = false;
    while (received.length < 60) {
      const batch = await kafka.poll(4, 100);
      received.push(...batch);
      await kafka.ack(batch);
      if (kafka.stats().paused.length === 0) sawResume = true;
      expect(kafka.stats().queued).toBeLessThanOrEqual(10 + 10);
    }
    expect(sawResume).toBe(true);
    expect(received.map((m) => position(m).offset)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(received.map(customerId)).toEqual(produced);
    expect(committed(0)).toBe("60");
  });

  it("splits partitions between two members and hands a leaving member's partitions to the survivor", async () => {
    broker.createTopic(TOPIC, 4);
    await produce(4, 10);
    const a = source({ clientId: "member-a" });
    await a.start();
    const firstRead = await pollAtLeast(a, 40);
    await a.ack(firstRead.filter((m) => position(m).offset < 2));
    expect([0, 1, 2, 3].map((p) => committed(p))).toEqual(["2", "2", "2", "2"]);

    // B joins while A still holds offsets 2..9 of every partition in flight.
    const b = source({ clientId: "member-b" });
    await b.start();
    await eventually(() => a.stats().assigned.length === 2 && b.stats().assigned.length === 2 && !a.stats().rebalancing, "the two-member assignment");
    const ownedByA = a.stats().assigned.map((tp) => tp.partition);
    const ownedByB = b.stats().assigned.map((tp) => tp.partition);
    expect([...ownedByA, ...ownedByB].sort()).toEqual([0, 1, 2, 3]);
    expect(broker.group("cdc-erp")?.memberIds).toHaveLength(2);

    // A finishes applying everything it had; only its own partitions may be committed.
    await a.ack(firstRead);
    for (const p of ownedByA) expect(committed(p)).toBe("10");
    for (const p of ownedByB) expect(committed(p)).toBe("2");

    // B re-reads its partitions from the committed offset (at-least-once); A gets nothing twice.
    const bRead = await pollAtLeast(b, 16);
    expect(labels(bRead)).toEqual(ownedByB.flatMap((p) => range(p, 2, 10)).sort());
    expect(await pollFor(a, 300)).toEqual([]);

    await b.ack(bRead.filter((m) => position(m).offset < 6));
    for (const p of ownedByB) expect(committed(p)).toBe("6");
    await stopSource(b);

    await eventually(() => a.stats().assigned.length === 4 && !a.stats().rebalancing, "the survivor to own every partition");
    expect(broker.group("cdc-erp")?.memberIds).toHaveLength(1);
    const takeover = await pollAtLeast(a, 8);
    expect(labels(takeover)).toEqual(ownedByB.flatMap((p) => range(p, 6, 10)).sort());

    await produce(4, 1);
    const fresh = await pollAtLeast(a, 4);
    expect(labels(fresh)).toEqual([0, 1, 2, 3].flatMap((p) => range(p, 10, 11)));
    await a.ack([...takeover, ...fresh]);
    expect([0, 1, 2, 3].map((p) => committed(p))).toEqual(["11", "11", "11", "11"]);
    expect(await pollFor(a, 300)).toEqual([]);
  });
});
