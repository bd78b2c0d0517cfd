// Bad input never stops the stream: real Debezium fixtures, truncated JSON, unknown ops,
// missing payloads and wrong types replayed through the jsonl source end up applied, skipped
// or parked in the dead-letter queue with a reason; operators list, replay and discard them.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { principalHeaders } from "@crossdock/test";
import { JsonlSource, loadConfig, start, type RunningIngest } from "../src/server.js";

const FIXTURES = new URL("./fixtures/debezium/", import.meta.url);

const gql = async (url: string, query: string, variables?: Record<string, unknown>) => {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...principalHeaders() },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data: any; errors?: { extensions?: { code?: string } }[] };
};

function stock(op: string, lsn: number, onHand: string): string {
  return JSON.stringify({
    op,
    before: null,
    after: { id: "7", sku: "SKU-DLQ", warehouseCode: "CHI1", binCode: "A-01", onHand, reserved: "1" },
    ts_ms: 1_700_000_000_000,
    source: {
      connector: "postgresql",
      name: "wms",
      db: "wms",
      schema: "public",
      table: "Stock",
      txId: String(lsn),
      lsn: String(lsn),
      ts_ms: 1_700_000_000_000,
      snapshot: "false",
    },
  });
}

describe("dead-letter queue", () => {
  let dir: string;
  let ingest: RunningIngest;
  const fixtureNames = readdirSync(FIXTURES).filter((f) => f.endsWith(".value.json"));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "crossdock-dlq-"));
    const record = (topic: string, value: string | null) => JSON.stringify({ topic, key: null, value });
    const lines = [
      record("wms.public.Stock", stock("c", 10, "5.000")),
      // The connector documentation's own events: valid envelopes, but of a table no system here owns.
      ...fixtureNames.map((name) => record("PostgreSQL_server.public.customers", readFileSync(new URL(name, FIXTURES), "utf8"))),
      record("wms.public.Stock", '{"op":"u","after":{"id":"7"'),
      record("wms.public.Stock", stock("x", 11, "1")),
      record("wms.public.Stock", JSON.stringify({ schema: { type: "struct", fields: [] } })),
      record("wms.public.Stock", stock("u", 12, "5").replace('"lsn":"12"', '"lsn":{"nested":true}')),
      record("wms.public.Stock", null),
      // No source position: it could be neither ordered nor told from a redelivery, so it is parked.
      record("wms.public.Stock", stock("u", 14, "99").replace('"lsn":"14"', '"lsn":null')),
      record("wms.public.Stock", stock("u", 13, "42.250")),
    ];
    writeFileSync(join(dir, "events.jsonl"), lines.join("\n") + "\n");
    const source = new JsonlSource({ name: "archive", path: join(dir, "events.jsonl") });
    ingest = await start({ ...loadConfig({ LOG_LEVEL: "silent" }), port: 0, hubDatabaseUrl: "pglite:memory", capture: "none" }, { extraSources: [source] });
  });
  afterAll(async () => {
    await ingest?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("applies the good events around the bad ones", async () => {
    const { data } = await gql(ingest.url, `{ inventoryPosition(sku: "SKU-DLQ", warehouseCode: "CHI1") { onHand allocated available } }`);
    expect(data.inventoryPosition).toEqual({ onHand: "42.25", allocated: "0", available: "42.25" });
  });

  it("parks each bad message with a typed reason and its raw text", async () => {
    const { data } = await gql(ingest.url, `{ deadLetters(first: 200) { edges { node { id source topic reason error rawValue attempts status } } } }`);
    const letters = data.deadLetters.edges.map((e: any) => e.node);
    const ours = letters.filter((l: any) => l.topic === "wms.public.Stock");
    expect(ours.map((l: any) => l.reason)).toEqual(["INVALID_JSON", "UNKNOWN_OP", "MISSING_PAYLOAD", "BAD_FIELD_TYPE", "NO_POSITION"]);
    expect(ours[0].rawValue).toBe('{"op":"u","after":{"id":"7"');
    expect(ours.every((l: any) => l.status === "PARKED" && l.attempts === 1 && l.error.length > 0)).toBe(true);
    // Every fixture either decodes (and is parked as belonging to no known system), or is a
    // tombstone / heartbeat / transaction marker that is skipped: none crashes the stream.
    const fixtureLetters = letters.filter((l: any) => l.topic === "PostgreSQL_server.public.customers");
    expect(fixtureLetters.length).toBeGreaterThan(10);
    expect(fixtureLetters.length).toBeLessThanOrEqual(fixtureNames.length);
    expect(new Set(fixtureLetters.map((l: any) => l.reason))).toEqual(new Set(["UNKNOWN_SOURCE", "TRUNCATE_NOT_APPLIED", "UNSUPPORTED_FORMAT"]));
    const { data: sync } = await gql(ingest.url, `{ syncStatus { sources { source deadLetters } } }`);
    expect(sync.syncStatus.sources.find((s: any) => s.source === "wms").deadLetters).toBe(5);
    const metrics = await (await fetch(ingest.url.replace(/graphql$/, "metrics"))).text();
    expect(metrics).toMatch(/crossdock_cdc_dead_letters_parked\{[^}]*source="wms"[^}]*\} 5/);
    expect(metrics).toMatch(/crossdock_cdc_dead_letters_total\{[^}]*reason="INVALID_JSON"/);
  });

  it("replays a dead letter (still failing: stays parked, one more attempt) and discards one", async () => {
    const { data } = await gql(ingest.url, `{ deadLetters(source: "wms", first: 1) { edges { node { id } } } }`);
    const id = data.deadLetters.edges[0].node.id;
    const replay = await gql(ingest.url, `mutation($id: ID!) { replayDeadLetter(id: $id) { status attempts error } }`, { id });
    expect(replay.data.replayDeadLetter).toMatchObject({ status: "PARKED", attempts: 2 });
    expect(replay.data.replayDeadLetter.error).toMatch(/^INVALID_JSON/);
    const discard = await gql(ingest.url, `mutation($id: ID!) { discardDeadLetter(id: $id) { status } }`, { id });
    expect(discard.data.discardDeadLetter.status).toBe("DISCARDED");
    const again = await gql(ingest.url, `mutation($id: ID!) { discardDeadLetter(id: $id) { status } }`, { id });
    expect(again.errors?.[0]?.extensions?.code).toBe("INVALID_STATE");
    const missing = await gql(ingest.url, `mutation { replayDeadLetter(id: "999999") { status } }`);
    expect(missing.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });
});
