// Case work on the CRM subgraph over real HTTP against a seeded in-memory PGlite: assignCase,
// startCase and escalateCase — the state they leave, the SLA clock per priority, the timeline
// that shows every step, idempotent retries, and refusals that write nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDemoWorld } from "@crossdock/schema";
import { ALL_SCOPES, type Database, type Principal } from "@crossdock/platform";
import { principalHeaders } from "@crossdock/test";
import { start } from "../src/server.js";
import { data, graphql } from "./graphqlClient.js";

const SCALE = 0.05;
const world = generateDemoWorld({ scale: SCALE });
const order = world.orders[0]!;
const otherCustomer = world.customers.find((c) => c.customerNumber !== order.customerNumber && world.cases.some((k) => k.customerNumber === c.customerNumber))!;
const SLA = { LOW: 600, MEDIUM: 120, HIGH: 30, URGENT: 10 };
let url = "";
let database: Database;
let stop: () => Promise<void> = async () => undefined;

beforeAll(async () => {
  const running = await start({
    port: 0,
    host: "127.0.0.1",
    databaseUrl: "pglite:memory",
    seed: { enabled: true, scale: SCALE },
    caseWork: { slaMinutes: SLA, escalationOwner: "tier-2" },
    logLevel: "silent",
  });
  ({ url, database } = running);
  stop = running.stop;
});
afterAll(async () => stop());

const CASE = `caseNumber status priority owner startedAt escalationLevel escalatedAt slaDueAt openedAt timeline { kind summary occurredAt }`;
const OPEN = `mutation($input: OpenCaseInput!) { openCase(input: $input) { ${CASE} } }`;
const ASSIGN = `mutation($n: ID!, $o: String!) { assignCase(caseNumber: $n, owner: $o) { ${CASE} } }`;
const START = `mutation($n: ID!) { startCase(caseNumber: $n) { ${CASE} } }`;
const ESCALATE = `mutation($n: ID!, $r: String!, $k: String) { escalateCase(caseNumber: $n, reason: $r, idempotencyKey: $k) { ${CASE} } }`;
const RESOLVE = `mutation($n: ID!) { resolveCase(caseNumber: $n, resolution: "Done") { ${CASE} } }`;

interface CaseView {
  caseNumber: string;
  status: string;
  priority: string;
  owner: string | null;
  startedAt: string | null;
  escalationLevel: number;
  escalatedAt: string | null;
  slaDueAt: string | null;
  openedAt: string;
  timeline: { kind: string; summary: string; occurredAt: string }[];
}

async function openCase(priority: string, customerNumber = order.customerNumber): Promise<CaseView> {
  const { openCase } = await data<{ openCase: CaseView }>(url, OPEN, { input: { customerNumber, subject: "Short delivery", priority } });
  return openCase;
}

async function counts(caseNumber: string): Promise<{ audits: number; timeline: number; row: string }> {
  const [row] = await database.query<{ audits: number; timeline: number; row: string }>(
    `SELECT (SELECT count(*) FROM "AuditEntry")::int AS audits, (SELECT count(*) FROM "TimelineEntry")::int AS timeline,
            (SELECT row_to_json(c)::text FROM "Case" c WHERE "caseNumber" = $1) AS row`,
    [caseNumber],
  );
  return row!;
}

const minutes = (from: string, to: string | null) => (Date.parse(to ?? "") - Date.parse(from)) / 60_000;

