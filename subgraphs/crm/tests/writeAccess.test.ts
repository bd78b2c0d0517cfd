// Who may write what in the CRM, called as the gateway would (signed principal header), over real
// HTTP on a seeded in-memory PGlite: a partner opens, resolves and adds history only for its own
// customer (another customer's is FORBIDDEN and writes nothing: no case, timeline entry, audit
// entry, key or case number), the audit entry names the verified caller, and keys are per caller.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDemoWorld } from "@crossdock/schema";
import { ALL_SCOPES, type Database, type Principal } from "@crossdock/platform";
import { principalHeaders } from "@crossdock/test";
import { start } from "../src/server.js";
import { graphql } from "./graphqlClient.js";

const SCALE = 0.05;
const world = generateDemoWorld({ scale: SCALE });
const openCase = world.cases.find((c) => c.status === "OPEN")!;
const other = openCase.customerNumber;
const own = world.customers.find((c) => c.customerNumber !== other)!.customerNumber;
const partner: Principal = { kind: "partner", subject: "acme-app", scopes: [...ALL_SCOPES], customerNumber: own };
const desk: Principal = { kind: "user", subject: "dana", scopes: [...ALL_SCOPES] };
let url = "";
let database: Database;
let stop: () => Promise<void> = async () => undefined;

beforeAll(async () => {
  const running = await start({ port: 0, host: "127.0.0.1", databaseUrl: "pglite:memory", seed: { enabled: true, scale: SCALE }, logLevel: "silent" });
  ({ url, database, stop } = running);
});
afterAll(async () => stop());

const as = (principal: Principal) => (query: string, variables: Record<string, unknown>) => graphql(url, query, variables, principalHeaders(principal));
const codes = (response: { errors?: { extensions?: { code?: string } }[] }) => (response.errors ?? []).map((e) => e.extensions?.code);
const OPEN = `mutation($input: OpenCaseInput!) { openCase(input: $input) { caseNumber } }`;
const openInput = (customerNumber: string, idempotencyKey: string, subject = "Damaged pallet") => ({
  customerNumber,
  subject,
  priority: "HIGH",
  idempotencyKey,
});

async function footprint() {
  const [row] = await database.query<Record<string, string>>(
    `SELECT (SELECT count(*) FROM "Case")::text AS cases, (SELECT count(*) FROM "TimelineEntry")::text AS timeline,
       (SELECT count(*) FROM "AuditEntry")::text AS audits, (SELECT count(*) FROM "IdempotencyKey")::text AS keys,
       (SELECT last_value::text FROM "CaseNumber_seq") AS "caseNumbers",
       (SELECT string_agg("caseNumber" || '=' || "status"::text, ',' ORDER BY "caseNumber") FROM "Case") AS states`,
  );
  return row!;
}

describe("CRM partner writes", () => {
  it("opens a case for its own customer, attributed to the partner", async () => {
    const response = await as(partner)(OPEN, { input: openInput(own, "p-open-1") });
    expect(response.errors).toBeUndefined();
    const caseNumber = (response.data as { openCase: { caseNumber: string } }).openCase.caseNumber;
    const [audit] = await database.query(`SELECT "subject", "subjectKind", "operation" FROM "AuditEntry" WHERE "entityKey" = $1`, [caseNumber]);
    expect(audit).toEqual({ subject: "acme-app", subjectKind: "partner", operation: "openCase" });
  });

  it("refuses to open, resolve or add history for another customer (FORBIDDEN, or unknown for its cases), and nothing is written", async () => {
    const before = await footprint();
    const attempts = await Promise.all([
      as(partner)(OPEN, { input: openInput(other, "p-open-other-1") }),
      as(partner)(`mutation($n: ID!) { resolveCase(caseNumber: $n, resolution: "closed by someone else") { status } }`, { n: openCase.caseNumber }),
      as(partner)(`mutation($input: AddTimelineEntryInput!) { addTimelineEntry(input: $input) { kind } }`, {
        input: { customerNumber: other, kind: "NOTE", summary: "not mine", externalKey: "p-note-other-1" },
      }),
    ]);
    // Another customer's case, addressed by its number, is answered as an unknown one.
    expect(attempts.map(codes)).toEqual([["FORBIDDEN"], ["UNKNOWN_CASE"], ["FORBIDDEN"]]);
    const missing = await as(partner)(`mutation($n: ID!) { resolveCase(caseNumber: $n, resolution: "closed by someone else") { status } }`, {
      n: "CS-NO-SUCH",
    });
    expect(attempts[1]!.errors![0]!.message.replace(openCase.caseNumber, "N")).toBe(missing.errors![0]!.message.replace("CS-NO-SUCH", "N"));
    expect(await footprint()).toEqual(before);
  });

  it("scopes idempotency keys to the caller: the same key from two callers opens two cases; one caller's reuse is refused", async () => {
    const first = await as(partner)(OPEN, { input: openInput(own, "shared-case-key") });
    const second = await as(desk)(OPEN, { input: openInput(other, "shared-case-key", "Late delivery") });
    const numberOf = (r: typeof first) => (r.data as { openCase: { caseNumber: string } }).openCase.caseNumber;
    expect(numberOf(first)).not.toBe(numberOf(second));
    expect(numberOf(await as(desk)(OPEN, { input: openInput(other, "shared-case-key", "Late delivery") }))).toBe(numberOf(second));
    const before = await footprint();
    expect(codes(await as(desk)(OPEN, { input: openInput(other, "shared-case-key", "Something else") }))).toEqual(["IDEMPOTENCY_KEY_REUSED"]);
    expect(await footprint()).toEqual(before);
  });
});
