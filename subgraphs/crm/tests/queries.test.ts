// Read side of the CRM subgraph over real HTTP against a seeded in-memory PGlite: the CRM's own
// queries, entity resolution for Customer/Order/Account/Case, cursors, and that an _entities
// call with 100 representations costs one SQL statement per entity type.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDemoWorld } from "@crossdock/schema";
import { start } from "../src/server.js";
import { data, errorCodes, sqlStatements, statementDelta } from "./graphqlClient.js";

const SCALE = 0.05;
const world = generateDemoWorld({ scale: SCALE });
let url = "";
let stop: () => Promise<void> = async () => undefined;

beforeAll(async () => {
  const running = await start({ port: 0, host: "127.0.0.1", databaseUrl: "pglite:memory", seed: { enabled: true, scale: SCALE }, logLevel: "silent" });
  url = running.url;
  stop = running.stop;
});
afterAll(async () => stop());

const ENTITIES = /* GraphQL */ `
  query Entities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Customer {
        customerNumber
        account {
          accountId
          name
          owner
          ownerEmail
          segment
          contacts {
            contactId
            name
            email
            phone
            role
          }
          customer {
            customerNumber
          }
        }
        openCases {
          caseNumber
          status
        }
      }
      ... on Order {
        orderNumber
        cases {
          caseNumber
          status
          order {
            orderNumber
          }
        }
        timeline {
          kind
          summary
          occurredAt
          order {
            orderNumber
          }
        }
      }
      ... on Account {
        accountId
        name
        owner
      }
      ... on Case {
        caseNumber
        subject
        status
        priority
        openedAt
        resolvedAt
        resolution
        customer {
          customerNumber
        }
      }
    }
  }
`;

type Entity = Record<string, unknown> | null;
const entities = async (representations: Record<string, unknown>[]) => (await data<{ _entities: Entity[] }>(url, ENTITIES, { representations }))._entities;

