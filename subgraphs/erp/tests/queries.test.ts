// The ERP subgraph's read side over real HTTP on a seeded PGlite (or Postgres, see erpTestDatabase): root queries, paging,
// federation `_entities`, and that a batch of N references costs one SQL statement per entity type.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDemoWorld } from "@crossdock/schema";
import { start } from "../src/server.js";
import { erpTestDatabase, errorCodes, graphqlClient, sqlStatementsByModel, statementDelta } from "./helpers.js";

const SCALE = 0.05;
const world = generateDemoWorld({ scale: SCALE });
let database: Awaited<ReturnType<typeof erpTestDatabase>>;
let erp: Awaited<ReturnType<typeof start>>;
let gql: ReturnType<typeof graphqlClient>;

beforeAll(async () => {
  database = await erpTestDatabase();
  erp = await start({ port: 0, host: "127.0.0.1", databaseUrl: database.url, seed: { enabled: true, scale: SCALE }, logLevel: "warn" });
  gql = graphqlClient(erp.url);
});

afterAll(async () => {
  await erp?.stop();
  await database?.drop();
});

const ENTITIES = `query($representations: [_Any!]!) { _entities(representations: $representations) {
  ... on Order { orderNumber status total }
  ... on Customer { customerNumber name }
  ... on Product { sku description }
} }`;

