// The subgraph data source against a real subgraph over HTTP: entity fetches of concurrent
// operations are merged into one call and split back by position, errors included, and only
// calls with the same document, variables and caller are merged.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GraphQLError } from "graphql";
import type { GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { GraphQLDataSourceRequestKind } from "@apollo/gateway/dist/datasources/types.js";
import { ANONYMOUS, createLogger, createServiceMetrics, startSubgraphServer, type Principal, type RunningServer } from "@crossdock/platform";
import { CrossdockSubgraphDataSource } from "../src/subgraphDataSource.js";
import { sliceResponse } from "../src/entityBatching.js";
import type { GatewayContext } from "../src/context.js";

const ENTITIES = `query Products__wms__1($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product { sku description } } }`;

let server: RunningServer;
const httpCalls: { principal: string; skus: string[] }[] = [];

beforeAll(async () => {
  server = await startSubgraphServer({
    name: "catalogue",
    typeDefs: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
      type Product @key(fields: "sku") { sku: ID! description: String }
      type Query { ping: String }`,
    resolvers: {
      Query: { ping: () => "pong" },
      Product: {
        __resolveReference: (ref: { sku: string }) => {
          if (ref.sku === "BROKEN") throw new GraphQLError("no such product", { extensions: { code: "NOT_FOUND" } });
          return { sku: ref.sku, description: `Product ${ref.sku}` };
        },
      },
    },
    port: 0,
    logger: createLogger("catalogue", "silent"),
    metrics: createServiceMetrics("catalogue"),
    createContext: (base) => {
      httpCalls.push({ principal: base.principal.subject, skus: [] });
      return base;
    },
  });
});

afterAll(async () => {
  await server.stop();
});

function entityCall(skus: string[], principal: Principal = ANONYMOUS): GraphQLDataSourceProcessOptions<GatewayContext> {
  const context = { requestId: `req-${skus.join("-")}`, principal, logger: createLogger("test", "silent") };
  return {
    kind: GraphQLDataSourceRequestKind.INCOMING_OPERATION,
    request: { query: ENTITIES, operationName: "Products__wms__1", variables: { representations: skus.map((sku) => ({ __typename: "Product", sku })) } },
    context,
    incomingRequestContext: { context } as never,
  };
}

describe("CrossdockSubgraphDataSource", () => {
  it("merges concurrent entity fetches into one call and gives each operation its own entities", async () => {
    const source = new CrossdockSubgraphDataSource({ name: "catalogue", url: server.url });
    httpCalls.length = 0;
    const [a, b, c] = await Promise.all([
      source.process(entityCall(["A1", "A2"])),
      source.process(entityCall(["B1", "B2", "B3"])),
      source.process(entityCall(["C1"])),
    ]);
    expect(httpCalls).toHaveLength(1);
    expect(a.data?._entities).toEqual([
      { sku: "A1", description: "Product A1" },
      { sku: "A2", description: "Product A2" },
    ]);
    expect(b.data?._entities).toEqual(["B1", "B2", "B3"].map((sku) => ({ sku, description: `Product ${sku}` })));
    expect(c.data?._entities).toEqual([{ sku: "C1", description: "Product C1" }]);
    expect([a.errors, b.errors, c.errors]).toEqual([undefined, undefined, undefined]);
    await source.close();
  });

  it("sends each operation's call alone when the merged call fails, so one bad entity fails only its own operation", async () => {
    const source = new CrossdockSubgraphDataSource({ name: "catalogue", url: server.url });
    httpCalls.length = 0;
    const [a, b, c] = await Promise.all([source.process(entityCall(["A1"])), source.process(entityCall(["B1", "BROKEN"])), source.process(entityCall(["C1"]))]);
    // One merged call that failed as a whole, then one call per operation.
    expect(httpCalls).toHaveLength(4);
    expect(a).toEqual({ data: { _entities: [{ sku: "A1", description: "Product A1" }] } });
    expect(c).toEqual({ data: { _entities: [{ sku: "C1", description: "Product C1" }] } });
    expect(b.data?._entities ?? null).toBeNull();
    expect(b.errors?.map((e) => [e.message, e.extensions?.code])).toEqual([["no such product", "NOT_FOUND"]]);
    await source.close();
  });

  it("never merges calls of different callers, and sends each call alone when coalescing is off", async () => {
    const source = new CrossdockSubgraphDataSource({ name: "catalogue", url: server.url });
    const service: Principal = { kind: "service", subject: "flows", scopes: ["*"] };
    httpCalls.length = 0;
    const [anonymous, flows] = await Promise.all([source.process(entityCall(["X1"])), source.process(entityCall(["Y1"], service))]);
    expect(httpCalls.map((call) => call.principal).sort()).toEqual(["anonymous", "flows"]);
    expect(anonymous.data?._entities).toEqual([{ sku: "X1", description: "Product X1" }]);
    expect(flows.data?._entities).toEqual([{ sku: "Y1", description: "Product Y1" }]);
    await source.close();

    const single = new CrossdockSubgraphDataSource({ name: "catalogue", url: server.url, coalesceEntityFetches: false });
    httpCalls.length = 0;
    await Promise.all([single.process(entityCall(["P1"])), single.process(entityCall(["P2"]))]);
    expect(httpCalls).toHaveLength(2);
    await single.close();
  });

  it("splits a batch that would exceed the representation cap", async () => {
    const source = new CrossdockSubgraphDataSource({ name: "catalogue", url: server.url, maxBatchRepresentations: 3 });
    httpCalls.length = 0;
    const answers = await Promise.all([source.process(entityCall(["M1", "M2"])), source.process(entityCall(["M3", "M4"])), source.process(entityCall(["M5"]))]);
    expect(httpCalls).toHaveLength(2);
    expect(answers.map((answer) => (answer.data?._entities as { sku: string }[]).map((e) => e.sku))).toEqual([["M1", "M2"], ["M3", "M4"], ["M5"]]);
    await source.close();
  });

  it("turns a coded HTTP 400 from the subgraph into that error, and other failures into a status error", async () => {
    const source = new CrossdockSubgraphDataSource({ name: "catalogue", url: server.url });
    const bad = entityCall([]);
    bad.request.query = "query { nope }";
    await expect(source.process(bad)).rejects.toMatchObject({ extensions: { code: "GRAPHQL_VALIDATION_FAILED" } });
    const missing = new CrossdockSubgraphDataSource({ name: "catalogue", url: server.url.replace("/graphql", "/nowhere") });
    await expect(missing.process(entityCall(["Z1"]))).rejects.toMatchObject({ extensions: { response: { status: 404 } } });
    await Promise.all([source.close(), missing.close()]);
  });
});

describe("sliceResponse", () => {
  it("keeps errors without an entity index for every slice and drops other slices' entity errors", () => {
    const merged = {
      data: { _entities: ["a", "b", "c", "d"] },
      errors: [
        { message: "whole call", path: undefined },
        { message: "third", path: ["_entities", 2, "stock"] },
      ],
    };
    expect(sliceResponse(merged, 0, 2)).toEqual({ data: { _entities: ["a", "b"] }, errors: [{ message: "whole call", path: undefined }] });
    expect(sliceResponse(merged, 2, 2)).toEqual({
      data: { _entities: ["c", "d"] },
      errors: [
        { message: "whole call", path: undefined },
        { message: "third", path: ["_entities", 0, "stock"] },
      ],
    });
    expect(sliceResponse({ data: null, errors: [{ message: "down" }] }, 1, 1)).toEqual({ data: null, errors: [{ message: "down" }] });
  });
});
