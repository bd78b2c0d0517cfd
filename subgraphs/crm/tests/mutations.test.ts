// Write side of the CRM subgraph over real HTTP against a seeded in-memory PGlite: openCase,
// resolveCase and addTimelineEntry — happy paths, validation codes, idempotency, and that a
// failed mutation writes nothing (no rows, no audit entry, no case number consumed).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDemoWorld } from "@crossdock/schema";
import { start } from "../src/server.js";
import type { Database } from "@crossdock/platform";
import { data, errorCodes, graphql, sqlStatements, statementDelta, type StatementCounts } from "./graphqlClient.js";

const SCALE = 0.05;
const world = generateDemoWorld({ scale: SCALE });
const lastSeededCase = Math.max(...world.cases.map((c) => Number(c.caseNumber.slice(3))));
const caseNumber = (n: number) => `CS-${String(n).padStart(6, "0")}`;
// An order with a customer the CRM knows, and its customer.
const order = world.orders[0]!;
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

const CASE_FIELDS = `caseNumber subject description status priority openedAt resolvedAt resolution order { orderNumber } customer { customerNumber }`;
const OPEN_CASE = `mutation($input: OpenCaseInput!) { openCase(input: $input) { ${CASE_FIELDS} } }`;
const RESOLVE_CASE = `mutation($n: ID!, $r: String!) { resolveCase(caseNumber: $n, resolution: $r) { ${CASE_FIELDS} } }`;
const ADD_ENTRY = `mutation($input: AddTimelineEntryInput!) { addTimelineEntry(input: $input) { kind summary occurredAt order { orderNumber } } }`;

interface CaseResult {
  caseNumber: string;
  subject: string;
  description: string | null;
  status: string;
  priority: string;
  openedAt: string;
  resolvedAt: string | null;
  resolution: string | null;
  order: { orderNumber: string } | null;
  customer: { customerNumber: string };
}

async function orderTimeline(orderNumber: string): Promise<{ kind: string; summary: string; occurredAt: string }[]> {
  const result = await data<{ _entities: { timeline: { kind: string; summary: string; occurredAt: string }[] }[] }>(
    url,
    `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { timeline { kind summary occurredAt } } } }`,
    { r: [{ __typename: "Order", orderNumber }] },
  );
  return result._entities[0]!.timeline;
}

async function caseCount(): Promise<number> {
  const result = await data<{ cases: { edges: unknown[] } }>(url, `{ cases(first: 500) { edges { cursor } } }`);
  return result.cases.edges.length;
}

/** What a write leaves behind, read from the CRM's own database, and the statements sent so far. */
interface Written {
  audits: number;
  cases: number;
  timeline: number;
  statements: StatementCounts;
}

async function written(): Promise<Written> {
  const [rows] = await database.query<{ audits: number; cases: number; timeline: number }>(
    `SELECT (SELECT count(*) FROM "AuditEntry")::int AS audits, (SELECT count(*) FROM "Case")::int AS cases, (SELECT count(*) FROM "TimelineEntry")::int AS timeline`,
  );
  return { ...rows!, statements: await sqlStatements(url) };
}

const audits = (before: Written, after: Written) => after.audits - before.audits;

