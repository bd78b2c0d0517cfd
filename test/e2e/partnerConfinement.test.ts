// Partner confinement, tried as a partner of customer A would try to see customer B's data:
// by key, through another root field, through `_entities` at the subgraphs, through connections
// (cursors and next-page flags included) and through subscriptions. Each path answers as for data
// that does not exist, and the partner's own data still answers.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningGateway } from "@crossdock/gateway";
import { DEV_PRINCIPAL_SECRET, PRINCIPAL_HEADER, signPrincipal, type Principal } from "@crossdock/platform";
import { callAs, EVERY_SCOPE, headersFor, partner, startTestPrincipalGateway } from "./authorizationSupport.js";
import { startTestHub, type TestHub } from "./hubHarness.js";
import { collect, graphqlSseClient, subscribed } from "./subscriptionsClients.js";

let t: TestHub;
let gateway: RunningGateway;
let a: string;
let b: string;
let partnerA: Principal;
let aOrder: string;
let bInvoicedOrder: string;
let bCase: string;
let sku: string;

const all = () => callAs(gateway.url, EVERY_SCOPE);
const asPartner = () => callAs(gateway.url, partnerA);

beforeAll(async () => {
  t = await startTestHub("pglite");
  gateway = await startTestPrincipalGateway(t);
  const sample = await all()(`{
    invoiced: orders(status: INVOICED, first: 50) { edges { node { orderNumber customerNumber } } }
    cases(first: 50) { edges { node { caseNumber customer { customerNumber } } } }
    products(first: 1) { edges { node { sku } } }
  }`);
  expect(sample.errors).toBeUndefined();
  // B: a customer with an invoiced order and a case; A: another customer with orders.
  const caseCustomers = new Map<string, string>(sample.data.cases.edges.map((e: any) => [e.node.customer.customerNumber, e.node.caseNumber]));
  const invoiced = sample.data.invoiced.edges.map((e: any) => e.node).find((o: any) => caseCustomers.has(o.customerNumber));
  b = invoiced.customerNumber;
  bInvoicedOrder = invoiced.orderNumber;
  bCase = caseCustomers.get(b)!;
  a = sample.data.invoiced.edges.map((e: any) => e.node.customerNumber).find((c: string) => c !== b);
  partnerA = partner(a);
  const orders = await all()(`query($a: ID) { a: orders(customerNumber: $a, first: 1) { edges { node { orderNumber } } } }`, { a });
  aOrder = orders.data.a.edges[0].node.orderNumber;
  sku = sample.data.products.edges[0].node.sku;
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  await t?.stop();
});

