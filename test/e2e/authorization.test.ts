// Authorization by scope, as a caller sees it: per scope, the field it guards is null with a
// FORBIDDEN error at its path while the rest of the answer stays intact; anonymous callers get
// UNAUTHENTICATED; refused writes change nothing; a subgraph called directly without a signed
// principal answers nothing; a subscription the caller may not read does not open.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningGateway } from "@crossdock/gateway";
import { ANONYMOUS, DEV_PRINCIPAL_SECRET, PRINCIPAL_HEADER, ROLE_SCOPES, signPrincipal, Scope } from "@crossdock/platform";
import { graphql } from "../src/index.js";
import { allBut, callAs, errorSummary, EVERY_SCOPE, headersFor, startTestPrincipalGateway, user } from "./authorizationSupport.js";
import { startTestHub, type TestHub } from "./hubHarness.js";
import { collect, graphqlSseClient, subscribed } from "./subscriptionsClients.js";

let t: TestHub;
let gateway: RunningGateway;
let keys: { orderNumber: string; customerNumber: string; sku: string; caseNumber: string; warehouseCode: string; invoicedOrder: string };

beforeAll(async () => {
  t = await startTestHub("pglite");
  gateway = await startTestPrincipalGateway(t);
  const all = callAs(gateway.url, EVERY_SCOPE);
  const sample = await all(`{
    orders(first: 1) { edges { node { orderNumber customer { customerNumber } } } }
    invoiced: orders(status: INVOICED, first: 1) { edges { node { orderNumber } } }
    products(first: 1) { edges { node { sku } } }
    cases(first: 1) { edges { node { caseNumber } } }
    warehouses { code }
  }`);
  expect(sample.errors).toBeUndefined();
  const order = sample.data.orders.edges[0].node;
  keys = {
    orderNumber: order.orderNumber,
    customerNumber: order.customer.customerNumber,
    sku: sample.data.products.edges[0].node.sku,
    caseNumber: sample.data.cases.edges[0].node.caseNumber,
    warehouseCode: sample.data.warehouses[0].code,
    invoicedOrder: sample.data.invoiced.edges[0].node.orderNumber,
  };
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  await t?.stop();
});

/** Per read scope: a query, the path refused without the scope, and a part of the answer that must stay. */
const READS: { scope: string; query: string; refused: string; nulled: string; intact: string }[] = [
  {
    scope: Scope.ORDERS_READ,
    query: `{ order(orderNumber: $o) { orderNumber } product(sku: $sku) { sku } }`,
    refused: "order",
    nulled: "order",
    intact: "product.sku",
  },
  {
    scope: Scope.INVENTORY_READ,
    query: `{ product(sku: $sku) { sku } order(orderNumber: $o) { orderNumber } }`,
    refused: "product",
    nulled: "product",
    intact: "order.orderNumber",
  },
  {
    scope: Scope.CUSTOMERS_READ,
    query: `{ customer(customerNumber: $c) { name } order(orderNumber: $o) { orderNumber } }`,
    refused: "customer",
    nulled: "customer",
    intact: "order.orderNumber",
  },
  // creditLimit is non-null: its refusal nulls the customer, as GraphQL execution would.
  {
    scope: Scope.FINANCE_READ,
    query: `{ customer(customerNumber: $c) { name creditLimit } order(orderNumber: $o) { total } }`,
    refused: "customer.creditLimit",
    nulled: "customer",
    intact: "order.total",
  },
  {
    scope: Scope.PII_READ,
    query: `{ customer(customerNumber: $c) { name account { name contacts { email } } } }`,
    refused: "customer.account.contacts",
    nulled: "customer.account",
    intact: "customer.name",
  },
  {
    scope: Scope.CASES_READ,
    query: `{ case(caseNumber: $k) { subject } order(orderNumber: $o) { orderNumber } }`,
    refused: "case",
    nulled: "case",
    intact: "order.orderNumber",
  },
  {
    scope: Scope.OPS_ADMIN,
    query: `{ flowRun(runId: "none") { runId } order(orderNumber: $o) { orderNumber } }`,
    refused: "flowRun",
    nulled: "flowRun",
    intact: "order.orderNumber",
  },
];

const at = (data: any, path: string): unknown => path.split(".").reduce((value, key) => (value === null || value === undefined ? value : value[key]), data);
const withVariables = (query: string) => {
  const used = ["o", "c", "sku", "k"].filter((name) => new RegExp(`\\$${name}\\b`).test(query));
  return `query(${used.map((name) => `$${name}: ID!`).join(", ")}) ${query}`;
};
const variablesFor = (query: string, all: Record<string, string>) => Object.fromEntries(Object.entries(all).filter(([name]) => query.includes(`$${name}:`)));