describe("openCase", () => {
  it("opens a case with the next case number, a CASE_OPENED timeline entry and one audit entry", async () => {
    const before = await written();
    const { openCase } = await data<{ openCase: CaseResult }>(url, OPEN_CASE, {
      input: {
        customerNumber: order.customerNumber,
        orderNumber: order.orderNumber,
        subject: "  Pallet arrived damaged ",
        priority: "HIGH",
        description: "Two cartons crushed",
      },
    });
    expect(openCase).toMatchObject({
      caseNumber: caseNumber(lastSeededCase + 1),
      subject: "Pallet arrived damaged",
      description: "Two cartons crushed",
      status: "OPEN",
      priority: "HIGH",
      resolvedAt: null,
      resolution: null,
      order: { orderNumber: order.orderNumber },
      customer: { customerNumber: order.customerNumber },
    });
    expect(Math.abs(Date.parse(openCase.openedAt) - Date.now())).toBeLessThan(60_000);
    const [newest] = await orderTimeline(order.orderNumber);
    expect(newest).toMatchObject({ kind: "CASE_OPENED", occurredAt: openCase.openedAt });
    expect(newest!.summary).toContain(openCase.caseNumber);
    expect(audits(before, await written())).toBe(1);

    // The customer now shows it among its open cases.
    const customer = await data<{ _entities: { openCases: { caseNumber: string }[] }[] }>(
      url,
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { openCases { caseNumber } } } }`,
      { r: [{ __typename: "Customer", customerNumber: order.customerNumber }] },
    );
    expect(customer._entities[0]!.openCases.map((c) => c.caseNumber)).toContain(openCase.caseNumber);
  });

  it("stores an order number it cannot verify as given, and accepts a case without an order", async () => {
    const { openCase } = await data<{ openCase: CaseResult }>(url, OPEN_CASE, {
      input: { customerNumber: order.customerNumber, orderNumber: "SO-EXTERNAL-1", subject: "Order from the old portal", priority: "LOW" },
    });
    expect(openCase.order).toEqual({ orderNumber: "SO-EXTERNAL-1" });
    const noOrder = await data<{ openCase: CaseResult }>(url, OPEN_CASE, {
      input: { customerNumber: order.customerNumber, subject: "General question", priority: "MEDIUM" },
    });
    expect(noOrder.openCase.order).toBeNull();
    expect(noOrder.openCase.description).toBeNull();
  });

  it("rejects bad input with typed codes and writes nothing", async () => {
    const casesBefore = await caseCount();
    const timelineBefore = await orderTimeline(order.orderNumber);
    const before = await written();
    const base = { customerNumber: order.customerNumber, orderNumber: order.orderNumber, priority: "URGENT" };
    const empty = await graphql(url, OPEN_CASE, { input: { ...base, subject: "   " } });
    expect(empty.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "subject" });
    expect(await errorCodes(url, OPEN_CASE, { input: { ...base, subject: "x".repeat(201) } })).toEqual(["BAD_USER_INPUT"]);
    expect(await errorCodes(url, OPEN_CASE, { input: { ...base, orderNumber: "", subject: "Empty order number" } })).toEqual(["BAD_USER_INPUT"]);
    expect(await errorCodes(url, OPEN_CASE, { input: { ...base, customerNumber: "C-99999", subject: "Who?" } })).toEqual(["UNKNOWN_CUSTOMER"]);
    expect(await errorCodes(url, OPEN_CASE, { input: { ...base, subject: "Bad priority", priority: "SOMEDAY" } })).toEqual(["BAD_USER_INPUT"]);
    const after = await written();
    expect(audits(before, after)).toBe(0);
    expect(after.cases - before.cases).toBe(0);
    expect(after.timeline - before.timeline).toBe(0);
    expect(await caseCount()).toBe(casesBefore);
    expect(await orderTimeline(order.orderNumber)).toEqual(timelineBefore);

    // No case number was consumed by the failures: the next case continues the sequence.
    const next = await data<{ openCase: CaseResult }>(url, OPEN_CASE, { input: { ...base, subject: "After the failures" } });
    expect(next.openCase.caseNumber).toBe(caseNumber(lastSeededCase + 4));
  });

  it("is idempotent with an idempotencyKey: same key, same case, one write; different input is IDEMPOTENCY_KEY_REUSED", async () => {
    const input = {
      customerNumber: order.customerNumber,
      orderNumber: order.orderNumber,
      subject: "Missing carton",
      priority: "MEDIUM",
      idempotencyKey: "portal-req-42",
    };
    const casesBefore = await caseCount();
    const before = await written();
    const first = await data<{ openCase: CaseResult }>(url, OPEN_CASE, { input });
    const again = await data<{ openCase: CaseResult }>(url, OPEN_CASE, { input: { ...input, subject: " Missing carton " } });
    expect(again.openCase).toEqual(first.openCase);
    const after = await written();
    expect(await caseCount()).toBe(casesBefore + 1);
    expect(after.cases - before.cases).toBe(1);
    expect(audits(before, after)).toBe(1);
    expect((await orderTimeline(order.orderNumber)).filter((t) => t.summary.includes(first.openCase.caseNumber))).toHaveLength(1);

    const reused = await graphql(url, OPEN_CASE, { input: { ...input, subject: "Something else" } });
    expect(reused.errors?.[0]?.extensions).toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED", field: "idempotencyKey" });
    expect(await caseCount()).toBe(casesBefore + 1);
    expect(await errorCodes(url, OPEN_CASE, { input: { ...input, idempotencyKey: "" } })).toEqual(["BAD_USER_INPUT"]);
  });
});

describe("resolveCase", () => {
  it("resolves a case once: RESOLVED, resolvedAt, resolution, one CASE_RESOLVED entry; again returns it unchanged", async () => {
    const { openCase } = await data<{ openCase: CaseResult }>(url, OPEN_CASE, {
      input: { customerNumber: order.customerNumber, orderNumber: order.orderNumber, subject: "Wrong item received", priority: "HIGH" },
    });
    const before = await written();
    const { resolveCase } = await data<{ resolveCase: CaseResult }>(url, RESOLVE_CASE, { n: openCase.caseNumber, r: "Replacement shipped" });
    expect(resolveCase).toMatchObject({ caseNumber: openCase.caseNumber, status: "RESOLVED", resolution: "Replacement shipped", openedAt: openCase.openedAt });
    expect(resolveCase.resolvedAt).not.toBeNull();
    const [newest] = await orderTimeline(order.orderNumber);
    expect(newest).toMatchObject({ kind: "CASE_RESOLVED", occurredAt: resolveCase.resolvedAt });

    const again = await data<{ resolveCase: CaseResult }>(url, RESOLVE_CASE, { n: openCase.caseNumber, r: "A different story" });
    expect(again.resolveCase).toEqual(resolveCase);
    const after = await written();
    expect(audits(before, after)).toBe(1);
    const resolvedEntries = (await orderTimeline(order.orderNumber)).filter((t) => t.kind === "CASE_RESOLVED" && t.summary.includes(openCase.caseNumber));
    expect(resolvedEntries).toHaveLength(1);

    const customer = await data<{ _entities: { openCases: { caseNumber: string }[] }[] }>(
      url,
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { openCases { caseNumber } } } }`,
      { r: [{ __typename: "Customer", customerNumber: order.customerNumber }] },
    );
    expect(customer._entities[0]!.openCases.map((c) => c.caseNumber)).not.toContain(openCase.caseNumber);
  });

  it("rejects an unknown case and an empty resolution, writing nothing", async () => {
    const open = world.cases.find((c) => c.status === "OPEN")!;
    const before = await written();
    expect(await errorCodes(url, RESOLVE_CASE, { n: "CS-999999", r: "Done" })).toEqual(["UNKNOWN_CASE"]);
    const empty = await graphql(url, RESOLVE_CASE, { n: open.caseNumber, r: " " });
    expect(empty.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "resolution" });
    const after = await written();
    expect(audits(before, after)).toBe(0);
    expect(statementDelta(before.statements, after.statements, "Case UPDATE")).toBe(0);
    const still = await data<{ case: { status: string; resolvedAt: string | null } }>(url, `query($n: ID!) { case(caseNumber: $n) { status resolvedAt } }`, {
      n: open.caseNumber,
    });
    expect(still.case).toEqual({ status: "OPEN", resolvedAt: null });
  });
});