describe("CRM queries", () => {
  it("serves health and readiness", async () => {
    const base = url.replace(/\/graphql$/, "");
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it("returns an account with its owner, segment and contacts as seeded", async () => {
    const customer = world.customers[0]!;
    const result = await data<{ account: Record<string, unknown> }>(
      url,
      `query($id: ID!) { account(accountId: $id) { accountId name owner ownerEmail segment contacts { contactId name email phone role } customer { customerNumber } } }`,
      { id: customer.accountId },
    );
    expect(result.account).toEqual({
      accountId: customer.accountId,
      name: customer.name,
      owner: customer.owner,
      ownerEmail: expect.stringMatching(/@crossdock-distribution\.example$/),
      segment: customer.segment,
      contacts: customer.contacts,
      customer: { customerNumber: customer.customerNumber },
    });
    expect((await data<{ account: null }>(url, `{ account(accountId: "ACC-NOPE") { accountId } }`)).account).toBeNull();
  });

  it("returns a seeded case with its order and customer references", async () => {
    const seeded = world.cases.find((c) => c.orderNumber !== null)!;
    const result = await data<{ case: Record<string, unknown> }>(
      url,
      `query($n: ID!) { case(caseNumber: $n) { caseNumber subject status priority openedAt order { orderNumber } customer { customerNumber } } }`,
      { n: seeded.caseNumber },
    );
    expect(result.case).toEqual({
      caseNumber: seeded.caseNumber,
      subject: seeded.subject,
      status: seeded.status,
      priority: seeded.priority,
      openedAt: seeded.openedAt,
      order: { orderNumber: seeded.orderNumber },
      customer: { customerNumber: seeded.customerNumber },
    });
  });

  it("pages through every case newest first with opaque cursors, and filters", async () => {
    const seen: { caseNumber: string; openedAt: string }[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const result: {
        cases: { edges: { cursor: string; node: { caseNumber: string; openedAt: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
      } = await data(
        url,
        `query($after: String) { cases(first: 1, after: $after) { edges { cursor node { caseNumber openedAt } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      seen.push(...result.cases.edges.map((e) => e.node));
      if (!result.cases.pageInfo.hasNextPage) break;
      after = result.cases.pageInfo.endCursor;
    }
    expect(seen.map((c) => c.caseNumber).sort()).toEqual(world.cases.map((c) => c.caseNumber).sort());
    const times = seen.map((c) => Date.parse(c.openedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const resolved = await data<{ cases: { edges: { node: { caseNumber: string } }[] } }>(url, `{ cases(status: RESOLVED) { edges { node { caseNumber } } } }`);
    expect(resolved.cases.edges.map((e) => e.node.caseNumber).sort()).toEqual(
      world.cases
        .filter((c) => c.status === "RESOLVED")
        .map((c) => c.caseNumber)
        .sort(),
    );

    const customerNumber = world.cases[0]!.customerNumber;
    const theirs = await data<{ cases: { edges: { node: { customer: { customerNumber: string } } }[] } }>(
      url,
      `query($c: ID) { cases(customerNumber: $c) { edges { node { customer { customerNumber } } } } }`,
      { c: customerNumber },
    );
    expect(theirs.cases.edges.length).toBe(world.cases.filter((c) => c.customerNumber === customerNumber).length);
    expect(theirs.cases.edges.every((e) => e.node.customer.customerNumber === customerNumber)).toBe(true);
  });

  it("rejects a damaged cursor and an out-of-range page size with typed errors", async () => {
    expect(await errorCodes(url, `{ cases(after: "not-a-cursor") { edges { cursor } } }`)).toEqual(["INVALID_CURSOR"]);
    expect(await errorCodes(url, `{ cases(first: 100000) { edges { cursor } } }`)).toEqual(["BAD_USER_INPUT"]);
  });

  it("resolves Customer references: account and open cases, or null and [] without a CRM account", async () => {
    const withCase = world.cases.find((c) => c.status !== "RESOLVED")!;
    const customer = world.customers.find((c) => c.customerNumber === withCase.customerNumber)!;
    const [known, unknown] = await entities([
      { __typename: "Customer", customerNumber: customer.customerNumber },
      { __typename: "Customer", customerNumber: "C-99999" },
    ]);
    expect(known).toMatchObject({
      customerNumber: customer.customerNumber,
      account: { accountId: customer.accountId, owner: customer.owner, contacts: customer.contacts },
    });
    const open = world.cases.filter((c) => c.customerNumber === customer.customerNumber && c.status !== "RESOLVED");
    expect((known!.openCases as { caseNumber: string }[]).map((c) => c.caseNumber).sort()).toEqual(open.map((c) => c.caseNumber).sort());
    expect(unknown).toEqual({ customerNumber: "C-99999", account: null, openCases: [] });
  });

  it("resolves Order references: cases and the timeline newest first", async () => {
    const withCase = world.cases.find((c) => c.orderNumber !== null)!;
    const [order] = await entities([{ __typename: "Order", orderNumber: withCase.orderNumber }]);
    const timeline = order!.timeline as { kind: string; occurredAt: string; order: { orderNumber: string } }[];
    const expectedKinds = world.timeline.filter((t) => t.orderNumber === withCase.orderNumber).map((t) => t.kind);
    expect(
      timeline
        .map((t) => t.kind)
        .filter((k) => !k.startsWith("CASE_"))
        .sort(),
    ).toEqual(expectedKinds.sort());
    expect(timeline.map((t) => t.kind)).toContain("CASE_OPENED");
    const times = timeline.map((t) => Date.parse(t.occurredAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(timeline.every((t) => t.order.orderNumber === withCase.orderNumber)).toBe(true);
    expect(order!.cases).toEqual([{ caseNumber: withCase.caseNumber, status: withCase.status, order: { orderNumber: withCase.orderNumber } }]);

    const [unknown] = await entities([{ __typename: "Order", orderNumber: "SO-NOPE" }]);
    expect(unknown).toEqual({ orderNumber: "SO-NOPE", cases: [], timeline: [] });
  });

  it("resolves Account and Case references, null for unknown keys", async () => {
    const seeded = world.cases.find((c) => c.status === "RESOLVED")!;
    const [account, missingAccount, resolvedCase, missingCase] = await entities([
      { __typename: "Account", accountId: world.customers[1]!.accountId },
      { __typename: "Account", accountId: "ACC-NOPE" },
      { __typename: "Case", caseNumber: seeded.caseNumber },
      { __typename: "Case", caseNumber: "CS-999999" },
    ]);
    expect(account).toEqual({ accountId: world.customers[1]!.accountId, name: world.customers[1]!.name, owner: world.customers[1]!.owner });
    expect(missingAccount).toBeNull();
    expect(resolvedCase).toMatchObject({ caseNumber: seeded.caseNumber, status: "RESOLVED", customer: { customerNumber: seeded.customerNumber } });
    expect(resolvedCase!.resolvedAt).toEqual(expect.any(String));
    expect(resolvedCase!.resolution).toEqual(expect.any(String));
    expect(missingCase).toBeNull();
  });

  describe("batching: 100 representations cost one SQL statement per entity type", () => {
    const hundred = <T>(make: (i: number) => T): T[] => Array.from({ length: 100 }, (_, i) => make(i));

    it("Customer: one statement each for Account (with its owner) and Case", async () => {
      // The seeded customers plus customers the CRM has no account for.
      const representations = hundred((i) => ({ __typename: "Customer", customerNumber: world.customers[i]?.customerNumber ?? `C-${20000 + i}` }));
      const before = await sqlStatements(url);
      const result = await entities(representations);
      const after = await sqlStatements(url);
      expect(result).toHaveLength(100);
      expect(result.filter((c) => c!.account !== null).length).toBe(world.customers.length);
      expect(statementDelta(before, after, "Account *")).toBe(1);
      expect(statementDelta(before, after, "Case *")).toBe(1);
      expect(statementDelta(before, after, "Contact *")).toBe(1);
      // The owner comes joined with the account.
      expect(statementDelta(before, after, "Owner *")).toBe(0);
    });

    it("Order: one statement each for Case and TimelineEntry", async () => {
      const representations = hundred((i) => ({ __typename: "Order", orderNumber: world.orders[i % world.orders.length]!.orderNumber }));
      const before = await sqlStatements(url);
      const result = await entities(representations);
      const after = await sqlStatements(url);
      expect(result.every((o) => (o!.timeline as unknown[]).length > 0)).toBe(true);
      expect(statementDelta(before, after, "Case *")).toBe(1);
      expect(statementDelta(before, after, "TimelineEntry *")).toBe(1);
    });

    it("Case and Account (with its owner): one statement each", async () => {
      const representations = [
        ...hundred((i) => ({ __typename: "Case", caseNumber: `CS-${String(i + 1).padStart(6, "0")}` })),
        ...hundred((i) => ({ __typename: "Account", accountId: `ACC-${10001 + i}` })),
      ];
      const before = await sqlStatements(url);
      const result = await entities(representations);
      const after = await sqlStatements(url);
      expect(result.filter((e) => e !== null).length).toBe(world.cases.length + world.customers.length);
      expect(statementDelta(before, after, "Case *")).toBe(1);
      expect(statementDelta(before, after, "Account *")).toBe(1);
      expect(statementDelta(before, after, "Owner *")).toBe(0);
    });
  });
});
