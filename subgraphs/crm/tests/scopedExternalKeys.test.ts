// A timeline entry's externalKey is unique per writer, not across everyone (issue 15): another
// writer using a key someone already used (the flows' step key, or the CRM's own "case:…:opened")
// gets an entry of its own and no IDEMPOTENCY_KEY_REUSED that would tell it the key exists; the
// same writer's key still adds one entry only, and is still refused for a different event.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDemoWorld } from "@crossdock/schema";
import type { Database, Principal } from "@crossdock/platform";
import { principalHeaders } from "@crossdock/test";
import { start } from "../src/server.js";
import { graphql } from "./graphqlClient.js";

const SCALE = 0.05;
const world = generateDemoWorld({ scale: SCALE });
const order = world.orders[0]!;
const seededCase = world.cases[0]!;
const ADD_ENTRY = `mutation($input: AddTimelineEntryInput!) { addTimelineEntry(input: $input) { kind summary } }`;
const flows: Principal = { kind: "service", subject: "flows", scopes: ["process:write", "cases:read"] };
const other: Principal = { kind: "service", subject: "other-integration", scopes: ["process:write", "cases:read"] };

let url = "";
let database: Database;
let stop: () => Promise<void> = async () => undefined;

beforeAll(async () => {
  const running = await start({ port: 0, host: "127.0.0.1", databaseUrl: "pglite:memory", seed: { enabled: true, scale: SCALE }, logLevel: "silent" });
  url = running.url;
  database = running.database;
  stop = running.stop;
});
afterAll(async () => stop());

const add = (principal: Principal, input: Record<string, unknown>) =>
  graphql<{ addTimelineEntry: { kind: string; summary: string } }>(url, ADD_ENTRY, { input }, principalHeaders(principal));

const entriesWithKey = (externalKey: string) =>
  database.query<{ source: string; kind: string }>(`SELECT "source", "kind" FROM "TimelineEntry" WHERE "externalKey" = $1 ORDER BY "source"`, [externalKey]);

describe("scoped timeline external keys", () => {
  const input = {
    customerNumber: order.customerNumber,
    orderNumber: order.orderNumber,
    kind: "SHIPMENT_DELAYED",
    summary: "Delayed",
    externalKey: "flow:delay:1",
  };

  it("lets another writer use a key the flows used, and each writer's retry adds nothing", async () => {
    expect((await add(flows, input)).errors).toBeUndefined();
    const theirs = await add(other, { ...input, kind: "NOTE", summary: "Their own note" });
    expect(theirs.errors).toBeUndefined();
    expect(theirs.data!.addTimelineEntry).toEqual({ kind: "NOTE", summary: "Their own note" });

    const retried = await add(flows, { ...input, summary: "Reworded" });
    expect(retried.data!.addTimelineEntry).toEqual({ kind: "SHIPMENT_DELAYED", summary: "Delayed" });
    expect((await add(other, { ...input, kind: "NOTE", summary: "Again" })).data!.addTimelineEntry.summary).toBe("Their own note");
    expect(await entriesWithKey("flow:delay:1")).toEqual([
      { source: "service:flows", kind: "SHIPMENT_DELAYED" },
      { source: "service:other-integration", kind: "NOTE" },
    ]);
  });

  it("still refuses a writer's own key for a different event, and writes nothing", async () => {
    const [before] = await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM "TimelineEntry"`);
    const reused = await add(flows, { ...input, kind: "SHIPMENT_LOST" });
    expect(reused.errors?.[0]?.extensions).toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED", field: "externalKey" });
    expect(await database.query(`SELECT count(*)::int AS n FROM "TimelineEntry"`)).toEqual([before]);
  });

  it("does not let a caller learn of, or block, the CRM's own case entries by their key", async () => {
    const caseKey = `case:${seededCase.caseNumber}:opened`;
    expect(await entriesWithKey(caseKey)).toEqual([{ source: "seed", kind: "CASE_OPENED" }]);
    const probe = await add(other, { customerNumber: order.customerNumber, kind: "NOTE", summary: "Probe", externalKey: caseKey });
    expect(probe.errors).toBeUndefined();
    expect(await entriesWithKey(caseKey)).toEqual([
      { source: "seed", kind: "CASE_OPENED" },
      { source: "service:other-integration", kind: "NOTE" },
    ]);
  });
});
