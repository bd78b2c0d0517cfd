// Kafka capture end to end: Debezium change events produced with kafkajs to the
// FakeKafkaBroker test double, consumed by cdc-ingest in kafka mode, applied to the read
// model, served by the ops subgraph; a poison message is parked and the stream goes on; a
// restarted ingest resumes from the committed offsets without doubling anything.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Kafka, logLevel } from "kafkajs";
import { principalHeaders } from "@crossdock/test";
import { FakeKafkaBroker } from "@crossdock/test/kafkaTestBroker";
import { loadConfig, start, type RunningIngest } from "../src/server.js";

const query = async (url: string, q: string) => {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...principalHeaders() },
    body: JSON.stringify({ query: q }),
  });
  return (await response.json()) as { data: any; errors?: unknown[] };
};

let lsn = 1000;
function stockEvent(op: "c" | "u", id: number, onHand: string, before?: string) {
  lsn += 8;
  const row = (value: string) => ({ id, sku: "SKU-K1", warehouseCode: "ATL1", binCode: "A-01", onHand: value, reserved: "0" });
  return JSON.stringify({
    before: before === undefined ? null : row(before),
    after: row(onHand),
    op,
    ts_ms: Date.now(),
    source: {
      connector: "postgresql",
      name: "wms",
      db: "wms",
      schema: "public",
      table: "Stock",
      txId: String(lsn),
      lsn: String(lsn),
      ts_ms: Date.now(),
      snapshot: "false",
    },
  });
}

async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    value = await read();
  }
  return value;
}

describe("cdc-ingest in kafka mode", () => {
  let broker: FakeKafkaBroker;
  let dataDir: string;
  let ingest: RunningIngest | undefined;
  const producer = () => new Kafka({ clientId: "test-producer", brokers: broker.brokers, logLevel: logLevel.NOTHING }).producer();

  beforeAll(async () => {
    broker = await FakeKafkaBroker.start({ port: 0, defaultPartitions: 2, autoCreateTopics: true });
    await broker.createTopic("wms.public.Stock", 2);
    dataDir = mkdtempSync(join(tmpdir(), "crossdock-kafka-"));
  });
  afterAll(async () => {
    await ingest?.stop();
    await broker.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const startIngest = () =>
    start({
      ...loadConfig({ LOG_LEVEL: "warn" }),
      port: 0,
      hubDatabaseUrl: `pglite:${dataDir}`,
      capture: "kafka",
      kafka: { brokers: broker.brokers, groupId: "crossdock-test", clientId: "crossdock-test", topics: ["wms.public.Stock"], maxBuffered: 100 },
    });
  const position = async () =>
    (await query(ingest!.url, `{ inventoryPosition(sku: "SKU-K1", warehouseCode: "ATL1") { onHand available } }`)).data.inventoryPosition;

  it("applies Debezium events from Kafka and parks a poison message without stopping", async () => {
    ingest = await startIngest();
    const p = producer();
    await p.connect();
    await p.send({
      topic: "wms.public.Stock",
      messages: [
        { key: '{"id":1}', value: stockEvent("c", 1, "10.000") },
        { key: '{"id":1}', value: '{"op": "u", "after": ' },
        { key: '{"id":1}', value: stockEvent("u", 1, "25.500", "10.000") },
      ],
    });
    await p.disconnect();
    const result = await eventually(position, (v) => v?.onHand === "25.5");
    expect(result).toEqual({ onHand: "25.5", available: "25.5" });
    const letters = (await query(ingest.url, `{ deadLetters { edges { node { source topic reason status } } } }`)).data.deadLetters.edges.map(
      (e: any) => e.node,
    );
    expect(letters).toEqual([{ source: "wms", topic: "wms.public.Stock", reason: "INVALID_JSON", status: "PARKED" }]);
  });

  it("resumes from committed offsets after a restart, applying only what is new", async () => {
    await ingest!.stop();
    ingest = undefined;
    const p = producer();
    await p.connect();
    await p.send({ topic: "wms.public.Stock", messages: [{ key: '{"id":1}', value: stockEvent("u", 1, "30.000", "25.500") }] });
    await p.disconnect();
    ingest = await startIngest();
    expect(await eventually(position, (v) => v?.onHand === "30")).toEqual({ onHand: "30", available: "30" });
    const feed = await ingest.hub.query<{ onHand: string }>(
      `SELECT payload->>'onHand' AS "onHand" FROM "ChangeFeedEntry" WHERE "entityKey" = 'SKU-K1|ATL1' ORDER BY "cursor"`,
    );
    // Batching may fold 10 -> 25.5 into one entry; a redelivered event would add a duplicate.
    const values = feed.map((f) => f.onHand);
    expect(values.at(-1)).toBe("30");
    expect(new Set(values).size).toBe(values.length);
    expect(values.filter((v) => v === "30")).toHaveLength(1);
    const letters = await ingest.hub.query<{ n: number }>(`SELECT count(*)::int AS n FROM "DeadLetter"`);
    expect(letters[0]!.n).toBe(1);
  });
});
