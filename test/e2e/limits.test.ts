// The gateway's baseline protection: depth, alias and cost limits, body size, batching off, CSRF
// prevention, health and readiness — each answered with a typed error, before any subgraph work.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchMetrics, graphql, metricSum } from "../src/index.js";
import { startTestHub, type TestHub } from "./hubHarness.js";
import { collect, graphqlSseClient, graphqlWsClient } from "./subscriptionsClients.js";

/** The README's example queries: the cost limit must let them through. */
const README_QUERIES = [
  `query WhereIsMyOrder {
    order(orderNumber: "SO-100001") {
      orderNumber status total currency placedAt billingHold
      lines { lineNumber quantity unitPrice quantityShipped product { sku description } }
      invoice { invoiceNumber amount status }
      customer { name creditLimit openBalance account { owner segment contacts { name email } } }
      cases { caseNumber subject status priority }
      timeline { kind summary occurredAt }
      fulfillments { fulfillmentId status warehouse { name } shipments { carrier trackingNumber status milestones { code location occurredAt } } }
      statusView { stage lastEventAt sourceCommittedAt }
    }
  }`,
  `{
    product(sku: "SKU-00001") {
      description listPrice
      stock { warehouse { code } onHand reserved }
      inventory { warehouseCode onHand allocated available }
    }
    inventoryPositions(warehouseCode: "ATL1", first: 10) { edges { node { sku available sourceCommittedAt } } }
    syncStatus { sources { source capture lagMs lastEventAt deadLetters eventsApplied } }
  }`,
];

/** Every customer's every order's lines: 1 + 100 × (3 + 100 × (2 + 10 × 2)) by the supergraph's @listSize. */
const EXPENSIVE = `query Everything($n: Int!) {
  customers(first: $n) { edges { node { orders(first: $n) { edges { node { lines { product { sku } } } } } } } }
}`;

describe("gateway limits", () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub("pglite", 0.02);
  });
  afterAll(async () => t?.stop());

  it("rejects a query deeper than the limit with QUERY_TOO_DEEP", async () => {
    let selection = "orderNumber";
    for (let i = 0; i < 7; i++) selection = `orderNumber customer { orders(first: 1) { edges { node { ${selection} } } } }`;
    const result = await graphql(t.url, `{ order(orderNumber: "SO-100001") { ${selection} } }`);
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions?.code).toBe("QUERY_TOO_DEEP");
  });

  it("refuses an expensive nested query with its estimate, and runs the README's examples", async () => {
    for (const query of README_QUERIES) {
      const result = await graphql(t.url, query);
      expect(result.errors ?? [], query).toEqual([]);
      expect(result.data).toBeTruthy();
    }
    const refused = await graphql(t.url, EXPENSIVE, { n: 100 });
    expect(refused.status).toBe(400);
    expect(refused.data).toBeUndefined();
    expect(refused.errors?.[0]?.extensions).toEqual({ code: "COST_ESTIMATED_TOO_EXPENSIVE", cost: { estimated: 1 + 100 * (3 + 100 * 22), max: 10_000 } });
    // The same document with small pages is cheap enough, and runs.
    const small = await graphql(t.url, EXPENSIVE, { n: 2 });
    expect(small.errors ?? []).toEqual([]);
    expect(metricSum(await fetchMetrics(t.url), "crossdock_operation_cost_refused_total")).toBe(1);
  });

  it("applies the cost limit to subscription selections on both transports", async () => {
    const query = `subscription { orderStatusChanged { cursor order { customer { orders(first: 500) { edges { node { lines { product { sku } } } } } } } } }`;
    for (const client of [graphqlWsClient(t.url), graphqlSseClient(t.url)]) {
      const subscription = collect(client, query);
      await subscription.ended();
      expect(subscription.events).toHaveLength(0);
      expect(JSON.stringify(subscription.errors)).toContain("COST_ESTIMATED_TOO_EXPENSIVE");
      await client.dispose();
    }
  });

  it("labels operations and field usage by the caller's client headers", async () => {
    const headers = {
      "content-type": "application/json",
      authorization: `Bearer ${t.token}`,
      "apollographql-client-name": "e2e-portal",
      "apollographql-client-version": "4.2.0",
    };
    for (let i = 0; i < 2; i++) {
      const response = await fetch(t.url, {
        method: "POST",
        headers,
        body: JSON.stringify({ query: `query PortalOrder { order(orderNumber: "SO-100001") { orderNumber status } }` }),
      });
      expect(((await response.json()) as { data: { order: { orderNumber: string } } }).data.order.orderNumber).toBe("SO-100001");
    }
    const metrics = await fetchMetrics(t.url);
    const labels = { client: "e2e-portal", client_version: "4.2.0", operation: "PortalOrder", outcome: "ok" };
    expect(metricSum(metrics, "crossdock_client_operations_total", labels)).toBe(2);
    expect(metricSum(metrics, "crossdock_field_usage_total", { client: "e2e-portal", field: "Order.status", deprecated: "false" })).toBe(2);
    expect(metricSum(metrics, "crossdock_field_usage_total", { client: "e2e-portal", field: "Query.order" })).toBe(2);
  });

  it("rejects too many aliases with TOO_MANY_ALIASES", async () => {
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: order(orderNumber: "SO-100001") { orderNumber }`).join(" ");
    const result = await graphql(t.url, `{ ${aliases} }`);
    expect(result.errors?.[0]?.extensions?.code).toBe("TOO_MANY_ALIASES");
  });

  it("rejects an oversize body with 413 PAYLOAD_TOO_LARGE", async () => {
    const response = await fetch(t.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${t.token}` },
      body: JSON.stringify({ query: `{ __typename }`, padding: "x".repeat(1_100_000) }),
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("refuses batched requests and CSRF-prone requests", async () => {
    const batched = await fetch(t.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${t.token}` },
      body: JSON.stringify([{ query: "{ __typename }" }, { query: "{ __typename }" }]),
    });
    expect(batched.status).toBe(400);
    // Queries and mutations are POST only: a GET is refused even with the preflight header.
    const csrf = await fetch(`${t.url}?query=${encodeURIComponent("{ __typename }")}`, { method: "GET" });
    expect(csrf.status).toBe(405);
    const preflighted = await fetch(`${t.url}?query=${encodeURIComponent("{ __typename }")}`, {
      method: "GET",
      headers: { "apollo-require-preflight": "true", authorization: `Bearer ${t.token}` },
    });
    expect(preflighted.status).toBe(405);
  });

  it("reports health and readiness and propagates the request id", async () => {
    const base = t.url.replace(/\/graphql$/, "");
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const landing = await fetch(`${base}/`, { redirect: "manual" });
    expect(landing.status).toBe(302);
    expect(landing.headers.get("location")).toBe("/graphql");
    const sandbox = await fetch(t.url, { headers: { accept: "text/html" } });
    expect(sandbox.status).toBe(200);
    expect(await sandbox.text()).toMatch(/sandbox/i);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const response = await fetch(t.url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "req-e2e-1", authorization: `Bearer ${t.token}` },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(response.headers.get("x-request-id")).toBe("req-e2e-1");
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/crossdock_graphql_requests_total/);
  });
});