describe("addTimelineEntry", () => {
  const input = {
    customerNumber: order.customerNumber,
    orderNumber: order.orderNumber,
    kind: "SHIPMENT_DELAYED",
    summary: "Carrier reports a one-day delay",
    occurredAt: "2026-11-02T08:30:00.000Z",
    externalKey: "flow:shipment-delay:SO-1:1",
  };

  it("adds an entry once per externalKey; a retry returns the first entry and adds nothing", async () => {
    const before = await written();
    const first = await data<{ addTimelineEntry: Record<string, unknown> }>(url, ADD_ENTRY, { input });
    expect(first.addTimelineEntry).toEqual({
      kind: input.kind,
      summary: input.summary,
      occurredAt: input.occurredAt,
      order: { orderNumber: order.orderNumber },
    });
    const retry = await data<{ addTimelineEntry: Record<string, unknown> }>(url, ADD_ENTRY, {
      input: { ...input, summary: "Reworded on retry", occurredAt: undefined },
    });
    expect(retry.addTimelineEntry).toEqual(first.addTimelineEntry);
    const after = await written();
    expect(audits(before, after)).toBe(1);
    expect((await orderTimeline(order.orderNumber)).filter((t) => t.kind === input.kind)).toHaveLength(1);
  });

  it("defaults occurredAt to now and accepts an entry without an order", async () => {
    const { addTimelineEntry } = await data<{ addTimelineEntry: { occurredAt: string; order: null } }>(url, ADD_ENTRY, {
      input: { customerNumber: order.customerNumber, kind: "ACCOUNT_REVIEW", summary: "Quarterly review held", externalKey: "crm:review:q4" },
    });
    expect(addTimelineEntry.order).toBeNull();
    expect(Math.abs(Date.parse(addTimelineEntry.occurredAt) - Date.now())).toBeLessThan(60_000);
  });

  it("rejects a reused key for a different event, unknown customers and empty fields, writing nothing", async () => {
    const before = await written();
    const reused = await graphql(url, ADD_ENTRY, { input: { ...input, kind: "SHIPMENT_LOST" } });
    expect(reused.errors?.[0]?.extensions).toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED", field: "externalKey" });
    expect(await errorCodes(url, ADD_ENTRY, { input: { ...input, orderNumber: "SO-OTHER" } })).toEqual(["IDEMPOTENCY_KEY_REUSED"]);
    expect(await errorCodes(url, ADD_ENTRY, { input: { ...input, customerNumber: "C-99999", externalKey: "k-unknown" } })).toEqual(["UNKNOWN_CUSTOMER"]);
    expect(await errorCodes(url, ADD_ENTRY, { input: { ...input, externalKey: " " } })).toEqual(["BAD_USER_INPUT"]);
    expect(await errorCodes(url, ADD_ENTRY, { input: { ...input, summary: "", externalKey: "k-empty" } })).toEqual(["BAD_USER_INPUT"]);
    // A bad DateTime fails variable coercion with the scalar's own code.
    expect(await errorCodes(url, ADD_ENTRY, { input: { ...input, occurredAt: "yesterday", externalKey: "k-date" } })).toEqual(["INVALID_DATETIME"]);
    const after = await written();
    expect(audits(before, after)).toBe(0);
    expect(after.timeline - before.timeline).toBe(0);
  });
});