describe("authorization by scope at the gateway", () => {
  for (const read of READS) {
    it(`${read.scope}: without it ${read.refused} is null with FORBIDDEN and the rest answers`, async () => {
      const query = withVariables(read.query);
      const variables = variablesFor(query, { o: keys.orderNumber, c: keys.customerNumber, sku: keys.sku, k: keys.caseNumber });
      const allowed = await callAs(gateway.url, EVERY_SCOPE)(query, variables);
      expect(allowed.errors).toBeUndefined();
      expect(at(allowed.data, read.refused)).not.toBeUndefined();
      const refused = await callAs(gateway.url, allBut(read.scope))(query, variables);
      expect(errorSummary(refused)).toEqual([{ code: "FORBIDDEN", path: read.refused }]);
      expect(at(refused.data, read.nulled)).toBeNull();
      expect(at(refused.data, read.intact)).toEqual(at(allowed.data, read.intact));
      expect(JSON.stringify(refused.data)).not.toContain('"email"');
    });
  }

  it("anonymous callers get UNAUTHENTICATED for every guarded field and no data", async () => {
    const response = await callAs(gateway.url, undefined)(withVariables(READS[0]!.query), { o: keys.orderNumber, sku: keys.sku });
    expect(response.data).toEqual({ order: null, product: null });
    expect(errorSummary(response)).toEqual([
      { code: "UNAUTHENTICATED", path: "order" },
      { code: "UNAUTHENTICATED", path: "product" },
    ]);
    // The hub's own gateway (no credentials resolve to anyone there) answers the same.
    const hubAnswer = await graphql(
      t.url,
      `
        {
          awaitChangeCursor(changeCursor: "0", timeoutMs: 0) {
            applied
          }
        }
      `,
      undefined,
      {}, // no credentials: the test clients otherwise send the hub's all-scopes token
    );
    expect(hubAnswer.data).toBeNull();
    expect(errorSummary(hubAnswer)).toEqual([{ code: "UNAUTHENTICATED", path: "awaitChangeCursor" }]);
  });

  it("refuses a field in every list item and in fragments, at each item's path", async () => {
    const query = `query($c: ID!, $o: ID!) {
      products(first: 2) { edges { node { sku ...Price } } }
      order(orderNumber: $o) { ... on Order { orderNumber invoice { invoiceNumber amount } } }
    }
    fragment Price on Product { priceFor(customerNumber: $c) }`;
    const variables = { c: keys.customerNumber, o: keys.invoicedOrder };
    const allowed = await callAs(gateway.url, EVERY_SCOPE)(query, variables);
    expect(allowed.errors).toBeUndefined();
    const refused = await callAs(gateway.url, allBut(Scope.FINANCE_READ))(query, variables);
    expect(errorSummary(refused)).toEqual([
      { code: "FORBIDDEN", path: "products.edges.0.node.priceFor" },
      { code: "FORBIDDEN", path: "products.edges.1.node.priceFor" },
      { code: "FORBIDDEN", path: "order.invoice.amount" },
    ]);
    expect(refused.data.products.edges.map((e: any) => e.node)).toEqual(allowed.data.products.edges.map((e: any) => ({ sku: e.node.sku, priceFor: null })));
    // amount is non-null: the invoice is null, the order stays.
    expect(refused.data.order).toEqual({ orderNumber: keys.invoicedOrder, invoice: null });
  });

  it("refuses each write without its scope and writes nothing", async () => {
    const all = callAs(gateway.url, EVERY_SCOPE);
    const before = await all(
      `query($c: ID!, $o: ID!, $sku: ID!) {
        customer(customerNumber: $c) { creditLimit openCases { caseNumber } }
        order(orderNumber: $o) { status }
        product(sku: $sku) { stock { warehouse { code } onHand } }
      }`,
      { c: keys.customerNumber, o: keys.orderNumber, sku: keys.sku },
    );
    const writes: { scope: string; mutation: string; variables: Record<string, unknown> }[] = [
      {
        scope: Scope.FINANCE_WRITE,
        mutation: `mutation($c: ID!) { setCreditLimit(customerNumber: $c, creditLimit: "1.00") { creditLimit } }`,
        variables: { c: keys.customerNumber },
      },
      {
        scope: Scope.ORDERS_WRITE,
        mutation: `mutation($o: ID!) { cancelOrder(orderNumber: $o, reason: "authz test") { status } }`,
        variables: { o: keys.orderNumber },
      },
      {
        scope: Scope.CASES_WRITE,
        mutation: `mutation($c: ID!, $k: String) { openCase(input: { customerNumber: $c, subject: "authz", priority: LOW, idempotencyKey: $k }) { caseNumber } }`,
        variables: { c: keys.customerNumber, k: randomUUID() },
      },
      {
        scope: Scope.WAREHOUSE_WRITE,
        mutation: `mutation($sku: ID!, $w: ID!, $k: String!) { adjustInventory(input: { sku: $sku, warehouseCode: $w, quantityDelta: "5", reason: "authz", idempotencyKey: $k }) { onHand } }`,
        variables: { sku: keys.sku, w: keys.warehouseCode, k: randomUUID() },
      },
    ];
    for (const write of writes) {
      const refused = await callAs(gateway.url, allBut(write.scope))(write.mutation, write.variables);
      expect(refused.data).toBeNull();
      expect(errorSummary(refused).map((e) => e.code)).toEqual(["FORBIDDEN"]);
    }
    // process:write is for the process layer only: the service desk role may not record a shipment.
    const shipment = await callAs(gateway.url, user("desk", ROLE_SCOPES.serviceDesk))(
      `mutation($o: ID!) { recordShipment(input: { orderNumber: $o, shipmentId: "SH-AUTHZ", lines: [], idempotencyKey: "authz-1" }) { shipmentId } }`,
      { o: keys.orderNumber },
    );
    expect(errorSummary(shipment).map((e) => e.code)).toEqual(["FORBIDDEN"]);
    const after = await all(
      `query($c: ID!, $o: ID!, $sku: ID!) {
        customer(customerNumber: $c) { creditLimit openCases { caseNumber } }
        order(orderNumber: $o) { status }
        product(sku: $sku) { stock { warehouse { code } onHand } }
      }`,
      { c: keys.customerNumber, o: keys.orderNumber, sku: keys.sku },
    );
    expect(after.data).toEqual(before.data);
  });

  it("a subgraph called directly without a signed principal, or with a forged one, answers nothing", async () => {
    const direct = (headers: Record<string, string>, query: string, variables: Record<string, unknown>) =>
      fetch(t.hub.subgraphUrls.erp, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ query, variables }),
      }).then((r) => r.json() as Promise<any>);
    const orderQuery = `query($o: ID!) { order(orderNumber: $o) { orderNumber total } }`;
    const entities = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { creditLimit } ... on Order { total } } }`;
    const representations = [
      { __typename: "Customer", customerNumber: keys.customerNumber },
      { __typename: "Order", orderNumber: keys.orderNumber },
    ];
    const signed = signPrincipal(EVERY_SCOPE, DEV_PRINCIPAL_SECRET);
    const ok = await direct({ [PRINCIPAL_HEADER]: signed }, orderQuery, { o: keys.orderNumber });
    expect(ok.data.order.orderNumber).toBe(keys.orderNumber);
    for (const headers of [
      {} as Record<string, string>,
      { [PRINCIPAL_HEADER]: signPrincipal(EVERY_SCOPE, "a-guessed-secret") },
      { [PRINCIPAL_HEADER]: signed.replace(/\.[^.]+$/, ".AAAA") },
    ]) {
      const answer = await direct(headers, orderQuery, { o: keys.orderNumber });
      expect(answer.data).toEqual({ order: null });
      expect(answer.errors.map((e: any) => e.extensions.code)).toEqual(["UNAUTHENTICATED"]);
      const fetched = await direct(headers, entities, { r: representations });
      expect(fetched.data).toEqual({ _entities: [null, null] });
      expect(fetched.errors.map((e: any) => e.extensions.code)).toEqual(["UNAUTHENTICATED", "UNAUTHENTICATED"]);
    }
    // Signed, but without finance:read: the entity answers, its guarded field does not.
    const noFinance = await direct({ [PRINCIPAL_HEADER]: signPrincipal(allBut(Scope.FINANCE_READ), DEV_PRINCIPAL_SECRET) }, entities, { r: representations });
    expect(noFinance.data._entities[1]).toMatchObject({ total: expect.any(String) });
    expect(noFinance.data._entities[0]).toBeNull();
    expect(noFinance.errors.map((e: any) => e.extensions.code)).toEqual(["FORBIDDEN"]);
  });

  it("a subscription the caller may not read is refused before it opens", async () => {
    const query = `subscription($sku: ID) { inventoryChanged(sku: $sku) { cursor position { onHand } } }`;
    for (const [principal, code] of [
      [allBut(Scope.INVENTORY_READ), "FORBIDDEN"],
      [ANONYMOUS, "UNAUTHENTICATED"],
    ] as const) {
      const stream = collect(graphqlSseClient(gateway.url, headersFor(principal === ANONYMOUS ? undefined : principal)), query, { sku: keys.sku });
      await stream.ended();
      expect(stream.events).toEqual([]);
      expect(JSON.stringify(stream.errors)).toContain(code);
    }
    const allowed = collect(graphqlSseClient(gateway.url, headersFor(user("stock", [Scope.INVENTORY_READ]))), query, { sku: keys.sku });
    await subscribed(gateway.url, 1);
    allowed.unsubscribe();
  });
});