describe("ERP queries", () => {
  it("serves the seeded order with its customer, lines, products and invoice", async () => {
    const seeded = world.orders.find((o) => o.invoice !== null && o.lines.length > 1)!;
    const response = await gql(
      `query($n: ID!) { order(orderNumber: $n) { orderNumber status total currency placedAt billingHold channel externalReference warehouseCode
        customer { customerNumber name status }
        lines { lineNumber quantity unitPrice quantityShipped product { sku description } }
        invoice { invoiceNumber amount status issuedAt } } }`,
      { n: seeded.orderNumber },
    );
    expect(response.errors).toBeUndefined();
    const order = response.data!.order;
    expect(order).toMatchObject({
      orderNumber: seeded.orderNumber,
      status: seeded.status,
      currency: seeded.currency,
      placedAt: seeded.placedAt,
      billingHold: seeded.billingHold,
      channel: seeded.channel,
      externalReference: seeded.externalReference,
      warehouseCode: seeded.warehouseCode,
      customer: { customerNumber: seeded.customerNumber },
      invoice: { invoiceNumber: seeded.invoice!.invoiceNumber, status: seeded.invoice!.status, issuedAt: seeded.invoice!.issuedAt },
    });
    // Decimals travel as exact strings; compare numerically-equal canonical forms.
    expect(Number(order.total)).toBe(Number(seeded.total));
    expect(
      order.lines.map((l: { lineNumber: number; product: { sku: string }; quantity: string; unitPrice: string }) => [
        l.lineNumber,
        l.product.sku,
        l.quantity,
        l.unitPrice,
      ]),
    ).toEqual(seeded.lines.map((l) => [l.lineNumber, l.sku, l.quantity, l.unitPrice]));
  });

  it("returns null for an unknown order, customer or product", async () => {
    const response = await gql(`{ order(orderNumber: "SO-1") { orderNumber } customer(customerNumber: "C-0") { name } product(sku: "NOPE") { sku } }`);
    expect(response.data).toEqual({ order: null, customer: null, product: null });
  });

  it("pages orders newest first with opaque cursors, filtered by customer and status", async () => {
    const first = await gql(`{ orders(first: 30) { edges { cursor node { orderNumber placedAt } } pageInfo { hasNextPage endCursor } } }`);
    const second = await gql(
      `query($after: String) { orders(first: 30, after: $after) { edges { node { orderNumber placedAt } } pageInfo { hasNextPage } } }`,
      {
        after: first.data!.orders.pageInfo.endCursor,
      },
    );
    const placed = [...first.data!.orders.edges, ...second.data!.orders.edges].map((e: { node: { placedAt: string } }) => e.node.placedAt);
    expect(placed).toEqual([...placed].sort().reverse());
    expect(new Set([...first.data!.orders.edges, ...second.data!.orders.edges].map((e: { node: { orderNumber: string } }) => e.node.orderNumber)).size).toBe(
      60,
    );
    expect(first.data!.orders.pageInfo.hasNextPage).toBe(true);

    const all = await gql(`{ orders(first: 500) { edges { node { orderNumber } } pageInfo { hasNextPage } } }`);
    expect(all.data!.orders.edges).toHaveLength(world.orders.length);
    expect(all.data!.orders.pageInfo.hasNextPage).toBe(false);

    const customerNumber = world.orders[0]!.customerNumber;
    const invoiced = await gql(
      `query($c: ID) { orders(customerNumber: $c, status: INVOICED, first: 500) { edges { node { orderNumber status customer { customerNumber } } } } }`,
      {
        c: customerNumber,
      },
    );
    const expected = world.orders.filter((o) => o.customerNumber === customerNumber && o.status === "INVOICED").map((o) => o.orderNumber);
    expect(invoiced.data!.orders.edges.map((e: { node: { orderNumber: string } }) => e.node.orderNumber).sort()).toEqual(expected.sort());
  });

  it("rejects a foreign cursor and a page size out of range", async () => {
    expect(errorCodes(await gql(`{ orders(after: "bm90LWEtY3Vyc29y") { edges { cursor } } }`))).toEqual(["INVALID_CURSOR"]);
    expect(errorCodes(await gql(`{ customers(first: 100000) { edges { cursor } } }`))).toEqual(["BAD_USER_INPUT"]);
  });

  it("lists customers by status and products by search, in key order", async () => {
    const blocked = await gql(`{ customers(status: BLOCKED) { edges { node { customerNumber status } } } }`);
    expect(blocked.data!.customers.edges.map((e: { node: { customerNumber: string } }) => e.node.customerNumber)).toEqual(
      world.customers.filter((c) => c.status === "BLOCKED").map((c) => c.customerNumber),
    );
    const page1 = await gql(`{ customers(first: 4) { edges { node { customerNumber } } pageInfo { endCursor hasNextPage } } }`);
    const page2 = await gql(`query($a: String) { customers(first: 4, after: $a) { edges { node { customerNumber } } } }`, {
      a: page1.data!.customers.pageInfo.endCursor,
    });
    expect([...page1.data!.customers.edges, ...page2.data!.customers.edges].map((e: { node: { customerNumber: string } }) => e.node.customerNumber)).toEqual(
      world.customers.slice(0, 8).map((c) => c.customerNumber),
    );

    const bolts = await gql(`{ products(search: "hex BOLT", first: 500) { edges { node { sku description unitOfMeasure unitWeightKg listPrice } } } }`);
    const expected = world.products.filter((p) => p.description.toLowerCase().includes("hex bolt")).map((p) => p.sku);
    expect(expected.length).toBeGreaterThan(0);
    expect(bolts.data!.products.edges.map((e: { node: { sku: string } }) => e.node.sku)).toEqual(expected);
  });

  it("prices a product for a customer: contract price, else list price, null for an unknown customer", async () => {
    const contract = world.customerPrices[0]!;
    const listOnly = world.customers.find((c) => !world.customerPrices.some((p) => p.customerNumber === c.customerNumber && p.sku === contract.sku))!;
    const listPrice = world.products.find((p) => p.sku === contract.sku)!.listPrice;
    const response = await gql(
      `query($sku: ID!, $a: ID!, $b: ID!) { product(sku: $sku) { contract: priceFor(customerNumber: $a) list: priceFor(customerNumber: $b) none: priceFor(customerNumber: "C-0") } }`,
      {
        sku: contract.sku,
        a: contract.customerNumber,
        b: listOnly.customerNumber,
      },
    );
    expect(response.data!.product).toEqual({ contract: contract.unitPrice, list: listPrice, none: null });
  });

  it("pages each customer's orders newest first", async () => {
    const response = await gql(
      `{ customers(first: 500) { edges { node { customerNumber orders(first: 2) { edges { node { orderNumber customer { customerNumber } } } pageInfo { hasNextPage } } } } } }`,
    );
    for (const edge of response.data!.customers.edges as {
      node: {
        customerNumber: string;
        orders: { edges: { node: { orderNumber: string; customer: { customerNumber: string } } }[]; pageInfo: { hasNextPage: boolean } };
      };
    }[]) {
      const theirs = world.orders.filter((o) => o.customerNumber === edge.node.customerNumber).sort((a, b) => (a.placedAt < b.placedAt ? 1 : -1));
      expect(edge.node.orders.edges.map((e) => e.node.orderNumber)).toEqual(theirs.slice(0, 2).map((o) => o.orderNumber));
      expect(edge.node.orders.pageInfo.hasNextPage).toBe(theirs.length > 2);
      for (const e of edge.node.orders.edges) expect(e.node.customer.customerNumber).toBe(edge.node.customerNumber);
    }
  });

  it("resolves _entities for Order, Customer and Product, null for unknown keys", async () => {
    const order = world.orders[3]!;
    const response = await gql(ENTITIES, {
      representations: [
        { __typename: "Order", orderNumber: order.orderNumber },
        { __typename: "Customer", customerNumber: order.customerNumber },
        { __typename: "Product", sku: order.lines[0]!.sku },
        { __typename: "Order", orderNumber: "SO-0" },
      ],
    });
    expect(response.errors).toBeUndefined();
    expect(response.data!._entities).toEqual([
      { orderNumber: order.orderNumber, status: order.status, total: String(Number(order.total)) },
      { customerNumber: order.customerNumber, name: world.customers.find((c) => c.customerNumber === order.customerNumber)!.name },
      { sku: order.lines[0]!.sku, description: world.products.find((p) => p.sku === order.lines[0]!.sku)!.description },
      null,
    ]);
  });
});

