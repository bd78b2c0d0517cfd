// Case work through the gateway with the flows running: assign, start and escalate with their
// timeline, the SLA watch escalating a case whose SLA runs out exactly once, and refusals (no
// cases:write, a partner on another customer's case) that change nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, graphql, graphqlData, roleToken } from "../src/index.js";
import { eventually, startTestHub, type TestHub } from "./hubHarness.js";

let t: TestHub;
let customers: string[] = [];

beforeAll(async () => {
  // LOW cases breach after 3 s; a breach raises them to MEDIUM, whose day-long clock the test never reaches.
  t = await startTestHub("pglite", 0.05, { FLOWS_ENABLED: "1", CRM_CASE_SLA_MINUTES: "LOW=0.05", CRM_ESCALATION_OWNER: "tier-2" });
  const data = await graphqlData<any>(t.url, `{ customers(status: ACTIVE, first: 50) { edges { node { customerNumber account { accountId } } } } }`);
  customers = data.customers.edges
    .map((e: any) => e.node)
    .filter((c: any) => c.account)
    .map((c: any) => c.customerNumber);
}, 240_000);
afterAll(async () => t?.stop());

const CASE = `caseNumber status priority owner escalationLevel slaDueAt timeline { kind summary }`;
const OPEN = `mutation($input: OpenCaseInput!) { openCase(input: $input) { ${CASE} } }`;
const READ = `query($n: ID!) { case(caseNumber: $n) { ${CASE} } }`;
const ASSIGN = `mutation($n: ID!, $o: String!) { assignCase(caseNumber: $n, owner: $o) { ${CASE} } }`;
const START = `mutation($n: ID!) { startCase(caseNumber: $n) { ${CASE} } }`;
const ESCALATE = `mutation($n: ID!, $r: String!) { escalateCase(caseNumber: $n, reason: $r) { ${CASE} } }`;

async function openCase(priority: string, customerNumber = customers[0]!): Promise<any> {
  return (await graphqlData<any>(t.url, OPEN, { input: { customerNumber, subject: "Missing cartons", priority } })).openCase;
}
const readCase = async (caseNumber: string) => (await graphqlData<any>(t.url, READ, { n: caseNumber })).case;

describe("case work through the gateway", () => {
  it("assign, start and escalate, each a step on the case's timeline", async () => {
    const opened = await openCase("HIGH");
    await graphqlData(t.url, ASSIGN, { n: opened.caseNumber, o: "Dana" });
    const started = (await graphqlData<any>(t.url, START, { n: opened.caseNumber })).startCase;
    expect(started).toMatchObject({ status: "IN_PROGRESS", owner: "Dana" });
    const escalated = (await graphqlData<any>(t.url, ESCALATE, { n: opened.caseNumber, r: "Key account" })).escalateCase;
    expect(escalated).toMatchObject({ status: "IN_PROGRESS", priority: "URGENT", owner: "tier-2", escalationLevel: 1 });
    expect(escalated.timeline.map((e: any) => e.kind)).toEqual(["CASE_OPENED", "CASE_ASSIGNED", "CASE_STARTED", "CASE_ESCALATED"]);
  });

  it("a case past its SLA is escalated by the flows exactly once, with a timeline entry", async () => {
    const opened = await openCase("LOW");
    await graphqlData(t.url, START, { n: opened.caseNumber });
    const escalated = await eventually(
      () => readCase(opened.caseNumber),
      (c) => c.escalationLevel >= 1,
      45_000,
    );
    expect(escalated).toMatchObject({ status: "IN_PROGRESS", priority: "MEDIUM", owner: "tier-2", escalationLevel: 1 });
    const entries = escalated.timeline.filter((e: any) => e.kind === "CASE_ESCALATED");
    expect(entries).toHaveLength(1);
    expect(entries[0].summary).toContain(`SLA breached: due ${opened.slaDueAt}`);
    // The run shows the one breach handled and the next clock (a day away) waiting: nothing else will fire.
    const run = await eventually(
      async () =>
        (
          await graphqlData<any>(t.url, `query($id: ID!) { flowRun(runId: $id) { status steps { name status output } } }`, {
            id: `caseSla:${opened.caseNumber}`,
          })
        ).flowRun,
      (r) => r?.steps.length === 2,
      30_000,
    );
    expect(run.steps.map((s: any) => s.status)).toEqual(["SUCCEEDED", "PENDING"]);
    expect(JSON.parse(run.steps[0].output)).toMatchObject({ escalated: true, escalationLevel: 1 });
    expect(run.steps[1].name).toBe(`escalateOnBreach@${escalated.slaDueAt}`);
    // Resolving ends the watch: the pending timer is skipped.
    await graphqlData(t.url, `mutation($n: ID!) { resolveCase(caseNumber: $n, resolution: "Sent") { status } }`, { n: opened.caseNumber });
    const ended = await eventually(
      async () =>
        (await graphqlData<any>(t.url, `query($id: ID!) { flowRun(runId: $id) { status steps { status } } }`, { id: `caseSla:${opened.caseNumber}` })).flowRun,
      (r) => r.status === "COMPLETED",
      30_000,
    );
    expect(ended.steps.map((s: any) => s.status)).toEqual(["SUCCEEDED", "SKIPPED"]);
  });

  it("refuses callers without cases:write and partners on another customer's case, changing nothing", async () => {
    const theirs = await openCase("HIGH", customers[1]!);
    const before = await readCase(theirs.caseNumber);
    const warehouse = bearer(await roleToken(t.hub, "warehouse"));
    const partner = bearer(await roleToken(t.hub, "partner", customers[0]!));
    // No scope: FORBIDDEN. Another customer's case: answered as unknown, like a case that does not exist.
    for (const [headers, expected] of [
      [warehouse, "FORBIDDEN"],
      [partner, "UNKNOWN_CASE"],
    ] as const) {
      for (const [query, variables] of [
        [ASSIGN, { n: theirs.caseNumber, o: "Mallory" }],
        [START, { n: theirs.caseNumber }],
        [ESCALATE, { n: theirs.caseNumber, r: "Mine" }],
      ] as const) {
        const response = await graphql<any>(t.url, query, variables, headers);
        expect(response.errors?.[0]?.extensions?.code).toBe(expected);
      }
    }
    expect(await readCase(theirs.caseNumber)).toEqual(before);
    // The partner cannot even see the other customer's case.
    const peek = await graphql<any>(t.url, READ, { n: theirs.caseNumber }, partner);
    expect(peek.data?.case ?? null).toBeNull();
  });
});