describe("partner confinement", () => {
  it("another customer's order, invoice, customer, case and order status read as not found; its own answer", async () => {
    const query = `query($o: ID!, $c: ID!, $k: ID!) {
      order(orderNumber: $o) { orderNumber total invoice { invoiceNumber amount } }
      customer(customerNumber: $c) { name creditLimit }
      case(caseNumber: $k) { subject }
      orderStatus(orderNumber: $o) { stage }
      ordersByNumber(orderNumbers: [$o]) { orderNumber }
    }`;
    const other = await asPartner()(query, { o: bInvoicedOrder, c: b, k: bCase });
    const unknown = await asPartner()(query, { o: "SO-NO-SUCH", c: "C-NO-SUCH", k: "CS-NO-SUCH" });
    expect(other.errors).toBeUndefined();
    expect(other.data).toEqual({ order: null, customer: null, case: null, orderStatus: null, ordersByNumber: [null] });
    expect(other.data).toEqual(unknown.data);
    // The same reads of B's data answer for a caller not confined, and A's own for the partner.
    const unconfined = await all()(query, { o: bInvoicedOrder, c: b, k: bCase });
    expect(unconfined.data.order.invoice.amount).toEqual(expect.any(String));
    expect(unconfined.data.case.subject).toEqual(expect.any(String));
    const own = await asPartner()(
      `query($o: ID!, $c: ID!) { order(orderNumber: $o) { orderNumber fulfillments { fulfillmentId } } customer(customerNumber: $c) { name } }`,
      {
        o: aOrder,
        c: a,
      },
    );
    expect(own.errors).toBeUndefined();
    expect(own.data.order.orderNumber).toBe(aOrder);
    expect(own.data.customer.name).toEqual(expect.any(String));
  });

  it("connections hold only the partner's rows: the same edges, cursors and next-page flags as a filter on its customer", async () => {
    const page = `query($c: ID, $after: String) { orders(customerNumber: $c, first: 3, after: $after) { edges { cursor node { orderNumber customerNumber } } pageInfo { hasNextPage endCursor } } }`;
    const confined = await asPartner()(page, {});
    const filtered = await all()(page, { c: a });
    expect(confined.data).toEqual(filtered.data);
    const second = await asPartner()(page, { after: confined.data.orders.pageInfo.endCursor });
    expect(second.data).toEqual((await all()(page, { c: a, after: filtered.data.orders.pageInfo.endCursor })).data);
    const asked = await asPartner()(page, { c: b });
    expect(asked.data.orders).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
    const lists = await asPartner()(`{
      customers(first: 50) { edges { node { customerNumber } } pageInfo { hasNextPage } }
      cases(first: 50) { edges { node { customer { customerNumber } } } }
    }`);
    expect(lists.data.customers).toEqual({ edges: [{ node: { customerNumber: a } }], pageInfo: { hasNextPage: false } });
    expect(new Set(lists.data.cases.edges.map((e: any) => e.node.customer.customerNumber))).toEqual(new Set(lists.data.cases.edges.length ? [a] : []));
    const bCases = await asPartner()(`query($b: ID) { cases(customerNumber: $b, first: 50) { edges { node { caseNumber } } pageInfo { hasNextPage } } }`, {
      b,
    });
    expect(bCases.data.cases).toEqual({ edges: [], pageInfo: { hasNextPage: false } });
  });

  it("the subgraphs answer a partner's _entities for another customer with null", async () => {
    const entities = async (url: string, representations: unknown[], selection: string) => {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", [PRINCIPAL_HEADER]: signPrincipal(partnerA, DEV_PRINCIPAL_SECRET) },
        body: JSON.stringify({ query: `query($r: [_Any!]!) { _entities(representations: $r) { ${selection} } }`, variables: { r: representations } }),
      });
      return (await response.json()) as any;
    };
    const erp = await entities(
      t.hub.subgraphUrls.erp,
      [
        { __typename: "Order", orderNumber: bInvoicedOrder },
        { __typename: "Customer", customerNumber: b },
        { __typename: "Order", orderNumber: aOrder },
      ],
      `... on Order { orderNumber total } ... on Customer { name }`,
    );
    expect(erp.errors).toBeUndefined();
    expect(erp.data._entities).toEqual([null, null, { orderNumber: aOrder, total: expect.any(String) }]);
    const crm = await entities(
      t.hub.subgraphUrls.crm,
      [
        { __typename: "Case", caseNumber: bCase },
        { __typename: "Customer", customerNumber: b },
        { __typename: "Order", orderNumber: bInvoicedOrder },
      ],
      `... on Case { subject } ... on Customer { openCases { caseNumber } } ... on Order { cases { caseNumber } timeline { summary } }`,
    );
    expect(crm.data._entities).toEqual([null, null, { cases: [], timeline: [] }]);
    const wms = await entities(
      t.hub.subgraphUrls.wms,
      [
        { __typename: "Order", orderNumber: bInvoicedOrder, customerNumber: b },
        { __typename: "Order", orderNumber: bInvoicedOrder },
      ],
      `... on Order { fulfillments { fulfillmentId } }`,
    );
    expect(wms.data._entities).toEqual([{ fulfillments: [] }, { fulfillments: [] }]);
    const ops = await entities(t.hub.subgraphUrls.ops, [{ __typename: "Order", orderNumber: bInvoicedOrder }], `... on Order { statusView { stage } }`);
    expect(ops.data._entities).toEqual([{ statusView: null }]);
    // Through the ops root that takes any order number, the same: no reference to resolve further.
    const viaCase = await callAs(gateway.url, partnerA)(
      `query($o: ID!) { ordersByNumber(orderNumbers: [$o]) { orderNumber fulfillments { fulfillmentId } } }`,
      {
        o: bInvoicedOrder,
      },
    );
    expect(viaCase.data.ordersByNumber).toEqual([null]);
  });

  it("order status subscriptions deliver only the partner's own customer's events", async () => {
    const query = `subscription($c: ID) { orderStatusChanged(customerNumber: $c) { stage order { orderNumber customerNumber } } }`;
    const everything = collect(graphqlSseClient(gateway.url, headersFor(EVERY_SCOPE)), query, {});
    const confined = collect(graphqlSseClient(gateway.url, headersFor(partnerA)), query, {});
    const askedForB = collect(graphqlSseClient(gateway.url, headersFor(partnerA)), query, { c: b });
    await subscribed(gateway.url, 3);
    const submit = async (customerNumber: string) => {
      const response = await all()(`mutation($input: SubmitOrderInput!) { submitOrder(input: $input) { order { orderNumber } } }`, {
        input: { idempotencyKey: randomUUID(), customerNumber, lines: [{ sku, quantity: "1" }] },
      });
      expect(response.errors).toBeUndefined();
      await t.hub.drainCapture();
      return response.data.submitOrder.order.orderNumber as string;
    };
    const bSubmitted = await submit(b);
    await everything.waitFor(1);
    const aSubmitted = await submit(a);
    await everything.waitFor(2);
    await confined.waitFor(1);
    expect(everything.events.map((e) => e.orderStatusChanged.order.orderNumber)).toEqual([bSubmitted, aSubmitted]);
    expect(confined.events.map((e) => e.orderStatusChanged.order)).toEqual([{ orderNumber: aSubmitted, customerNumber: a }]);
    expect(askedForB.events).toEqual([]);
    expect(askedForB.errors).toEqual([]);
    for (const stream of [everything, confined, askedForB]) stream.unsubscribe();
  });

  it("shipments by key are not answered to partners", async () => {
    const own = await all()(`query($o: ID!) { order(orderNumber: $o) { fulfillments { shipments { shipmentId } } } }`, { o: bInvoicedOrder });
    const shipmentId = own.data.order.fulfillments.flatMap((f: any) => f.shipments)[0]?.shipmentId;
    expect(shipmentId).toEqual(expect.any(String));
    const byKey = await asPartner()(`query($s: ID!) { shipment(shipmentId: $s) { trackingNumber } shipmentsById(shipmentIds: [$s]) { trackingNumber } }`, {
      s: shipmentId,
    });
    expect(byKey.data).toEqual({ shipment: null, shipmentsById: [null] });
    // The same look-ups answer a caller who is not confined: the null above is confinement, not absence.
    const asStaff = await all()(`query($s: ID!) { shipment(shipmentId: $s) { shipmentId } }`, { s: shipmentId });
    expect(asStaff.data.shipment).toEqual({ shipmentId });
  });
});