describe("ERP batching", () => {
  function hundred<T>(keys: T[], pad: (i: number) => T): T[] {
    return Array.from({ length: 100 }, (_, i) => keys[i] ?? pad(i));
  }

  it.each([
    [
      "Order",
      "SalesOrder",
      () =>
        hundred(
          world.orders.map((o) => o.orderNumber),
          (i) => `SO-9${i}`,
        ).map((orderNumber) => ({ __typename: "Order", orderNumber })),
    ],
    [
      "Customer",
      "Customer",
      () =>
        hundred(
          world.customers.map((c) => c.customerNumber),
          (i) => `C-9${i}`,
        ).map((customerNumber) => ({ __typename: "Customer", customerNumber })),
    ],
    [
      "Product",
      "Product",
      () =>
        hundred(
          world.products.map((p) => p.sku),
          (i) => `SKU-9${i}`,
        ).map((sku) => ({ __typename: "Product", sku })),
    ],
  ])("resolves 100 %s representations with ONE SQL statement", async (_type, table, representations) => {
    const before = await sqlStatementsByModel(erp.url);
    const response = await gql(ENTITIES, { representations: representations() });
    expect(response.errors).toBeUndefined();
    expect(response.data!._entities).toHaveLength(100);
    expect(statementDelta(before, await sqlStatementsByModel(erp.url))).toEqual({ [table]: 1 });
  });

  it("resolves 100 orders with customers, lines, products and invoices in one statement per table", async () => {
    const representations = world.orders.slice(0, 100).map((o) => ({ __typename: "Order", orderNumber: o.orderNumber }));
    const before = await sqlStatementsByModel(erp.url);
    const response = await gql(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { orderNumber customer { name } invoice { invoiceNumber } lines { quantity product { description priceFor(customerNumber: "C-10001") } } } } }`,
      { r: representations },
    );
    expect(response.errors).toBeUndefined();
    expect(statementDelta(before, await sqlStatementsByModel(erp.url))).toEqual({
      SalesOrder: 1,
      Customer: 1,
      SalesOrderLine: 1,
      Invoice: 1,
      Product: 1,
      CustomerPrice: 1,
    });
  });

  it("reads no customer or product row when only their keys are asked for (as the gateway asks before another subgraph resolves the rest)", async () => {
    const representations = world.orders.slice(0, 100).map((o) => ({ __typename: "Order", orderNumber: o.orderNumber }));
    const before = await sqlStatementsByModel(erp.url);
    const response = await gql<{ _entities: { customer: { __typename: string; customerNumber: string }; lines: { product: { sku: string } }[] }[] }>(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { customer { __typename customerNumber } lines { product { sku } } } } }`,
      { r: representations },
    );
    expect(response.errors).toBeUndefined();
    expect(statementDelta(before, await sqlStatementsByModel(erp.url))).toEqual({ SalesOrder: 1, SalesOrderLine: 1 });
    const first = world.orders[0]!;
    expect(response.data!._entities[0]!.customer).toEqual({ __typename: "Customer", customerNumber: first.customerNumber });
    expect(response.data!._entities[0]!.lines.map((l) => l.product.sku)).toEqual(first.lines.map((l) => l.sku));
  });

  it("pages the orders of every customer in one statement", async () => {
    const before = await sqlStatementsByModel(erp.url);
    const response = await gql(`{ customers(first: 500) { edges { node { orders(first: 3) { edges { node { orderNumber } } } } } } }`);
    expect(response.errors).toBeUndefined();
    expect(statementDelta(before, await sqlStatementsByModel(erp.url))).toEqual({ Customer: 1, SalesOrder: 1 });
  });
});
