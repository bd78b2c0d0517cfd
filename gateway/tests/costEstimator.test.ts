// The demand-control estimator against a schema with @cost and @listSize, as Apollo Router
// counts: objects 1, scalars 0, mutations 10, lists multiply, slicing arguments and sized
// fields size connections, and every alias and every spread of a fragment counts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildSchema, parse } from "graphql";
import { Supergraph } from "@apollo/federation-internals";
import { loadSupergraphSdl, REPO_ROOT } from "@crossdock/schema";
import { estimateCost, readCostModel } from "../src/cost/index.js";
import { loadConfig } from "../src/config.js";

const apiSchemaOf = (supergraphSdl: string) => Supergraph.build(supergraphSdl, { supportedFeatures: null }).apiSchema().toGraphQLJSSchema();

const SDL = `
  directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
  directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
  type Query {
    book(id: ID!): Book
    books: [Book!]!
    authors(first: Int = 50, after: String): AuthorConnection! @listSize(slicingArguments: ["first"], sizedFields: ["edges"], requireOneSlicingArgument: false)
    report: Report @cost(weight: 25)
  }
  type Mutation { addBook(input: BookInput!): Book }
  input BookInput { title: String! tags: [TagInput!] }
  input TagInput { name: String! }
  type Book { id: ID! title: String author: Author publisher: Publisher tags: [Tag!]! @listSize(assumedSize: 3) }
  type Author { name: String books: [Book!]! }
  type Publisher { name: String address: Address }
  type Address { zipCode: String }
  type Tag { name: String }
  type Report @cost(weight: 7) { total: Int }
  type AuthorConnection { edges: [AuthorEdge!]! pageInfo: PageInfo! }
  type AuthorEdge { cursor: String! node: Author! }
  type PageInfo { hasNextPage: Boolean! }
`;
const schema = buildSchema(SDL);
const model = readCostModel(parse(SDL));
const cost = (query: string, variables?: Record<string, unknown>) =>
  estimateCost({ schema, model, document: parse(query), variables, defaultListSize: 10 })?.cost;

describe("cost estimator", () => {
  it("counts objects 1 and scalars 0, as Apollo Router's example (cost 4)", () => {
    expect(cost(`{ book(id: 1) { title author { name } publisher { name address { zipCode } } } }`)).toBe(4);
  });

  it("charges 10 for a mutation and 1 for each input object", () => {
    expect(cost(`mutation { addBook(input: { title: "x" }) { id } }`)).toBe(10 + 1 + 1);
    expect(cost(`mutation { addBook(input: { title: "x", tags: [{ name: "a" }, { name: "b" }] }) { id } }`)).toBe(10 + 1 + 3);
    const byVariable = `mutation($input: BookInput!) { addBook(input: $input) { id } }`;
    expect(cost(byVariable, { input: { title: "x", tags: [{ name: "a" }] } })).toBe(10 + 1 + 2);
  });

  it("multiplies nested lists by their sizes (default 10, assumedSize)", () => {
    expect(cost(`{ books { title } }`)).toBe(10);
    expect(cost(`{ books { author { books { id } } } }`)).toBe(10 * (1 + 1 + 10 * 1));
    expect(cost(`{ book(id: 1) { tags { name } } }`)).toBe(1 + 3);
  });

  it("sizes a connection's edges by its slicing argument, literal, variable or default", () => {
    expect(cost(`{ authors(first: 5) { edges { node { name } } pageInfo { hasNextPage } } }`)).toBe(1 + 5 * (1 + 1) + 1);
    const byVariable = estimateCost({
      schema,
      model,
      document: parse(`query($n: Int) { authors(first: $n) { edges { node { name } } } }`),
      variables: { n: 20 },
      defaultListSize: 10,
    });
    expect(byVariable).toEqual({ cost: 1 + 20 * 2, dependsOnVariables: true });
    expect(cost(`{ authors { edges { node { name } } } }`)).toBe(1 + 50 * 2);
    expect(cost(`query($n: Int = 3) { authors(first: $n) { edges { cursor } } }`)).toBe(1 + 3);
  });

  it("applies @cost on fields and on types", () => {
    expect(cost(`{ report { total } }`)).toBe(25);
  });

  it("counts every alias and every spread of a fragment", () => {
    expect(cost(`{ a: book(id: 1) { id } b: book(id: 2) { id } }`)).toBe(2);
    const fragment = `fragment B on Book { author { name } publisher { name } }`;
    expect(cost(`{ book(id: 1) { ...B } } ${fragment}`)).toBe(3);
    expect(cost(`{ a: book(id: 1) { ...B } b: book(id: 2) { ...B ...B } } ${fragment}`)).toBe(3 + 1 + 2 + 2);
    expect(cost(`{ authors(first: 2) { ...C } } fragment C on AuthorConnection { edges { node { name } } }`)).toBe(1 + 2 * 2);
  });

  it("estimates fragments spreading each other many times over once each, at their real size", () => {
    const fragments = Array.from({ length: 40 }, (_, i) =>
      i === 39 ? `fragment F${i} on Book { author { name } }` : `fragment F${i} on Book { ...F${i + 1} ...F${i + 1} }`,
    );
    expect(cost(`{ book(id: 1) { ...F0 } } ${fragments.join(" ")}`)).toBe(1 + 2 ** 39);
  });

  it("charges nothing for introspection, which reaches no subgraph", () => {
    expect(cost(`{ __typename __schema { types { fields { name } } } }`)).toBe(0);
  });
});

describe("cost of the hub's own operations under the committed supergraph", () => {
  const sdl = loadSupergraphSdl();
  const api = apiSchemaOf(sdl);
  const declared = readCostModel(parse(sdl));
  const { maxCost, defaultListSize } = loadConfig({}).limits.cost;
  const costOf = (query: string) => estimateCost({ schema: api, model: declared, document: parse(query), defaultListSize })?.cost;

  it("lets every first-party operation (flows, simulator) through the default limit", () => {
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "launcher", "first-party-operations.json"), "utf8")) as {
      operations: { name: string; body: string }[];
    };
    expect(manifest.operations.length).toBeGreaterThan(0);
    for (const operation of manifest.operations) {
      const estimated = costOf(operation.body);
      expect(estimated, operation.name).toBeTypeOf("number");
      expect(estimated!, operation.name).toBeLessThanOrEqual(maxCost);
    }
  });

  it("sizes connections by `first` and refuses every customer's every order's lines", () => {
    expect(costOf(`{ orders(first: 3) { edges { node { orderNumber } } } }`)).toBe(1 + 3 * 2);
    expect(costOf(`{ customers(first: 100) { edges { node { orders(first: 100) { edges { node { lines { product { sku } } } } } } } } }`)).toBe(220_301);
  });
});