describe("case work", () => {
  it("opens with the SLA clock of its priority, then assign, start and escalate, each on the timeline", async () => {
    const opened = await openCase("HIGH");
    expect(opened).toMatchObject({ status: "OPEN", owner: null, escalationLevel: 0, startedAt: null });
    expect(minutes(opened.openedAt, opened.slaDueAt)).toBeCloseTo(SLA.HIGH, 3);

    const { assignCase } = await data<{ assignCase: CaseView }>(url, ASSIGN, { n: opened.caseNumber, o: "  Dana Reyes " });
    expect(assignCase).toMatchObject({ status: "OPEN", owner: "Dana Reyes" });

    const { startCase } = await data<{ startCase: CaseView }>(url, START, { n: opened.caseNumber });
    expect(startCase).toMatchObject({ status: "IN_PROGRESS", owner: "Dana Reyes" });
    expect(startCase.startedAt).not.toBeNull();

    const { escalateCase } = await data<{ escalateCase: CaseView }>(url, ESCALATE, { n: opened.caseNumber, r: "Customer threatens to cancel" });
    expect(escalateCase).toMatchObject({ status: "IN_PROGRESS", priority: "URGENT", owner: "tier-2", escalationLevel: 1 });
    expect(minutes(escalateCase.escalatedAt!, escalateCase.slaDueAt)).toBeCloseTo(SLA.URGENT, 3);

    // URGENT stays URGENT: a second escalation changes owner level and clock only.
    const again = await data<{ escalateCase: CaseView }>(url, ESCALATE, { n: opened.caseNumber, r: "Still waiting" });
    expect(again.escalateCase).toMatchObject({ priority: "URGENT", escalationLevel: 2 });

    expect(again.escalateCase.timeline.map((e) => e.kind)).toEqual(["CASE_OPENED", "CASE_ASSIGNED", "CASE_STARTED", "CASE_ESCALATED", "CASE_ESCALATED"]);
    expect(again.escalateCase.timeline[3]!.summary).toContain("HIGH -> URGENT, to tier-2): Customer threatens to cancel");

    const { resolveCase } = await data<{ resolveCase: CaseView }>(url, RESOLVE, { n: opened.caseNumber });
    expect(resolveCase).toMatchObject({ status: "RESOLVED", slaDueAt: null });
    expect(resolveCase.timeline.at(-1)!.kind).toBe("CASE_RESOLVED");
  });

  it("starting an unowned case makes it the caller's; repeating assign or start writes nothing", async () => {
    const opened = await openCase("LOW");
    const { startCase } = await data<{ startCase: CaseView }>(url, START, { n: opened.caseNumber });
    expect(startCase.owner).toBe("test-all-access");
    await data(url, ASSIGN, { n: opened.caseNumber, o: "Sam" });
    const before = await counts(opened.caseNumber);
    await data(url, START, { n: opened.caseNumber });
    await data(url, ASSIGN, { n: opened.caseNumber, o: "Sam" });
    expect(await counts(opened.caseNumber)).toEqual(before);
  });

  it("an escalation retried with its idempotency key escalates once", async () => {
    const opened = await openCase("MEDIUM");
    const first = await data<{ escalateCase: CaseView }>(url, ESCALATE, { n: opened.caseNumber, r: "SLA breached", k: "sla-1" });
    const before = await counts(opened.caseNumber);
    const retry = await data<{ escalateCase: CaseView }>(url, ESCALATE, { n: opened.caseNumber, r: "SLA breached", k: "sla-1" });
    expect(retry.escalateCase).toMatchObject({ priority: "HIGH", escalationLevel: 1, slaDueAt: first.escalateCase.slaDueAt });
    expect(await counts(opened.caseNumber)).toEqual(before);
    const reused = await graphql(url, ESCALATE, { n: opened.caseNumber, r: "Something else", k: "sla-1" });
    expect(reused.errors?.[0]?.extensions?.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(await counts(opened.caseNumber)).toEqual(before);
  });

  it("refuses bad input, unknown and resolved cases, and writes nothing", async () => {
    const opened = await openCase("LOW");
    await data(url, RESOLVE, { n: opened.caseNumber });
    const before = await counts(opened.caseNumber);
    const code = async (query: string, variables: Record<string, unknown>) => (await graphql(url, query, variables)).errors?.[0]?.extensions?.code;
    expect(await code(ASSIGN, { n: opened.caseNumber, o: "   " })).toBe("BAD_USER_INPUT");
    expect(await code(ESCALATE, { n: opened.caseNumber, r: "" })).toBe("BAD_USER_INPUT");
    expect(await code(ASSIGN, { n: "CS-999999", o: "Sam" })).toBe("UNKNOWN_CASE");
    expect(await code(START, { n: opened.caseNumber })).toBe("INVALID_STATE");
    expect(await code(ESCALATE, { n: opened.caseNumber, r: "Too late" })).toBe("INVALID_STATE");
    expect(await code(ASSIGN, { n: opened.caseNumber, o: "Sam" })).toBe("INVALID_STATE");
    expect(await counts(opened.caseNumber)).toEqual(before);
  });

  it("refuses a partner another customer's case and a caller without cases:write, writing nothing", async () => {
    const theirs = await openCase("HIGH", otherCustomer.customerNumber);
    const before = await counts(theirs.caseNumber);
    const partner: Principal = { kind: "partner", subject: "partner-app", scopes: [...ALL_SCOPES], customerNumber: order.customerNumber };
    const reader: Principal = { kind: "user", subject: "reader", scopes: ["cases:read"] };
    for (const [principal, expected] of [
      [partner, "UNKNOWN_CASE"],
      [reader, "FORBIDDEN"],
    ] as const) {
      for (const [query, variables] of [
        [ASSIGN, { n: theirs.caseNumber, o: "Mallory" }],
        [START, { n: theirs.caseNumber }],
        [ESCALATE, { n: theirs.caseNumber, r: "Mine now" }],
      ] as const) {
        const result = await graphql(url, query, variables, principalHeaders(principal));
        expect(result.errors?.[0]?.extensions?.code).toBe(expected);
      }
    }
    expect(await counts(theirs.caseNumber)).toEqual(before);
    // The partner's own case works, and another customer's case reads as not found.
    const mine = await openCase("LOW");
    const own = await graphql<{ startCase: CaseView }>(url, START, { n: mine.caseNumber }, principalHeaders(partner));
    expect(own.data?.startCase.status).toBe("IN_PROGRESS");
    const peek = await graphql<{ case: unknown }>(
      url,
      `
        query ($n: ID!) {
          case(caseNumber: $n) {
            caseNumber
          }
        }
      `,
      { n: theirs.caseNumber },
      principalHeaders(partner),
    );
    expect(peek.data?.case).toBeNull();
  });
});
